"""The service over real HTTP: uvicorn serving /health, /graphql and GraphiQL."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_health_is_all_green(api_url: str) -> None:
    response = httpx.get(f"{api_url}/health", timeout=30)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["neo4j"]["ok"] and body["neo4j"]["version"].startswith("5.26")
    assert body["gds"]["ok"] and body["gds"]["version"].startswith("2.13")
    assert body["model"] == {"ok": True, "name": "all-MiniLM-L6-v2", "dimension": 384}
    assert body["indexes"]["ok"] and body["indexes"]["states"]["memory_shard_00_embedding"] == "ONLINE"


def test_graphql_answers_over_http(api_url: str) -> None:
    response = httpx.post(
        f"{api_url}/graphql", json={"query": "{ version health { ok neo4j { ok version } gds { version } } }"}, timeout=30
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["health"]["ok"] is True
    assert data["health"]["gds"]["version"].startswith("2.13")


def test_graphiql_is_served_to_browsers(api_url: str) -> None:
    response = httpx.get(f"{api_url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
