"""Readable, stable ids for patterns, solutions and checks (what people type in the CLI)."""

from __future__ import annotations

import re

from engram.learning.signature import is_constant_word, tokenize

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_words: int = 6) -> str:
    words = [w for w in _NON_WORD.split(text.lower()) if w][:max_words]
    return "-".join(words) or "unnamed"


def pattern_name(context: str, signature: str) -> str:
    """A context that already is a name ('npm-install-timeout') names the pattern; otherwise the
    first constant words of the error signature do."""
    head = context.strip().split()[0].lower().rstrip(":,;.") if context.strip() else ""
    if _KEBAB.match(head):
        return head
    constants = [t for t in tokenize(signature) if is_constant_word(t)]
    return slugify(" ".join(constants), 6) if constants else slugify(context, 6)


_CHECK_VERBS = ("verify", "check", "ensure", "validate", "confirm", "test")


def check_name(action: str) -> str:
    slug = slugify(action, 8)
    return slug if slug.startswith(_CHECK_VERBS) else f"ensure-{slug}"
