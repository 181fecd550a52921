"""`engram task create|show|list`: the tasks decisions and results are recorded against."""

from __future__ import annotations

import typer

from engram.cli.output import FormatOption, OutputFormat, emit, emit_table, handle_errors, say
from engram.cli.render import plain
from engram.cli.services import learning_engine
from engram.entities.learning import Task

app = typer.Typer(help="Tasks (the workflow's units of work) that memories and results attach to.", no_args_is_help=True)


@app.command()
@handle_errors
def create(ctx: typer.Context, agent: str = typer.Option(..., "--agent", "-a", help="The agent the task is for."),
           context: str = typer.Option(..., "--context", "-c", help="The situation, in words."),
           task_id: str = typer.Option(None, "--id", help="Stable id (creating it again changes nothing)."),
           stage: str = typer.Option("development", "--stage", help="Workflow stage: planning, development, review, "
                                                                      "testing, deployment or operations."),
           actions: list[str] = typer.Option([], "--action", help="An action available to the task (repeatable)."),
           output: OutputFormat = FormatOption) -> None:
    """Create a task for an agent."""
    with learning_engine(ctx) as engine:
        task = engine.create_task(agent, context, task_id=task_id, stage=stage, available_actions=actions)
    emit(output, plain(task), lambda: say(
        "Task ", (task.id, "bold"), f" for {task.agent_id} ({task.workflow_stage}, {task.status})."))


@app.command()
@handle_errors
def show(ctx: typer.Context, task_id: str = typer.Argument(..., metavar="ID", help="The task's id."),
         agent: str = typer.Option(None, "--agent", "-a", help="The agent whose task it is (task ids are per agent)."),
         output: OutputFormat = FormatOption) -> None:
    """A task with its execution results."""
    with learning_engine(ctx) as engine:
        task = engine.task(task_id, agent)
    emit(output, plain(task), lambda: _print_task(task))


def _print_task(task: Task) -> None:
    emit_table(f"Task {task.id}", ["field", "value"], [
        ("agent", task.agent_id), ("context", task.context), ("stage", task.workflow_stage), ("status", task.status),
        ("actions", ", ".join(task.available_actions)), ("created", task.created_at)])
    if task.results:
        emit_table("Results", ["outcome", "strategy", "duration ms", "error"],
                   [(r.get("outcome"), r.get("strategy"), r.get("duration_ms"), r.get("error")) for r in task.results])


@app.command("list")
@handle_errors
def list_tasks(ctx: typer.Context, agent: str = typer.Option(None, "--agent", "-a", help="Only this agent's tasks."),
               status: str = typer.Option(None, "--status", help="Only tasks in this status: pending, in_progress, done "
                                                                 "or failed."),
               limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="At most this many tasks."),
               output: OutputFormat = FormatOption) -> None:
    """Tasks, newest first."""
    with learning_engine(ctx) as engine:
        found = engine.tasks(agent, status, limit)
    emit(output, plain(found), lambda: emit_table(
        f"Tasks ({len(found)})", ["id", "agent", "stage", "status", "context"],
        [(t.id, t.agent_id, t.workflow_stage, t.status, t.context[:60]) for t in found]))
