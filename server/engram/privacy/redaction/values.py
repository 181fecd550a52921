"""Value heuristics: placeholders, code references, paths and entropy tell a secret value from
ordinary text; and the span every rule and detector reports, with its priority."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from engram.privacy.redaction.types import _MARKER_RE


class _Span(NamedTuple):
    start: int
    end: int
    kind: str
    priority: int


# Priorities decide the kind reported when spans overlap (the union is always redacted).
_P_BLOCK, _P_PROVIDER, _P_JWT, _P_AUTH, _P_URL, _P_CLI, _P_ASSIGN, _P_PII = 70, 60, 55, 45, 35, 30, 20, 10

# --------------------------------------------------------------------------- value heuristics

_PLACEHOLDER_WORDS = frozenset(
    """none null nil undefined nan true false yes no on off empty blank required optional
    str string bytes int bool secretstr redacted hidden masked removed omitted filtered sensitive
    secret secrets password passwords passwd token tokens apikey api_key key value changed reset
    expired invalid incorrect wrong missing unset notset not_set n/a na tbd todo fixme
    rotated updated revoked set enabled disabled default env environment stdin prompt ask
    placeholder example dummy sample secretbytes pass pwd pw foo bar baz qux foobar lambda not
    await yield function new object""".split()
)
_PLACEHOLDER_RE = re.compile(
    r"""(?:
        [<{].*[>}]                              # <your-token>, {token}, {{ vault_pw }}
      | \$.*                                    # $PASSWORD, ${DB_PASSWORD}, $(cat file)
      | %\(?\w*\)?[sd]                          # %s, %(password)s
      | ![A-Za-z]+(?:\s.*)?                    # YAML tags: !vault |, !Ref Name
      | [xX*\u2022.#?_-]+                       # ****, xxxxx, ...
      | (?:your|insert|enter)[-_ ]?\w*         # your-token-here, YOUR_API_KEY
      | my[-_]\w+ | \w+[-_]here
    )""",
    re.X | re.S | re.I,
)
_REGEX_SOURCE_RE = re.compile(r"\(\?[:=!<P]|\\[dwsbDWS][*+?{]|\[\^")  # a pattern, not a value
_CODE_REF_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\s*[(\[]")
_IDENT_REF_RE = re.compile(
    r"(?:[a-z_]\w*\.)*[a-z_]*(?:password|passwd|pwd|pass|secret|token|key|cred)\w*", re.I
)
_PATHLIKE_RE = re.compile(
    r"(?:~?\.{0,2}/|[A-Za-z]:\\|\w+://)[\w.~/\\:@%-]*|[\w.~/-]*\.(?:pem|key|crt|cer|p12|pfx|jks|json|ya?ml|txt|env|ini|conf|gpg)",
    re.I,
)
_RANDOM_SEGMENT_RE = re.compile(r"(?=[^/]*[a-z])(?=[^/]*[A-Z])(?=[^/]*\d)[A-Za-z0-9]{8,}")
_VERSIONLIKE_RE = re.compile(r"v?\d+(?:[.:-]\d+)*[a-z]{0,3}", re.I)
_CAMEL_WORDS_RE = re.compile(r"(?:[A-Z][a-z]+|[a-z]+)(?:[A-Z][a-z]+)*")


@lru_cache(maxsize=1)
def _entropy_fn() -> Callable[[str], float]:
    """Shannon entropy over the base64 alphabet, via detect-secrets when it is installed."""
    try:
        from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString

        return Base64HighEntropyString().calculate_shannon_entropy
    except Exception:  # pragma: no cover - library missing or changed
        def entropy(data: str) -> float:
            return -sum(
                (c / len(data)) * math.log2(c / len(data)) for c in map(data.count, set(data))
            )

        return entropy


def _is_sequential(value: str) -> bool:
    try:
        from detect_secrets.filters.heuristic import is_sequential_string

        return is_sequential_string(value)
    except Exception:  # pragma: no cover
        return False


def is_placeholder(value: str) -> bool:
    """True for values that stand in for a secret (templates, env refs, masks, markers)."""
    v = value.strip().strip("\"'`")
    if not v or _MARKER_RE.search(v) or "***" in v or "\u2022\u2022" in v:
        return True
    if not any(c.isalnum() for c in v):
        return True
    if v.lower() in _PLACEHOLDER_WORDS or v.endswith(("...", "\u2026")):  # elided: eyJhbGci...
        return True
    return bool(_PLACEHOLDER_RE.fullmatch(v) or _REGEX_SOURCE_RE.search(v))


_DOTTED_PATH_RE = re.compile(r"[A-Za-z_]+(?:\.[A-Za-z_]+)+")  # Name.Builtin, var.client_secret
_SNAKE_RE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def _is_code_reference(value: str, key: str, spaced: bool = False) -> bool:
    """``password=password``, ``token=self.token``, ``key=os.environ["X"]``,
    ``password = random_password.db.result`` name a secret rather than hold one."""
    if _CODE_REF_RE.match(value) or _DOTTED_PATH_RE.fullmatch(value):
        return True
    low, key_low = value.lower(), key.lower()
    if low == key_low or ("_" in key and low.startswith(key_low) and value[len(key) :].isdigit()):
        return True  # password=password, dep_token=dep_token0
    if spaced and _SNAKE_RE.fullmatch(value):  # "pw = user_input" is code, not a config value
        return True
    return ("_" in value or "." in value) and not any(c.isdigit() for c in value) and bool(
        _IDENT_REF_RE.fullmatch(value)
    )


def is_pathlike(value: str) -> bool:
    """File paths and URLs, but not base64 keys that merely contain ``/`` (AWS secrets do)."""
    return bool(_PATHLIKE_RE.fullmatch(value)) and not any(
        _RANDOM_SEGMENT_RE.fullmatch(seg) for seg in value.split("/")
    )


def looks_secret(value: str) -> bool:
    """Shape test for values of generic token/key assignments: random-looking, not a word or id."""
    v = value.strip()
    if len(v) < 8 or " " in v or is_placeholder(v) or is_pathlike(v):
        return False
    if _VERSIONLIKE_RE.fullmatch(v) or _is_sequential(v):
        return False
    has_digit = any(c.isdigit() for c in v)
    has_lower = any(c.islower() for c in v)
    has_upper = any(c.isupper() for c in v)
    entropy = _entropy_fn()(v)
    if has_digit and (has_lower or has_upper):
        return entropy >= 2.5
    if has_lower and has_upper:  # no digits: random only if case flips often (not AuraAPICredentials)
        switches = sum(1 for a, b in zip(v, v[1:]) if a.islower() and b.isupper())
        return entropy >= 3.0 and len(v) >= 12 and switches * 6 >= len(v) and not _CAMEL_WORDS_RE.fullmatch(v)
    # single-case letters only: accept only long, high-entropy strings without word separators
    return len(v) >= 20 and entropy >= 3.7 and not re.search(r"[-_.]", v)
