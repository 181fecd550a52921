"""Error signatures: a message with its variable parts replaced by typed placeholders.

Failures that share a cause differ only in the values they mention (ids, hosts,
paths, counts, timings ...).  Masking those values turns many distinct messages
into one signature, which the grouper then clusters.  All rules here are
generic (token shapes and well-known value formats), never tied to one
product's log format, because the service sees errors from arbitrary software.
"""

from __future__ import annotations

import re
from typing import Callable, Final

#: Every placeholder this module can emit.  ``<*>`` marks a mixed/unknown kind.
PLACEHOLDERS: Final[tuple[str, ...]] = (
    "<URL>",
    "<EMAIL>",
    "<UUID>",
    "<TS>",
    "<MAC>",
    "<IP>",
    "<HOST>",
    "<PATH>",
    "<QUOTED>",
    "<DURATION>",
    "<SIZE>",
    "<HEX>",
    "<USER>",
    "<NUM>",
    "<ID>",
    "<*>",
)

_KINDS = "|".join(re.escape(p[1:-1]) for p in PLACEHOLDERS)
PLACEHOLDER_RE: Final[re.Pattern[str]] = re.compile(rf"<(?:{_KINDS})>")
_SPLIT_RE = re.compile(rf"(<(?:{_KINDS})>)")
_ALNUM_RE = re.compile(r"[A-Za-z0-9]")

# --------------------------------------------------------------------------- #
# Typed value patterns, applied in order (most specific first).
# --------------------------------------------------------------------------- #

_URL = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()\[\]{}]*[^\s'\"<>()\[\]{}.,;:!?]"
)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_WEEKDAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|"
    r"Sat(?:urday)?|Sun(?:day)?)\b,?"
)
_TZ = r"(?:Z|UTC|GMT|[A-Z]{1,3}[SD]T|CES?T|EES?T|WES?T|IST|JST|KST|HKT|SGT|[+\-]\d{2}:?\d{2})"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?"
_TIMESTAMPS = (
    # ISO 8601 / RFC 3339 and the common "date time" database form.
    re.compile(
        rf"(?<![\w.\-])\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]{_CLOCK}(?:\s?{_TZ})?)?(?![\w])"
    ),
    # 2024/01/31, 31/01/2024, 17/06/09 (optionally followed by a clock).
    re.compile(
        rf"(?<![\w./\-])(?:\d{{4}}/\d{{1,2}}/\d{{1,2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
        rf"(?:[ T:]{_CLOCK})?(?![\w/])"
    ),
    # Syslog / ctime / RFC 2822: "Fri Jul 01 08:16:53 PDT 2005", "Dec 10 06:55:46".
    re.compile(
        rf"\b(?:{_WEEKDAY}\s+)?(?:\d{{1,2}}\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
        rf"(?:\s+\d{{4}})?(?:\s+{_CLOCK}(?:\s+{_TZ})?)?(?:\s+\d{{4}})?(?![\w:])"
    ),
    # Bare clock times: 06:55:46, 00:17, 10:00:00.123
    re.compile(rf"(?<![\w:.]){_CLOCK}(?![\w:])"),
)

_COLON_HEX = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,}(?:%\w+)?(?![\w:])")
_IPV4 = re.compile(
    r"(?<![\w.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
    r"(?:/\d{1,2}(?!\d))?(?::\d+)?(?![\w]|\.\w)"
)

_TLDS = (
    "com|net|org|io|edu|gov|mil|info|biz|local|localdomain|internal|lan|corp|"
    "cloud|us|uk|de|fr|jp|cn|hk|ru|br|au|ca|nl|eu|kr|tw"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
# Source files look like hosts when followed by ":<line>" (Foo.java:42); keep them.
_SOURCE_EXT = (
    "java|kt|scala|groovy|py|pyx|js|mjs|cjs|jsx|ts|tsx|go|rb|rs|c|cc|cpp|cxx|h|hpp|"
    "cs|php|swift|m|mm|lua|pl|sh|ex|exs|erl|clj|dart|vue|svelte|sql"
)
_HOST_PORT = re.compile(
    rf"(?<![\w.\-/])(?:{_LABEL}\.)+(?!(?:{_SOURCE_EXT}):)[A-Za-z][A-Za-z0-9\-]*:\d+(?![\w])"
)
# Dotted names ending in a well-known TLD or a country second-level domain
# (".com.mx", ".co.uk"); labels may be all digits ("1-2-3-4.isp.net").
_HOST_TLD = re.compile(
    rf"(?<![\w.\-/@])(?:{_LABEL}\.)+(?:(?:com|net|org|edu|gov|ac|co|or|ne)\.[a-z]{{2}}|{_TLDS})"
    rf"(?::\d+)?(?![\w\-]|\.\w)",
    re.IGNORECASE,
)
_LOCALHOST = re.compile(r"\blocalhost(?::\d+)?\b")

_PATH_CHARS = r"[\w.@%+~\-]"
_PATH_END = r"[\w@%+~\-]"
_UNIX_PATH = re.compile(
    rf"(?<![\w./~<>\-])(?:~|\.\.?)?(?:/+{_PATH_CHARS}+)*/+{_PATH_CHARS}*{_PATH_END}/?"
    rf"(?::\d+(?::\d+)?)?|(?<![\w./~<>\-])(?:~|\.\.?)/"
)
# Relative paths: a file with an extension ("src/main.rs:4:37") or 3+ segments;
# a single slash between words ("Input/output", "TCP/IP") is left alone.
_REL_PATH = re.compile(
    rf"(?<![\w.@%+~\-/<>])(?:{_PATH_CHARS}+/)+{_PATH_CHARS}*\.[A-Za-z]\w{{0,7}}(?::\d+(?::\d+)?)?"
    rf"(?![\w/])|(?<![\w.@%+~\-/<>]){_PATH_CHARS}+(?:/{_PATH_CHARS}+){{2,}}/?(?![\w/])"
)
_WIN_PATH = re.compile(r"(?<!\w)(?:[A-Za-z]:\\|\\\\[\w.$\-]+\\)[^\s\"'<>|*?]*[^\s\"'<>|*?.,;:)\]]")

_QUOTES = (
    re.compile(r"(?<![\w\\])'([^'\n]*)'(?!\w)"),
    re.compile(r'(?<!\\)"([^"\n]*)"'),
    re.compile(r"`([^`\n]*)`"),
    re.compile(r"\u2018([^\u2019\n]*)\u2019"),
    re.compile(r"\u201c([^\u201d\n]*)\u201d"),
)

_NUMBER = r"[<>~]?=?\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"(?<![\w.]){_NUMBER}(?:\s?(?:ns|us|\u00b5s|ms|secs?|seconds?|mins?|minutes?|hours?|hrs?|days?)"
    rf"|(?:s|m|h|d))(?![\w])",
)
_SIZE = re.compile(
    rf"(?<![\w.]){_NUMBER}\s?(?:[KMGTPE]i?B|[KMGTPE]i|kB|[Bb]ytes?|B)(?![\w])",
)
_HEX_PREFIXED = re.compile(r"(?<![\w])0[xX][0-9a-fA-F]+(?![\w])")

# "user alice", "user=alice": a name follows; English nouns that usually follow
# the word "user" in fixed phrases are not names.
_NOT_A_NAME = (
    "a|an|the|and|or|to|from|with|for|in|on|at|by|of|as|is|are|was|were|be|been|has|have|"
    "had|does|did|do|can|cannot|could|must|should|will|would|may|not|no|already|found|"
    "exists|unknown|request|requests|authentication|agent|level|data|input|interface|"
    "space|mode|id|name|account|session|sessions|code|error|errors|cancelled|canceled|"
    "denied|aborted|info|list|count|group|role|settings|profile|provided|specified"
)
_USER_NAME = re.compile(
    rf"(?i)\b(user(?:name)?(?:\s+|=|:\s*)|login[=:]\s*)(?!(?:{_NOT_A_NAME})\b)(?![<])"
    rf"([A-Za-z_][\w.\-@]*\w|[A-Za-z_])"
)

# Word-like runs: alphanumerics joined by single '.' or '-' (and an optional sign).
# The lookahead, confined to the run itself, skips runs without a digit cheaply.
_RUN = re.compile(
    r"(?<![A-Za-z0-9_])[\-+]?(?=(?:[A-Za-z_]++[.\-](?=[A-Za-z0-9_]))*+[A-Za-z_]*+\d)"
    r"[A-Za-z0-9_]+(?:[.\-][A-Za-z0-9_]+)*",
    re.ASCII,
)
_HEXLIKE = re.compile(r"[0-9a-fA-F]+")
_COLLAPSE = re.compile(rf"<(?:{_KINDS})>(?:[\s,;:._/\-]*<(?:{_KINDS})>)+")
_WS = re.compile(r"\s+")


def _colon_hex(m: re.Match[str]) -> str:
    """Classify colon-separated hex groups as MAC, IPv6 or a raw hex dump."""
    text = m.group(0)
    core = text.split("%", 1)[0]
    groups = core.split(":")
    if len(groups) == 6 and all(len(g) == 2 for g in groups):
        return "<MAC>"
    if not any(c.isdigit() for c in core):
        return text
    if "::" in core or len(groups) == 8:
        if core.count("::") <= 1 and len(groups) <= 8:
            return "<IP>"
    if all(g for g in groups) and len(groups) > 3:
        return "<HEX>"
    return text


def _quoted(m: re.Match[str]) -> str:
    """A quoted single value becomes <QUOTED>; a quoted phrase keeps its words.

    Phrases ("GET /x HTTP/1.1", 'Connection refused') often carry the cause,
    so only their own variable parts are masked, by the later rules.
    """
    inner = m.group(1).strip()
    if PLACEHOLDER_RE.fullmatch(inner):
        return inner
    if " " in inner:
        return m.group(0)
    return "<QUOTED>"


def _user(m: re.Match[str]) -> str:
    return f"{m.group(1)}<USER>"


def _classify_segment(seg: str) -> str | None:
    """Placeholder kind for one dot-free segment, or None when it is a constant word."""
    if not any(c.isdigit() for c in seg):
        return None
    body = seg.lstrip("+-")
    if body.isdigit():
        return "NUM"
    if len(body) >= 6 and _HEXLIKE.fullmatch(body) and any(c.isalpha() for c in body):
        return "HEX"
    return "ID"


def _mask_run(m: re.Match[str]) -> str:
    """Mask the digit-bearing parts of an identifier-like run.

    Dotted names keep their digit-free segments (``org.example.v2.Foo`` keeps
    ``org``, ``example``, ``Foo``) so qualified names stay recognisable, while
    adjacent masked segments fold into one placeholder (``1.16`` -> ``<NUM>``).
    """
    run = m.group(0)
    if not any(c.isdigit() for c in run):
        return run
    if run[0].isalpha() and m.string.startswith("=", m.end()):
        return run  # the key of key=value names a field; only its value varies
    sign = ""
    if run[0] in "+-" and not run[1:].replace(".", "").replace(",", "").isdigit():
        sign, run = run[0], run[1:]
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            kinds = set(pending)
            out.append(f"<{pending[0]}>" if len(kinds) == 1 else "<ID>")
            pending.clear()

    for seg in run.split("."):
        kind = _classify_segment(seg)
        if kind is None:
            flush()
            out.append(seg)
        else:
            pending.append(kind)
    flush()
    return sign + ".".join(out)


def _collapse(m: re.Match[str]) -> str:
    kinds = set(PLACEHOLDER_RE.findall(m.group(0)))
    return kinds.pop() if len(kinds) == 1 else "<*>"


_Repl = str | Callable[[re.Match[str]], str]
_DIGIT = re.compile(r"\d")
_ANY = re.compile(r"")


def _needs(chars: str) -> re.Pattern[str]:
    """Cheap pre-check: a rule can only fire when one of ``chars`` occurs."""
    return re.compile("[" + re.escape(chars) + "]")


# (guard, pattern, replacement); the guard skips rules that cannot match.
_PIPELINE: tuple[tuple[re.Pattern[str], re.Pattern[str], _Repl], ...] = (
    (_needs(":"), _URL, "<URL>"),
    (_needs("@"), _EMAIL, "<EMAIL>"),
    (_needs("-"), _UUID, "<UUID>"),
    *((_DIGIT, p, "<TS>") for p in _TIMESTAMPS),
    (_needs("."), _HOST_TLD, "<HOST>"),
    (_DIGIT, _IPV4, "<IP>"),
    (_needs(":"), _COLON_HEX, _colon_hex),
    (_DIGIT, _HOST_PORT, "<HOST>"),
    (_needs("l"), _LOCALHOST, "<HOST>"),
    (_needs("\\"), _WIN_PATH, "<PATH>"),
    (_needs("/"), _UNIX_PATH, "<PATH>"),
    (_needs("/"), _REL_PATH, "<PATH>"),
    *((_ANY, p, _quoted) for p in _QUOTES),
    (_DIGIT, _DURATION, "<DURATION>"),
    (_DIGIT, _SIZE, "<SIZE>"),
    (_DIGIT, _HEX_PREFIXED, "<HEX>"),
    (_ANY, _USER_NAME, _user),
    (_DIGIT, _RUN, _mask_run),
    (_needs(">"), _COLLAPSE, _collapse),
)


#: The value-format rules only: what grouping uses before it learns the rest from the messages.
#: The "user <name>" rule is a phrase rule, not a value format, so grouping leaves names to be learned.
_VALUE_PIPELINE = tuple(rule for rule in _PIPELINE if rule[1] is not _USER_NAME)
MAX_SIGNATURE = 1000  # characters: a signature is stored in a range index (≤ 8 KB a key) and exported


def _apply(message: str, pipeline: tuple[tuple[re.Pattern[str], re.Pattern[str], _Repl], ...]) -> str:
    text = _WS.sub(" ", message[: 4 * MAX_SIGNATURE]).strip()
    for guard, pattern, repl in pipeline:
        if guard.search(text):
            text = pattern.sub(repl, text)
    return text[:MAX_SIGNATURE]


def extract_signature(message: str) -> str:
    """Return ``message`` with variable values replaced by typed placeholders.

    Whitespace (including newlines of stack traces) is normalised to single
    spaces so that formatting differences never split a group. Only the start of
    a very long message counts, and the signature is cut at MAX_SIGNATURE.
    """
    return _apply(message, _PIPELINE)


def mask_values(message: str) -> str:
    """Like :func:`extract_signature`, with value formats only (numbers, hex, ids, IPs, hosts,
    URLs, paths, times, sizes, quoted single values), no phrase rules."""
    return _apply(message, _VALUE_PIPELINE)


def is_placeholder(token: str) -> bool:
    """True when ``token`` is exactly one placeholder."""
    return PLACEHOLDER_RE.fullmatch(token) is not None


def tokenize(signature: str) -> list[str]:
    """Split a signature into tokens, placeholders always standing alone.

    ``dcbf....<NUM>`` becomes ``["dcbf....", "<NUM>"]`` so the constant part of a
    glued token can still tell two templates apart.
    """
    tokens: list[str] = []
    for word in signature.split():
        tokens.extend(piece for piece in _SPLIT_RE.split(word) if piece)
    return tokens


def is_constant_word(token: str) -> bool:
    """True for tokens that carry template text (not a placeholder, not bare punctuation)."""
    return not is_placeholder(token) and _ALNUM_RE.search(token) is not None
