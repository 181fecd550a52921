"""Context-aware retrieval: vector + fulltext candidates, restricted to what the agent may see, ranked.

Ranking (documented in README, "How retrieval ranks"):

    score = w_sim · similarity + w_text · text_match + w_recency · recency
            + w_conf · confidence + w_success · success_rate

* similarity — cosine of the context embeddings, clipped to [0, 1];
* text_match — the fulltext (BM25) score divided by the best one of this query;
* recency    — 0.5 ** (age_days / half_life_days) of the memory's last_seen time;
* confidence — the memory's confidence_score; success_rate — its own (0.5 when unknown).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from engram.embeddings import Embedder
from engram.entities.memory import MemoryRef, RelevantMemory, Visibility
from engram.errors import BadInputError
from engram.memory.access import AccessRecorder
from engram.memory.text import lucene_query
from engram.privacy.redaction import Redactor
from engram.memory import vector_stage
from engram.memory.vector_stage import VectorStage, first_fetch
from engram.storage.memories import Candidate, KeywordQuery, MemoryRepository

MAX_K = 200


@dataclass(frozen=True)
class RankingWeights:
    similarity: float = 0.60
    text_match: float = 0.10
    recency: float = 0.10
    confidence: float = 0.10
    success_rate: float = 0.10
    recency_half_life_days: float = 30.0
    overfetch_factor: int = 10  # each memory shard is first asked for max(k · this, min_fetch) nearest
    min_fetch: int = 100


DEFAULT_WEIGHTS = RankingWeights()


class _Scored(NamedTuple):
    score: float
    similarity: float
    text_match: float
    recency: float
    ref: MemoryRef


@dataclass(frozen=True)
class Retrieval:
    results: list[RelevantMemory]
    vector: VectorStage


def _cosine(index_score: float | None) -> float:
    """Neo4j reports cosine similarity as (1 + cos) / 2; rank on the cosine itself, clipped at 0."""
    return max(0.0, 2.0 * float(index_score) - 1.0) if index_score is not None else 0.0


def recency_of_age(age_days: float | None, half_life_days: float) -> float:
    """0.5 ** (age / half-life); 0 for a memory with no time at all."""
    return 0.0 if age_days is None else math.pow(0.5, age_days / half_life_days)


class MemoryRetriever:
    def __init__(self, repository: MemoryRepository, embedder: Embedder, redactor: Redactor,
                 access: AccessRecorder | None = None, weights: RankingWeights = DEFAULT_WEIGHTS) -> None:
        self.repository = repository
        self.embedder = embedder
        self.redactor = redactor
        self.access = access
        self.weights = weights

    def retrieve(self, agent_id: str | None, context: str, k: int = 10, *, min_similarity: float = 0.0,
                 use_fulltext: bool = True) -> list[RelevantMemory]:
        """The k best memories for `context` among those `agent_id` may see (all, for agent_id=None:
        operator access). Returns k results whenever k visible memories pass min_similarity."""
        return self.retrieve_explained(agent_id, context, k, min_similarity=min_similarity,
                                       use_fulltext=use_fulltext).results

    def retrieve_explained(self, agent_id: str | None, context: str, k: int = 10, *, min_similarity: float = 0.0,
                           use_fulltext: bool = True) -> Retrieval:
        """retrieve, with what its vector stage did (shards searched, rounds, index results read)."""
        if not context or not context.strip():
            raise BadInputError("The context to retrieve for is empty.")
        if not 1 <= k <= MAX_K:
            raise BadInputError(f"k must lie between 1 and {MAX_K}.")
        context = self.redactor.redact(context).text
        embedding = self.embedder.embed([context])[0]
        w = self.weights
        fetch_k = first_fetch(k, w.overfetch_factor, w.min_fetch)
        # Scores are on the index's (1 + cos) / 2 scale: what falls below min_similarity is not even loaded.
        floor = (1 + min_similarity) / 2 - 1e-9 if min_similarity > 0 else 0.0
        query = lucene_query(context) if use_fulltext else None
        # Keyword hits only add to the ranking; a large k (suggest's evidence) needs no more of them. They come
        # in the vector stage's first round trip.
        keywords = KeywordQuery(query, min(fetch_k, max(k, w.min_fetch))) if query else None
        stage = vector_stage.search(self.repository, embedding, agent_id, k, fetch=fetch_k, floor=floor,
                                    keywords=keywords)
        ranked = self._rank(agent_id, stage.candidates, stage.keyword, stage.best_keyword, min_similarity, k)
        if self.access is not None and ranked:
            self.access.touch([r.memory.ref for r in ranked])
        return Retrieval(ranked, stage)

    def _rank(self, agent_id: str | None, vector: Iterable[Candidate], text: Iterable[Candidate],
              best_text: float | None, min_similarity: float, k: int) -> list[RelevantMemory]:
        """The k best by score. Ranked on what the score needs, which the stages read with their candidates;
        only those k are hydrated."""
        w = self.weights
        vector, text = list(vector), list(text)
        text_scores = {c.ref: c.score for c in text}
        best_text = best_text or 1.0  # the best keyword score of the query, matches under the floor included
        known = {c.ref: c.inputs for c in (*text, *vector)}
        if not known:
            return []
        now_ms = datetime.now(UTC).timestamp() * 1000
        scored: list[_Scored] = []
        for inputs in known.values():
            similarity = _cosine(inputs.similarity)
            if similarity < min_similarity:
                continue
            text_match = text_scores.get(inputs.ref, 0.0) / best_text
            fresh = recency_of_age(max(0.0, now_ms - inputs.seen_ms) / 86_400_000 if inputs.seen_ms is not None
                                   else None, w.recency_half_life_days)
            success = inputs.success_rate if inputs.success_rate is not None else 0.5
            score = (w.similarity * similarity + w.text_match * text_match + w.recency * fresh
                     + w.confidence * inputs.confidence_score + w.success_rate * success)
            scored.append(_Scored(score, similarity, text_match, fresh, inputs.ref))
        scored.sort(key=lambda s: (-s.score, s.ref.id, s.ref.agent_id))
        top = scored[:k]
        stored = self.repository.hydrate([s.ref for s in top])
        results = []
        for s in top:
            memory = stored.get(s.ref)
            if memory is None:  # deleted between the two reads
                continue
            owned = agent_id is None or memory.agent_id == agent_id
            if not owned:
                memory.visibility = Visibility.shared
            results.append(RelevantMemory(memory, s.score, s.similarity, s.text_match, s.recency, owned))
        return results
