"""`dnsd resolver-config --ecs`: unbound forwards the client subnet to dnsd (checked by
unbound-checkconf, which reads the effective settings back); CoreDNS and kube-dns say what they
cannot do."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dnsd.store.zonestore import ZoneStore
from tests.k8s.conftest import ZONES, dnsd


def unbound_option(conf: Path, option: str) -> str:
    """The effective value of ``option`` as unbound-checkconf reads the configuration."""
    checkconf = shutil.which("unbound-checkconf")
    assert checkconf is not None, "unbound-checkconf is required (scripts/setup installs unbound)"
    done = subprocess.run([checkconf, "-o", option, str(conf)], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_unbound_ecs_passes_checkconf(db_url: str, seeded: ZoneStore, tmp_path: Path) -> None:
    result = dnsd(db_url, "resolver-config", "--unbound", "--ecs", "--server", "127.0.0.1:5354",
                  "--server", "10.96.0.53")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (tmp_path / "dnsd.conf").write_text(result.stdout)
    conf = tmp_path / "unbound.conf"
    server = f'server:\n    chroot: ""\n    username: ""\n    directory: "{tmp_path}"\n'
    conf.write_text(f'{server}include: "{tmp_path}/dnsd.conf"\n')
    check = subprocess.run(["unbound-checkconf", str(conf)], capture_output=True, text=True, timeout=60,
                           check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert unbound_option(conf, "module-config") == "subnetcache validator iterator"
    assert unbound_option(conf, "max-client-subnet-ipv4") == "24"
    assert unbound_option(conf, "max-client-subnet-ipv6") == "56"
    assert sorted(unbound_option(conf, "send-client-subnet").split()) == ["10.96.0.53", "127.0.0.1"]
    assert "    client-subnet-always-forward: yes\n" in result.stdout  # checkconf cannot print it
    for zone in ZONES:
        assert f'stub-zone:\n    name: "{zone}"\n    stub-addr: 127.0.0.1@5354\n' in result.stdout


def test_without_ecs_unbound_sends_no_subnet(db_url: str, seeded: ZoneStore) -> None:
    result = dnsd(db_url, "resolver-config", "--unbound", "--server", "127.0.0.1:5354")
    assert "send-client-subnet" not in result.stdout and "module-config" not in result.stdout


@pytest.mark.parametrize("flavour", ["--coredns", "--kube-dns"])
def test_coredns_and_kube_dns_explain_what_they_cannot_do(
    db_url: str, seeded: ZoneStore, flavour: str
) -> None:
    plain = dnsd(db_url, "resolver-config", flavour, "--server", "10.96.0.53").stdout
    ecs = dnsd(db_url, "resolver-config", flavour, "--ecs", "--server", "10.96.0.53").stdout
    assert "ECS" not in plain and "ECS:" in ecs and "one resolver per data center" in ecs
    if flavour == "--kube-dns":
        assert yaml.safe_load(ecs) == yaml.safe_load(plain)  # a comment only: the same ConfigMap
    else:
        assert ecs.replace(plain.splitlines()[0] + "\n", "").endswith(plain.split("\n", 1)[1])
