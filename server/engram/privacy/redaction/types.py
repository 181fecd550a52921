"""Redaction results and policy: what a redaction found and what counts as sensitive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


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
