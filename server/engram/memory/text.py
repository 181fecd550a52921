"""Plain-text renderings of memories: the fulltext-indexed summary and Lucene queries."""

from __future__ import annotations

import re
from dataclasses import asdict

from engram.entities.memory import NewMemory

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_WORD = re.compile(r"[\w][\w.\-]*", re.UNICODE)


def memory_text(memory: NewMemory) -> str:
    """Everything a person might search for, on one line: action, outcome, error, cause, fix, lessons."""
    parts: list[str] = []
    for key, value in asdict(memory.content).items():
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif hasattr(value, "value"):
            value = value.value
        parts.append(f"{key.replace('_', ' ')}: {value}")
    if memory.outcome:
        parts.append(f"outcome: {memory.outcome.value}")
    if memory.domain:
        parts.append(f"domain: {memory.domain}")
    if memory.tags:
        parts.append("tags: " + ", ".join(memory.tags))
    return "; ".join(parts)


MAX_TERM = 100  # characters of one word kept in a query (the analyzer splits longer tokens anyway)


def lucene_query(text: str, max_terms: int = 32) -> str | None:
    """An OR of the escaped words of free text (a parameter value, never Cypher); None if no words.

    Every word is literal: operators are escaped, and words are lowercased so AND / OR / NOT / TO are
    never read as Lucene syntax (the index's analyzer lowercases anyway). At most `max_terms` words of
    at most MAX_TERM characters each, so no text can exceed Lucene's clause or term limits."""
    words = []
    for word in _WORD.findall(text.replace("-", " ").replace("_", " "))[:max_terms]:
        words.append(_LUCENE_SPECIAL.sub(r"\\\1", word[:MAX_TERM].lower()))
    return " OR ".join(words) if words else None
