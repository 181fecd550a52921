"""`engram doctor`: what is installed and running, and whether each part is healthy."""

from __future__ import annotations

import shutil

import typer

from engram.cli.output import FormatOption, OutputFormat, check_mark, emit, emit_table, handle_errors, settings_from
from engram.dbserver.distribution import distribution_for, java_major_version
from engram.embeddings import build_embedder
from engram.errors import EngramError
from engram.health import check_health
from engram.storage.connection import open_driver
from engram.storage.shards import INDEX_PREFIX


@handle_errors
def doctor(ctx: typer.Context, output: OutputFormat = FormatOption) -> None:
    """Check Java, Maven, Neo4j, GDS, the indexes and the embedding model. Exit 1 if anything is unhealthy."""
    settings = settings_from(ctx)
    rows: list[tuple[str, str, bool]] = []
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if settings.managed:
        rows.append(("java", f"{java} (Java {java_major_version(java)})" if java else "not found", java is not None))
        rows.append(("maven", mvn or "not found", mvn is not None))
        dist = distribution_for(settings)
        rows.append(("neo4j distribution", f"{dist.root} ({'assembled' if dist.is_ready else 'not fetched yet'})", dist.is_ready))

    driver, connect_error = None, None
    try:
        driver = open_driver(settings)
    except EngramError as exc:
        connect_error = exc
    try:
        report = check_health(driver, build_embedder(settings), settings, connect_error)
    finally:
        if driver is not None:
            driver.close()
    db, model = report.database, report.model
    rows.append(("neo4j", f"{db.neo4j_version} {db.neo4j_edition or ''} at {settings.bolt_uri}" if db.neo4j_ok
                 else f"unreachable at {settings.bolt_uri}", db.neo4j_ok))
    rows.append(("graph data science", db.gds_version or "not installed", db.gds_ok))
    shard_indexes = [i for i in db.indexes if i.name.startswith(INDEX_PREFIX)]
    for index in (i for i in db.indexes if i.type in ("VECTOR", "FULLTEXT") and i not in shard_indexes):
        rows.append((f"index {index.name}", f"{index.type} {index.state} {index.population_percent:.0f}%", index.state == "ONLINE"))
    if shard_indexes:
        online = sum(i.state == "ONLINE" for i in shard_indexes)
        rows.append(("memory shard vector indexes", f"{online}/{len(shard_indexes)} ONLINE ({INDEX_PREFIX}*)",
                     online == len(shard_indexes)))
    ranges = [i for i in db.indexes if i.type == "RANGE"]
    if ranges:
        online = sum(i.state == "ONLINE" for i in ranges)
        rows.append(("constraints and range indexes", f"{online}/{len(ranges)} ONLINE", online == len(ranges)))
    if db.neo4j_ok and not db.indexes_ok:
        rows.append(("schema", "required indexes missing: run `engram db init`", False))
    rows.append(("embedding model", f"{model.name} ({model.dimension} dims) from {model.path}" if model.ok
                 else model.error or "failed", model.ok))

    healthy = all(ok for _, _, ok in rows)
    errors = report.as_dict()["errors"]
    emit(output, {"healthy": healthy, "checks": [{"check": c, "detail": d, "ok": ok} for c, d, ok in rows], "errors": errors},
         lambda: _print_checks(rows, errors))
    if not healthy:
        raise typer.Exit(1)


def _print_checks(rows: list[tuple[str, str, bool]], errors: list[str]) -> None:
    emit_table("engram doctor", ["check", "detail", "status"], [(c, d, check_mark(ok)) for c, d, ok in rows])
    for error in errors:
        typer.echo(f"  {error}", err=True)
