"""`dnsd resolver-config`: kube-dns, CoreDNS and unbound output for every zone in the store."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dnsd.domain.errors import InvalidInput
from dnsd.k8s.resolvers import Upstream, parse_upstream
from dnsd.store.zonestore import ZoneStore
from tests.k8s.conftest import ZONES, dnsd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.96.0.53", Upstream("10.96.0.53", 53)),
        ("10.96.0.53:5353", Upstream("10.96.0.53", 5353)),
        ("[fd00::53]:5353", Upstream("fd00::53", 5353)),
        ("fd00:0::53", Upstream("fd00::53", 53)),
        ("[fd00::53]", Upstream("fd00::53", 53)),
    ],
)
def test_parse_upstream(text: str, expected: Upstream) -> None:
    assert parse_upstream(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("dns.example.com:53", "an IP address is required"),
        ("10.0.0.1:0", "port must be"),
        ("10.0.0.1:http", "port must be"),
    ],
)
def test_parse_upstream_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        parse_upstream(text)


def test_kube_dns_configmap(db_url: str, seeded: ZoneStore) -> None:
    result = dnsd(
        db_url, "resolver-config", "--kube-dns", "--server", "10.96.0.53:5353", "--server", "10.96.0.54"
    )
    assert result.returncode == 0, result.stderr
    doc = yaml.safe_load(result.stdout)
    assert (doc["kind"], doc["metadata"]) == ("ConfigMap", {"name": "kube-dns", "namespace": "kube-system"})
    assert json.loads(doc["data"]["stubDomains"]) == {z: ["10.96.0.53:5353", "10.96.0.54"] for z in ZONES}


def test_coredns_blocks(db_url: str, seeded: ZoneStore) -> None:
    result = dnsd(
        db_url, "resolver-config", "--coredns", "--server", "10.96.0.53", "--server", "[fd00::53]:5353"
    )
    assert result.returncode == 0, result.stderr
    for zone in ZONES:
        assert (
            f"{zone}:53 {{\n    errors\n    cache 30\n    forward . 10.96.0.53:53 [fd00::53]:5353\n}}"
            in result.stdout
        )


def test_unbound_stub_zones_pass_unbound_checkconf(db_url: str, seeded: ZoneStore, tmp_path: Path) -> None:
    result = dnsd(db_url, "resolver-config", "--unbound", "--server", "127.0.0.1:5354")
    assert result.returncode == 0, result.stderr
    for zone in ZONES:
        assert f'stub-zone:\n    name: "{zone}"\n    stub-addr: 127.0.0.1@5354\n' in result.stdout
    assert "do-not-query-localhost: no" in result.stdout  # else unbound refuses a loopback stub
    checkconf = shutil.which("unbound-checkconf")
    if checkconf is None:
        pytest.skip("unbound-checkconf is not installed (scripts/setup installs the unbound package)")
    (tmp_path / "dnsd.conf").write_text(result.stdout)
    conf = tmp_path / "unbound.conf"
    server = f'server:\n    chroot: ""\n    username: ""\n    directory: "{tmp_path}"\n'
    conf.write_text(f'{server}include: "{tmp_path}/dnsd.conf"\n')
    check = subprocess.run([checkconf, str(conf)], capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_zones_is_an_error(db_url: str, store: ZoneStore) -> None:
    result = dnsd(db_url, "resolver-config", "--unbound")
    assert result.returncode == 1
    assert "no zones" in result.stderr


def test_a_flavour_is_required(db_url: str, seeded: ZoneStore) -> None:
    result = dnsd(db_url, "resolver-config")
    assert result.returncode == 2
    assert "one of the arguments --kube-dns --coredns --unbound is required" in result.stderr
