"""Embedding back-ends side by side: raw texts/s of torch, ONNX fp32 and ONNX int8 on the same texts, and
recall@10 of each against the fp32 (torch) model's exact neighbours.

    python -m bench.embedding_rates [--corpus 5000] [--queries 200] [--repeats 3]

The corpus is the perf benchmark's memory contexts, the queries its paraphrases (never stored). Neighbours
are exact cosine (numpy) in each back-end's own vectors; recall@10 = |top-10 ∩ torch's top-10| / 10.
Rates are texts/s of one `encode` call over the whole corpus (batch 64), after a warm-up; the spread is
min–max over the repeats. Also called by bench.perf, whose report carries this table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np

from bench.perf_data import fresh_query, make_inputs
from engram.config import Settings
from engram.embeddings import CachingEmbedder, OnnxEmbedder, SentenceTransformerEmbedder

K = 10
MIN_RECALL = 0.98  # an approximate back-end may become the default only at or above this


@dataclass(frozen=True)
class BackendRate:
    backend: str
    rates: list[float]  # texts/s, one per repeat
    recall: float
    min_cosine: float  # the least cosine between a text's vector here and its torch vector

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


def backends(settings: Settings) -> dict[str, CachingEmbedder]:
    cache = settings.embedding_cache_dir or settings.home / "models"
    return {"torch": SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size),
            "onnx": OnnxEmbedder(settings.embedding_model, cache, quantized=False, batch_size=settings.embedding_batch_size),
            "onnx-int8": OnnxEmbedder(settings.embedding_model, cache, quantized=True,
                                      batch_size=settings.embedding_batch_size)}


def top_k(corpus: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    return np.argsort(-(queries @ corpus.T), axis=1)[:, :k]


def measure(settings: Settings, corpus_n: int, queries_n: int, repeats: int, log=print) -> list[BackendRate]:
    corpus = [item["context"] for _, item in make_inputs(0, corpus_n)]
    queries = [fresh_query() for _ in range(queries_n)]
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rates: dict[str, list[float]] = {}
    for name, embedder in backends(settings).items():
        embedder._encode(["warm-up", "a second warm-up text"])  # loads (or exports) the model
        rates[name] = []
        for _ in range(repeats):
            started = time.perf_counter()
            encoded = np.asarray(embedder._encode(corpus), dtype=np.float32)
            rates[name].append(len(corpus) / (time.perf_counter() - started))
        vectors[name] = (encoded, np.asarray(embedder._encode(queries), dtype=np.float32))
        log(f"{name}: {statistics.median(rates[name]):.0f} texts/s (median of {repeats})")
    exact = top_k(*vectors["torch"])
    out = []
    for name, (corpus_v, query_v) in vectors.items():
        found = top_k(corpus_v, query_v)
        recall = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(found, exact, strict=True)]))
        min_cos = float(np.min(np.sum(corpus_v * vectors["torch"][0], axis=1)))
        out.append(BackendRate(name, rates[name], recall, min_cos))
    return out


def render(rows: list[BackendRate], corpus_n: int, queries_n: int) -> list[str]:
    torch_rate = next(r.median for r in rows if r.backend == "torch")
    lines = ["| back-end | texts/s (median) | min–max | × torch | recall@10 vs torch exact | least cosine to torch | "
             f"recall ≥ {MIN_RECALL} |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        lines.append(f"| {r.backend} | {r.median:.0f} | {min(r.rates):.0f}–{max(r.rates):.0f} | "
                     f"{r.median / torch_rate:.2f} | {r.recall:.3f} | {r.min_cosine:.3f} | "
                     f"{'yes' if r.recall >= MIN_RECALL else 'no'} |")
    lines += ["", f"{corpus_n:,} memory contexts, {queries_n} paraphrased queries; {len(rows[0].rates)} timed "
              "encodes of the whole corpus per back-end (batch 64, one process, all cores)."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = measure(Settings(), args.corpus, args.queries, args.repeats)
    print("\n".join(render(rows, args.corpus, args.queries)))


if __name__ == "__main__":
    main()
