"""Offline grouping benchmark on LogHub 2k samples: our grouper vs drain3 defaults.

No database and no embeddings: this measures only the pure-Python core
(:mod:`engram.learning.signature` + :mod:`engram.learning.grouping`) with the
grouping accuracy of Zhu et al. (ICSE-SEIP 2019).

    python -m bench.grouping_offline --loghub /work/shared/data/loghub

Ground-truth EventIds are used only to score, never by the algorithm.  The
leave-one-system-out check picks the grouper's two knobs (``min_variants``,
the distinct words that make a position variable, and ``fixed_prefix``, the
leading words never generalised) on the other systems and scores that choice
on the held-out one.
"""

from __future__ import annotations

import argparse
import csv
import logging
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import write_report
from engram.learning.grouping import DEFAULT_FIXED_PREFIX, DEFAULT_MIN_VARIANTS, group_messages
from engram.learning.grouping_metrics import grouping_accuracy

#: Candidate (min_variants, fixed_prefix) pairs for the leave-one-system-out check.
GRID: tuple[tuple[int, int], ...] = tuple(
    (k, p) for p in (0, 1, 2) for k in (2, 3, 4, 5, 6, 8, 10, 15)
)
Setting = tuple[int, int]


@dataclass(frozen=True)
class System:
    name: str
    contents: list[str]
    truth: list[str]


def load_systems(root: Path) -> list[System]:
    """Every ``*_2k.log_structured.csv`` under ``root`` (Content + EventId columns)."""
    systems = []
    for path in sorted(root.glob("*_2k.log_structured.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        systems.append(
            System(
                name=path.name.split("_")[0],
                contents=[row["Content"] for row in rows],
                truth=[row["EventId"] for row in rows],
            )
        )
    return systems


def drain3_groups(contents: list[str]) -> list[int]:
    """drain3 with its default configuration; the group is the cluster id."""
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    miner = TemplateMiner(config=TemplateMinerConfig())
    return [miner.add_log_message(line)["cluster_id"] for line in contents]


def ours_accuracy(system: System, setting: Setting) -> float:
    min_variants, fixed_prefix = setting
    predicted = group_messages(system.contents, min_variants=min_variants, fixed_prefix=fixed_prefix)
    return grouping_accuracy(predicted, system.truth)


@dataclass(frozen=True)
class HeldOut:
    name: str
    chosen: Setting  # best mean on the other systems; ties -> smallest (min_variants, fixed_prefix)
    accuracy: float  # held-out accuracy of ``chosen``
    worst_tied: float  # held-out accuracy of the worst setting tied with ``chosen``
    best: float  # best held-out accuracy anywhere in the grid (an oracle, for scale)


def leave_one_out(systems: list[System]) -> list[HeldOut]:
    """Pick a setting on all systems but one, score it on that one, for each system."""
    scores = {(s.name, g): ours_accuracy(s, g) for s in systems for g in GRID}
    rows = []
    for held in systems:
        others = [s for s in systems if s is not held]
        means = {g: round(statistics.fmean(scores[(s.name, g)] for s in others), 6) for g in GRID}
        top = max(means.values())
        tied = sorted(g for g in GRID if means[g] == top)
        chosen = tied[0]
        rows.append(
            HeldOut(
                name=held.name,
                chosen=chosen,
                accuracy=scores[(held.name, chosen)],
                worst_tied=min(scores[(held.name, g)] for g in tied),
                best=max(scores[(held.name, g)] for g in GRID),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loghub", type=Path, required=True, help="directory of LogHub 2k CSVs")
    parser.add_argument("--no-loo", action="store_true", help="skip the leave-one-out check")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # drain3 logs every new cluster at INFO

    systems = load_systems(args.loghub)
    if not systems:
        print(f"no *_2k.log_structured.csv files in {args.loghub}", file=sys.stderr)
        return 1

    out = ["# Error-signature grouping on LogHub 2k, offline (no database)", ""]
    if not args.no_loo:
        out += [f"Leave-one-system-out check: (min_variants, fixed_prefix) chosen on the other systems among "
                f"{len(GRID)} settings (ties → smallest).", "",
                "| held out | chosen | held-out accuracy | worst tied | oracle |", "|---|---|---:|---:|---:|"]
        loo = leave_one_out(systems)
        for row in loo:
            k, p = row.chosen
            out.append(f"| {row.name} | ({k}, {p}) | {row.accuracy:.4f} | {row.worst_tied:.4f} | {row.best:.4f} |")
        out += [f"| mean | | {statistics.fmean(r.accuracy for r in loo):.4f} | "
                f"{statistics.fmean(r.worst_tied for r in loo):.4f} | {statistics.fmean(r.best for r in loo):.4f} |", ""]

    out += [f"Grouping accuracy (ours: defaults min_variants={DEFAULT_MIN_VARIANTS}, "
            f"fixed_prefix={DEFAULT_FIXED_PREFIX}; drain3: default config).", "",
            "| system | lines | ours | drain3 | ours ms |", "|---|---:|---:|---:|---:|"]
    ours_all, drain_all = [], []
    for system in systems:
        start = time.perf_counter()
        predicted = group_messages(system.contents)
        elapsed_ms = (time.perf_counter() - start) * 1000
        ours = grouping_accuracy(predicted, system.truth)
        drain = grouping_accuracy(drain3_groups(system.contents), system.truth)
        ours_all.append(ours)
        drain_all.append(drain)
        out.append(f"| {system.name} | {len(system.contents)} | {ours:.4f} | {drain:.4f} | {elapsed_ms:.0f} |")
    out.append(f"| average | | {statistics.fmean(ours_all):.4f} | {statistics.fmean(drain_all):.4f} | |")
    write_report("grouping_offline", "\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
