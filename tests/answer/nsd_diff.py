"""Differential check of dnsd's answers against NSD on random zones, through the wire.

    python -m tests.answer.nsd_diff [--seed N] [--rounds N] [--max-rrsets N] [--labels a,b,*]

Each round generates four zones of random data (wildcards, CNAME/DNAME chains, DNAMEs whose
target is an ancestor of their owner, delegations, a child zone we also host, a zone whose
name has a ``*`` label and names with ``*`` in the middle), serves them with the Debian ``nsd``
and with dnsd's own :class:`~dnsd.server.responder.Responder` on UDP sockets on 127.0.0.1, asks
both every type of QTYPES (DS and types dnsd does not store included) for every owner, every
parent of one and a child of one, and prints the differences. ANY is not compared (NSD
answers every RRset; we answer RFC 8482 style). Normalised away, as documented choices: NSD's
apex NS in the authority section of positive answers (with their hosts' addresses) and the
NS-host addresses we add to SOA answers. Where NSD answers SERVFAIL (its own failure: seen
below a child zone whose parent has a DNAME at its apex) there is nothing to compare; those
queries are counted apart. ``tests/answer/test_nsd_differential.py`` runs a few
rounds under pytest when ``nsd`` is installed.
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnsd.domain.names import is_subdomain, parent
from dnsd.domain.rdata import MX, TXT, Address, Rdata, Target
from dnsd.domain.records import RRset, find_zone
from dnsd.domain.snapshot import Snapshot, ZoneData, build_zone
from dnsd.server.holder import SnapshotHolder
from dnsd.server.responder import Responder

from .snapshots import make_zone

ZONES = ("ex.test", "b.ex.test", "other.test", "w.*.test")
TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "DNAME", "NS", "A", "CNAME")
QTYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "DS", "DNAME", "PTR", "DNSKEY", "HTTPS")
Sections = dict[str, object]


@dataclass
class Drawn:
    """What the random rounds covered, for the pytest wrapper to insist on."""

    ds_at_cut: int = 0
    dname_to_ancestor: int = 0
    star_in_the_middle: int = 0
    queries: int = 0
    nsd_servfail: int = 0
    differences: list[str] = field(default_factory=list)


def random_name(rng: random.Random, labels: list[str]) -> str:
    zone = rng.choice(ZONES)
    relative = ".".join(rng.choice(labels) for _ in range(rng.randint(0, 3)))
    return f"{relative}.{zone}" if relative else zone


def allowed(rrsets: dict[tuple[str, str], RRset], name: str, rtype: str) -> bool:
    """Only data a zone file may hold (NSD's behaviour on the rest is its own)."""
    here = {t for (n, t) in rrsets if n == name}
    return not (
        (name.startswith("*.") and rtype in ("NS", "DNAME"))
        or (name in ZONES and rtype in ("NS", "CNAME"))
        or (rtype == "CNAME" and here)
        or "CNAME" in here
    )


def random_rrsets(rng: random.Random, labels: list[str], most: int) -> list[RRset]:
    rrsets: dict[tuple[str, str], RRset] = {}
    for _ in range(rng.randint(3, most)):
        name, rtype = random_name(rng, labels), rng.choice(TYPES)
        if not allowed(rrsets, name, rtype):
            continue
        target = random_name(rng, labels) if rng.random() < 0.85 else "out.example"
        if rtype == "DNAME" and rng.random() < 0.4:
            target = ancestor(rng, name)  # each step shortens the name: followed to the end
        ttl = rng.randint(1, 250)
        rdata: Rdata = {
            "A": Address(f"192.0.2.{ttl}"),
            "AAAA": Address(f"2001:db8::{ttl}"),
            "TXT": TXT((b"t",)),
            "MX": MX(ttl, target),
        }.get(rtype, Target(target))
        rrsets[(name, rtype)] = RRset(name, rtype, ttl, (rdata,), zone=find_zone(name, ZONES) or "")
    dnames = {n for (n, t) in rrsets if t == "DNAME"}
    return [r for r in rrsets.values() if not any(r.name.endswith("." + d) for d in dnames)]


def ancestor(rng: random.Random, name: str) -> str:
    """A random proper ancestor of ``name`` (not the root)."""
    above = []
    while "." in name:
        name = parent(name)
        above.append(name)
    return rng.choice(above) if above else "test"


def zone_file(zone: ZoneData) -> str:
    return "".join(
        f"{r.name}. {r.ttl} IN {r.rtype} {d.to_text()}\n" for r in zone.iter_rrsets() for d in r.rdatas
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def nsd_config(workdir: Path, port: int, zones: list[str]) -> str:
    server = (
        f'server:\n ip-address: 127.0.0.1@{port}\n username: ""\n chroot: ""\n zonesdir: {workdir}\n'
        f' pidfile: {workdir}/nsd.pid\n database: ""\n xfrdfile: {workdir}/xfrd.state\n'
        f" zonelistfile: {workdir}/zone.list\n logfile: {workdir}/nsd.log\n rrl-ratelimit: 0\n"
        " refuse-any: no\n server-count: 1\n minimal-responses: no\n"
        "remote-control:\n control-enable: no\n"
    )
    return server + "".join(f"zone:\n name: {z}\n zonefile: {workdir}/{z}.zone\n" for z in zones)


def start_nsd(workdir: Path, snap: Snapshot) -> tuple[subprocess.Popen[bytes], int] | None:
    """NSD serving ``snap``, and its port; None when it did not come up (three ports tried,
    since the free port we pick may be taken for TCP by someone else)."""
    for name, zone in snap.zones.items():
        (workdir / f"{name}.zone").write_text(zone_file(zone))
    for _ in range(3):
        port = free_port()
        (workdir / "nsd.conf").write_text(nsd_config(workdir, port, list(snap.zones)))
        proc = subprocess.Popen(
            ["nsd", "-d", "-c", str(workdir / "nsd.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                dns.query.udp(dns.message.make_query(ZONES[0], "SOA"), "127.0.0.1", port=port, timeout=0.2)
                return proc, port
            except dns.exception.Timeout:
                continue
        proc.terminate()
        proc.wait()
    return None


@contextmanager
def dnsd_server(snap: Snapshot) -> Iterator[int]:
    """dnsd's full path (wire parse, policy, resolve, wire encode) serving ``snap`` on a UDP
    socket of 127.0.0.1; yields its port."""
    responder = Responder(SnapshotHolder(snap))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            reply = responder.respond(data)
            if reply is not None:
                sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, name="dnsd-nsd-diff", daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def lines_of(rrsets: list[dns.rrset.RRset]) -> set[str]:
    lines = set()
    for r in rrsets:
        owner, rtype = r.name.to_text().rstrip(".").lower(), dns.rdatatype.to_text(r.rdtype)
        lines |= {f"{owner} {r.ttl} {rtype} {d.to_text().lower()}" for d in r}
    return lines


def sections(response: dns.message.Message) -> Sections:
    return {
        "rcode": response.rcode(),
        "aa": bool(response.flags & dns.flags.AA),
        "an": lines_of(response.answer),
        "au": lines_of(response.authority),
        "ad": lines_of(response.additional),
    }


def nsd_sections(response: dns.message.Message, mine: Sections) -> Sections:
    """NSD's answer, without the apex NS it adds to the authority of positive answers (and the
    addresses of their hosts, unless we add those too)."""
    got = sections(response)
    positive = response.answer and got["aa"]
    if positive and all(r.rdtype == dns.rdatatype.NS for r in response.authority) and not mine["au"]:
        hosts = {d.target.to_text().rstrip(".").lower() for r in response.authority for d in r}
        kept = mine["ad"]
        assert isinstance(kept, set)
        got["au"] = set()
        got["ad"] = {line for line in got["ad"] if line.split()[0] not in hosts or line in kept}  # type: ignore[attr-defined]
    return got


def ask(port: int, qname: str, qtype: str) -> dns.message.Message:
    query = dns.message.make_query(qname + ".", qtype, use_edns=0, payload=65000)
    query.flags &= ~dns.flags.RD
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=2)


def differences(ours: int, nsd: int, qname: str, qtype: str) -> dict[str, tuple[object, object]] | None:
    """What differs between the two answers; None when NSD failed (SERVFAIL: nothing to compare)."""
    theirs = ask(nsd, qname, qtype)
    if theirs.rcode() == dns.rcode.SERVFAIL:
        return None
    mine = sections(ask(ours, qname, qtype))
    got = nsd_sections(theirs, mine)
    diff = {k: (mine[k], got[k]) for k in mine if mine[k] != got[k]}
    if qtype == "SOA" and set(diff) == {"ad"}:
        return {}  # a documented choice (module docstring)
    return diff


def query_names(rrsets: list[RRset], rng: random.Random, labels: list[str]) -> list[str]:
    names = {r.name for r in rrsets} | {r.name.partition(".")[2] for r in rrsets}
    names |= {f"zz.{r.name}" for r in rrsets} | {random_name(rng, labels) for _ in range(10)}
    for dname in (r for r in rrsets if r.rtype == "DNAME" and _points_up(r)):
        # names the DNAME maps back below itself: a chain of several steps (uni.uni.uni.com)
        target = dname.values[0].target  # type: ignore[union-attr]
        step = dname.name[: -len(target) - 1] if target else dname.name
        names |= {f"{step}.{dname.name}", f"zz.{step}.{step}.{dname.name}"}
    return sorted(n for n in names if n and len(n) < 200 and find_zone(n, ZONES) is not None)


def tally(drawn: Drawn, rrsets: list[RRset], name: str, qtype: str) -> None:
    """Count the queries of the shapes this check exists for."""
    if qtype == "DS" and any(r.rtype == "NS" and r.name == name for r in rrsets):
        drawn.ds_at_cut += 1
    upward = [r.name for r in rrsets if r.rtype == "DNAME" and _points_up(r)]
    if any(name != owner and is_subdomain(name, owner) for owner in upward):
        drawn.dname_to_ancestor += 1
    if "*" in name.split(".")[1:]:
        drawn.star_in_the_middle += 1


def _points_up(dname: RRset) -> bool:
    target = dname.values[0]
    if not isinstance(target, Target):
        return False
    return target.target != dname.name and is_subdomain(dname.name, target.target)


def run_round(rng: random.Random, labels: list[str], most: int, workdir: Path, drawn: Drawn) -> list[str]:
    rrsets = random_rrsets(rng, labels, most)
    zones = {
        z: build_zone(
            make_zone(z, ttl=rng.randint(30, 900), minimum=rng.randint(30, 900)),
            [r for r in rrsets if r.zone == z],
            {},
        )
        for z in ZONES
    }
    snap = Snapshot(zones)
    started = start_nsd(workdir, snap)
    if started is None:
        return [f"nsd did not start in {workdir}"]
    proc, port = started
    report = []
    try:
        with dnsd_server(snap) as ours:
            for name in query_names(rrsets, rng, labels):
                for qtype in QTYPES:
                    drawn.queries += 1
                    tally(drawn, rrsets, name, qtype)
                    diff = differences(ours, port, name, qtype)
                    if diff is None:
                        drawn.nsd_servfail += 1
                    elif diff:
                        report.append(f"{name} {qtype}: {diff}")
    finally:
        proc.terminate()
        proc.wait()
    if report:
        report.append("the zones:\n" + "".join(zone_file(z) for z in zones.values()))
    return report


def run(seed: int, rounds: int, most: int, labels: list[str], echo: bool = False) -> Drawn:
    """``rounds`` random rounds from ``seed``; what they drew and every difference found."""
    rng, drawn = random.Random(seed), Drawn()
    for number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="nsd-diff-") as tmp:
            report = run_round(rng, labels, most, Path(tmp), drawn)
        for line in report:
            drawn.differences.append(f"round {number}: {line}")
            if echo:
                print(f"round {number}: {line}")
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--max-rrsets", type=int, default=20)
    parser.add_argument("--labels", default="a,b,c,*,ns,d")
    args = parser.parse_args()
    drawn = run(args.seed, args.rounds, args.max_rrsets, args.labels.split(","), echo=True)
    differing = sum(1 for line in drawn.differences if not line.split(": ", 1)[1].startswith("the zones"))
    print(
        f"{drawn.queries} queries compared, {differing} differences "
        f"(DS at a cut: {drawn.ds_at_cut}, below a DNAME to an ancestor: {drawn.dname_to_ancestor}, "
        f"'*' in the middle of the name: {drawn.star_in_the_middle}; NSD SERVFAIL, not compared: "
        f"{drawn.nsd_servfail})"
    )


if __name__ == "__main__":
    main()
