"""Turning Neo4j record values into plain Python: the one place driver temporal types are unwrapped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any


def native(value: Any) -> Any:
    """neo4j.time values become datetime/date; everything else is returned as it is."""
    return value.to_native() if hasattr(value, "to_native") else value


def native_props(props: dict) -> dict:
    return {k: native(v) for k, v in props.items()}


def instant(parts: list | None) -> datetime | None:
    """A datetime a statement returned as [epoch seconds, microsecond, UTC offset seconds] (null: none), as
    the aware datetime `native` makes of the driver's value — about a hundred times faster to build."""
    if not parts or parts[0] is None:
        return None
    seconds, microsecond, offset = parts
    zone = timezone.utc if offset == 0 else timezone(timedelta(seconds=offset))
    return datetime.fromtimestamp(seconds, zone).replace(microsecond=microsecond)
