"""A change as a diff of RR lines, zone by zone: kept lines once, removed ``-``, added ``+``."""

from __future__ import annotations

from dataclasses import dataclass

from dnsd.domain.changes import Change, RRLine


@dataclass(frozen=True, slots=True)
class DiffLine:
    mark: str  # " ", "-" or "+"
    text: str


@dataclass(frozen=True, slots=True)
class ZoneDiff:
    zone: str
    prev_serial: int | None
    serial: int | None
    lines: list[DiffLine]


def rr_text(line: RRLine) -> str:
    name, rtype, ttl, rdata = line
    return f"{name}. {ttl} IN {rtype} {rdata}"


def change_diff(change: Change) -> list[ZoneDiff]:
    """Per zone, the RR lines before and after, sorted by owner and type, as one diff."""
    out = []
    for zone in change.zones:
        removed, added = set(zone.removed), set(zone.added)
        keyed = [(line, " ") for line in removed & added]
        keyed += [(line, "-") for line in removed - added] + [(line, "+") for line in added - removed]
        keyed.sort(key=lambda item: (item[0][0], item[0][1], item[1] != "-", item[0][3]))
        out.append(
            ZoneDiff(zone.zone, zone.prev_serial, zone.serial, [DiffLine(m, rr_text(x)) for x, m in keyed])
        )
    return out
