"""Turning Neo4j record values into plain Python: the one place driver temporal types are unwrapped."""

from __future__ import annotations

from typing import Any


def native(value: Any) -> Any:
    """neo4j.time values become datetime/date; everything else is returned as it is."""
    return value.to_native() if hasattr(value, "to_native") else value


def native_props(props: dict) -> dict:
    return {k: native(v) for k, v in props.items()}
