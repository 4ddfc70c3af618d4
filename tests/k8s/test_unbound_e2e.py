"""A real resolver: Debian's unbound, configured by `dnsd resolver-config --unbound`, stubbing
our zones to a running `dnsd serve-dns`; `dig @unbound` answers the pool VIP, and the new VIP
after a pool move. Everything is a real process on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dnsd.domain.k8s import make_entry
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.zonestore import ZoneStore
from tests.k8s.conftest import ISTIO_VIP, MANIFESTS, ROOT, dnsd

MISSING = [tool for tool in ("unbound", "dig") if shutil.which(tool) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("dnsd.server") is None,
        reason="needs the DNS server (dnsd.server, `dnsd serve-dns`), which is not on this branch yet",
    ),
    pytest.mark.skipif(bool(MISSING), reason=f"{MISSING} not installed (scripts/setup installs them)"),
]
DEADLINE = 30.0


def free_port() -> int:
    """A port free on 127.0.0.1 for both UDP and TCP (unbound needs a number, not 0)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


@contextmanager
def process(args: list[str], **kwargs: object) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(args, text=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextmanager
def dnsd_dns(db_url: str) -> Iterator[int]:
    """`dnsd serve-dns` on 127.0.0.1, any port; yields the port it announces."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_FEED_POLL_INTERVAL": "0.1"}
    args = [
        sys.executable,
        "-m",
        "dnsd",
        "--database-url",
        db_url,
        "serve-dns",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    with process(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "serving DNS on HOST port PORT", printed once bound
        assert line.startswith("serving DNS on"), f"serve-dns said {line!r} (exit code {proc.poll()})"
        yield int(line.split()[-1])


@contextmanager
def unbound(tmp_path: Path, stub_config: str) -> Iterator[int]:
    """unbound in the foreground on 127.0.0.1 with ``stub_config`` included; yields its port."""
    port = free_port()
    (tmp_path / "dnsd.conf").write_text(stub_config)
    conf = tmp_path / "unbound.conf"
    conf.write_text(
        "server:\n"
        f"    interface: 127.0.0.1\n    port: {port}\n    do-ip6: no\n"
        f'    username: ""\n    chroot: ""\n    directory: "{tmp_path}"\n'
        f'    pidfile: "{tmp_path}/unbound.pid"\n'
        '    use-syslog: no\n    logfile: ""\n    access-control: 127.0.0.0/8 allow\n'
        '    module-config: "iterator"\n'
        "    cache-max-ttl: 1\n"  # the pool move must show without waiting out the 300 s TTL
        f'include: "{tmp_path}/dnsd.conf"\n'
        "remote-control:\n    control-enable: no\n"
    )
    subprocess.run(["unbound-checkconf", str(conf)], check=True, capture_output=True, timeout=60)
    with process(["unbound", "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        yield port


def dig(port: int, name: str) -> list[str]:
    result = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), name, "A", "+short", "+time=1", "+tries=1"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return result.stdout.split() if result.returncode == 0 else []


def wait_for_answer(port: int, name: str, expected: list[str]) -> None:
    deadline = time.monotonic() + DEADLINE
    seen: list[str] = []
    while time.monotonic() < deadline:
        seen = dig(port, name)
        if seen == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"dig @unbound {name}: wanted {expected}, last answer {seen}")


def test_unbound_stubbed_to_dnsd_answers_the_pool_vip_and_follows_a_pool_move(
    db_url: str, seeded: ZoneStore, tmp_path: Path
) -> None:
    K8sOps(seeded.engine).set_mapping(
        make_entry("gateway", "istio=ingressgateway", "istio-ingressgateway"), "t"
    )
    assert dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS)).returncode == 0
    with dnsd_dns(db_url) as dns_port:
        config = dnsd(db_url, "resolver-config", "--unbound", "--server", f"127.0.0.1:{dns_port}")
        assert config.returncode == 0, config.stderr
        with unbound(tmp_path, config.stdout) as resolver:
            wait_for_answer(resolver, "www.hello-web.com", [ISTIO_VIP])
            wait_for_answer(resolver, "www.wudebao-web.com", [ISTIO_VIP])
            seeded.update_pool("istio-ingressgateway", "test", addresses=["10.0.0.11"])
            wait_for_answer(resolver, "www.hello-web.com", ["10.0.0.11"])
            wait_for_answer(resolver, "www.wudebao-web.com", ["10.0.0.11"])
