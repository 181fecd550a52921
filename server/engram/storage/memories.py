"""Memory repository: runs the cypher/memory/* statements and maps records to entities."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import neo4j

from engram.config import Settings
from engram.entities.memory import CONTENT_TYPES, AgentMemory, MemoryContent, MemoryKind, MemoryRef, Outcome
from engram.storage.base import Repository
from engram.storage.records import instant, native
from engram.storage.shards import ShardLayout

WRITE_BATCH = 1000
TEMPORALS = ("created_at", "last_accessed", "first_seen", "last_seen")  # a memory's datetimes


@dataclass(frozen=True)
class WriteResult:
    id: str
    created: bool


@dataclass(frozen=True)
class StoredId:
    owner: str
    kind: str
    context: str
    text: str


@dataclass(frozen=True)
class RankInputs:
    """What ranking needs of a stored memory, read without the memory: its exact similarity to the query (Neo4j's
    (1 + cos) / 2 scale), when it was last seen (epoch ms; created, if never seen since), its confidence and
    success rate."""

    ref: MemoryRef
    similarity: float | None  # None: the memory has no embedding
    seen_ms: int | None
    confidence_score: float
    success_rate: float | None


@dataclass(frozen=True)
class Candidate:
    """A memory a retrieval stage found, with its score there (exact cosine, or the keyword score), and what
    ranking needs of it, read in the same statement (ranking makes no read of its own)."""

    ref: MemoryRef
    score: float
    inputs: RankInputs


def rank_inputs_of(ref: MemoryRef, row: dict, similarity: float | None) -> RankInputs:
    return RankInputs(ref, similarity, row["seen_ms"], float(row["confidence_score"] or 0.0), row["success_rate"])


def candidate_of(row: dict, score: float, similarity: float | None) -> Candidate:
    ref = MemoryRef(row["agent_id"], row["id"])
    return Candidate(ref, score, rank_inputs_of(ref, row, similarity))


@dataclass(frozen=True)
class ShardHits:
    """What one memory shard's vector index gave for a query: `fetched` of the `fetch` nearest asked for (fewer:
    the shard holds no more), the lowest score among them, how many of them the agent may see, and the best
    k of those (scores on Neo4j's (1 + cos) / 2 scale)."""

    shard: int
    fetch: int
    fetched: int
    lowest: float | None
    visible: int
    hits: list[Candidate]

    @property
    def exhausted(self) -> bool:
        return self.fetched < self.fetch


@dataclass(frozen=True)
class KeywordQuery:
    """A Lucene query for the keyword stage (engram.memory.text.lucene_query) and how many matches to fetch."""

    query: str
    fetch: int


@dataclass(frozen=True)
class ShardRound:
    """What one round of the candidate search found: per shard searched, its vector hits; and the keyword
    matches at or above the floor, when the round was asked for them (the first round), with the best keyword
    score among all the visible matches (those under the floor too: ranking's text_match divides by it)."""

    shards: list[ShardHits]
    keyword: list[Candidate]
    best_keyword: float | None = None


class MemoryRepository(Repository):
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        super().__init__(driver, settings)
        self.shards = ShardLayout(settings.memory_shards)

    # ---- writes
    def write_rows(self, rows: Sequence[dict]) -> list[WriteResult]:
        """Rows as built by the store path; one transaction per batch of WRITE_BATCH rows."""
        results: list[WriteResult] = []
        for start in range(0, len(rows), WRITE_BATCH):
            batch = [row | {"shard_label": self.shards.label_of(row["agent_id"])} for row in rows[start:start + WRITE_BATCH]]
            records = self._write("memory/record_batch", rows=batch)
            results += [WriteResult(r["id"], r["is_new"]) for r in records]
        return results

    def record_access(self, hits: list[dict]) -> None:
        """Hits as {agent_id, id, count, at}."""
        self._write("memory/record_access", hits=hits)

    def merge_duplicates(self, agent_id: str, merges: list[dict]) -> list[tuple[str, str]]:
        """Folds duplicates among one agent's memories (ids are per agent)."""
        records = self._write("memory/merge_duplicates", agent_id=agent_id, merges=merges)
        return [(r["kept"], r["dropped"]) for r in records]

    # ---- reads
    def owned(self, ids: Sequence[str], agent_id: str) -> dict[str, StoredId]:
        """The agent's own stored memories among `ids` (ids are per agent)."""
        if not ids:
            return {}
        return {r["id"]: StoredId(r["owner"], r["kind"], r["context"] or "", r["text"] or "")
                for r in self._read("memory/owners", ids=list(ids), agent_id=agent_id)}

    def resolve_visible(self, ids: Sequence[str], agent_id: str) -> dict[str, MemoryRef]:
        """Each id the agent may see, resolved to one memory: its own if it has one with that id, else the
        first other owner's (by name) whose memory with that id is shared with it."""
        resolved: dict[str, MemoryRef] = {}
        for r in self._read("memory/visible_ids", ids=list(ids), agent_id=agent_id):
            resolved.setdefault(r["id"], MemoryRef(r["owner"], r["id"]))
        return resolved

    def shard_candidates(self, embedding: list[float], agent_id: str | None, keep: int, *, fetch: int = 0,
                         probes: Sequence[tuple[int, int]] | None = None,
                         keywords: KeywordQuery | None = None, floor: float = 0.0) -> ShardRound:
        """One round of the sharded vector stage (cypher/memory/shard_candidates): the shards holding what the
        agent may see, each asked for its `fetch` nearest, or exactly the (shard, fetch) `probes`; the best
        `keep` visible hits of each shard at or above `floor` ((1 + cos) / 2). With `keywords`, the same round
        trip also brings the keyword matches the agent may see, each with its exact similarity to `embedding`."""
        records = self._read("memory/shard_candidates", embedding=embedding, agent_id=agent_id, keep=keep, fetch=fetch,
                             floor=floor,
                             probes=None if probes is None else [{"shard": s, "fetch": f} for s, f in probes],
                             shard_labels=self.shards.labels, shard_indexes=self.shards.indexes,
                             lucene_query=keywords.query if keywords else None,
                             text_fetch=keywords.fetch if keywords else 0)
        row = records[0]  # always one
        return ShardRound([ShardHits(s["shard"], s["fetch"], s["fetched"], s["lowest"], s["visible"],
                                     [candidate_of(h, h["score"], h["score"]) for h in s["hits"]])
                           for s in row["shards"]],
                          [candidate_of(h, h["score"], h["similarity"]) for h in row["keyword"]],
                          row["best_keyword"])

    def hydrate(self, refs: Sequence[MemoryRef]) -> dict[MemoryRef, AgentMemory]:
        """The memories whole (without embeddings); their datetimes come as parts (cypher/memory/hydrate)."""
        memories = [to_memory(r["memory"] | {name: instant(r["memory"][name]) for name in TEMPORALS})
                    for r in self._read("memory/hydrate", refs=[ref.row() for ref in refs])]
        return {memory.ref: memory for memory in memories}

    def list_for_agent(self, agent_id: str, kind: MemoryKind | None, limit: int, skip: int = 0) -> list[AgentMemory]:
        records = self._read("memory/list_for_agent", agent_id=agent_id, kind=kind.value if kind else None,
                             limit=limit, skip=skip)
        return [to_memory(r["memory"]) for r in records]

    def show(self, memory_id: str, agent_id: str | None) -> list[tuple[AgentMemory, list[dict]]]:
        """The memory with this id of the agent, or every agent's with it for agent_id None."""
        records = self._read("memory/show", id=memory_id, agent_id=agent_id)
        return [(to_memory(r["memory"]), [link for link in r["links"] if link]) for r in records]

    def consolidation_groups(self, agent_id: str) -> list[dict]:
        return [dict(r) for r in self._read("memory/consolidation_candidates", agent_id=agent_id)]



def _content(kind: MemoryKind, props: dict) -> MemoryContent:
    """The kind's typed content from node properties: a renamed field fails here, not silently as ""."""
    cls = CONTENT_TYPES[kind]
    values = {}
    for f in dataclasses.fields(cls):
        value = props.get("domain") if f.name == "domain" else props.get(f.name)
        if value is None:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                values[f.name] = [] if f.name == "partner_agents" else ""  # older nodes may lack a required field
            continue
        if f.name in ("outcome_quality", "outcome"):
            value = Outcome(value)
        values[f.name] = list(value) if isinstance(value, list) else value
    return cls(**values)


def to_memory(props: dict) -> AgentMemory:
    kind = MemoryKind(props["memory_type"])
    return AgentMemory(
        id=props["id"],
        agent_id=props["agent_id"],
        kind=kind,
        context=props.get("context", ""),
        text=props.get("text", ""),
        content=_content(kind, props),
        outcome=props.get("outcome"),
        confidence_score=float(props.get("confidence_score") or 0.0),
        success_rate=props.get("success_rate"),
        access_count=int(props.get("access_count") or 0),
        occurrences=int(props.get("occurrences") or 1),
        created_at=native(props.get("created_at")),
        last_accessed=native(props.get("last_accessed")),
        first_seen=native(props.get("first_seen")),
        last_seen=native(props.get("last_seen")),
        tags=list(props.get("tags") or []),
        domain=props.get("domain"),
        context_embedding=props.get("context_embedding"),
        merged_ids=list(props.get("merged_ids") or []),
        merged_contexts=list(props.get("merged_contexts") or []),
    )
