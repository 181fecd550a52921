"""Settings, the Cypher catalog and packaging contracts, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from engram.config import Settings
from engram.errors import ConfigurationError
from engram.storage.catalog import QueryCatalog

REPO = Path(__file__).resolve().parents[2]


def test_neo4j_uri_switches_to_an_external_server() -> None:
    settings = Settings(neo4j_uri="neo4j+s://example.databases.neo4j.io", neo4j_auth="neo4j/secret-pass")
    assert not settings.managed
    assert settings.bolt_uri == "neo4j+s://example.databases.neo4j.io"
    assert settings.credentials() == ("neo4j", "secret-pass")


def test_managed_server_uses_configured_ports() -> None:
    settings = Settings(bolt_port=17687, http_port=17474)
    assert settings.managed and settings.bolt_uri == "bolt://127.0.0.1:17687"
    assert settings.browser_url == "http://127.0.0.1:17474/browser/"


def test_neo4j_auth_none_disables_credentials() -> None:
    assert Settings(neo4j_auth="none").credentials() is None


def test_malformed_neo4j_auth_is_rejected() -> None:
    with pytest.raises(ConfigurationError):
        Settings(neo4j_auth="just-a-password")


def test_missing_password_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="No Neo4j password"):
        Settings(home=tmp_path).credentials()


def test_catalog_loads_every_statement_and_no_file_holds_two() -> None:
    catalog = QueryCatalog(REPO / "cypher")
    schema = catalog.group("schema")
    assert any(name.endswith("memory_text_fulltext_index") for name, _ in schema)
    assert "CREATE VECTOR INDEX $name" in catalog.get("shards/vector_index")  # one per memory shard
    for path in (REPO / "cypher").rglob("*.cypher"):
        text = path.read_text().strip().rstrip(";")
        assert ";" not in text, f"{path} holds more than one statement"


def test_import_graphql_is_graphql_core() -> None:
    import graphql

    assert hasattr(graphql, "graphql_sync"), "a local graphql/ package shadows graphql-core"
    assert not (REPO / "graphql" / "__init__.py").exists()
