"""One health probe of one member: a TCP connect, or an HTTP(S) GET with a Host header.

Raw asyncio streams with a timeout over the whole exchange, so hundreds of probes run
concurrently on one loop. HTTPS sends the host as SNI (an Istio gateway picks its server by
SNI) and does not verify the certificate: the VIP is addressed by IP, and the probe asks
"is this host routed there", not "is its certificate valid" (docs/steering.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from dnsd.domain.health import HealthCheck, Probe
from dnsd.store.health import ProbeResult

MAX_STATUS_LINE = 1024


def _insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_TLS = _insecure_context()


def _request(check: HealthCheck, probe: Probe) -> bytes:
    host = probe.host or probe.address
    if ":" in host:  # an IPv6 literal (a TCP-keyed probe has no name)
        host = f"[{host}]"
    return (
        f"GET {check.path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: dnsd-health\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    ).encode()


async def _exchange(check: HealthCheck, probe: Probe) -> ProbeResult:
    tls = _TLS if check.kind == "https" else None
    server_hostname = (probe.host or None) if tls is not None else None
    reader, writer = await asyncio.open_connection(
        probe.address, check.port, ssl=tls, server_hostname=server_hostname
    )
    try:
        if check.kind == "tcp":
            return ProbeResult(probe, True)
        writer.write(_request(check, probe))
        await writer.drain()
        line = await reader.readline()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return _status_result(probe, check, line[:MAX_STATUS_LINE])


def _status_result(probe: Probe, check: HealthCheck, line: bytes) -> ProbeResult:
    parts = line.decode("latin-1").split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return ProbeResult(probe, False, f"not an HTTP response: {line[:80]!r}")
    status = int(parts[1])
    if check.accepts(status):
        return ProbeResult(probe, True)
    return ProbeResult(probe, False, f"HTTP {status} for {check.path} (Host {probe.host or probe.address})")


async def run_probe(check: HealthCheck, probe: Probe) -> ProbeResult:
    """Probe once within ``check.timeout`` seconds; never raises (a failure is a result)."""
    try:
        async with asyncio.timeout(check.timeout):
            return await _exchange(check, probe)
    except TimeoutError:
        return ProbeResult(probe, False, f"timed out after {check.timeout:g}s")
    except (OSError, ssl.SSLError, EOFError) as exc:
        return ProbeResult(probe, False, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


async def run_probes(work: list[tuple[HealthCheck, Probe]], concurrency: int = 64) -> list[ProbeResult]:
    """Run probes concurrently (at most ``concurrency`` at once), results in input order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(check: HealthCheck, probe: Probe) -> ProbeResult:
        async with gate:
            return await run_probe(check, probe)

    return list(await asyncio.gather(*(one(c, p) for c, p in work)))
