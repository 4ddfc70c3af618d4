"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so check what can
be checked: the file parses, the services and their order exist, and every command they run
is a real ``dnsd`` command line that our own parser accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dnsd.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_services_and_their_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "dnsd"}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["dnsd"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    ports = services["dnsd"]["ports"]
    published = "${DNSD_PUBLISH_ADDRESS:-127.0.0.1}"
    assert {f"{published}:53:53/udp", f"{published}:53:53/tcp", f"{published}:8080:8080"} == set(ports)
    url = services["dnsd"]["environment"]["DNSD_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@postgres:5432/" in url


def test_compose_commands_are_real_cli_commands(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name in ("migrate", "dnsd"):
        argv = compose["services"][name]["command"]
        args = parser.parse_args(argv)  # exits (SystemExit) on an unknown command or flag
        assert callable(args.func)


def test_dockerfile_entrypoint_runs() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["dnsd-entrypoint"]' in text and 'CMD ["serve"]' in text
    for path in ("dnsd", "api", "migrations", "zones"):
        assert f"COPY {path} {path}" in text and (ROOT / path).is_dir()
    result = subprocess.run(
        [sys.executable, "-m", "dnsd", "serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--dns-port" in result.stdout and "--api-port" in result.stdout
