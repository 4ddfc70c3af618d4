"""Differential check of resolve() against NSD on random zones (a tool, not collected by pytest).

    python -m tests.answer.nsd_diff [--seed N] [--rounds N] [--max-rrsets N] [--labels a,b,*]

Each round generates three zones of random data (wildcards, CNAME/DNAME chains, delegations,
a child zone we also host), serves them with the Debian ``nsd`` on 127.0.0.1, asks NSD and
``resolve()`` every type of QTYPES for every owner, every parent of one and a child of one, and
prints the differences. ANY is not compared (NSD answers every RRset; we answer RFC 8482 style).
Normalised away, as documented choices: NSD's apex NS in the authority section of positive
answers (with their hosts' addresses), the NS-host addresses we add to SOA answers, and the
SOA NSD picks for DS at the apex of a child zone its parent does not delegate.
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import dns.rrset

from dnsd.answer import Answer, resolve
from dnsd.domain.rdata import MX, TXT, Address, Rdata, Target
from dnsd.domain.records import RRset, find_zone
from dnsd.domain.snapshot import RRsetData, Snapshot, ZoneData, build_zone

from .snapshots import make_zone

ZONES = ("ex.test", "b.ex.test", "other.test")
TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "DNAME", "NS", "A", "CNAME")
QTYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "DS", "DNAME", "PTR")
Sections = dict[str, object]


def random_name(rng: random.Random, labels: list[str]) -> str:
    zone = rng.choice(ZONES)
    relative = ".".join(rng.choice(labels) for _ in range(rng.randint(0, 3)))
    return f"{relative}.{zone}" if relative else zone


def allowed(rrsets: dict[tuple[str, str], RRset], name: str, rtype: str) -> bool:
    """Only data a zone file may hold (NSD's behaviour on the rest is its own)."""
    here = {t for (n, t) in rrsets if n == name}
    return not (
        (name.startswith("*.") and rtype in ("NS", "DNAME"))
        or (name in ZONES and rtype in ("NS", "CNAME", "DNAME"))
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


def theirs(rrsets: list[dns.rrset.RRset]) -> set[str]:
    lines = set()
    for r in rrsets:
        owner, rtype = r.name.to_text().rstrip(".").lower(), dns.rdatatype.to_text(r.rdtype)
        lines |= {f"{owner} {r.ttl} {rtype} {d.to_text().lower()}" for d in r}
    return lines


def ours(rrsets: tuple[RRsetData, ...]) -> set[str]:
    return {f"{r.name} {r.ttl} {r.rtype} {d.to_text()}" for r in rrsets for d in r.rdatas}


def sections(answer: Answer) -> Sections:
    au, ad = ours(answer.authority), ours(answer.additional)
    return {"rcode": answer.rcode, "aa": answer.aa, "an": ours(answer.answer), "au": au, "ad": ad}


def nsd_sections(response: dns.message.Message, mine: Sections) -> Sections:
    got: Sections = {
        "rcode": response.rcode(),
        "aa": bool(response.flags & dns.flags.AA),
        "an": theirs(response.answer),
        "au": theirs(response.authority),
        "ad": theirs(response.additional),
    }
    positive = response.answer and got["aa"]
    if positive and all(r.rdtype == dns.rdatatype.NS for r in response.authority) and not mine["au"]:
        hosts = {d.target.to_text().rstrip(".").lower() for r in response.authority for d in r}
        kept = mine["ad"]
        assert isinstance(kept, set)
        got["au"] = set()
        got["ad"] = {
            line for line in theirs(response.additional) if line.split()[0] not in hosts or line in kept
        }
    return got


def differences(snap: Snapshot, port: int, qname: str, qtype: str) -> dict[str, tuple[object, object]]:
    query = dns.message.make_query(qname + ".", qtype, use_edns=0, payload=65000)
    query.flags &= ~dns.flags.RD
    mine = sections(resolve(snap, qname, qtype))
    got = nsd_sections(dns.query.udp(query, "127.0.0.1", port=port, timeout=2), mine)
    diff = {k: (mine[k], got[k]) for k in mine if mine[k] != got[k]}
    if (qtype == "DS" and set(diff) == {"au"}) or (qtype == "SOA" and set(diff) == {"ad"}):
        return {}  # documented choices (module docstring)
    return diff


def query_names(rrsets: list[RRset], rng: random.Random, labels: list[str]) -> list[str]:
    names = {r.name for r in rrsets} | {r.name.partition(".")[2] for r in rrsets}
    names |= {f"zz.{r.name}" for r in rrsets} | {random_name(rng, labels) for _ in range(10)}
    return sorted(n for n in names if n and find_zone(n, ZONES) is not None)


def run_round(rng: random.Random, labels: list[str], most: int, workdir: Path) -> tuple[int, list[str]]:
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
        return 0, [f"nsd did not start in {workdir}"]
    proc, port = started
    count, report = 0, []
    try:
        for name in query_names(rrsets, rng, labels):
            for qtype in QTYPES:
                count += 1
                diff = differences(snap, port, name, qtype)
                if diff:
                    report.append(f"{name} {qtype}: {diff}")
    finally:
        proc.terminate()
        proc.wait()
    if report:
        report.append("the zones:\n" + "".join(zone_file(z) for z in zones.values()))
    return count, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--max-rrsets", type=int, default=20)
    parser.add_argument("--labels", default="a,b,c,*,ns,d")
    args = parser.parse_args()
    rng, labels = random.Random(args.seed), args.labels.split(",")
    total = differing = 0
    for number in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="nsd-diff-") as tmp:
            count, report = run_round(rng, labels, args.max_rrsets, Path(tmp))
            total += count
            differing += max(0, len(report) - 1)
            for line in report:
                print(f"round {number}: {line}")
    print(f"{total} queries compared, {differing} differences")


if __name__ == "__main__":
    main()
