"""Sensitive-context filter: removes secret values and PII from text before it leaves the agent.

Only the secret *value* is replaced (``password=[REDACTED:password]``) so the remembered text
keeps its meaning. Provider token formats come from detect-secrets' regex plugins plus our own
rules; generic ``key = value`` assignments are judged by key name and value shape (entropy,
placeholders, code references) so ordinary engineering text is left alone.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import importlib
import ipaddress
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

log = logging.getLogger(__name__)

MARKER = "[REDACTED:{kind}]"
_MARKER_RE = re.compile(r"\[REDACTED(?::[\w-]*)?\]")


@dataclass(frozen=True)
class RedactionPolicy:
    """What besides credentials counts as sensitive; IPs are often needed to debug, so opt-in."""

    redact_emails: bool = True
    redact_ips: bool = False


@dataclass
class Finding:
    """One redacted span; offsets point into the *original* text."""

    kind: str
    start: int
    end: int


@dataclass
class RedactionResult:
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def redacted(self) -> bool:
        return bool(self.findings)


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


# --------------------------------------------------------------------------- rule machinery


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    group: int | str = 0
    priority: int = _P_PROVIDER
    triggers: tuple[str, ...] = ()
    check: Callable[[re.Match[str], str], bool] | None = None

    def find(self, text: str) -> Iterator[_Span]:
        for m in self.pattern.finditer(text):
            start, end = m.span(self.group)
            if start >= end or _DUMMY_RUN_RE.search(text, start, end):  # sk_live_xxxxxxxx, AKIAXXXX...
                continue
            if self.check is None or self.check(m, text):
                yield _Span(start, end, self.kind, self.priority)


_DUMMY_RUN_RE = re.compile(r"([A-Za-z0-9*])\1{7,}")


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _grp_not_placeholder(group: int | str) -> Callable[[re.Match[str], str], bool]:
    return lambda m, _t: not is_placeholder(m.group(group))


def _grp_looks_secret(group: int | str) -> Callable[[re.Match[str], str], bool]:
    return lambda m, _t: looks_secret(m.group(group))


def _mixed_alnum(group: int | str) -> Callable[[re.Match[str], str], bool]:
    """Provider prefixes like ``sk-`` also start prose words; real keys mix case and digits."""

    def check(m: re.Match[str], _t: str) -> bool:
        v = m.group(group)
        return any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(
            c.islower() for c in v
        )

    return check


def decodes_to_credentials(value: str) -> bool:
    """True if ``value`` is base64 of ``user:pass`` (HTTP Basic, Docker ``auths``)."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    user, sep, password = decoded.partition(":")
    return bool(sep and user and password) and decoded.isprintable()


def _basic_credentials(m: re.Match[str], _t: str) -> bool:
    """``Basic <b64>`` outside an Authorization header counts only if it decodes to ``user:pass``."""
    return decodes_to_credentials(m.group(1))


_PROSE_WORDS = frozenset(
    "to and or the a an is was in on of with for from as if when flag option argument instead "
    "here there this that it via not be must should requires require can cannot will only also "
    "which value parameter options flags arguments args params parameters fields field settings "
    "setting are were has have needs need".split()
)


def _cli_value(group: int) -> Callable[[re.Match[str], str], bool]:
    """``--password X``: X is a secret unless it is a placeholder or prose ("use --password to")."""
    def check(m: re.Match[str], _t: str) -> bool:
        value = m.group(group)
        return len(value) >= 4 and value.lower() not in _PROSE_WORDS and not is_placeholder(value)

    return check


def _bearer_value(m: re.Match[str], _t: str) -> bool:
    v = m.group(1)
    return v.startswith("eyJ") or looks_secret(v)


_FILE_TLDS = frozenset(
    "png jpg jpeg gif svg webp ico bmp js mjs ts tsx jsx py rb go rs java kt css scss json yaml "
    "yml md txt html htm xml lock log csv pdf zip gz tar whl so dll exe".split()
)
_SSH_CTX_RE = re.compile(r"\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\b[^\n]*$")


def _email_ok(m: re.Match[str], text: str) -> bool:
    if m.group("tld").lower() in _FILE_TLDS:  # icon@2x.png
        return False
    end = m.end()
    if end + 1 < len(text) and text[end] == ":" and not text[end + 1].isspace():  # git@host:org/repo
        return False
    line_start = max(text.rfind("\n", max(0, m.start() - 200), m.start()) + 1, m.start() - 200)
    before = text[line_start : m.start()]
    token = before[max(before.rfind(" "), before.rfind("\t")) + 1 :]
    if re.search(r"://[^/]*$", token):  # user:pass@host inside a URL authority
        return False
    return not _SSH_CTX_RE.search(before)


def _ipv4_ok(m: re.Match[str], text: str) -> bool:
    if re.search(r"(?:\bv|version|release)[ \t:=]*$", text[max(0, m.start() - 10) : m.start()], re.I):
        return False  # "version 1.2.3.4"
    return all(int(p) <= 255 for p in m.group(0).split("."))


def _ipv6_ok(m: re.Match[str], _t: str) -> bool:
    cand = m.group(0).split("%", 1)[0]
    if not any(c.isalnum() for c in cand):
        return False
    try:
        ipaddress.IPv6Address(cand)
    except ValueError:
        return False
    return True


_B64 = r"[A-Za-z0-9+/]"
_URLSAFE = r"[A-Za-z0-9_-]"

# Rules detect-secrets does not have (or has too narrowly / without value-only spans).
_OWN_RULES: tuple[_Rule, ...] = (
    _Rule("aws_access_key", _c(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])"),
          triggers=("akia", "asia", "abia", "acca", "a3t")),
    _Rule("github_token", _c(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}\b"),
          triggers=("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    _Rule("github_token", _c(r"\bgithub_pat_[A-Za-z0-9_]{22,255}"), triggers=("github_pat_",)),
    _Rule("gitlab_token", _c(r"\bgl(?:pat|dt|ft|rt|soat|cbt|ptt|oas|imt)-[A-Za-z0-9_-]{20,}"),
          triggers=("glpat-", "gldt-", "glft-", "glrt-", "glsoat-", "glcbt-", "glptt-", "gloas-", "glimt-")),
    _Rule("slack_token", _c(r"\bxox[abposre]-[A-Za-z0-9-]{10,}"), triggers=("xox",)),
    _Rule("slack_token", _c(r"\bxapp-\d-[A-Za-z0-9-]{10,}"), triggers=("xapp-",)),
    _Rule("slack_webhook", _c(r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/]{8,})"),
          group=1, triggers=("hooks.slack.com",)),
    _Rule("stripe_key", _c(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"), triggers=("_live_", "_test_")),
    _Rule("stripe_key", _c(r"\bwhsec_[A-Za-z0-9]{24,}"), triggers=("whsec_",)),
    _Rule("anthropic_key", _c(r"\bsk-ant-[A-Za-z0-9]+-[A-Za-z0-9_-]{20,}"), priority=_P_PROVIDER + 1,
          triggers=("sk-ant-",)),
    _Rule("openai_key", _c(r"\bsk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?([A-Za-z0-9_-]{20,})"),
          triggers=("sk-",), check=_mixed_alnum(1)),
    _Rule("google_api_key", _c(r"\bAIza[0-9A-Za-z_-]{35}"), triggers=("aiza",)),
    _Rule("sendgrid_key", _c(r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}"), triggers=("sg.",)),
    _Rule("twilio_key", _c(r"\b(?:AC|SK)[0-9a-f]{32}\b"), triggers=("ac", "sk")),
    _Rule("npm_token", _c(r"\bnpm_[A-Za-z0-9]{36}\b"), triggers=("npm_",)),
    _Rule("pypi_token", _c(r"\bpypi-[A-Za-z0-9_-]{40,}"), triggers=("pypi-",)),
    _Rule("huggingface_token", _c(r"\bhf_[A-Za-z0-9]{30,}\b"), triggers=("hf_",), check=_mixed_alnum(0)),
    _Rule("azure_storage_key", _c(r"\b(?:Account|SharedAccess)Key\s*=\s*([A-Za-z0-9+/]{20,}={0,2})", re.I),
          group=1, triggers=("key",)),
    _Rule("azure_sas", _c(r"[?&;]sig=([A-Za-z0-9%+/=]{16,})"), group=1, triggers=("sig=",)),
    _Rule("api_token", _c(r"\b(?:hv[sbr]\.[A-Za-z0-9_-]{24,}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|do[opr]_v1_[a-f0-9]{64}"
                          r"|lin_api_[A-Za-z0-9]{40}|dp\.(?:st|ct|sa|scim)\.[A-Za-z0-9_.-]{40,}|gl(?:sa|c)_[A-Za-z0-9_+/=-]{32,}"
                          r"|sntry[su]_[A-Za-z0-9_+/=-]{40,}|ntn_[A-Za-z0-9]{40,}|ATATT3[A-Za-z0-9_=-]{100,}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}"
                          r"|NRAK-[A-Z0-9]{27}|dapi[a-f0-9]{32}(?:-\d)?|HRKU-[A-Za-z0-9_-]{30,}|key-[0-9a-f]{32}|xai-[A-Za-z0-9]{40,}"
                          r"|gsk_[A-Za-z0-9]{40,}|r8_[A-Za-z0-9]{37})\b"),
          triggers=()),  # one scan is cheaper than gating on its many prefixes
    _Rule("webhook", _c(r"discord(?:app)?\.com/api/webhooks/\d+/([A-Za-z0-9_-]{30,})"), group=1, triggers=("discord",)),
    _Rule("webhook", _c(r"outlook\.office(?:365)?\.com/webhook[^\s\"']*/IncomingWebhook/([A-Za-z0-9]{20,}/[A-Za-z0-9-]+)"),
          group=1, triggers=("incomingwebhook",)),
    _Rule("jwt", _c(rf"(?<![\w-])eyJ{_URLSAFE}{{10,}}\.{_URLSAFE}{{10,}}\.{_URLSAFE}*"),
          priority=_P_JWT, triggers=("eyj",)),
    # Credential headers: keep the scheme word, drop the value.
    _Rule("basic_auth", _c(rf"\bAuthorization[\"']?\s*[:=]\s*[\"']?Basic\s+({_B64}{{6,}}={{0,2}})", re.I),
          group=1, priority=_P_AUTH, triggers=("basic",)),
    _Rule("basic_auth", _c(rf"\bBasic[ \t]+({_B64}{{8,}}={{0,2}})(?![\w+/=])"), group=1,
          priority=_P_AUTH, triggers=("basic",), check=_basic_credentials),
    _Rule("bearer_token", _c(r"\bBearer[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)", re.I), group=1,
          priority=_P_AUTH, triggers=("bearer",), check=_bearer_value),
    _Rule("token", _c(r"\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:token|Token|ApiKey|Key|SSWS|Bot)\s+([^\s\"',;]+)"),
          group=1, priority=_P_AUTH, triggers=("authorization",), check=_grp_not_placeholder(1)),
    _Rule("token", _c(r"\bAuthorization[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9_\-.~+/]{16,}=*)(?![\w\-.~+/=])", re.I),
          group=1, priority=_P_AUTH, triggers=("authorization",), check=_grp_looks_secret(1)),
    # scheme://user:password@host -> keep scheme, user and host.
    _Rule("password", _c(r"\b[A-Za-z][A-Za-z0-9+.\-]{1,30}://[^\s:/?#@\[\]\"'<>]{0,256}:([^\s/@\"'<>]{1,256})@(?=[\w\[.-])"),
          group=1, priority=_P_URL, triggers=("://",), check=_grp_not_placeholder(1)),
    # CLI and SQL forms where the value follows a known flag or keyword.
    _Rule("password", _c(r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;&]{0,200}?[ \t]-p(?![ \t-])([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("mysql", "mariadb"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:sshpass|login)\b[^\n|;&]{0,200}?[ \t]-p[ \t]+([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("sshpass", "login"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:sqlcmd|bcp|osql|isql)\b[^\n|;&]{0,200}?[ \t]-P[ \t]*([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("sqlcmd", "bcp", "osql", "isql"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\becho[ \t]+(?:-n[ \t]+)?([\"']?)([^\s\"'|]+)\1[ \t]*\|[ \t]*sudo\b[^\n|;&]{0,200}?[ \t]-S\b"),
          group=2, priority=_P_CLI, triggers=("sudo",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:zip|unzip|7z|7za|rar|unrar)\b[^\n|;&]{0,200}?[ \t]-(?:P[ \t]+|p)([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("zip", "7z", "rar"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:auth|HTTPBasicAuth|HTTPDigestAuth|BasicAuth|basic_auth)\s*[=(:]\s*[(\[]?\s*([\"'])[^\"'\n]*\1\s*,\s*([\"'])([^\"'\n]+)\2"),
          group=3, priority=_P_CLI, triggers=("auth",), check=_grp_not_placeholder(3)),
    # .pgpass line: host:port:database:user:password
    _Rule("password", _c(r"(?<![\w:/.-])(?=[\w.-]*[A-Za-z*])[\w.*-]+:(?:\d{2,5}|\*):[\w*-]+:(?=[\w.@-]*[A-Za-z*])[\w*.@-]+:([^\s:]+)(?=\s|$)"),
          group=1, priority=_P_CLI, triggers=(":",), check=_grp_not_placeholder(1)),
    _Rule("password", _c(r"\bhtpasswd\b[^\n|;&]{0,200}?[ \t]-\w*b\w*[ \t]+(?:-\w+[ \t]+)*\S+[ \t]+\S+[ \t]+([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("htpasswd",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\bnet[ \t]+use\b[^\n|;&]{0,200}?[ \t]/user:\S+[ \t]+([\"']?)([^\s\"'/]\S*)\1"),
          group=2, priority=_P_CLI, triggers=("/user:",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\bldap\w*\b[^\n|;&]{0,200}?[ \t]-w[ \t]+([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("ldap",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\bredis-cli\b[^\n|;&]{0,200}?[ \t]-a[ \t]+([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("redis-cli",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:curl|wget|http|httpie)\b[^\n|;&]{0,200}?[ \t](?:-u|--user|--http-user)[ \t=]+([\"']?)[^\s:\"']+:([^\s\"'@]+)\1(?=\s|$)"),
          group=2, priority=_P_CLI, triggers=("-u", "--user"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"(?<![\w-])--?(?:[\w-]*?)(?<!by)(?:password|passwd|pass|pwd|passphrase)[ \t]+(?!-)([\"']?)([^\s\"']+)\1", re.I),
          group=2, priority=_P_CLI, triggers=("-",), check=_cli_value(2)),
    # openssl -passin/-passout pass:X, -pass pass:X
    _Rule("password", _c(r"(?<![\w-])-pass(?:in|out)?[ \t]+([\"']?)pass:([^\s\"']+)\1"),
          group=2, priority=_P_CLI + 1, triggers=("pass:",), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\bConvertTo-SecureString\b[ \t]+(?:-String[ \t]+)?([\"'])([^\"'\n]+)\1", re.I),
          group=2, priority=_P_CLI, triggers=("convertto-securestring",), check=_grp_not_placeholder(2)),
    _Rule("token", _c(r"(?<![\w-])--(?:[\w-]*-)?(?:token|api-key|apikey|secret|client-secret|secret-key|access-key|auth-key)[ \t]+(?!-)([\"']?)([^\s\"']+)\1", re.I),
          group=2, priority=_P_CLI, triggers=("--",), check=_grp_looks_secret(2)),
    _Rule("password", _c(r"\b(?:password|passwd|passphrase|identified[ \t]+by)[ \t]+(?:(?:is|was|has[ \t]+been)[ \t]+)?(?:(?:set|changed|reset|updated)[ \t]+to[ \t]+)?([\"'])([^\"'\n]{1,200})\1", re.I),
          group=2, priority=_P_CLI, triggers=("pass", "identified"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\b(?:password|passwd|passphrase)[ \t]+(?:is|was|has[ \t]+been)[ \t]+(?:(?:set|changed|reset|updated)[ \t]+to[ \t]+)?`([^`\n]{1,200})`", re.I),
          group=1, priority=_P_CLI, triggers=("pass",), check=_grp_not_placeholder(1)),
    _Rule("password", _c(r"\b(?:password|passwd|passphrase)[ \t]+(?:is|was)[ \t]+(?=[^\s]*\d)(?=[^\s]*[A-Za-z])([^\s\"'`,;]{6,})", re.I),
          group=1, priority=_P_CLI, triggers=("pass",), check=_grp_not_placeholder(1)),
    _Rule("password", _c(r"\b(?:requirepass|masterauth)[ \t]+([\"']?)([^\s\"']+)\1"),
          group=2, priority=_P_CLI, triggers=("requirepass", "masterauth"), check=_grp_not_placeholder(2)),
    _Rule("password", _c(r"\bmachine\s+\S+(?:\s+login\s+\S+)?\s+password[ \t]+(\S+)"),
          group=1, priority=_P_CLI, triggers=("machine",), check=_grp_not_placeholder(1)),
    _Rule("password", _c(r"<([\w:-]*(?:password|passwd|pwd|secret|token|api[_-]?key))>([^<>\n]{1,500})</\1>", re.I),
          group=2, priority=_P_ASSIGN, triggers=("</",), check=_grp_not_placeholder(2)),
)

_EMAIL_RULE = _Rule(
    "email",
    _c(r"(?<![\w.%+/-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})(?![\w-])"),
    priority=_P_PII, triggers=("@",), check=_email_ok,
)
_IP_RULES: tuple[_Rule, ...] = (
    _Rule("ip", _c(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"), priority=_P_PII - 1,
          triggers=(".",), check=_ipv4_ok),
    _Rule("ip", _c(r"(?<![\w:.])(?=[0-9A-Fa-f:]*::?[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?:%[\w.]+)?(?![\w:])"),
          priority=_P_PII - 1, triggers=(":",), check=_ipv6_ok),
)

# detect-secrets regex plugins we reuse: (module.Class, ((kind, group) per denylist regex), triggers).
# A kind of "" skips that regex (e.g. Slack webhooks, where our rule keeps the host visible).
_DS_SOURCES: tuple[tuple[str, tuple[tuple[str, int], ...], tuple[str, ...]], ...] = (
    ("aws.AWSKeyDetector", (("aws_access_key", 0), ("aws_secret_key", 1)),
     ("akia", "asia", "abia", "acca", "a3t", "aws")),
    ("basic_auth.BasicAuthDetector", (("password", 1),), ("://",)),
    ("cloudant.CloudantDetector", (("cloudant_key", 1),) * 4,
     ("cloudant", "clou", "cl_", "cl-", "clkey", "clp", "cltoken", "clapi")),
    ("discord.DiscordBotTokenDetector", (("discord_token", 0),), (".",)),
    ("github_token.GitHubTokenDetector", (("github_token", 0),), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("gitlab_token.GitLabTokenDetector", (("gitlab_token", 0),) * 7,
     ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-", "glimt-", "glptt-", "glagent-", "gloas-")),
    ("ibm_cos_hmac.IbmCosHmacDetector", (("ibm_key", 1),),
     ("secret_access_key", "secret-access-key", "secretaccesskey", "secret_key", "secret-key", "secretkey")),
    ("mailchimp.MailchimpDetector", (("mailchimp_key", 0),), ("-us",)),
    ("openai.OpenAIDetector", (("openai_key", 0),), ("t3blbkfj",)),
    ("pypi_token.PypiTokenDetector", (("pypi_token", 0),) * 2, ("pypi-",)),
    ("sendgrid.SendGridDetector", (("sendgrid_key", 0),), ("sg.",)),
    ("slack.SlackDetector", (("slack_token", 0), ("", 0)), ("xox",)),
    ("softlayer.SoftlayerDetector", (("softlayer_key", 1),) * 2,
     ("softlayer", "sl_", "sl-", "slapi", "slkey", "slp", "sltoken")),
    ("square_oauth.SquareOAuthDetector", (("square_secret", 0),), ("sq0csp-",)),
    ("stripe.StripeDetector", (("stripe_key", 0),), ("k_live_",)),
    ("telegram_token.TelegramBotTokenDetector", (("telegram_token", 0),), (":aa",)),
    ("twilio.TwilioKeyDetector", (("twilio_key", 0),) * 2, ("ac", "sk")),
)


def _detect_secrets_rules() -> list[_Rule]:
    rules: list[_Rule] = []
    for dotted, specs, triggers in _DS_SOURCES:
        module, cls_name = dotted.rsplit(".", 1)
        try:
            plugin = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), cls_name)
            patterns = list(plugin.denylist)
        except Exception as exc:  # library missing or reorganised: our own rules still apply
            log.warning("detect-secrets plugin %s unavailable: %s", dotted, exc)
            continue
        for pattern, (kind, group) in zip(patterns, specs):
            if kind and group <= pattern.groups:
                rules.append(_Rule(kind, pattern, group, _P_PROVIDER, triggers, _grp_not_placeholder(group)))
    return rules


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    """Built once per process, on first use, so importing this module stays cheap."""
    return tuple(_detect_secrets_rules()) + _OWN_RULES


# --------------------------------------------------------------------------- procedural detectors

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


# --------------------------------------------------------------------------- redactor


def _drop_marker_overlaps(spans: list[_Span], text: str) -> list[_Span]:
    markers = [m.span() for m in _MARKER_RE.finditer(text)]
    starts = [start for start, _ in markers]
    kept = []
    for span in spans:
        i = bisect.bisect_left(starts, span.end) - 1  # last marker starting before the span ends
        if i < 0 or markers[i][1] <= span.start:
            kept.append(span)
    return kept


def _merge(spans: list[_Span]) -> list[_Span]:
    """Union overlapping spans; the highest-priority kind names the merged span."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            prev = merged[-1]
            best = prev if prev.priority >= span.priority else span
            merged[-1] = _Span(prev.start, max(prev.end, span.end), best.kind, best.priority)
        else:
            merged.append(span)
    return merged


class Redactor:
    """Finds secrets/PII in text and replaces each value with ``[REDACTED:<kind>]``."""

    def __init__(self, policy: RedactionPolicy = RedactionPolicy()) -> None:
        self.policy = policy
        self._active: tuple[tuple[_Rule, ...], frozenset[str]] | None = None  # built on first use

    def _active_rules(self) -> tuple[tuple[_Rule, ...], frozenset[str]]:
        if self._active is None:
            rules = _rules() + ((_EMAIL_RULE,) if self.policy.redact_emails else ()) + (
                _IP_RULES if self.policy.redact_ips else ()
            )
            self._active = (rules, frozenset(t for r in rules for t in r.triggers))
        return self._active

    def _candidates(self, text: str) -> list[_Span]:
        rules, triggers = self._active_rules()
        low = text.lower()
        present = {t for t in triggers if t in low}  # cheap substring gate before any regex runs
        detectors: list[Callable[[str], Iterable[_Span]]] = [
            r.find for r in rules if not r.triggers or not present.isdisjoint(r.triggers)
        ]
        if _ASSIGN_TRIGGER_RE.search(text):
            detectors += (_assignments, _prose)
        if "value" in low or " set " in low:
            detectors.append(_named_values)
        if "cookie" in low:
            detectors.append(_cookies)
        if "private key" in low or "private-lines" in low:
            detectors.append(_private_keys)
        if "aki" in low or "asia" in low or "ac" in low:
            detectors.append(_paired_secrets)
        spans: list[_Span] = []
        for detector in detectors:
            try:
                spans.extend(detector(text))
            except Exception:  # pragma: no cover - one faulty detector must not stop the others
                log.exception("redaction detector %r failed", detector)
        return spans

    def redact(self, text: str) -> RedactionResult:
        """Replace every detected secret value with ``[REDACTED:<kind>]``; idempotent, never raises
        on odd input (non-str is coerced), and a failing detector is logged while the rest still run."""
        if not isinstance(text, str):
            raw: object = text
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw or "")
        if not text:
            return RedactionResult(text, [])
        spans = self._candidates(text)
        if spans and "[REDACTED" in text:  # idempotence: never re-redact our own markers
            spans = _drop_marker_overlaps(spans, text)
        if not spans:
            return RedactionResult(text, [])
        merged = _merge(spans)
        out: list[str] = []
        pos = 0
        for span in merged:
            out.append(text[pos : span.start])
            out.append(MARKER.format(kind=span.kind))
            pos = span.end
        out.append(text[pos:])
        return RedactionResult("".join(out), [Finding(s.kind, s.start, s.end) for s in merged])

    def redact_many(self, texts: Iterable[str]) -> list[RedactionResult]:
        return [self.redact(t) for t in texts]
