"""Creates the memory shards' vector indexes and labels existing memories with their shard (the migration
from one global vector index, and from another shard count). Part of apply_schema: idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString, cast

import neo4j

from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.shards import ShardLayout, is_shard_label, shard_index, shard_label

TEMPLATE_LABEL = "MemoryShard00"


@dataclass(frozen=True)
class ShardMigration:
    count: int
    previous: int | None
    relabelled_owners: int


def index_statement(template: str, label: str) -> LiteralString:
    """The vector-index statement for one shard label (labels cannot be parameters in schema commands)."""
    if not is_shard_label(label) or template.count(TEMPLATE_LABEL) != 1:
        raise ValueError(f"Not a shard label or not the shard index template: {label!r}")
    return cast(LiteralString, template.replace(TEMPLATE_LABEL, label))


def apply_shards(driver: neo4j.Driver, settings: Settings) -> ShardMigration:
    catalog = catalog_for(settings.cypher_dir)
    db = settings.neo4j_database
    layout = ShardLayout(settings.memory_shards)
    template = catalog.get("shards/vector_index")
    for label, name in zip(layout.labels, layout.indexes, strict=True):
        driver.execute_query(index_statement(template, label), name=name, dimensions=settings.embedding_dimension,
                             database_=db)
    records, _, _ = driver.execute_query(catalog.get("shards/layout"), database_=db)
    previous = records[0]["count"] if records else None
    if previous == layout.count:
        return ShardMigration(layout.count, previous, 0)
    owners = [r["agent_id"] for r in driver.execute_query(catalog.get("shards/memory_owners"), database_=db).records]
    stale = sorted({shard_label(i) for i in range(max(layout.count, previous or 0))})
    with driver.session(database=db) as session:  # CALL … IN TRANSACTIONS needs an auto-commit transaction
        session.run(catalog.get("shards/label_memories"),
                    label_of={owner: layout.label_of(owner) for owner in owners}, stale=stale).consume()
    for shard in range(layout.count, previous or 0):
        driver.execute_query(catalog.get("shards/drop_index"), name=shard_index(shard), database_=db)
    driver.execute_query(catalog.get("shards/save_layout"), count=layout.count, labels=layout.labels,
                         indexes=layout.indexes, database_=db)
    return ShardMigration(layout.count, previous, len(owners))
