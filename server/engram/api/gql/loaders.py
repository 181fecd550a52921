"""Per-request DataLoaders: every agent (and other node) a response mentions is fetched in one round
trip per nesting level, however long the list that mentions it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from engram.services import Services
from engram.storage.api_keys import AgentRecord


@dataclass
class Loaders:
    agents: DataLoader[str, AgentRecord | None]


def build_loaders(resources: Services) -> Loaders:
    async def load_agents(ids: Sequence[str]) -> list[AgentRecord | None]:
        found = await asyncio.to_thread(resources.keys.agents, list(ids))
        return [found.get(i) for i in ids]

    return Loaders(agents=DataLoader(load_fn=load_agents, max_batch_size=1000))
