"""Structured facts an agent states about a context: flat `key: string | number` pairs.

`{env: "production", rows: 80000000}` says what the context's words may leave vague. A decision stores
its facts as "key=value" strings (DecisionContent.facts), and learning/branches.py splits the evidence
on them as it does on the context's own words and numbers: a string fact is the word "env=production", a
number fact the number `rows`. Facts are bounded like every other input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from engram.errors import BadInputError

MAX_FACTS = 32
MAX_KEY = 64
MAX_VALUE = 200

Facts = dict[str, str | float]


def checked_facts(facts: object) -> Facts:
    """Flat facts with string, number or boolean values, or a BadInputError saying what is wrong."""
    if facts is None:
        return {}
    if not isinstance(facts, Mapping) or len(facts) > MAX_FACTS:
        raise BadInputError(f"facts must be an object of at most {MAX_FACTS} keys, e.g. "
                            '{"env": "production", "rows": 80000000}.')
    out: Facts = {}
    for key, value in facts.items():
        name = key.strip().lower() if isinstance(key, str) else ""
        if not name or len(name) > MAX_KEY or "=" in name:
            raise BadInputError(f"Fact key {str(key)[:80]!r} must be a non-empty name of at most {MAX_KEY} "
                                "characters without '='.")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, int | float):
            number = float(value) if abs(value) < 1e300 else math.inf  # (float() of a 400-digit int overflows)
            if not math.isfinite(number):
                raise BadInputError(f"Fact {name!r} must be a finite number below 1e300.")
            out[name] = number
        elif isinstance(value, str) and value.strip() and len(value) <= MAX_VALUE:
            out[name] = value.strip()  # case kept: redaction sees it as sent (branches compare lower-cased)
        else:
            raise BadInputError(f"Fact {name!r} must be a non-empty string of at most {MAX_VALUE} characters, "
                                "a number or a boolean.")
    return out


def fact_strings(facts: Mapping[str, str | float]) -> list[str]:
    """Facts as stored: "key=value", sorted by key; whole numbers without a decimal point."""
    return [f"{key}={_text(value)}" for key, value in sorted(facts.items())]


def parse_facts(pairs: Sequence[str]) -> Facts:
    """Stored "key=value" facts back to values (numbers where they parse as numbers)."""
    out: Facts = {}
    for pair in pairs:
        key, _, value = str(pair).partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        out[key] = number if math.isfinite(number) else value
    return out


def _text(value: str | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
