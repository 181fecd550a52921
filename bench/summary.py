"""bench/results/REPORT.md: every benchmark's report in one document, with the machine and commit.

    python -m bench.summary      (the last step of `make bench`)
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime

from bench.report import RESULTS

# Reading order: the product's promises first, then the physical limits, then the parts.
ORDER = ["learning_sim", "perf", "patterns", "grouping_offline", "redaction", "retention_cleanup"]


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _demote(markdown: str) -> str:
    """Each report's headings one level down, under the summary's own."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


def main() -> None:
    sections = [RESULTS / f"{name}.md" for name in ORDER]
    sections += sorted(p for p in RESULTS.glob("*.md") if p not in sections and p.name != "REPORT.md")
    missing = [p.stem for p in sections if not p.exists()]
    lines = [
        "# Engram Memory — benchmark report",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` at commit {_commit()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Each section is also its own file in this folder; plots are the PNG files next to them.",
    ]
    if missing:
        lines.append(f"Missing from this run: {', '.join(missing)}.")
    for path in sections:
        if path.exists():
            lines += ["", _demote(path.read_text().strip())]
    (RESULTS / "REPORT.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'REPORT.md'} ({sum(p.exists() for p in sections)} sections)")


if __name__ == "__main__":
    main()
