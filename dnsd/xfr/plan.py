"""Zone transfers out, as plans: AXFR (RFC 5936) and IXFR (RFC 1995). Pure: no I/O, no dnslib.

The server turns these plans into wire messages (``dnsd.wire``), signs them (:mod:`dnsd.xfr.tsig`)
and writes them to the TCP stream:

- :func:`axfr_rrsets`: the zone as AXFR sends it, SOA first and last (the zone-file order).
- :func:`ixfr_rrsets`: the IXFR answer from the change log, or None when the client's serial is
  not reachable through the log (the server then answers AXFR-style, RFC 1995 section 4).
- :func:`pack_messages`: RRsets grouped into messages that stay under 64 KiB on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dnsd.domain.changes import RRLine, ZoneChange
from dnsd.domain.rdata import CAA, HINFO, MX, SOA, SRV, TXT, Address, Rdata, Target, parse_rdata
from dnsd.domain.snapshot import RRsetData, ZoneData, zone_rrsets
from dnsd.domain.zones import serial_gt

MAX_MESSAGE = 65535
HEADER = 12
TSIG_RESERVE = 512  # room for a TSIG RR: key name (<=255), algorithm name, 32-octet MAC, fields


def axfr_rrsets(zone_data: ZoneData) -> list[RRsetData]:
    """Every RRset of the zone in transfer order, with the SOA again at the end (RFC 5936 2.2)."""
    rrsets = zone_rrsets(zone_data)
    return [*rrsets, rrsets[0]]


def ixfr_chain(
    history: Sequence[ZoneChange], client_serial: int, current_serial: int
) -> list[ZoneChange] | None:
    """The changes leading from ``client_serial`` to ``current_serial``, oldest first.

    ``history`` is ``store.zone_history(zone)`` (commit order). Returns None when the chain cannot
    be built from it: the client's serial is older than the log (or unknown), the zone was
    deleted or created in between, a serial was moved by hand (an import past a file's serial),
    or a step changed the zone's settings (SOA timers, apex NS). Newer entries than
    ``current_serial`` (a snapshot behind the database) are ignored.
    """
    end = next((i for i in range(len(history) - 1, -1, -1) if history[i].serial == current_serial), None)
    if end is None:
        return None
    chain: list[ZoneChange] = []
    expected = current_serial
    for change in reversed(history[: end + 1]):
        if change.prev_serial is None or change.serial != expected:
            return None  # a create/delete, or a gap: the log cannot bridge it
        if _settings_change(change):
            return None
        chain.append(change)
        expected = change.prev_serial
        if expected == client_serial:
            return list(reversed(chain))
    return None


def _settings_change(change: ZoneChange) -> bool:
    """A change of the zone's own settings: the log has no RR lines for it (SOA timers) or it
    touches the apex NS. Either way the SOA fields before it are not in the log, and a client
    deleting an SOA that differs from its own fails the transfer: only AXFR is safe."""
    if not change.removed and not change.added:
        return True
    return any(
        rtype == "NS" and name == change.zone for name, rtype, _, _ in (*change.removed, *change.added)
    )


def _rrsets_of(lines: Iterable[RRLine]) -> list[RRsetData]:
    """Consecutive lines of one (name, type, ttl) become one RRsetData."""
    out: list[RRsetData] = []
    for name, rtype, ttl, text in lines:
        rdata = parse_rdata(rtype, text)
        last = out[-1] if out else None
        if last is not None and (last.name, last.rtype, last.ttl) == (name, rtype, ttl):
            out[-1] = RRsetData(name, rtype, ttl, (*last.rdatas, rdata))
        else:
            out.append(RRsetData(name, rtype, ttl, (rdata,)))
    return out


def _soa_at(zone_data: ZoneData, serial: int) -> RRsetData:
    soa = zone_data.zone.soa()
    at = SOA(soa.mname, soa.rname, serial, soa.refresh, soa.retry, soa.expire, soa.minimum)
    return RRsetData(zone_data.name, "SOA", zone_data.zone.ttl, (at,))


def ixfr_rrsets(
    zone_data: ZoneData, history: Sequence[ZoneChange], client_serial: int
) -> list[RRsetData] | None:
    """The IXFR answer for a client at ``client_serial`` (RFC 1995 section 4).

    A client at the current serial or newer gets the current SOA alone. Otherwise the answer is
    the current SOA, then one difference sequence per change (old SOA, RRs removed, new SOA,
    RRs added), then the current SOA. None: answer with :func:`axfr_rrsets` instead.
    """
    current = zone_data.zone.serial
    current_soa = _soa_at(zone_data, current)
    if client_serial == current or serial_gt(client_serial, current):
        return [current_soa]
    chain = ixfr_chain(history, client_serial, current)
    if chain is None:
        return None
    out = [current_soa]
    for change in chain:
        assert change.prev_serial is not None and change.serial is not None  # ixfr_chain checked
        out.append(_soa_at(zone_data, change.prev_serial))
        out += _rrsets_of(change.removed)
        out.append(_soa_at(zone_data, change.serial))
        out += _rrsets_of(change.added)
    out.append(current_soa)
    return out


def name_size(name: str) -> int:
    """Octets of canonical ``name`` on the wire, uncompressed: exact for plain names, an upper
    bound with ``\\DDD`` escapes (four characters for one octet), which is all packing needs."""
    return len(name) + 2 if name else 1


def rdata_size(rdata: Rdata) -> int:
    """Octets of the rdata on the wire, names uncompressed: an upper bound."""
    if isinstance(rdata, Address):
        return 16 if ":" in rdata.address else 4
    if isinstance(rdata, Target):
        return name_size(rdata.target)
    if isinstance(rdata, MX):
        return 2 + name_size(rdata.exchange)
    if isinstance(rdata, SRV):
        return 6 + name_size(rdata.target)
    if isinstance(rdata, TXT):
        return sum(1 + len(s) for s in rdata.strings)
    if isinstance(rdata, CAA):
        return 2 + len(rdata.tag) + len(rdata.value.encode())
    if isinstance(rdata, SOA):
        return name_size(rdata.mname) + name_size(rdata.rname) + 20
    if isinstance(rdata, HINFO):
        return 2 + len(rdata.cpu.encode()) + len(rdata.os.encode())
    raise TypeError(f"unknown rdata {rdata!r}")


def rr_size(name: str, rdata: Rdata) -> int:
    """Octets of one RR on the wire without compression: owner, type/class/TTL/length, rdata."""
    return name_size(name) + 10 + rdata_size(rdata)


def pack_messages(
    rrsets: Sequence[RRsetData], qname: str, limit: int = MAX_MESSAGE, reserve: int = TSIG_RESERVE
) -> list[tuple[RRsetData, ...]]:
    """Group ``rrsets`` (in order) into answer sections of messages that fit in ``limit`` octets.

    Sizes are counted without name compression, so every message fits whatever the encoder
    compresses; ``reserve`` leaves room for a TSIG RR and the question is counted in each
    message. An RRset too large for what is left of a message is split between messages
    (allowed in AXFR/IXFR answers); an RR too large for an empty message raises ValueError.
    """
    budget = limit - HEADER - (name_size(qname) + 4) - reserve
    messages: list[tuple[RRsetData, ...]] = []
    current: list[RRsetData] = []
    used = 0
    for rrset in rrsets:
        taken: list[Rdata] = []
        for rdata in rrset.rdatas:
            size = rr_size(rrset.name, rdata)
            if size > budget:
                raise ValueError(f"an RR of {rrset.name}/{rrset.rtype} is {size} octets, too large to send")
            if used + size > budget:
                if taken:
                    current.append(RRsetData(rrset.name, rrset.rtype, rrset.ttl, tuple(taken)))
                messages.append(tuple(current))
                current, taken, used = [], [], 0
            taken.append(rdata)
            used += size
        if taken:
            current.append(RRsetData(rrset.name, rrset.rtype, rrset.ttl, tuple(taken)))
    if current or not messages:
        messages.append(tuple(current))
    return messages
