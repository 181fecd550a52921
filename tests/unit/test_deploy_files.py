"""docker-compose.yml can scale `engram` behind the proxy (no Docker engine here: this checks the file's structure,
and that the proxy's config points at the replicas' port)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_dependency_is_a_service_and_the_replicas_wait_for_the_schema() -> None:
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
    assert SERVICES["engram"]["depends_on"]["engram-init"]["condition"] == "service_completed_successfully"
    assert SERVICES["engram"]["command"] == ["engram", "serve"]  # replicas only serve; engram-init seeds once


def test_the_scaled_service_binds_no_host_port_and_the_proxy_does() -> None:
    assert "ports" not in SERVICES["engram"], "`--scale engram=3` cannot give three replicas one host port"
    assert [p.split(":")[-1] for p in SERVICES["proxy"]["ports"]] == ["8000"]


def test_the_proxy_config_is_mounted_and_points_at_the_replicas_port() -> None:
    source, target, *_ = SERVICES["proxy"]["volumes"][0].split(":")
    config = (REPO / source).read_text()
    assert target.startswith("/etc/nginx/")
    port = SERVICES["engram"]["environment"]["ENGRAM_API_PORT"]
    assert re.search(rf"server\s+engram:{port}\s+resolve", config), "the upstream must name the scaled service"
    assert "resolver 127.0.0.11" in config  # Docker's DNS, one address per replica
