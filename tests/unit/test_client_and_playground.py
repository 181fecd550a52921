"""Contracts of the typed client (generated from graphql/operations, checked against the SDL) and of the
playground's vendored assets (pinned, hashed, no third-party origin)."""

from __future__ import annotations

import json
import re

from graphql import build_schema

from engram.api.playground import CONTENT_SECURITY_POLICY, STATIC_DIR, page_html
from engram.api.playground.vendor import manifest_of
from engram.client import AsyncEngramClient, EngramClient, codegen
from engram.client.base import EngramClientError, body_for, data_of
from engram.client.generated import DOCUMENTS, RecordDecisionInput, Outcome


def test_generated_client_is_up_to_date_with_the_operations() -> None:
    assert codegen.TARGET.read_text() == codegen.generate(), "run `python -m engram.client.codegen`"


def test_every_operation_document_matches_the_sdl() -> None:
    schema = build_schema(codegen.SCHEMA_FILE.read_text())
    assert codegen.check_against_schema(schema, codegen.load_documents()) == []


def test_every_operation_is_a_typed_method_of_both_clients() -> None:
    names = {d.name.value for doc in codegen.load_documents().values() for d in doc.definitions
             if getattr(d, "operation", None) is not None}
    assert names == set(DOCUMENTS)
    for name in names:
        method = codegen.snake(name)
        assert callable(getattr(EngramClient, method)) and callable(getattr(AsyncEngramClient, method)), method


def test_codegen_catches_an_operation_the_schema_does_not_have(tmp_path) -> None:
    (tmp_path / "bad.graphql").write_text("query Bad { suggest(context: \"x\") { noSuchField } }")
    schema = build_schema(codegen.SCHEMA_FILE.read_text())
    problems = codegen.check_against_schema(schema, codegen.load_documents(tmp_path))
    assert problems and "noSuchField" in problems[0]


def test_request_body_leaves_unset_variables_to_the_documents_defaults() -> None:
    body = body_for(DOCUMENTS, "RecordDecision", {"input": RecordDecisionInput(context="c", action="a", outcome=Outcome.FAILURE,
                                                                    task_id="t-1")})
    assert body["operationName"] == "RecordDecision"
    assert body["variables"] == {"input": {"context": "c", "action": "a", "outcome": "FAILURE", "taskId": "t-1"}}


def test_errors_keep_their_code_and_hint() -> None:
    import httpx

    response = httpx.Response(200, json={"data": None, "errors": [
        {"message": "No agent 'x'.", "path": ["requestAccess"], "extensions": {"code": "NOT_FOUND", "hint": "h"}}]})
    try:
        data_of(response)
    except EngramClientError as exc:
        assert (exc.code, exc.message, exc.hint) == ("NOT_FOUND", "No agent 'x'.", "h")
    else:
        raise AssertionError("no error raised")


def test_vendored_playground_assets_match_their_manifest() -> None:
    manifest = json.loads((STATIC_DIR / "MANIFEST.json").read_text())
    assert manifest["files"] == manifest_of(STATIC_DIR), "re-run python -m engram.api.playground.vendor"
    assert any(p.startswith("graphiql@") for p in manifest["packages"])


def test_playground_page_loads_nothing_from_elsewhere() -> None:
    html = page_html()
    assert "<script>" not in html and "style=" not in html  # nothing inline: the CSP allows files only
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/playground/") and (STATIC_DIR / url.removeprefix("/playground/")).is_file(), url
    assert "http" not in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    css = (STATIC_DIR / "graphiql.min.css").read_text()
    assert "data:font" not in css and "url(fonts/" in css
