"""Failure recognition on a log system nobody developed on: stored through the real path, grouped by analyze."""

from __future__ import annotations

import neo4j
import pytest

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.learning.engine import LearningEngine
from engram.learning.grouping_metrics import grouping_accuracy
from engram.memory.builder import build_memory
from tests.synthetic_logs import synthetic_system

pytestmark = pytest.mark.integration


def test_analyze_groups_a_generated_system_into_its_templates(db: neo4j.Driver, learning: LearningEngine) -> None:
    messages, truth = synthetic_system(seed=2027, lines=600)
    engine = learning
    engine.memories.record_many([
        build_memory(agent=f"agent-{i % 3}", kind="failure", context=m, error=m, memory_id=f"syn-{i}")
        for i, m in enumerate(messages)])
    report = engine.analyze()
    records = db.execute_query(
        "UNWIND $ids AS id MATCH (f:Memory {id: id})-[:INSTANCE_OF]->(p:FailurePattern) RETURN f.id AS id, p.id AS p",
        ids=[f"syn-{i}" for i in range(len(messages))]).records
    pattern_of = {r["id"]: r["p"] for r in records}
    assert len(pattern_of) == len(messages)  # every failure belongs to a pattern
    predicted = [pattern_of[f"syn-{i}"] for i in range(len(messages))]
    accuracy = grouping_accuracy(predicted, truth)
    assert accuracy >= 0.9, accuracy
    assert report.patterns_after <= 1.2 * len(set(truth))
