"""`engram knowledge export|import|merge`: move an agent's knowledge between agents and Engram instances."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engram.cli.output import FormatOption, OutputFormat, emit, err_console, handle_errors, say
from engram.cli.services import engine_services

if TYPE_CHECKING:  # the engine is imported only when a command runs (engram.cli.services)
    from engram.knowledge.importer import ImportReport
    from engram.knowledge.transfer import KnowledgeTransfer

app = typer.Typer(help="Export, import and merge knowledge (with the owner's consent across agents).",
                  no_args_is_help=True)

QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bar.")


class Bar:
    """A progress bar on stderr (stdout stays clean for JSON); does nothing when quiet."""

    def __init__(self, progress: Progress | None, label: str, total: int | None) -> None:
        self.progress = progress
        self.task = progress.add_task(label, total=total) if progress else None

    def advance(self, n: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, n)

    def total(self, n: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, total=n)


@contextmanager
def progress_bar(label: str, *, total: int | None = None, quiet: bool = False) -> Iterator[Bar]:
    if quiet:
        yield Bar(None, label, total)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield Bar(progress, label, total)


@contextmanager
def transfer_service(ctx: typer.Context) -> Iterator[KnowledgeTransfer]:
    with engine_services(ctx) as services:
        yield services.knowledge


@app.command("export")
@handle_errors
def export_knowledge(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="Whose knowledge (default: every agent's, operator export)."),
    domain: str = typer.Option(None, "--domain", "-d", help="Only this domain, e.g. auth."),
    file: Path = typer.Option(None, "--file", help="Write here (default: the document on stdout)."),
    with_embeddings: bool = typer.Option(False, "--with-embeddings", help="Include the 384-number context vectors."),
    include_shared: bool = typer.Option(False, "--include-shared", help="Also memories shared with the agent by live grants."),
    quiet: bool = QuietOption,
    output: OutputFormat = FormatOption,
) -> None:
    """Write a versioned JSON document (schema: server/engram/knowledge/export.schema.json). Every
    text is redacted again on the way out. Each export is audited for the owners it contains."""
    from engram.knowledge.document import dump
    from engram.knowledge.transfer import write_document

    with transfer_service(ctx) as transfer, progress_bar("exporting memories", quiet=quiet) as bar:
        document, report = transfer.export(agent, domain=domain, include_shared=include_shared,
                                           with_embeddings=with_embeddings, progress=bar.advance)
    summary = dataclasses.asdict(report) | {"file": str(file) if file else None}
    if file is None:
        typer.echo(dump(document), nl=False)
        if not quiet:
            say(f"Exported {report.memories} memories, {report.patterns} patterns.", err=True)
        return
    write_document(document, file)
    emit(output, summary, lambda: say(
        f"Exported {report.memories} memories and {report.patterns} patterns to {file}"
        + (f" ({report.redactions} more secrets redacted)." if report.redactions else ".")))


@app.command("import")
@handle_errors
def import_knowledge(
    ctx: typer.Context,
    file: Path = typer.Option(..., "--file", help="A knowledge export (JSON)."),
    as_agent: str = typer.Option(None, "--as-agent", help="Import as this agent's memories (needs the owners' grants)."),
    quiet: bool = QuietOption,
    output: OutputFormat = FormatOption,
) -> None:
    """Import a knowledge export. Idempotent: importing the same file again creates nothing; a stored
    memory with the same id but different content is reported as a conflict and left as it is."""
    from engram.knowledge.transfer import read_document

    document = read_document(file)
    with transfer_service(ctx) as transfer, progress_bar("importing memories", total=len(document.memories),
                                                         quiet=quiet) as bar:
        report = transfer.import_document(document, as_agent=as_agent, progress=bar.advance)
    emit(output, dataclasses.asdict(report) | {"created_ids": report.created_ids[:1000]},
         lambda: _print_import(file, report))


def _print_import(file: Path, report: ImportReport) -> None:
    say(f"Imported {file}: {report.created} created, {report.unchanged} unchanged, "
        f"{len(report.conflicts)} conflicts (of {report.total}).")
    for conflict in report.conflicts[:20]:
        say("  ", ("conflict", "yellow"), f" {conflict.id}: stored memory differs in {', '.join(conflict.fields)}")
    if len(report.conflicts) > 20:
        say(f"  … and {len(report.conflicts) - 20} more (use --format json).")


@app.command()
@handle_errors
def merge(
    ctx: typer.Context,
    from_agent: str = typer.Option(..., "--from-agent", help="Whose memories to merge (the owner)."),
    domain: str = typer.Option(..., "--domain", "-d", help="Which domain; the owner must have granted it."),
    into: str = typer.Option(..., "--into", help="The agent that receives them."),
    quiet: bool = QuietOption,
    output: OutputFormat = FormatOption,
) -> None:
    """Merge another agent's memories of one domain into an agent's own. Needs a live domain grant
    from the owner. The same memory merged into an equivalent one adds its counts; provenance is kept
    (IMPORTED_FROM). Idempotent: merging again changes nothing."""
    with transfer_service(ctx) as transfer, progress_bar("merging memories", quiet=quiet) as bar:
        report = transfer.merge(from_agent, domain, into, progress=bar.advance, on_total=bar.total)
    emit(output, dataclasses.asdict(report), lambda: say(
        f"Merged {from_agent}'s {domain!r} memories into {into}: {report.created} created, "
        f"{report.combined} combined with existing ones, {report.unchanged} merged before "
        f"(of {report.considered})."))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the export format."""
    from engram.knowledge.document import SCHEMA_PATH

    typer.echo(SCHEMA_PATH.read_text(), nl=False)
