"""The rule table, as data: one `Rule` per provider token format, credential URL, CLI flag and PII shape."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from engram.privacy.redaction.values import (
    _P_ASSIGN, _P_AUTH, _P_CLI, _P_JWT, _P_PII, _P_PROVIDER, _P_URL, _Span, is_placeholder, looks_secret,
)


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
