"""Learning repository: decision templates, failure patterns, solutions, checks, success patterns, tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engram.entities.learning import (
    PreventionCheck, SolutionUse, Task, VisibleBranch, VisibleFailurePattern, VisibleSuccessPattern, VisibleTemplate,
)
from engram.entities.memory import MemoryRef
from engram.errors import NotFoundError
from engram.storage.base import Repository
from engram.storage.records import native


#: How many nearest templates/patterns the vector index answers before they are filtered to those holding a
#: record the caller may see (the index ranks before any filter; bounded so a lookup stays cheap).
NEAREST_CANDIDATES = 32
#: Expired check showings deleted per statement (analysis repeats it until fewer are left).
PRUNE_SHOWINGS_BATCH = 10_000


def _native(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    return native(value)


def _by_owner(others: list[dict]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for item in others:
        owners.setdefault(item["agent_id"], []).append(item["id"])
    return owners


def _failure_pattern(r) -> VisibleFailurePattern:
    first = r["first"] or {}
    return VisibleFailurePattern(
        id=r["id"], occurrences=r["occurrences"], agents=list(r["agents"]), first_seen=native(r["first_seen"]),
        last_seen=native(r["last_seen"]), first_context=first.get("context") or "",
        first_signature=first.get("error_signature") or "", contexts=list(r["contexts"]),
        domains=[d for d in r["domains"] if d], root_causes=[c for c in r["root_causes"] if c],
        strategies=[s for s in r["strategies"] if s],
        uses=[SolutionUse(u["id"], u["description"], bool(u["worked"]), u["agent_id"]) for u in r["uses"]],
        others=_by_owner(r["others"]), stage=r["stage"], causes=[c for c in r["causes"] if c])


class LearningRepository(Repository):
    # ---- decisions
    def nearest_template(self, agent_id: str, embedding: list[float], min_score: float) -> str | None:
        """The nearest template holding a decision `agent_id` may see (none: the caller starts its own)."""
        records = self._read("learning/nearest_decision_template", agent_id=agent_id, embedding=embedding,
                             min_score=min_score, candidates=NEAREST_CANDIDATES)
        return records[0]["id"] if records else None

    def record_decision_outcome(self, *, memory_id: str, agent_id: str, template_id: str, signature: str,
                                embedding: list[float], action: str, quality: float, informed_by: list[dict],
                                confidence_threshold: float) -> None:
        """Counts the agent's decision memory into the template once (a retry counts nothing); informed_by are
        the {agent_id, id} refs of the memories that informed it, resolved among those the agent may see."""
        self._write("learning/record_decision_outcome", memory_id=memory_id, agent_id=agent_id,
                    template_id=template_id, signature=signature, embedding=embedding, action=action,
                    quality=quality, informed_by=informed_by, confidence_threshold=confidence_threshold)

    def set_prediction(self, memory_id: str, agent_id: str, predicted: float) -> None:
        self._write("learning/set_prediction", memory_id=memory_id, agent_id=agent_id, predicted=predicted)

    def template_views(self, agent_id: str | None, template_ids: list[str] | None, limit: int) -> list[VisibleTemplate]:
        records = self._read("learning/decision_template_views", agent_id=agent_id, template_ids=template_ids,
                             limit=limit)
        return [VisibleTemplate(id=r["id"], first_context=r["first_context"] or "", first_seen=native(r["first_seen"]),
                                last_seen=native(r["last_seen"]), others=_by_owner(r["others"]),
                                branches=[VisibleBranch(b["action"], b["attempts"], b["successes"], list(b["agents"]))
                                          for b in r["branches"]])
                for r in records]

    # ---- failures
    def pattern_by_signature(self, agent_id: str | None, signature: str) -> str | None:
        """The oldest pattern of this signature holding a failure `agent_id` may see (None: the operator, any)."""
        records = self._read("learning/pattern_by_signature", agent_id=agent_id, signature=signature)
        return records[0]["id"] if records else None

    def nearest_pattern(self, agent_id: str | None, embedding: list[float], min_score: float) -> str | None:
        """The nearest pattern holding a failure `agent_id` may see (None: the operator, any)."""
        records = self._read("learning/nearest_failure_pattern", agent_id=agent_id, embedding=embedding,
                             min_score=min_score, candidates=NEAREST_CANDIDATES)
        return records[0]["id"] if records else None

    def pattern_signature(self, pattern_id: str) -> str | None:
        records = self._read("learning/pattern_id_taken", id=pattern_id)
        return records[0]["signature"] if records else None

    def attach_failure(self, **params: Any) -> None:
        """Links the agent's failure memory to its pattern, once, with the solution it used."""
        self._write("learning/attach_failure", **params)

    def pattern_failures(self, pattern_id: str, agent_id: str | None, *, limit: int) -> list[dict]:
        records = self._read("learning/pattern_failures", pattern_id=pattern_id, agent_id=agent_id, limit=limit)
        return [{"failure": _native(r["failure"]), "solutions": [s for s in r["solutions"] if s]} for r in records]

    def failure_pattern_views(self, agent_id: str | None, *, pattern_ids: list[str] | None = None,
                              since: datetime | None = None, recurring: bool | None = None, recurring_at: int,
                              limit: int) -> list[VisibleFailurePattern]:
        records = self._read("learning/failure_pattern_views", agent_id=agent_id, pattern_ids=pattern_ids,
                             since=since.isoformat() if since else None, recurring=recurring,
                             recurring_at=recurring_at, limit=limit)
        return [_failure_pattern(r) for r in records]

    def success_pattern_views(self, agent_id: str | None, pattern_ids: list[str] | None,
                              limit: int) -> list[VisibleSuccessPattern]:
        records = self._read("learning/success_pattern_views", agent_id=agent_id, pattern_ids=pattern_ids, limit=limit)
        return [VisibleSuccessPattern(id=r["id"], action=r["action"], attempts=r["attempts"], successes=r["successes"],
                                      agents=list(r["agents"]), first_seen=native(r["first_seen"]),
                                      last_seen=native(r["last_seen"]), contexts=list(r["contexts"]),
                                      domains=[d for d in r["domains"] if d], steps=list(r["steps"] or []),
                                      others=_by_owner(r["others"]))
                for r in records]

    def count_visible_patterns(self, agent_id: str, recurring_at: int) -> tuple[int, int]:
        record = self._read("learning/count_visible_patterns", agent_id=agent_id, recurring_at=recurring_at)[0]
        return record["patterns"], record["recurring"] or 0

    def id_key(self) -> str:
        """The installation's secret key for opaque pattern and template ids, made on first use. Read each time
        (no cache): every process, and a database emptied and started again, agree on it."""
        key = self._read("learning/id_key")[0]["key"]
        return key if key is not None else self._write("learning/make_id_key")[0]["key"]

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

    def patterns_of_failures(self, failures: list[MemoryRef]) -> list[str]:
        return [r["id"] for r in self._read("learning/patterns_of_failures", failures=[f.row() for f in failures])]

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

    def save_checks(self, pattern_id: str, stage: str, checks: Sequence[PreventionCheck]) -> list[PreventionCheck]:
        rows = [{"id": c.id, "name": c.name, "description": c.description, "source": c.source,
                 "guards_actions": list(c.guards_actions), "step": c.step, "better_action": c.better_action}
                for c in checks]
        records = self._write("prevention/save_checks", pattern_id=pattern_id, stage=stage, checks=rows)
        return [_check(pattern_id, r["check"]) for r in records]

    def recurring_patterns(self) -> list[dict]:
        return [dict(r) for r in self._read("prevention/recurring_patterns")]

    def prune_checks(self, pattern_id: str, derived_sources: list[str], keep_ids: list[str]) -> int:
        records = self._write("prevention/prune_checks", pattern_id=pattern_id, derived_sources=derived_sources,
                              keep_ids=keep_ids)
        return records[0]["removed"] if records else 0

    def list_checks(self, pattern_id: str | None) -> list[PreventionCheck]:
        return [_check(r["pattern_id"], r["check"]) for r in self._read("prevention/list_checks", pattern_id=pattern_id)]

    # ---- prevention check records (learning/check_records.py)
    def record_showing(self, *, token: str, agent_id: str, action: str, checks: list[dict],
                       saw: list[dict]) -> None:
        """The agent was shown these checks ({id, guards, better}) for `action`, with these decision memories
        ({agent_id, id}) of similar contexts in its evidence (kept as a check's "before" until the agent acts
        on it). Idempotent on the token while it is valid (ENGRAM_CHECK_TOKEN_TTL_HOURS)."""
        self._write("prevention/record_showing", token=token, agent_id=agent_id, action=action, checks=checks,
                    saw=saw, ttl_s=self._token_ttl_s())

    def showing_exists(self, token: str, agent_id: str) -> bool:
        """Whether `token` is a showing of this agent's that is still valid."""
        return bool(self._read("prevention/showing_exists", token=token, agent_id=agent_id,
                               ttl_s=self._token_ttl_s())[0]["found"])

    def link_decision(self, *, token: str, agent_id: str, memory_id: str, followed_checks: list[str]) -> bool:
        """The agent's decision acted on the agent's valid showing `token`; False when it has no such showing or
        the decision acted on another one."""
        return bool(self._write("prevention/link_decision", token=token, agent_id=agent_id, memory_id=memory_id,
                                followed_checks=followed_checks, ttl_s=self._token_ttl_s()))

    def prune_showings(self) -> int:
        """Delete the showings whose tokens expired; returns how many."""
        removed = 0
        while True:
            records = self._write("prevention/prune_showings", ttl_s=self._token_ttl_s(), limit=PRUNE_SHOWINGS_BATCH)
            batch = records[0]["removed"] if records else 0
            removed += batch
            if batch < PRUNE_SHOWINGS_BATCH:
                return removed

    def _token_ttl_s(self) -> int:
        return max(1, round(self.settings.check_token_ttl_hours * 3600))

    def check_record_rows(self, agent_id: str | None, check_ids: list[str]) -> list[dict]:
        """Per check: how many showings the caller may see, the decisions it may see that acted on them (action,
        outcome quality, the check's guards and better action when shown, the checks the decision declared it
        followed) and the decisions it may see from before the first of those."""
        return [_native(dict(r)) for r in self._read("prevention/check_records", agent_id=agent_id,
                                                        check_ids=check_ids)]

    # ---- stats
    def agent_stats(self, agent_id: str, window_days: int) -> dict:
        rows = self._read("learning/agent_stats", agent_id=agent_id, window_days=window_days)
        if not rows:  # no such agent (an operator's asAgent, or one deleted meanwhile)
            raise NotFoundError(f"No agent {agent_id!r}.")
        return dict(rows[0])

    def calibration_points(self, agent_id: str | None) -> list[tuple[float, float]]:
        return [(r["predicted"], r["observed"]) for r in self._read("learning/calibration_points", agent_id=agent_id)]

    # ---- tasks
    def create_task(self, task_id: str, agent_id: str, context: str, stage: str, actions: list[str]) -> Task:
        """The agent's task (created, or there already): task ids are per agent."""
        record = self._write("task/create", id=task_id, agent_id=agent_id, context=context, workflow_stage=stage,
                             available_actions=actions)[0]
        return _task(record["task"])

    def get_tasks(self, task_id: str, agent_id: str | None) -> list[Task]:
        """The agent's task with this id (at most one), or every agent's for agent_id None."""
        tasks = []
        for record in self._read("task/get", id=task_id, agent_id=agent_id):
            task = _task(record["task"])
            task.results = [_native(r) for r in record["results"]]
            tasks.append(task)
        return tasks

    def list_tasks(self, agent_id: str | None, status: str | None, limit: int) -> list[Task]:
        return [_task(r["task"]) for r in self._read("task/list", agent_id=agent_id, status=status, limit=limit)]

    def record_result(self, **params: Any) -> dict:
        return _native(self._write("task/record_result", **params)[0]["result"])

    def set_task_strategy(self, agent_id: str, task_id: str, strategy: str, pattern_id: str | None) -> None:
        self._write("task/set_strategy", agent_id=agent_id, task_id=task_id, strategy=strategy, pattern_id=pattern_id)


def _check(pattern_id: str, props: dict) -> PreventionCheck:
    return PreventionCheck(id=props["id"], pattern_id=pattern_id, name=props.get("name") or props["id"],
                           description=props.get("description") or "", source=props.get("source") or "reported",
                           guards_actions=list(props.get("guards_actions") or []), stage=props.get("stage"),
                           step=props.get("step") or "", better_action=props.get("better_action"))


def _task(props: dict) -> Task:
    p = _native(props)
    return Task(id=p["id"], agent_id=p["agent_id"], context=p["context"], workflow_stage=p.get("workflow_stage") or "development",
                status=p.get("status") or "pending", created_at=p.get("created_at"),
                available_actions=list(p.get("available_actions") or []))
