"""The sections of bench/results/perf.md that set the service beside its bare pipeline, the embedding
back-ends and a peer (mem0), and the plot of throughput and p50 against concurrency."""

from __future__ import annotations

from bench import embedding_rates
from bench.perf_cells import Cell
from bench.report import pyplot, write_plot

CONCURRENCY = (1, 8, 32)
GOAL_RATIO, GOAL_P50, GOAL_HEALTH_MS = 0.7, 1.5, 100.0


def table(header: list[str], rows: list[list]) -> list[str]:
    align = ["---" if i == 0 else "---:" for i in range(len(header))]
    return [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |"] + [f"| {' | '.join(map(str, x))} |" for x in rows]


def _cell(cells: list[Cell], scale: int, op: str, clients: int) -> Cell | None:
    return next((c for c in cells if (c.scale, c.op, c.clients) == (scale, op, clients)), None)


def goals_section(r: dict) -> list[str]:
    lines = ["## Throughput against the bare pipeline", "",
             "*Bare*: one query embedding through the same micro-batching queue the service uses, plus one "
             "`db.index.vector.queryNodes(…, 10, …)`, in-process, with the same number of concurrent callers (the "
             f"service idle meanwhile). Goals: req/s at 32 clients ≥ {GOAL_RATIO}× bare; p50 at 1 client ≤ "
             f"{GOAL_P50}× bare p50; /health p99 < {GOAL_HEALTH_MS:.0f} ms while the clients run (probed every 0.1 s).",
             ""]
    rows = []
    for scale in r["scales"]:
        for clients in CONCURRENCY:
            bare = _cell(r["cells"], scale, "bare", clients)
            if bare is None:
                continue
            row = [f"{scale:,}", clients, f"{bare.rps:.1f}", f"{bare.p50:.0f}"]
            for op in ("retrieve", "suggest"):
                c = _cell(r["cells"], scale, op, clients)
                (p50, _, p99), probes, failures = r["health"].get((scale, op, clients), ((0, 0, 0), 0, 0))
                row += [f"{c.rps:.1f}", f"{c.rps / bare.rps:.2f}", f"{c.p50:.0f}",
                        f"{c.p50 / r['bare'][scale]:.1f}", f"{p99:.0f}" + (f" ({failures} failed)" if failures else "")]
            rows.append(row)
    lines += table(["memories", "clients", "bare req/s", "bare p50 ms",
                    "retrieve req/s", "÷ bare", "p50 ms", "p50 ÷ bare@1", "/health p99 ms",
                    "suggest req/s", "÷ bare", "p50 ms", "p50 ÷ bare@1", "/health p99 ms"], rows)
    return lines + ["", "![throughput](perf_throughput.png)", ""]


def embedding_section(r: dict) -> list[str]:
    rows = r["embedding"]
    return (["## Embedding back-ends", "",
             f"The service ran with `ENGRAM_EMBEDDING_BACKEND={r['backend']}`. An approximate back-end may be the "
             f"default only with recall@10 ≥ {embedding_rates.MIN_RECALL} against the fp32 model's exact neighbours.", ""]
            + embedding_rates.render(rows, r["embedding_corpus"], r["recall_queries"]) + [""])


def mem0_section(r: dict) -> list[str]:
    m = r["mem0"]
    lines = ["## A peer: mem0", ""]
    if isinstance(m, str):
        return lines + [f"Not measured: {m}", ""]
    engram_1 = _cell(r["cells"], r["scales"][0], "retrieve", 1)
    engram_32 = _cell(r["cells"], r["scales"][0], "retrieve", 32)
    bare_1 = _cell(r["cells"], r["scales"][0], "bare", 1)
    bare_32 = _cell(r["cells"], r["scales"][0], "bare", 32)
    ing = r["ingest"]
    lines += [m["note"], ""]
    lines += table(["system", "memories", "ingest memories/s", "search p50 ms, 1 caller", "search p50 ms, 32 callers",
                    "search req/s, 32 callers"], [
        [f"mem0 {m['version']} in-process (`add(infer=False)`, `search(limit=10)`)", f"{m['n']:,}",
         f"{m['ingest_rate']:.0f}", f"{m['cells'][1].p50:.0f}", f"{m['cells'][32].p50:.0f}", f"{m['cells'][32].rps:.1f}"],
        [f"Engram bare pipeline in-process (embedding + vector query), at {r['scales'][0]:,}", "–",
         f"{ing['n'] / ing['embed_s']:.0f} (raw embedding)", f"{bare_1.p50:.0f}", f"{bare_32.p50:.0f}", f"{bare_32.rps:.1f}"],
        [f"Engram over HTTP (`recordMemories`; `retrieveMemories(k: 10)`), at {r['scales'][0]:,}",
         f"{ing['segments'][0][1] - ing['segments'][0][0]:,}",
         f"{(ing['segments'][0][1] - ing['segments'][0][0]) / ing['segments'][0][2]:.0f}",
         f"{engram_1.p50:.0f}", f"{engram_32.p50:.0f}", f"{engram_32.rps:.1f}"]])
    return lines + [""]


def plot_vs_concurrency(cells: list[Cell], name: str = "perf_throughput") -> None:
    """Throughput (left) and p50 (right) against concurrent clients: retrieve, suggest and bare, per scale."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"retrieve": "-", "suggest": "--", "bare": ":"}
    for scale in sorted({c.scale for c in cells}):
        for op, style in styles.items():
            rows = sorted((c for c in cells if c.op == op and c.scale == scale), key=lambda c: c.clients)
            if rows:
                x = [c.clients for c in rows]
                left.plot(x, [c.rps for c in rows], ls=style, marker="o", label=f"{op} @ {scale:,}")
                right.plot(x, [c.p50 for c in rows], ls=style, marker="o", label=f"{op} @ {scale:,}")
    for ax, ylabel in ((left, "requests/s"), (right, "p50 latency ms")):
        ax.set(xscale="log", xticks=list(CONCURRENCY), xticklabels=[str(c) for c in CONCURRENCY],
               xlabel="concurrent clients", ylabel=ylabel)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    right.set_yscale("log")
    write_plot(name, fig)
