"""The MCP tools and resources: each tool runs one operation of graphql/operations through an Executor bound to
the caller's key, and answers with a short text plus the operation's data as structured content."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from engram.client import generated as ops
from engram.mcp import summaries
from engram.mcp.executor import Executor, OperationError

ExecutorFor = Callable[[Context], Executor]

INSTRUCTIONS = (
    "Engram is your long-term memory of what you did and how it turned out. Before acting on a task, call "
    "suggest_action (what worked in similar contexts) or check_action (should I do this?); afterwards call "
    "record_outcome, and report_failure when something broke. recall finds relevant memories. You see your own "
    "memories and those other agents granted you; request_access asks an owner for more.")

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
IDEMPOTENT_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                   open_world_hint=False)

Context_ = Annotated[str, Field(description="The situation in plain words, e.g. 'auth API timed out fetching a token'.",
                                min_length=1)]
Facts_ = Annotated[dict[str, str | float | bool] | None, Field(description=(
    "Structured details of the context, e.g. {\"env\": \"production\", \"rows\": 80000000}: the answer comes "
    "from the branch of the evidence they fall in."), max_length=32)]
OutcomeName = Literal["SUCCESS", "PARTIAL", "FAILURE"]
KindName = Literal["DECISION", "FAILURE", "SUCCESS", "COLLABORATION", "KNOWLEDGE"]


def _result(text: str, data: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(text=text)], structured_content=data)


def build_mcp_server(executor_for: ExecutorFor) -> MCPServer:
    """The server with every tool; `executor_for(ctx)` gives the executor bound to the calling agent's key."""
    server = MCPServer("engram", instructions=INSTRUCTIONS, version="0.1.0")

    async def run(ctx: Context, operation: str, variables: dict[str, Any],
                  summary: Callable[[dict[str, Any]], str]) -> CallToolResult:
        data = await executor_for(ctx).run(operation, variables)
        return _result(summary(data), data)

    @server.tool(annotations=READ_ONLY)
    async def recall(context: Context_, ctx: Context,
                     k: Annotated[int, Field(ge=1, le=50, description="How many memories at most.")] = 5,
                     ) -> ops.RetrieveMemories:
        """Retrieve the memories most relevant to a context: your own and those other agents shared with you,
        ranked by meaning, words and recency. Each has its kind, outcome, owner and what was done."""
        return await run(ctx, "RetrieveMemories", {"context": context, "k": k}, summaries.recall)  # type: ignore[return-value]

    @server.tool(annotations=IDEMPOTENT_WRITE)
    async def remember(
        kind: Annotated[KindName, Field(description="DECISION (an action and its outcome), FAILURE (an error, its "
                                                    "root cause and fix), SUCCESS (an approach that worked), "
                                                    "COLLABORATION (working with other agents) or KNOWLEDGE (a fact).")],
        context: Context_, ctx: Context,
        action: Annotated[str | None, Field(description="DECISION: the chosen action; SUCCESS: the approach.")] = None,
        outcome: Annotated[OutcomeName | None, Field(description="How it turned out.")] = None,
        alternatives: Annotated[list[str] | None, Field(description="DECISION: actions not chosen.")] = None,
        error: Annotated[str | None, Field(description="FAILURE: the error message (required for FAILURE).")] = None,
        root_cause: Annotated[str | None, Field(description="FAILURE: why it happened.")] = None,
        solution: Annotated[str | None, Field(description="FAILURE: the fix applied.")] = None,
        prevention: Annotated[str | None, Field(description="FAILURE: how to prevent it next time.")] = None,
        key_factors: Annotated[list[str] | None, Field(description="SUCCESS: what made it work.")] = None,
        steps: Annotated[list[str] | None, Field(description="SUCCESS: steps to repeat it.")] = None,
        partners: Annotated[list[str] | None, Field(description="COLLABORATION: the other agents' ids.")] = None,
        interaction: Annotated[str | None, Field(description="COLLABORATION: the kind of interaction.")] = None,
        lessons: Annotated[list[str] | None, Field(description="COLLABORATION: lessons learned.")] = None,
        statement: Annotated[str | None, Field(description="KNOWLEDGE: the fact itself.")] = None,
        knowledge_type: Annotated[str | None, Field(description="KNOWLEDGE: e.g. procedural, factual.")] = None,
        domain: Annotated[str | None, Field(description="A domain such as 'auth', used by consent grants.")] = None,
        tags: Annotated[list[str] | None, Field(description="Free tags.")] = None,
        id: Annotated[str | None, Field(description="A stable id makes recording idempotent.")] = None,
    ) -> ops.RecordMemory:
        """Store a memory of one of the five kinds. Secrets in the text are redacted before it is stored.
        Pass a stable id to make retries safe."""
        memory = ops.RecordMemoryInput(
            kind=ops.MemoryKind(kind), context=context, action=action,
            outcome=ops.Outcome(outcome) if outcome else None, alternatives=alternatives, error=error,
            root_cause=root_cause, solution=solution, prevention=prevention, key_factors=key_factors, steps=steps,
            partners=partners, interaction=interaction, lessons=lessons, statement=statement,
            knowledge_type=knowledge_type, domain=domain, tags=tags, id=id)
        return await run(ctx, "RecordMemory", {"input": memory}, summaries.remember)  # type: ignore[return-value]

    @server.tool(annotations=READ_ONLY)
    async def suggest_action(
        context: Context_, ctx: Context,
        candidates: Annotated[list[str] | None, Field(description="The actions you can take; unseen ones start at "
                                                                  "an even prior.")] = None,
        k: Annotated[int, Field(ge=1, le=20, description="How many actions to list.")] = 5,
        facts: Facts_ = None,
    ) -> ops.SuggestAction:
        """What worked before in similar contexts: actions ranked by estimated success rate (with 90% intervals
        and the agents whose experience it is), the recommended one, and one worth exploring."""
        return await run(ctx, "SuggestAction", {"context": context, "candidates": candidates, "k": k, "facts": facts},
                         summaries.suggest_action)  # type: ignore[return-value]

    @server.tool(annotations=READ_ONLY)
    async def check_action(context: Context_, ctx: Context,
                           intended_action: Annotated[str, Field(min_length=1, description="What you are about to do.")],
                           facts: Facts_ = None) -> ops.CheckAction:
        """Should I do this? ALLOW, WARN or BLOCK for an intended action, with the reasons, the evidence, the
        prevention checks that apply (each with the step it asks for) and a better action when there is one.
        Pass its token to record_outcome so the checks' records count your decision."""
        return await run(ctx, "CheckAction", {"context": context, "intendedAction": intended_action, "facts": facts},
                         summaries.check_action)  # type: ignore[return-value]

    @server.tool(annotations=WRITES)
    async def record_outcome(
        context: Context_, ctx: Context,
        action: Annotated[str, Field(min_length=1, description="The action you took.")],
        outcome: Annotated[OutcomeName, Field(description="How it turned out.")],
        alternatives: Annotated[list[str] | None, Field(description="Actions you did not take.")] = None,
        informed_by: Annotated[list[str] | None, Field(description="Ids of memories that informed it.")] = None,
        predicted: Annotated[float | None, Field(ge=0, le=1, description="The success probability you expected.")] = None,
        domain: Annotated[str | None, Field(description="A domain such as 'auth'.")] = None,
        tags: Annotated[list[str] | None, Field(description="Free tags.")] = None,
        id: Annotated[str | None, Field(description="A stable id makes recording idempotent.")] = None,
        check_token: Annotated[str | None, Field(description=(
            "The token check_action gave for this action: the decision then counts in the record of the "
            "prevention checks it showed."))] = None,
        facts: Facts_ = None,
    ) -> ops.RecordDecision:
        """Record a decision and its outcome, so that you and agents you share with choose better next time.
        Answers with the action's success rate in this kind of context now."""
        decision = ops.RecordDecisionInput(context=context, action=action, outcome=ops.Outcome(outcome),
                                           alternatives=alternatives, informed_by=informed_by, predicted=predicted,
                                           domain=domain, tags=tags, id=id, check_token=check_token, facts=facts)
        return await run(ctx, "RecordDecision", {"input": decision}, summaries.record_outcome)  # type: ignore[return-value]

    @server.tool(annotations=WRITES)
    async def report_failure(
        error_message: Annotated[str, Field(min_length=1, description="The error as it appeared.")], ctx: Context,
        context: Annotated[str | None, Field(description="What you were doing.")] = None,
        root_cause: Annotated[str | None, Field(description="Why it happened, if known.")] = None,
        solution: Annotated[str | None, Field(description="The fix you applied.")] = None,
        solution_worked: Annotated[bool | None, Field(description="Whether the fix worked.")] = None,
        prevention: Annotated[str | None, Field(description="How to prevent it next time.")] = None,
        domain: Annotated[str | None, Field(description="A domain such as 'auth'.")] = None,
        tags: Annotated[list[str] | None, Field(description="Free tags.")] = None,
        id: Annotated[str | None, Field(description="A stable id makes reporting idempotent.")] = None,
        failed_action: Annotated[str | None, Field(description=(
            "The action that raised the error: prevention checks then guard it."))] = None,
    ) -> ops.LearnFromFailure:
        """Learn from a failure: its error pattern (new or known, how often seen), the solutions that worked for
        similar failures across the agents you may see, and prevention checks."""
        failure = ops.LearnFromFailureInput(error_message=error_message, context=context, root_cause=root_cause,
                                            solution=solution, solution_worked=solution_worked, prevention=prevention,
                                            domain=domain, tags=tags, id=id, failed_action=failed_action)
        return await run(ctx, "LearnFromFailure", {"input": failure}, summaries.report_failure)  # type: ignore[return-value]

    @server.tool(annotations=READ_ONLY)
    async def predict_outcome(context: Context_, ctx: Context,
                              action: Annotated[str, Field(min_length=1, description="The action to estimate.")],
                              facts: Facts_ = None) -> ops.PredictOutcome:
        """How likely an action is to succeed in this context: a probability with a 90% interval and the number of
        similar attempts it rests on (0 attempts: no evidence, 50%)."""
        return await run(ctx, "PredictOutcome", {"context": context, "action": action, "facts": facts},
                         summaries.predict_outcome)  # type: ignore[return-value]

    @server.tool(annotations=READ_ONLY)
    async def list_patterns(
        ctx: Context,
        kind: Annotated[Literal["FAILURE", "DECISION", "SUCCESS"] | None, Field(description="Only this kind.")] = None,
        min_success_rate: Annotated[float | None, Field(ge=0, le=1, description="At least this success rate.")] = None,
        recurring: Annotated[bool | None, Field(description="Only recurring (or only non-recurring) ones.")] = None,
        first: Annotated[int, Field(ge=1, le=100, description="How many.")] = 20,
    ) -> ops.Patterns:
        """Learned patterns over the memories you may see: recurring failures with their solutions, decision
        templates with the success rate of each branch, and successful approaches."""
        return await run(ctx, "Patterns", {"kind": kind, "minSuccessRate": min_success_rate, "recurring": recurring,
                                           "first": first}, summaries.list_patterns)  # type: ignore[return-value]

    @server.tool(annotations=WRITES)
    async def request_access(
        owner: Annotated[str, Field(min_length=1, description="The agent whose memories you ask for.")], ctx: Context,
        scope: Annotated[Literal["MEMORY", "DOMAIN", "TAG", "PATTERN"], Field(
            description="MEMORY (memory_ids), DOMAIN, TAG or PATTERN (value names it).")],
        value: Annotated[str | None, Field(description="The domain, tag or pattern id.")] = None,
        memory_ids: Annotated[list[str] | None, Field(description="For scope MEMORY.")] = None,
        reason: Annotated[str, Field(description="Why, for the owner to decide.")] = "",
        duration_hours: Annotated[float | None, Field(gt=0, description="For how long.")] = None,
    ) -> ops.RequestAccess:
        """Ask another agent for access to some of its memories. Nothing is shared until the owner grants it;
        grants can be narrowed, expire and be revoked, and every read under them is in the owner's audit trail."""
        return await run(ctx, "RequestAccess", {"owner": owner, "scope": scope, "value": value, "memoryIds": memory_ids,
                                                "reason": reason, "durationHours": duration_hours},
                         summaries.request_access)  # type: ignore[return-value]

    @server.resource("engram://patterns/{kind}", name="patterns", mime_type="application/json",
                     description="The learned patterns you may see, as JSON: kind is all, failure, decision or "
                                 "success (e.g. engram://patterns/all).")
    async def patterns_resource(kind: str, ctx: Context) -> str:
        if kind.lower() not in ("all", "failure", "decision", "success"):
            raise OperationError("BAD_USER_INPUT", "kind is all, failure, decision or success.")
        variables = {"first": 50, "kind": None if kind.lower() == "all" else kind.upper()}
        return json.dumps(await executor_for(ctx).run("Patterns", variables), indent=1)

    @server.resource("engram://prevention-checks/{pattern}", name="prevention-checks", mime_type="application/json",
                     description="Prevention checks derived from recurring failure patterns you may see, as JSON: "
                                 "pattern is a pattern id or all (engram://prevention-checks/all).")
    async def prevention_resource(pattern: str, ctx: Context) -> str:
        variables = {"patternId": None if pattern == "all" else pattern}
        return json.dumps(await executor_for(ctx).run("PreventionChecks", variables), indent=1)

    return server

