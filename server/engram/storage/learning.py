"""Learning repository: decision templates, failure patterns, solutions, checks, success patterns, tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engram.entities.learning import Task
from engram.storage.base import Repository


def _native(value: Any) -> Any:
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


class LearningRepository(Repository):
    # ---- decisions
    def nearest_template(self, embedding: list[float], min_score: float) -> str | None:
        records = self._read("learning/nearest_decision_template", embedding=embedding, min_score=min_score)
        return records[0]["id"] if records else None

    def record_decision_outcome(self, *, memory_id: str, template_id: str, signature: str, embedding: list[float],
                                action: str, quality: float, informed_by: list[str], confidence_threshold: float) -> dict:
        records = self._write("learning/record_decision_outcome", memory_id=memory_id, template_id=template_id,
                              signature=signature, embedding=embedding, action=action, quality=quality,
                              informed_by=informed_by, confidence_threshold=confidence_threshold)
        return dict(records[0])

    def set_prediction(self, memory_id: str, predicted: float) -> None:
        self._write("learning/set_prediction", memory_id=memory_id, predicted=predicted)

    def decision_templates(self, agent_id: str | None, limit: int) -> list[dict]:
        return [_native(dict(r)) for r in self._read("learning/decision_templates", agent_id=agent_id, limit=limit)]

    # ---- failures
    def pattern_by_signature(self, signature: str) -> str | None:
        records = self._read("learning/pattern_by_signature", signature=signature)
        return records[0]["id"] if records else None

    def nearest_pattern(self, embedding: list[float], min_score: float) -> str | None:
        records = self._read("learning/nearest_failure_pattern", embedding=embedding, min_score=min_score)
        return records[0]["id"] if records else None

    def pattern_signature(self, pattern_id: str) -> str | None:
        records = self._read("learning/pattern_id_taken", id=pattern_id)
        return records[0]["signature"] if records else None

    def attach_failure(self, **params: Any) -> dict:
        return dict(self._write("learning/attach_failure", **params)[0])

    def pattern_failures(self, pattern_id: str, agent_id: str | None) -> list[dict]:
        records = self._read("learning/pattern_failures", pattern_id=pattern_id, agent_id=agent_id)
        return [{"failure": _native(r["failure"]), "solutions": [s for s in r["solutions"] if s]} for r in records]

    def failure_patterns(self, agent_id: str | None, since: datetime | None, recurring: bool | None, limit: int) -> list[dict]:
        records = self._read("learning/failure_patterns", agent_id=agent_id, since=since.isoformat() if since else None,
                             recurring=recurring, limit=limit)
        return [_native(dict(r)) for r in records]

    def success_patterns(self, agent_id: str | None, limit: int) -> list[dict]:
        return [_native(dict(r)) for r in self._read("learning/success_patterns", agent_id=agent_id, limit=limit)]

    def pattern_kind(self, pattern_id: str) -> str | None:
        return self._read("learning/pattern_exists", id=pattern_id)[0]["kind"]

    # ---- analysis
    def failure_messages(self) -> list[dict]:
        return [dict(r) for r in self._read("learning/failure_messages")]

    def relink_failures(self, links: list[dict]) -> None:
        for start in range(0, len(links), 5000):
            self._write("learning/relink_failures", links=links[start:start + 5000])

    def patterns_without_embedding(self) -> list[dict]:
        return [dict(r) for r in self._read("learning/patterns_without_embedding")]

    def set_pattern_embeddings(self, rows: list[dict]) -> None:
        for start in range(0, len(rows), 2000):
            self._write("learning/set_pattern_embeddings", rows=rows[start:start + 2000])

    def patterns_of_failures(self, failure_ids: list[str]) -> list[str]:
        return [r["id"] for r in self._read("learning/patterns_of_failures", failure_ids=failure_ids)]

    def pattern_signatures(self) -> dict[str, list[str]]:
        return {r["id"]: [r["signature"] or "", *r["merged"]] for r in self._read("learning/pattern_signatures")}

    def merge_patterns(self, merges: list[dict]) -> int:
        return len(self._write("learning/merge_failure_patterns", merges=merges)) if merges else 0

    def refresh_patterns(self, min_occurrences: int) -> dict:
        return dict(self._write("learning/refresh_patterns", min_occurrences=min_occurrences)[0])

    def count_patterns(self) -> int:
        return self._read("learning/count_patterns")[0]["n"]

    def decision_points(self) -> list[dict]:
        return [dict(r) for r in self._read("learning/decision_points")]

    def upsert_success_patterns(self, patterns: list[dict]) -> int:
        """Replaces the stored success patterns (an empty list removes them all)."""
        records = self._write("learning/upsert_success_patterns", patterns=patterns)
        return records[0]["patterns"] if records else 0

    # ---- prevention
    def pattern_profile(self, pattern_id: str) -> dict | None:
        records = self._read("prevention/pattern_profile", pattern_id=pattern_id)
        return _native(dict(records[0])) if records else None

    def save_checks(self, pattern_id: str, stage: str, checks: list[dict]) -> list[dict]:
        records = self._write("prevention/save_checks", pattern_id=pattern_id, stage=stage, checks=checks)
        return [_native(r["check"]) for r in records]

    def recurring_patterns(self) -> list[dict]:
        return [dict(r) for r in self._read("prevention/recurring_patterns")]

    def prune_checks(self, pattern_id: str, derived_sources: list[str], keep_ids: list[str]) -> int:
        records = self._write("prevention/prune_checks", pattern_id=pattern_id, derived_sources=derived_sources,
                              keep_ids=keep_ids)
        return records[0]["removed"] if records else 0

    def checks_for_patterns(self, pattern_ids: list[str]) -> list[dict]:
        records = self._read("prevention/checks_for_patterns", pattern_ids=pattern_ids)
        return [{"pattern_id": r["pattern_id"], **_native(r["check"])} for r in records]

    def list_checks(self, pattern_id: str | None) -> list[dict]:
        return [{"pattern_id": r["pattern_id"], **_native(r["check"])}
                for r in self._read("prevention/list_checks", pattern_id=pattern_id)]

    # ---- stats
    def agent_stats(self, agent_id: str, window_days: int) -> dict:
        return dict(self._read("learning/agent_stats", agent_id=agent_id, window_days=window_days)[0])

    def calibration_points(self, agent_id: str | None) -> list[tuple[float, float]]:
        return [(r["predicted"], r["observed"]) for r in self._read("learning/calibration_points", agent_id=agent_id)]

    # ---- tasks
    def create_task(self, task_id: str, agent_id: str, context: str, stage: str, actions: list[str]) -> Task:
        record = self._write("task/create", id=task_id, agent_id=agent_id, context=context, workflow_stage=stage,
                             available_actions=actions)[0]
        return _task(record["task"])

    def get_task(self, task_id: str) -> Task | None:
        records = self._read("task/get", id=task_id)
        if not records:
            return None
        task = _task(records[0]["task"])
        task.results = [_native(r) for r in records[0]["results"]]
        return task

    def list_tasks(self, agent_id: str | None, status: str | None, limit: int) -> list[Task]:
        return [_task(r["task"]) for r in self._read("task/list", agent_id=agent_id, status=status, limit=limit)]

    def record_result(self, **params: Any) -> dict:
        return _native(self._write("task/record_result", **params)[0]["result"])

    def set_task_strategy(self, task_id: str, strategy: str, pattern_id: str | None) -> None:
        self._write("task/set_strategy", task_id=task_id, strategy=strategy, pattern_id=pattern_id)


def _task(props: dict) -> Task:
    p = _native(props)
    return Task(id=p["id"], agent_id=p["agent_id"], context=p["context"], workflow_stage=p.get("workflow_stage") or "development",
                status=p.get("status") or "pending", created_at=p.get("created_at"),
                available_actions=list(p.get("available_actions") or []))
