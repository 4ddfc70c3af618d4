"""Apply the change log's RR lines to a zone's answer data, without re-reading the zone.

Every record or pool change row carries, per zone, the RRs it removed and added (pool
references expanded) and the zone's new serial: exactly what is needed to move a
:class:`ZoneData` forward. Re-reading a zone of 100,000 records takes seconds; patching it
takes milliseconds, so one record change is live well within a second whatever the zone's size.

Patching is copy-on-write: untouched nodes are shared with the previous snapshot. Anything a
patch cannot express exactly (SOA or apex NS lines, a removed RR that is not there, a name
outside the zone) makes :meth:`ZonePatch.apply` return False, and the caller re-reads the zone.
Patched zones, like every zone in a serving snapshot, keep ``rrsets`` empty: the DNS side only
answers from ``nodes`` (see :func:`serving_zone`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from dnsd.domain.changes import ZoneChange
from dnsd.domain.names import ancestors, is_subdomain
from dnsd.domain.rdata import Rdata, parse_rdata
from dnsd.domain.snapshot import Node, RRsetData, ZoneData, frozen_node, interior_names

PATCHABLE_ACTIONS = frozenset({"record.create", "record.update", "record.delete", "pool.update"})
"""Change actions whose RR lines say everything that changed in the zone (besides the serial)."""


def serving_zone(data: ZoneData) -> ZoneData:
    """``data`` without its stored RRsets (pool references and owners): the DNS side never
    reads them, and dropping them saves a good part of a large snapshot's memory."""
    return dataclasses.replace(data, rrsets=())


class ZonePatch:
    """Accumulates the changes of one zone; :meth:`result` builds the new :class:`ZoneData`."""

    def __init__(self, base: ZoneData) -> None:
        self.base = base
        self.zone = base.zone
        self.touched: dict[tuple[str, str], tuple[int, list[Rdata]]] = {}

    def apply(self, change: ZoneChange) -> bool:
        """Apply one change's lines; False when they cannot be applied exactly."""
        apex = self.zone.name
        for name, rtype, _ttl, text in change.removed:
            ttl, rdatas = self._rrset(name, rtype)
            rdata = _parse(rtype, text)
            if rdata is None or rdata not in rdatas:
                return False
            rdatas.remove(rdata)
        for name, rtype, ttl, text in change.added:
            if rtype == "SOA" or (rtype == "NS" and name == apex) or not is_subdomain(name, apex):
                return False
            _old_ttl, rdatas = self._rrset(name, rtype)
            rdata = _parse(rtype, text)
            if rdata is None or rdata in rdatas:
                return False
            rdatas.append(rdata)
            self.touched[(name, rtype)] = (ttl, rdatas)
        if change.serial is not None:
            self.zone = dataclasses.replace(self.zone, serial=change.serial)
        return True

    def _rrset(self, name: str, rtype: str) -> tuple[int, list[Rdata]]:
        key = (name, rtype)
        entry = self.touched.get(key)
        if entry is None:
            current = self.base.nodes.get(name, {}).get(rtype)
            entry = (current.ttl, list(current.rdatas)) if current else (0, [])
            self.touched[key] = entry
        return entry

    def result(self) -> ZoneData:
        """The patched zone (the base itself is left untouched; untouched shards are shared)."""
        base = self.base.nodes
        by_name: dict[str, dict[str, RRsetData]] = {}
        for (name, rtype), (ttl, rdatas) in self.touched.items():
            node = by_name.setdefault(name, dict(base.get(name, {})))
            if rdatas:
                node[rtype] = RRsetData(name, rtype, ttl, tuple(rdatas))
            else:
                node.pop(rtype, None)
        apex = self.zone.name
        soa = RRsetData(apex, "SOA", self.zone.ttl, (self.zone.soa(),))
        by_name.setdefault(apex, dict(base[apex]))["SOA"] = soa
        changes: dict[str, Node | None] = {}
        created = removed = False
        for name, node in by_name.items():
            if node:
                created |= name not in base
                changes[name] = frozen_node(node)
            elif name in base:
                removed = True
                changes[name] = None
        nodes = base.updated(changes)
        ents, interior = self._tree(nodes, by_name, created, removed)
        return ZoneData(
            self.zone, nodes, ents,
            _owners_with(self.base.cuts, nodes, by_name, "NS", apex),
            _owners_with(self.base.dnames, nodes, by_name, "DNAME", None), (), interior=interior,
        )  # fmt: skip

    def _tree(
        self, nodes: Mapping[str, Node], changed: Iterable[str], created: bool, removed: bool
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The empty non-terminals and interior names after the patch, without walking the
        zone unless an owner that had names below it, or one deeper than a child of the apex,
        was removed (then an ancestor may have lost its last descendant)."""
        apex, base = self.zone.name, self.base
        changed = list(changed)
        gone = [name for name in changed if name not in nodes] if removed else []
        if any(name in base.interior or name.partition(".")[2] != apex for name in gone):
            interior = interior_names(nodes, apex)
            return frozenset(a for a in interior if a not in nodes), interior
        if not created:
            return base.ents, base.interior
        added = {n for n in changed if n in nodes and n not in base.nodes}
        extra = {a for name in added for a in ancestors(name, apex) if a not in base.interior}
        interior = base.interior | extra if extra else base.interior
        return (base.ents - added) | {a for a in extra if a not in nodes}, interior


def _owners_with(
    current: frozenset[str], nodes: Mapping[str, Node], changed: Iterable[str], rtype: str, apex: str | None
) -> frozenset[str]:
    changed = set(changed)
    kept = {n for n in current if n not in changed}
    kept.update(n for n in changed if n != apex and n in nodes and rtype in nodes[n])
    return frozenset(kept)


def _parse(rtype: str, text: str) -> Rdata | None:
    try:
        return parse_rdata(rtype, text)
    except ValueError:
        return None
