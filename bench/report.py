"""Where benchmark reports go: printed, and written to bench/results/<name>.md (plots: <name>.png)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_report(name: str, text: str) -> Path:
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text + "\n")
    return path


def write_plot(name: str, figure) -> Path:
    """Save a matplotlib figure as bench/results/<name>.png and close it."""
    import matplotlib.pyplot as plt

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
