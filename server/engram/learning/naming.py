"""Ids and names for patterns, solutions and checks.

Pattern and template ids are opaque: they are shown to every agent that sees any instance, so they
must not carry words of whichever agent's context came first. Names are readable, and rendered for
each caller from what it may see (learning/views.py)."""

from __future__ import annotations

import hashlib
import hmac
import re

from engram.learning.signature import extract_signature, is_constant_word, tokenize

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


LONGEST_SLUG = 80


def slugify(text: str, max_words: int = 6) -> str:
    """Up to `max_words` words in kebab case. Slugs become ids (prevention checks) that Neo4j indexes, so one
    past LONGEST_SLUG characters (a word of 8 KB) is cut and ends in a hash of the whole, which keeps it unique."""
    words = [w for w in _NON_WORD.split(text.lower()) if w][:max_words]
    slug = "-".join(words) or "unnamed"
    if len(slug) <= LONGEST_SLUG:
        return slug
    return f"{slug[:LONGEST_SLUG - 13].rstrip('-')}-{hashlib.sha256(slug.encode()).hexdigest()[:12]}"


def opaque_id(prefix: str, key: str) -> str:
    """Stable for the same key, and reveals nothing of it to whoever cannot guess the key (tokens that are
    only ever checked against their own caller). Ids shown to several agents use `keyed_id`."""
    return f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


def keyed_id(prefix: str, key: str, secret: str) -> str:
    """Stable for the same key, and reveals nothing of it even to someone who guesses the key: an HMAC under the
    installation's secret (LearningRepository.id_key). A plain hash of "agent + signature" would let anybody
    test a guessed error message and owner against a pattern id they see."""
    return f"{prefix}-{hmac.new(secret.encode(), key.encode('utf-8'), hashlib.sha256).hexdigest()[:12]}"


def context_signature(context: str) -> str:
    """What names a decision template: the context with its variable parts masked."""
    return " ".join(extract_signature(context).lower().split())


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
