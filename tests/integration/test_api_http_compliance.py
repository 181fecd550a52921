"""GraphQL over HTTP: the `graphql-http` server audit passes every MUST against the real server."""

from __future__ import annotations

import shutil

import pytest

from bench.graphql_http_audit import TOOLS, counts, report, run_audit

pytestmark = pytest.mark.integration


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the graphql-http audit")
def test_graphql_over_http_audit_has_no_must_failures(api_url: str) -> None:
    if not (TOOLS / "node_modules" / "graphql-http").is_dir() and shutil.which("npm") is None:
        pytest.skip("needs npm to install the graphql-http audit")
    results = run_audit(api_url + "/graphql")
    summary = counts(results)
    print("\n" + report(results))
    assert summary["MUST"]["error"] == 0, report(results)
    assert summary["MUST"]["ok"] > 10


def test_media_types_and_status_codes(api_url: str, api_keys: dict[str, str]) -> None:
    import httpx

    url, new = api_url + "/graphql", "application/graphql-response+json"
    # application/json (and no Accept header): always 200, errors in the body
    legacy = httpx.post(url, json={"query": "{ nope }"}, timeout=30)
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None
    # the newer media type: requests that fail before execution get 400 and no data entry
    invalid = httpx.post(url, json={"query": "{ nope }"}, headers={"Accept": new}, timeout=30)
    assert invalid.status_code == 400 and invalid.headers["content-type"].startswith(new)
    assert "data" not in invalid.json()
    # a missing key is an execution error of the field, not of the request: 200 with data: null
    unauthenticated = httpx.post(url, json={"query": "{ me { id } }"}, headers={"Accept": new}, timeout=30)
    assert unauthenticated.status_code == 200
    assert unauthenticated.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ok = httpx.post(url, json={"query": "{ viewer { agentId } }"}, timeout=30,
                    headers={"Accept": new, "Authorization": f"Bearer {api_keys['alice']}"})
    assert ok.status_code == 200 and ok.json() == {"data": {"viewer": {"agentId": "alice"}}}
