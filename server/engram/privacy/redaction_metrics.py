"""Recall/precision of the redactor on a labelled corpus; shared by the unit test and the bench
so both judge the detector by exactly the same numbers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engram.privacy.redaction import Redactor


@dataclass(frozen=True)
class CorpusCase:
    """One labelled line: ``secrets`` are substrings that must not survive redaction."""

    text: str
    secrets: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


def load_corpus(path: str | Path) -> list[CorpusCase]:
    cases = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        if raw.strip():
            row = json.loads(raw)
            cases.append(CorpusCase(row["text"], tuple(row.get("secrets", ())), tuple(row.get("kinds", ()))))
    return cases


@dataclass
class RedactionMetrics:
    lines: int = 0
    positive_lines: int = 0
    secrets: int = 0
    secrets_removed: int = 0
    positive_lines_clean: int = 0  # every secret of the line removed
    flagged_lines: int = 0  # lines where anything was redacted
    flagged_positive: int = 0
    leaks: list[tuple[str, str]] = field(default_factory=list)  # (redacted text, surviving secret)
    false_positives: list[tuple[str, str]] = field(default_factory=list)  # (original, redacted)

    @property
    def negative_lines(self) -> int:
        return self.lines - self.positive_lines

    @property
    def false_positive_lines(self) -> int:
        return self.flagged_lines - self.flagged_positive

    @property
    def secret_recall(self) -> float:
        return self.secrets_removed / self.secrets if self.secrets else 1.0

    @property
    def line_recall(self) -> float:
        return self.positive_lines_clean / self.positive_lines if self.positive_lines else 1.0

    @property
    def line_precision(self) -> float:
        return self.flagged_positive / self.flagged_lines if self.flagged_lines else 1.0


def evaluate(redactor: Redactor, cases: Iterable[CorpusCase]) -> RedactionMetrics:
    """Secret recall = share of secret substrings gone from the output; line precision = share of
    redacted lines that really held a secret."""
    m = RedactionMetrics()
    for case in cases:
        result = redactor.redact(case.text)
        m.lines += 1
        if case.secrets:
            m.positive_lines += 1
            leaked = [s for s in case.secrets if s in result.text]
            m.secrets += len(case.secrets)
            m.secrets_removed += len(case.secrets) - len(leaked)
            m.positive_lines_clean += not leaked
            m.leaks.extend((result.text, s) for s in leaked)
        if result.redacted:
            m.flagged_lines += 1
            if case.secrets:
                m.flagged_positive += 1
            else:
                m.false_positives.append((case.text, result.text))
    return m
