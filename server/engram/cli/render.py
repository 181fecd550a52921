"""Rendering learning results for people (spec-style lines) and machines (JSON)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from rich.text import Text

from engram.cli.output import line, say
from engram.entities.learning import FailureDetails, PatternView, RateEstimate, SuccessDetails


def plain(value: Any) -> Any:
    """Dataclasses, enums and datetimes as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def rate(estimate: RateEstimate | None) -> str:
    if estimate is None:
        return "no outcomes yet"
    attempts = f"{estimate.attempts:g} attempt" + ("" if estimate.attempts == 1 else "s")
    return f"{estimate.mean:.0%} success rate, 90% CI {estimate.lower:.0%}–{estimate.upper:.0%}, {attempts}"


def print_patterns(views: list[PatternView]) -> None:
    """Patterns for people, as `engram learning patterns` and `engram memory patterns` both show them."""
    if not views:
        say("No patterns match (run `engram learning analyze` after recording experience).")
    for view in views:
        if view.kind == "failure" and view.recurring:
            say("Identified pattern:")
        for text in pattern_lines(view):
            say(text)


def pattern_lines(p: PatternView) -> list[Text]:
    """A pattern as spec-style lines; its name, contexts, solutions and checks are other agents' text, so literal."""
    lines: list[Text | str] = [line("→ ", (p.name, "bold"), f" ({p.kind} pattern {p.id}{', recurring' if p.recurring else ''})")]
    lines.append(f"  • Seen {p.occurrences} times by {', '.join(p.agents) or '—'}"
                 + (f", {p.first_seen:%Y-%m-%d} to {p.last_seen:%Y-%m-%d}" if p.first_seen and p.last_seen else ""))
    d = p.details
    if isinstance(d, FailureDetails):
        if d.contexts:
            lines.append(f"  • Occurs in: {'; '.join(d.contexts[:3])}")
        lines.append(f"  • Signature: {d.signature}")
        for s in d.solutions[:4]:
            lines.append(f"  • Solution: {s.description} ({rate(s.estimate)}; used by {', '.join(s.agents)})")
        for c in d.checks[:4]:
            lines.append(f"  • Prevention check: {c.name} — {c.description}")
    elif isinstance(d, SuccessDetails):
        lines.append(f"  • Approach: {d.action} ({rate(p.estimate)})")
        if d.contexts:
            lines.append(f"  • In contexts like: {'; '.join(d.contexts[:3])}")
        for i, step in enumerate(d.steps, start=1):
            lines.append(f"    {i}. {step}")
    else:
        for b in d.branches[:4]:
            lines.append(f"  • {b.action} ({rate(b.estimate)})")
    return [line(text) for text in lines]
