"""`engram memory …`: record, list, search, retrieve, show, forget, consolidate, share, cleanup."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING

import typer

from engram.cli import from_service
from engram.cli.consent import grant_and_show, scope_of
from engram.cli.output import (
    FactsOption, FormatOption, OutputFormat, emit, emit_table, format_time, handle_errors, parse_duration, say,
)
from engram.cli.remote import client_errors, paged, service_client
from engram.cli.render import plain, print_patterns
from engram.cli.retention import cleanup as retention_cleanup
from engram.cli.services import memory_service
from engram.entities.memory import AgentMemory, MemoryKind, Outcome, RelevantMemory
from engram.errors import BadInputError
from engram.learning.facts import parse_facts

if TYPE_CHECKING:
    from engram.memory.consolidation import ConsolidationReport

app = typer.Typer(help="Record, find and manage agent memories.", no_args_is_help=True)


@app.command()
@handle_errors
def record(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="The agent the memory belongs to (over the service, "
                                                          "default: the API key's agent)."),
    kind: MemoryKind = typer.Option(..., "--type", "-t", help="What kind of memory."),
    context: str = typer.Option(..., "--context", "-c", help="The situation, e.g. 'api-auth-timeout'."),
    action: str = typer.Option(None, "--action", help="The action taken (decision) or approach (success)."),
    outcome: Outcome = typer.Option(None, "--outcome", help="How it went."),
    alternatives: list[str] = typer.Option([], "--alternative", help="An action considered but not taken (repeatable)."),
    error: str = typer.Option(None, "--error", help="The error message (failure)."),
    root_cause: str = typer.Option(None, "--root-cause", help="Why it failed (failure)."),
    solution: str = typer.Option(None, "--solution", help="What fixed it (failure)."),
    prevention: str = typer.Option(None, "--prevention", help="How to prevent it next time (failure)."),
    partners: list[str] = typer.Option([], "--partner", help="A partner agent (collaboration; repeatable)."),
    interaction: str = typer.Option("collaboration", "--interaction", help="Kind of interaction (collaboration)."),
    lessons: list[str] = typer.Option([], "--lesson", help="A lesson learned (repeatable)."),
    domain: str = typer.Option(None, "--domain", help="Knowledge domain, e.g. auth, db, ci."),
    knowledge_type: str = typer.Option("fact", "--knowledge-type", help="fact, procedure, constraint … (knowledge)."),
    expertise: str = typer.Option("intermediate", "--expertise", help="novice, intermediate or expert (knowledge)."),
    entities: list[str] = typer.Option([], "--entity", help="A related entity (knowledge; repeatable)."),
    content: str = typer.Option(None, "--content", help="The knowledge itself, in words (knowledge)."),
    key_factors: list[str] = typer.Option([], "--key-factor", help="Why it worked (success; repeatable)."),
    steps: list[str] = typer.Option([], "--step", help="A replication step (success; repeatable)."),
    tags: list[str] = typer.Option([], "--tag", help="A tag (repeatable)."),
    confidence: float = typer.Option(0.5, "--confidence", min=0.0, max=1.0, help="Confidence in this memory."),
    memory_id: str = typer.Option(None, "--id", help="Stable id: recording the same id again changes nothing."),
    fact: list[str] = FactsOption,
    output: OutputFormat = FormatOption,
) -> None:
    """Record one memory. Secrets in any text are redacted before it is embedded or stored."""
    client = service_client(ctx)
    if client is not None:
        from engram.client.generated import MemoryKind as ApiKind, Outcome as ApiOutcome, RecordMemoryInput

        with client, client_errors():
            recorded = client.record_memory(RecordMemoryInput(
                kind=ApiKind[kind.name.upper()], context=context, action=action,
                outcome=ApiOutcome[outcome.name.upper()] if outcome else None, alternatives=alternatives or None,
                error=error, root_cause=root_cause, solution=solution, prevention=prevention,
                partners=partners or None, interaction=interaction, lessons=lessons or None, domain=domain,
                knowledge_type=knowledge_type, expertise=expertise, entities=entities or None, statement=content,
                key_factors=key_factors or None, steps=steps or None, tags=tags or None, confidence=confidence,
                id=memory_id, facts=parse_facts(fact) or None), as_agent=agent).record_memory
        owner = agent or (recorded.memory.agent.id if recorded.memory else "you")
        emit(output, {"id": recorded.id, "created": recorded.created, "redactions": recorded.redactions},
             lambda: _print_recorded(recorded.id, recorded.created, kind, owner, recorded.redactions))
        return
    if agent is None:
        raise BadInputError("Give --agent (in-process there is no API key to say whose memory this is).")
    from engram.memory.builder import build_memory

    memory = build_memory(
        agent=agent, kind=kind, context=context, action=action, outcome=outcome, alternatives=alternatives,
        error=error, root_cause=root_cause, solution=solution, prevention=prevention, partners=partners,
        interaction=interaction, lessons=lessons, domain=domain, knowledge_type=knowledge_type, expertise=expertise,
        entities=entities, content=content, key_factors=key_factors, steps=steps, tags=tags, confidence=confidence,
        memory_id=memory_id, facts=parse_facts(fact))
    with memory_service(ctx) as service:
        summary = service.record_many([memory])
    result = summary.results[0]
    emit(output, {"id": result.id, "created": result.created, "redactions": summary.redactions},
         lambda: _print_recorded(result.id, result.created, kind, agent, summary.redactions))


def _print_recorded(memory_id: str, created: bool, kind: MemoryKind, agent: str, redactions: int) -> None:
    verb = "Recorded" if created else "Already recorded (unchanged)"
    say(f"{verb}: memory ", (memory_id, "bold"), f" ({kind.value}) for {agent}.")
    if redactions:
        say((f"{redactions} secret(s) redacted before storing.", "yellow"))


@app.command("list")
@handle_errors
def list_memories(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="The agent whose memories to list (over the service, "
                                                          "default: the API key's agent)."),
    kind: MemoryKind = typer.Option(None, "--type", "-t", help="Only this kind."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="At most this many memories."),
    output: OutputFormat = FormatOption,
) -> None:
    """An agent's own memories, newest first."""
    client = service_client(ctx)
    if client is not None:
        from engram.client.generated import MemoryKind as ApiKind

        with client, client_errors():
            api_kind = ApiKind[kind.name.upper()] if kind else None
            nodes = paged(lambda first, after: client.my_memories(kind=api_kind, first=first, after=after,
                                                                  as_agent=agent).memories, limit)
        memories = [from_service.memory(node) for node in nodes]
        agent = agent or (memories[0].agent_id if memories else "you")
    elif agent is None:
        raise BadInputError("Give --agent (in-process there is no API key to say whose memories to list).")
    else:
        with memory_service(ctx) as service:
            memories = service.list(agent, kind, limit)
    emit(output, [_memory_dict(m) for m in memories], lambda: emit_table(
        f"Memories of {agent} ({len(memories)})", ["id", "type", "context", "action", "outcome", "created", "seen"],
        [(m.id, m.kind.value, _short(m.context), _action(m), m.outcome, format_time(m.created_at), m.occurrences)
         for m in memories]))


@app.command()
@handle_errors
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to look for, in words."),
    agent: str = typer.Option(None, "--agent", "-a", help="Search as this agent (own + shared); default: all "
                                                          "(operator), or over the service the API key's agent."),
    k: int = typer.Option(10, "-k", min=1, max=200, help="How many results."),
    output: OutputFormat = FormatOption,
) -> None:
    """Hybrid search (meaning + keywords) over memories."""
    client = service_client(ctx)
    if client is not None:
        with client, client_errors():
            nodes = paged(lambda first, after: client.search_memories(text, first=first, after=after,
                                                                      as_agent=agent).search_memories, k)
        results = [from_service.relevant(node) for node in nodes]
    else:
        with memory_service(ctx) as service:
            results = service.search(text, agent, k)
    _emit_relevant(results, output, f"Memories matching {text!r}" + (f" visible to {agent}" if agent else ""))


@app.command()
@handle_errors
def retrieve(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="Retrieve as this agent (own + shared)."),
    context: str = typer.Option(..., "--context", "-c", help="The situation, in words."),
    k: int = typer.Option(10, "-k", min=1, max=200, help="How many memories."),
    min_similarity: float = typer.Option(0.0, "--min-similarity", min=0.0, max=1.0,
                                         help="Leave out memories whose context is less similar (cosine)."),
    output: OutputFormat = FormatOption,
) -> None:
    """The memories most relevant to a context, among the agent's own and those shared with it."""
    client = service_client(ctx)
    if client is not None:
        with client, client_errors():
            found = client.retrieve_memories(context, k=k, min_similarity=min_similarity,
                                             as_agent=agent).retrieve_memories
        results = [from_service.relevant(r) for r in found]
    else:
        with memory_service(ctx) as service:
            results = service.retrieve_relevant_memories(agent, context, k, min_similarity=min_similarity)
    _emit_relevant(results, output, f"Relevant memories for {agent}: {context!r}")


@app.command()
@handle_errors
def show(ctx: typer.Context, memory_id: str = typer.Argument(..., metavar="ID", help="The memory's id."),
         agent: str = typer.Option(None, "--agent", "-a", help="The agent whose memory it is (ids are per agent)."),
         output: OutputFormat = FormatOption) -> None:
    """One memory with everything it is linked to."""
    with memory_service(ctx) as service:
        memory, links = service.show(memory_id, agent)
    emit(output, {**_memory_dict(memory), "links": links}, lambda: _print_memory(memory, links))


def _print_memory(memory: AgentMemory, links: list[dict]) -> None:
    rows = [(k, v) for k, v in _memory_dict(memory).items() if v not in (None, [], {}, "")]
    rows += [(f"{'→' if l['outgoing'] else '←'} {l['type']}", f"{':'.join(l['labels'])} {l['name']}") for l in links]
    emit_table(f"Memory {memory.id}", ["field", "value"], rows)


@app.command()
@handle_errors
def forget(
    ctx: typer.Context,
    memory_id: str = typer.Argument(..., metavar="ID", help="The memory's id."),
    agent: str = typer.Option(None, "--agent", "-a", help="Only if it belongs to this agent."),
) -> None:
    """Delete a memory for real: node, relationships, vector and fulltext index entries."""
    client = service_client(ctx)
    if client is not None:
        with client, client_errors():
            client.forget_memory(memory_id, as_agent=agent)
    else:
        with memory_service(ctx) as service:
            service.forget(memory_id, agent)
    say(f"Forgot memory {memory_id}.")


@app.command()
@handle_errors
def consolidate(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="The agent whose memories to consolidate."),
    threshold: float = typer.Option(0.95, "--threshold", help="Cosine similarity at which contexts count as the same."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report what would be merged."),
    output: OutputFormat = FormatOption,
) -> None:
    """Merge near-duplicate memories (same kind, action and outcome; very similar context)."""
    with memory_service(ctx) as service:
        report = service.consolidate(agent, threshold=threshold, dry_run=dry_run)
    emit(output, dataclasses.asdict(report) | {"folded": report.folded}, lambda: _print_consolidation(agent, report))


def _print_consolidation(agent: str, report: ConsolidationReport) -> None:
    verb = "would fold" if report.dry_run else "folded"
    say(f"{agent}: {verb} {report.folded} duplicate(s) into {len(report.merges)} memories.")
    for merge in report.merges:
        say(f"  {merge['keep']} ← {', '.join(merge['duplicates'])}")


@app.command()
@handle_errors
def patterns(
    ctx: typer.Context,
    kind: str = typer.Option("failure", "--type", "-t", help="failure, decision or success."),
    agent: str = typer.Option(None, "--agent", "-a", help="As seen by this agent (default: all)."),
    output: OutputFormat = FormatOption,
) -> None:
    """Learned patterns of one kind (same as `engram learning patterns --type`)."""
    from engram.cli.services import learning_engine

    with learning_engine(ctx) as engine:
        views = engine.patterns(agent, kind)
    emit(output, plain(views), lambda: print_patterns(views))


@app.command()
@handle_errors
def share(
    ctx: typer.Context,
    owner: str = typer.Option(..., "--from", help="The owner, who consents."),
    grantee: str = typer.Option(..., "--to", help="The agent who may then see the memories."),
    pattern: str = typer.Option(None, "--pattern", help="Share the memories of this pattern."),
    domain: str = typer.Option(None, "--domain", help="Share the memories in this domain."),
    tag: str = typer.Option(None, "--tag", help="Share the memories with this tag."),
    memory_ids: list[str] = typer.Option([], "--memory", help="Share this memory (repeatable)."),
    expires: str = typer.Option("30d", "--expires", help="How long the grant lasts (e.g. 12h, 7d, 2w)."),
    output: OutputFormat = FormatOption,
) -> None:
    """Record the owner's consent to share a scope of memories with another agent (audited). Sharing
    the same scope again while the grant is live returns that grant unchanged."""
    scope, value = scope_of(pattern, domain, tag, memory_ids)
    grant_and_show(ctx, owner, grantee=grantee, scope=scope, value=value, memory_ids=memory_ids,
                   expires_at=datetime.now(UTC) + parse_duration(expires), output=output)


# The same command as `engram retention cleanup`, where the spec's memory commands expect it too.
app.command("cleanup")(retention_cleanup)


# ---- rendering
def _short(text: str | None, width: int = 60) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _action(memory: AgentMemory) -> str:
    return memory.action or ""


def _memory_dict(memory: AgentMemory) -> dict:
    data = dataclasses.asdict(memory)
    data.pop("context_embedding", None)
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in data.items()}


def _emit_relevant(results: list[RelevantMemory], output: OutputFormat, title: str) -> None:
    emit(output, [{**_memory_dict(r.memory), "score": round(r.score, 4), "similarity": round(r.similarity, 4),
                   "text_match": round(r.text_match, 4), "recency": round(r.recency, 4), "owned": r.owned}
                  for r in results],
         lambda: emit_table(
             f"{title} ({len(results)})", ["#", "score", "agent", "type", "context", "action", "outcome", "id"],
             [(i + 1, f"{r.score:.3f}", r.memory.agent_id + ("" if r.owned else " (shared)"), r.memory.kind.value,
               _short(r.memory.context, 48), _action(r.memory), r.memory.outcome, r.memory.id)
              for i, r in enumerate(results)]))
