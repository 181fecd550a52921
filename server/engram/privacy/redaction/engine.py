"""The redaction engine: runs the rules and detectors a text triggers, merges their spans and
replaces each secret value with ``[REDACTED:<kind>]``."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable

from engram.privacy.redaction.detect_secrets_adapter import _rules
from engram.privacy.redaction.detectors import (
    _ASSIGN_TRIGGER_RE, _assignments, _cookies, _named_values, _paired_secrets, _private_keys, _prose,
)
from engram.privacy.redaction.rules import _EMAIL_RULE, _IP_RULES, _Rule
from engram.privacy.redaction.types import _MARKER_RE, MARKER, Finding, RedactionPolicy, RedactionResult
from engram.privacy.redaction.values import _Span

log = logging.getLogger("engram.privacy.redaction")


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
