"""The range of instants the service accepts from callers. Neo4j stores any date, but one far from now (year 1,
or 9999 with a -14:00 offset) cannot be read back into Python, so every reader of that memory or grant would
fail: such an instant is refused where it comes in (the API, the CLI, an import)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engram.errors import BadInputError

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # no event an agent remembers happened before
CLOCK_SKEW = timedelta(minutes=5)  # clocks differ a little between agents and the service; more ahead is a mistake
LONGEST_GRANT = timedelta(days=3650)  # a grant ends within ten years


def past_instant(moment: datetime, name: str) -> datetime:
    """`moment` (naive means UTC) if it lies between 1970 and now; BadInputError otherwise."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > datetime.now(UTC) + CLOCK_SKEW:
        raise BadInputError(f"{name} {moment.isoformat()} lies in the future.")
    if moment < EARLIEST:
        raise BadInputError(f"{name} {moment.isoformat()} lies before 1970.")
    return moment


def grant_end(moment: datetime, now: datetime) -> datetime:
    """A grant's end if it lies in the future and within LONGEST_GRANT of `now`; BadInputError otherwise."""
    if moment.tzinfo is None:
        raise BadInputError("expires_at needs a time zone.")
    if moment <= now:
        raise BadInputError("expires_at lies in the past; a grant must end in the future.")
    if moment > now + LONGEST_GRANT:
        raise BadInputError(f"expires_at lies more than {LONGEST_GRANT.days} days ahead; grants end within ten years.")
    return moment
