"""Issue 12 item 14: the image's defaults are container defaults. No Docker engine runs here, so
the Dockerfile's ENV is read and ``scripts/docker-entrypoint`` (the image's ENTRYPOINT) is run
directly with it, its CMD, and the data volume moved to a temporary directory owned by an
unprivileged user, as the image's ``dnsd`` user owns /var/lib/dnsd."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint"
DATA_DIR = "/var/lib/dnsd"
NOBODY = 65534


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def image_env() -> dict[str, str]:
    """Every ``ENV`` of the Dockerfile (``KEY=value`` pairs, continued lines joined)."""
    text = dockerfile().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(word.split("=", 1) for word in shlex.split(line[4:]))  # type: ignore[misc]
    return env


def image_json_list(instruction: str) -> list[str]:
    found = re.search(rf"^{instruction} (\[.*\])$", dockerfile(), re.MULTILINE)
    assert found, instruction
    return list(yaml.safe_load(found.group(1)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_image_defaults_are_container_defaults() -> None:
    env = image_env()
    assert env["DNSD_API_HOST"] == "0.0.0.0" and env["DNSD_DNS_HOST"] == "0.0.0.0"
    assert env["DNSD_DNS_PORT"] == "53" and env["DNSD_MIGRATE"] == "1"
    assert env["DNSD_DATABASE_URL"] == f"sqlite:///{DATA_DIR}/dnsd.db"
    text = dockerfile()
    assert f"VOLUME {DATA_DIR}" in text and f"chown dnsd:dnsd {DATA_DIR}" in text
    assert "USER dnsd" in text and "setcap cap_net_bind_service=+ep" in text
    assert image_json_list("ENTRYPOINT") == ["dnsd-entrypoint"]
    assert "COPY scripts/docker-entrypoint /usr/local/bin/dnsd-entrypoint" in text
    assert image_json_list("CMD") == ["serve"]


def test_compose_needs_no_root_and_leaves_systemd_resolved_alone() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    dnsd = compose["services"]["dnsd"]
    assert "user" not in dnsd
    for port in dnsd["ports"]:
        address = port.rsplit(":", 2)[0]
        assert address, f"{port} publishes on every address (collides with 127.0.0.53:53)"
        default = address.removeprefix("${DNSD_PUBLISH_ADDRESS:-").removesuffix("}")
        assert default == "127.0.0.1", port


def entrypoint_env(data_dir: Path, dns_port: int, api_port: int) -> dict[str, str]:
    """The image's ENV with the volume at ``data_dir`` and free ports instead of 53 and 8080."""
    env = {k: v.replace(DATA_DIR, str(data_dir)) for k, v in image_env().items()}
    env |= {"DNSD_DNS_PORT": str(dns_port), "DNSD_API_PORT": str(api_port), "DNSD_LOG_FORMAT": "json"}
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DNSD_")}
    venv_bin = str(ROOT / ".venv" / "bin")
    return {**keep, **env, "PATH": f"{venv_bin}:{keep.get('PATH', '')}", "HOME": str(data_dir)}


def as_nobody() -> list[str]:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return []
    # Reading and searching everywhere (the interpreter of .venv may sit below a 0700 home) but
    # writing only what nobody owns: the data directory is what this test is about.
    read_only = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *read_only]


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary directory the unprivileged user can reach (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="dnsd-image-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def test_entrypoint_serves_with_the_image_defaults(open_tmp: Path) -> None:
    tmp_path = open_tmp
    data = tmp_path / "var-lib-dnsd"
    data.mkdir()
    prefix = as_nobody()
    if prefix:
        os.chown(data, NOBODY, NOBODY)
    dns_port, api_port = free_port(), free_port()
    env = entrypoint_env(data, dns_port, api_port)
    log = (tmp_path / "log").open("w")
    proc = subprocess.Popen(
        [*prefix, str(ENTRYPOINT), *image_json_list("CMD")], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"serving DNS on 0.0.0.0 port {dns_port}\n", (tmp_path / "log").read_text()
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "log").read_text()
            time.sleep(0.1)
        reply = dns.query.udp(
            dns.message.make_query("example.com", "SOA"), "127.0.0.1", port=dns_port, timeout=2
        )
        assert reply.rcode() == 5  # REFUSED: not our zone, but the server answers on 0.0.0.0
        zones = httpx.get(f"http://127.0.0.1:{api_port}/zones", timeout=5)
        assert zones.status_code == 401  # the image does not turn auth off
    finally:
        proc.terminate()
        code = proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()
        log.close()
    assert code == 0
    database = data / "dnsd.db"
    if prefix:
        assert database.stat().st_uid == NOBODY
    with sqlite3.connect(database) as conn:  # DNSD_MIGRATE=1 made the schema on start
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"zones", "records", "changes"} <= tables


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_entrypoint_names_an_unwritable_data_directory(open_tmp: Path) -> None:
    tmp_path = open_tmp
    data = tmp_path / "root-owned"
    data.mkdir(mode=0o755)
    env = entrypoint_env(data, free_port(), free_port())
    done = subprocess.run(
        [*as_nobody(), str(ENTRYPOINT), "serve"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: the data directory {data} is not writable by uid {NOBODY}; "
        f"mount a volume there (-v dnsd-data:{data}) or set DNSD_DATABASE_URL"
    ]


def test_serve_migrate_flag_makes_the_schema_first(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DNSD_")}
    env |= {"PYTHONPATH": str(ROOT), "DNSD_DATABASE_URL": f"sqlite:///{database}"}
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "dnsd"), "serve", "--migrate", "--no-api", "--dns-host", "127.0.0.1",
         "--dns-port", "0"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving DNS on 127.0.0.1 port "), line
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
        if proc.stdout is not None:
            proc.stdout.close()
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"zones", "records", "changes", "alembic_version"} <= tables
