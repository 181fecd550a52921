"""Memory shards: every memory carries one shard label, chosen by a stable hash of its owner's id, and each
shard label has its own vector index. An agent's vector search then asks only the shards that hold what it
may see (its own and its grantors'), never one index over everybody's memories (README, "Vector search at
scale")."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cached_property

LABEL_PREFIX = "MemoryShard"
INDEX_PREFIX = "memory_shard_"
_LABEL = re.compile(rf"^{LABEL_PREFIX}\d+$")


def shard_of(agent_id: str, count: int) -> int:
    """The shard of an owner: CRC-32 of its id (stable across processes, versions and machines, unlike
    Python's salted hash()) modulo the shard count."""
    if count < 1:
        raise ValueError("The shard count must be at least 1.")
    return zlib.crc32(agent_id.encode("utf-8")) % count


def shard_label(shard: int) -> str:
    return f"{LABEL_PREFIX}{shard:02d}"


def shard_index(shard: int) -> str:
    return f"{INDEX_PREFIX}{shard:02d}_embedding"


def is_shard_label(label: str) -> bool:
    return bool(_LABEL.match(label))


@dataclass(frozen=True)
class ShardLayout:
    """The fixed set of shards for one database (Settings.memory_shards)."""

    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("The shard count must be at least 1.")

    def of(self, agent_id: str) -> int:
        return shard_of(agent_id, self.count)

    def label_of(self, agent_id: str) -> str:
        return shard_label(self.of(agent_id))

    @cached_property
    def labels(self) -> list[str]:
        return [shard_label(i) for i in range(self.count)]

    @cached_property
    def indexes(self) -> list[str]:
        return [shard_index(i) for i in range(self.count)]
