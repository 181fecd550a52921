"""Procedural detectors for secrets a single regex cannot judge: assignments, named values, cookies,
prose, private-key blocks and paired keys."""

from __future__ import annotations

import re
from collections.abc import Iterator

from engram.privacy.redaction.rules import _c, decodes_to_credentials
from engram.privacy.redaction.values import (
    _P_ASSIGN, _P_BLOCK, _P_PROVIDER, _VERSIONLIKE_RE, _is_code_reference, _Span, is_pathlike, is_placeholder,
    looks_secret,
)


_ASSIGN_TRIGGER_RE = re.compile(r"pass|pwd|pw|secret|token|key|cred|auth", re.I)
_ASSIGN_RE = re.compile(
    r"""(?<![\w.])(?P<q>["']?)\$?(?P<key>[A-Za-z_][\w.\-]{0,80}?)(?P=q)\]?(?P<pre>[ \t]*)
        (?P<sep>:=|=>|=(?![=~>])|:(?![:/\\]))(?P<ws>[ \t]*)""",
    re.X,
)
_KEY_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("password", _c(r".*(?:password|passwd|passphrase|pwd|(?:^|_)pass|(?:^|_)pw)(?:_?(?:confirm|confirmation|again|new|old|plain|plaintext))?")),
    ("secret", _c(r".*(?:secret(?:_?(?:access_?)?key(?:_?base)?|_?(?:token|value|id|string))?|credentials?|creds)")),
    ("token", _c(r".*token")),
    ("api_key", _c(r".*(?:api|access|auth|private|signing|encryption|master|client|app|account|license|service|subscription|admin|deploy|ingest|sdk|sharedaccess|shared_access|storage|consumer|webhook|secret)_?key(?:_?id)?")),
)
_MAX_VALUE = 1024  # longer values are truncated; keeps the scan linear on pathological input
_UNQUOTED_VALUE_RE = re.compile(rf"[^\s'\"`,;&|<>(){{}}\[\]][^\s'\"`,;&|]{{0,{_MAX_VALUE}}}")
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_CLOSER_RE = re.compile(r"[)\]}>]")


def _classify_key(key: str) -> str | None:
    if not _ASSIGN_TRIGGER_RE.search(key):
        return None
    norm = re.sub(r"[-.]", "_", key.lower()).rstrip("0123456789")
    if "public" in norm or "publishable" in norm or norm.startswith("no"):  # publicKeyToken, NOPASSWD
        return None
    if norm == "auth" or norm.endswith("_auth"):
        return "basic_auth"
    if norm.startswith("x_") and norm.endswith("key"):  # custom API-key headers: x-functions-key
        return "api_key"
    for kind, pattern in _KEY_CLASSES:
        if pattern.fullmatch(norm):
            if "aws" in norm and kind in ("secret", "api_key") and "secret" in norm:
                return "aws_secret_key"
            return kind
    return None


def _read_value(text: str, pos: int, backticks: bool = False) -> tuple[int, int, bool] | None:
    """Span of the value starting at ``pos``: quoted string content or a bare token."""
    n = len(text)
    if pos >= n:
        return None
    if text[pos] in "rbfuRBFU" and pos + 1 < n and text[pos + 1] in "\"'":
        pos += 1
    quote = text[pos]
    if quote in "\"'" or (backticks and quote == "`"):
        i, limit = pos + 1, min(n, pos + 1 + _MAX_VALUE)
        while i < limit and text[i] != "\n":
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                return (pos + 1, i, True) if i > pos + 1 else None
            i += 1
        return None
    m = _UNQUOTED_VALUE_RE.match(text, pos)
    if not m:
        return None
    start, end = m.span()
    if _CLOSER_RE.search(text, start, end):
        depth = dict.fromkeys(_CLOSERS.values(), 0)
        for i in range(start, end):  # stop at the first closer that was never opened: f(token=x)[0]
            c = text[i]
            if c in depth:
                depth[c] += 1
            elif c in _CLOSERS:
                if depth[_CLOSERS[c]] == 0:
                    end = i
                    break
                depth[_CLOSERS[c]] -= 1
    while end - start > 1 and text[end - 1] in ".:":
        end -= 1
    return (start, end, False) if end > start else None


def _colon_value_ok(text: str, end: int, value: str) -> bool:
    """``password: hunter2`` is YAML; ``password: authentication failed`` is prose."""
    if any(not c.isalpha() for c in value):
        return True
    rest = text[end : end + 200].split("\n", 1)[0].strip()
    return not rest or rest[0] in ",;}#)"


_CAMEL_TYPE_RE = re.compile(r"(?:[A-Z][a-z]+|[A-Z]+(?=[A-Z][a-z]))+(?:\[[\w, \[\]|]*\])?")


def _value_ok(
    kind: str, key: str, text: str, span: tuple[int, int, bool], sep: str = "=", ws: str = " "
) -> bool:
    """Decide whether the value assigned to a sensitive key is a real secret."""
    start, end, quoted = span
    value = text[start:end]
    if is_placeholder(value) or (not quoted and _is_code_reference(value, key, bool(ws))):
        return False
    if kind == "password" and re.fullmatch(r"(?:\w*_)?(?:pw|pwd|pass)", key, re.I):
        return looks_secret(value)  # weak key names ("'pass': 'bandpass'", "pw = -pw")
    if not quoted and sep == ":" and _CAMEL_TYPE_RE.fullmatch(value):
        return False  # type annotation: "password: SecretBytes"
    if kind == "password":
        if not quoted and sep == ":" and not _colon_value_ok(text, end, value):
            return False
        if not quoted and ws and "=" in value:  # "password= user=bob": empty value
            return False
        return not is_pathlike(value)  # PWD=/home/app, password_file-style references
    if kind == "basic_auth":
        return decodes_to_credentials(value)
    return looks_secret(value)


def _assignments(text: str) -> Iterator[_Span]:
    """``key = value`` / ``"key": "value"`` / ``KEY: value`` with a sensitive key name."""
    for m in _ASSIGN_RE.finditer(text):
        key = m.group("key")
        kind = _classify_key(key)
        before = text[max(0, m.start() - 2) : m.start()]
        if kind is None or before.endswith("${") or text.endswith("[REDACTED:", 0, m.start()):
            continue  # shell default ${PASSWORD:-x}; or the "key" is the kind inside our own marker
        if m.group("sep") == ":" and before[-1:] in (":", "/") and not m.group("ws"):
            continue  # colon-chained ids: arn:aws:secretsmanager:...:secret:prod/db
        if kind == "password" and m.group("sep") == ":" and key.lower() in ("pass", "pw") and re.search(
            r"[A-Za-z][ \t]+$", text[max(0, m.start() - 20) : m.start()]
        ):
            continue  # prose: "First pass: decided_mask==0"
        if m.group("sep") == "=" and m.group("pre") and re.search(r",[ \t]*$", text[max(0, m.start() - 3) : m.start()]):
            continue  # tuple unpacking: "username, password = auth"
        span = _read_value(text, m.end())
        if span and m.group("q") and not span[2] and text[span[0] : span[1]].isdigit():
            continue  # JSON number ("password": 20786 in a vocabulary), not a credential
        if span and _value_ok(kind, key, text, span, m.group("sep"), m.group("ws")):
            yield _Span(span[0], span[1], kind, _P_ASSIGN)


# {"name": "DB_PASSWORD", "value": "..."} (k8s/ECS env), <add key="ApiKey" value="..."/> (.NET)
_NAME_VALUE_RE = re.compile(
    r"""\b(?:name|key)["']?[ \t]*[:=][ \t]*["']([\w.:/-]{1,100})["'][ \t]*,?[ \t]*["']?value["']?[ \t]*[:=][ \t]*""",
    re.I,
)
# aws configure set aws_secret_access_key X / npm config set //host/:_authToken X
_CONFIG_SET_RE = re.compile(r"\b(?:config(?:ure)?|user-secrets)[ \t]+set[ \t]+[\"']?([\w.:/@-]{1,120})[\"']?[ \t]+")
_SEGMENT_SPLIT_RE = re.compile(r"[.:/@]")


def _named_values(text: str) -> Iterator[_Span]:
    """Secrets whose key name and value are separate tokens rather than ``key=value``."""
    for regex in (_NAME_VALUE_RE, _CONFIG_SET_RE):
        for m in regex.finditer(text):
            name = m.group(1)
            kinds = [k for seg in _SEGMENT_SPLIT_RE.split(name) if seg and (k := _classify_key(seg))]
            span = _read_value(text, m.end())
            if kinds and span and _value_ok(kinds[0], name, text, span):
                yield _Span(span[0], span[1], kinds[0], _P_ASSIGN)


_COOKIE_LINE_RE = re.compile(r"^[ \t>]*(?:set-)?cookie[ \t]*:([^\n]*)", re.I | re.M)
_COOKIE_PAIR_RE = re.compile(r"(?:^|[;\s])([\w.\-]+)=([^;\s]+)")
_SESSION_COOKIE_RE = re.compile(r".*(?:sess(?:ion)?(?:_?id|_?token|_?key)?|sid|token|jwt|auth)", re.I)


def _cookies(text: str) -> Iterator[_Span]:
    """Session cookies are bearer credentials; other cookies (theme, _ga) are not."""
    for line in _COOKIE_LINE_RE.finditer(text):
        base = line.start(1)
        for m in _COOKIE_PAIR_RE.finditer(line.group(1)):
            if _SESSION_COOKIE_RE.fullmatch(m.group(1)) and looks_secret(m.group(2)):
                yield _Span(base + m.start(2), base + m.end(2), "session", _P_ASSIGN)


# "the staging API key is X", "root password for the NAS: X"
_PROSE_RE = re.compile(
    r"""(?<![\w.-])(?P<kw>api[ -]?keys?|(?:(?:access|auth|bearer|bot|deploy|refresh)[ -])?tokens?|secrets?
        |(?:deploy|access|secret|license|signing)[ -]keys?|passwords?|passphrases?|passcodes?|pw|pwd|credentials?|creds|pat)\b(?![-_])
        (?:(?P<gap>[^\n:=.;!?"'`\[\](){}<>]{0,40}?)(?:\b(?:is|are|was|were|to)|[ \t]*[:=])|(?P<bare>))[ \t]+""",
    re.I | re.X,
)
_MIXED_RE = re.compile(r"(?=\S*[a-z])(?=\S*[A-Z])(?=\S*\d)")
_PROSE_PASSWORD_RE = re.compile(r"(?=.*[A-Za-z])(?=.*[\d\W]).{6,}", re.S)


def _prose(text: str) -> Iterator[_Span]:
    for m in _PROSE_RE.finditer(text):
        if text.endswith("[REDACTED:", 0, m.start()):  # the keyword is our own marker's kind
            continue
        span = _read_value(text, m.end(), backticks=True)
        if span is None:
            continue
        value = text[span[0] : span[1]]
        if is_placeholder(value) or _VERSIONLIKE_RE.fullmatch(value):
            continue
        if not span[2] and _is_code_reference(value, m.group("kw")):
            continue
        kw = m.group("kw").lower()
        bare = m.group("bare") is not None  # "password X" with no verb: only clearly random X
        if bare and (span[2] or not _MIXED_RE.match(value)):
            continue
        if kw in ("pw", "pwd"):  # short keywords also abbreviate code variables: demand a random value
            ok, kind = looks_secret(value), "password"
        elif kw.startswith("pass"):
            ok = looks_secret(value) if bare else bool(_PROSE_PASSWORD_RE.fullmatch(value)) or span[2]
            kind = "password"
        else:
            ok = len(value) >= 16 and looks_secret(value)
            kind = "token" if "token" in kw else "api_key" if "key" in kw else "secret"
        if ok:
            yield _Span(span[0], span[1], kind, _P_ASSIGN)


_PEM_BEGIN_RE = re.compile(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END_RE = re.compile(r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_MAX = 64 * 1024  # no real private key block is longer; bounds the END search
_PUTTY_PRIVATE_RE = re.compile(r"Private-Lines:[ \t]*\d+")
_PEM_BODY_RE = re.compile(r"(?:[A-Za-z0-9+/=]|\r?\n|\\[nr]|[ \t]+(?=\r?\n|\\n))+")


def _trim_pem(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding whitespace, real or JSON-escaped (``\\n``), so the marker sits alone."""
    while start < end:
        if text[start] in " \t\r\n":
            start += 1
        elif text.startswith(("\\n", "\\r"), start):
            start += 2
        else:
            break
    while end > start:
        if text[end - 1] in " \t\r\n":
            end -= 1
        elif end - start >= 2 and text[end - 2 : end] in ("\\n", "\\r"):
            end -= 2
        else:
            break
    return start, end


def _private_keys(text: str) -> Iterator[_Span]:
    """Redact the body of PEM private-key blocks, keeping the BEGIN/END lines as context."""
    for begin in _PEM_BEGIN_RE.finditer(text):
        start = begin.end()
        end_m = _PEM_END_RE.search(text, start, start + _PEM_MAX)
        if end_m is not None and not _PEM_BEGIN_RE.search(text, start, end_m.start()):
            end = end_m.start()
        else:
            body = _PEM_BODY_RE.match(text, start)
            end = body.end() if body else start
        start, end = _trim_pem(text, start, end)
        if start < end:
            yield _Span(start, end, "private_key", _P_BLOCK)
    for putty in _PUTTY_PRIVATE_RE.finditer(text):  # PuTTY .ppk: base64 lines after "Private-Lines: N"
        body = _PEM_BODY_RE.match(text, putty.end())
        if body:
            start, end = _trim_pem(text, body.start(), body.end())
            if start < end:
                yield _Span(start, end, "private_key", _P_BLOCK)


_PAIRED_SECRETS: tuple[tuple[str, re.Pattern[str], re.Pattern[str], str], ...] = (
    # (trigger, key-id pattern, companion-secret pattern, kind): an id makes nearby random strings
    # of the companion's exact shape credible even without a key name.
    ("aki", _c(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
     _c(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), "aws_secret_key"),
    ("ac", _c(r"\bAC[0-9a-f]{32}\b"), _c(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])"), "twilio_key"),
)
_PAIR_WINDOW = 300


def _paired_secrets(text: str) -> Iterator[_Span]:
    low = text.lower()
    for trigger, id_re, secret_re, kind in _PAIRED_SECRETS:
        if trigger not in low and not (trigger == "aki" and "asia" in low):
            continue
        for id_m in id_re.finditer(text):
            lo, hi = max(0, id_m.start() - _PAIR_WINDOW), min(len(text), id_m.end() + _PAIR_WINDOW)
            for m in secret_re.finditer(text, lo, hi):
                v = m.group(0)
                if m.start() != id_m.start() + 2 and any(c.isdigit() for c in v) and (
                    kind != "aws_secret_key" or (any(c.isupper() for c in v) and any(c.islower() for c in v))
                ):
                    yield _Span(m.start(), m.end(), kind, _P_PROVIDER)
