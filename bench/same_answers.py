"""Do two servers send the same answers? A sample of the benchmark's queries asked of both.

For each query (as dnsperf sends it: no EDNS, RD set; and once more with EDNS, 1232 bytes) the
two responses are compared on what a client sees: size on the wire, rcode, flags, and every
section as RRsets (names, types, TTLs, data). Compression may differ with the same content, so
sizes are compared as well and reported apart.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rrset


@dataclass
class Comparison:
    queries: int = 0
    same_sections: int = 0
    same_size: int = 0
    same_bytes: int = 0  # byte for byte after the ID
    differences: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        verdict = "MATCH" if self.same_sections == self.same_size == self.queries else "DIFFER"
        return (
            f"{label}: {verdict}: {self.same_sections}/{self.queries} same rcode, flags and sections, "
            f"{self.same_size}/{self.queries} same size, {self.same_bytes}/{self.queries} byte-identical"
        )


def ask(port: int, wire: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2.0)
        sock.sendto(wire, ("127.0.0.1", port))
        data, _ = sock.recvfrom(65535)
        return data


def sections(message: dns.message.Message) -> tuple[list[str], ...]:
    def text(section: list[dns.rrset.RRset]) -> list[str]:
        return sorted(line for rrset in section for line in rrset.to_text().splitlines())

    return text(message.answer), text(message.authority), text(message.additional)


def describe(message: dns.message.Message, size: int) -> str:
    flags = dns.flags.to_text(message.flags)
    counts = "/".join(str(len(s)) for s in (message.answer, message.authority, message.additional))
    edns = f" EDNS {message.payload}" if message.edns >= 0 else ""
    return f"{dns.rcode.to_text(message.rcode())} [{flags}] {counts} RRsets{edns} {size} B"


def first_difference(a: dns.message.Message, b: dns.message.Message) -> list[tuple[str, str]]:
    """The first section lines that differ, side by side (none if only flags or rcode differ)."""
    for mine, theirs in zip(sections(a), sections(b), strict=True):
        if mine != theirs:
            return [(x, y) for x, y in zip(mine, theirs, strict=False) if x != y][:1] or [
                (" ".join(mine) or "(empty)", " ".join(theirs) or "(empty)")
            ]
    return []


def compare(ports: tuple[int, int], names: list[str], edns: bool) -> Comparison:
    """Ask both servers (``ports``: the one measured, then the reference) each of ``names`` (A)."""
    out = Comparison()
    for name in names:
        query = dns.message.make_query(name, "A", use_edns=0 if edns else False, payload=1232)
        wire = query.to_wire()
        first, second = (ask(port, wire) for port in ports)
        a, b = dns.message.from_wire(first), dns.message.from_wire(second)
        out.queries += 1
        same = a.rcode() == b.rcode() and a.flags == b.flags and a.edns == b.edns
        same = same and sections(a) == sections(b)
        out.same_sections += same
        out.same_size += len(first) == len(second)
        out.same_bytes += first[2:] == second[2:]
        if (not same or len(first) != len(second)) and len(out.differences) < 5:
            out.differences.append(f"{name}: {describe(a, len(first))} vs {describe(b, len(second))}")
            out.differences += [f"      {x}  |  {y}" for x, y in first_difference(a, b)]
    return out


def sample(queries: list[str], per_kind: int = 40) -> list[str]:
    """Up to ``per_kind`` names of each kind in the query file (host, wildcard, NXDOMAIN)."""
    kinds: dict[str, list[str]] = {"host": [], "wild": [], "nx": []}
    for line in queries:
        name = line.split()[0]
        kind = "wild" if ".wild." in name else "nx" if name.startswith("nx") else "host"
        if len(kinds[kind]) < per_kind:
            kinds[kind].append(name)
    return [name for names in kinds.values() for name in names]


def report(ports: tuple[int, int], labels: tuple[str, str], queries: list[str]) -> list[str]:
    """Lines saying whether the two servers answer the sample alike, with the first differences."""
    names = sample(queries)
    lines = []
    for edns in (False, True):
        result = compare(ports, names, edns)
        how = "with EDNS (1232)" if edns else "as dnsperf asks (no EDNS)"
        lines.append(result.line(f"answers {labels[0]} vs {labels[1]}, {len(names)} queries {how}"))
        lines += [f"    {d}" for d in result.differences]
    return lines
