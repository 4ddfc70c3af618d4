"""Render a zone as an RFC 1035 master file. Pure: ZoneData in, text out.

The order is the one AXFR sends (:func:`zone_rrsets`): SOA, apex NS, then every other RRset in
DNSSEC canonical name order (RFC 4034 section 6.1) and by type code within a name. The output
depends only on the zone's content, so an unchanged zone renders to identical bytes and the
writer can skip it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dnsd.domain.changes import RRLine
from dnsd.domain.rdata import SOA
from dnsd.domain.snapshot import ZoneData, zone_rrsets
from dnsd.export.presentation import name_text, rdata_text

NAME_COLUMN_MAX = 40


def zone_lines(zone_data: ZoneData) -> Iterator[RRLine]:
    """Each RR of the zone as ``(name, type, ttl, rdata text)`` in transfer order, the same line
    shape the change log records (absolute names in rdata, canonical owner names)."""
    for rrset in zone_rrsets(zone_data):
        for rdata in rrset.rdatas:
            yield (rrset.name, rrset.rtype, rrset.ttl, rdata.to_text())


def _soa_lines(prefix: str, soa: SOA, origin: str) -> list[str]:
    """The SOA over several lines, each timer commented, as hand-written bind9 files have it."""
    pad = " " * len(prefix)
    fields = [(soa.serial, "serial"), (soa.refresh, "refresh"), (soa.retry, "retry"), (soa.expire, "expire")]
    lines = [f"{prefix}{name_text(soa.mname, origin)} {name_text(soa.rname, origin)} ("]
    lines += [f"{pad}{value:<12} ; {label}" for value, label in fields]
    lines.append(f"{pad}{str(soa.minimum) + ' )':<12} ; minimum")
    return lines


def render_zone_file(zone_data: ZoneData) -> str:
    """The zone as master-file text: ``$ORIGIN``, ``$TTL``, SOA, apex NS, then the records.

    Owner names and names in rdata are relative inside the zone and absolute (trailing dot)
    outside it; TXT data is already split into <=255-octet strings and is printed escaped.
    """
    origin = zone_data.name
    rrsets = zone_rrsets(zone_data)
    owners = [name_text(r.name, origin) for r in rrsets]
    width = min(max(len(o) for o in owners), NAME_COLUMN_MAX)
    lines = [
        f"; zone {origin}, serial {zone_data.zone.serial}, written by dnsd export",
        f"$ORIGIN {origin}.",
        f"$TTL {zone_data.zone.ttl}",
    ]
    for owner, rrset in zip(owners, rrsets, strict=True):
        prefix = f"{owner:<{width}} {rrset.ttl:<6} IN {rrset.rtype:<5} "
        for rdata in rrset.rdatas:
            if isinstance(rdata, SOA):
                lines += _soa_lines(prefix, rdata, origin)
            else:
                lines.append(prefix + rdata_text(rdata, origin))
    return "\n".join(lines) + "\n"
