"""Redaction quality and speed on tests/data/redaction_corpus.jsonl.

Run from the repo root: ``python -m bench.redaction [--corpus PATH] [--show-misses]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.report import write_report
from engram.privacy.redaction import Redactor
from engram.privacy.redaction_metrics import evaluate, load_corpus

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "redaction_corpus.jsonl"


def throughput(redactor: Redactor, texts: list[str], min_seconds: float = 1.0) -> tuple[float, float]:
    """(wall-clock, CPU-time) lines per second over repeated passes; CPU time is the steadier
    number on a shared machine."""
    redactor.redact("warm-up password=x1")  # builds the detectors once
    done, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        redactor.redact_many(texts)
        done += len(texts)
        wall = time.perf_counter() - wall0
        if wall >= min_seconds:
            return done / wall, done / max(time.process_time() - cpu0, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show-misses", action="store_true", help="print leaked secrets and false positives")
    args = parser.parse_args()

    cases = load_corpus(args.corpus)
    redactor = Redactor()
    m = evaluate(redactor, cases)
    short = [c.text for c in cases if len(c.text) <= 200]
    lps_all = throughput(redactor, [c.text for c in cases])
    lps_short = throughput(redactor, short)

    rows = [
        ("lines (positive / negative)", f"{m.lines} ({m.positive_lines} / {m.negative_lines})"),
        ("secrets", f"{m.secrets}"),
        ("secret-level recall", f"{m.secret_recall:.3f}"),
        ("line-level recall", f"{m.line_recall:.3f}"),
        ("line-level precision", f"{m.line_precision:.3f}"),
        ("negative lines redacted", f"{m.false_positive_lines}"),
        ("throughput, all lines", f"{lps_all[0]:,.0f} lines/s wall, {lps_all[1]:,.0f} lines/s CPU"),
        (f"throughput, short lines (<=200 chars, n={len(short)})",
         f"{lps_short[0]:,.0f} lines/s wall, {lps_short[1]:,.0f} lines/s CPU"),
    ]
    lines = [f"# Redaction: labelled corpus `{args.corpus.name}`", "", "| measure | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    write_report("redaction", "\n".join(lines))
    if args.show_misses:
        for text, secret in m.leaks:
            print(f"LEAK {secret!r} in {text!r}")
        for original, redacted in m.false_positives:
            print(f"FP   {original!r} -> {redacted!r}")


if __name__ == "__main__":
    main()
