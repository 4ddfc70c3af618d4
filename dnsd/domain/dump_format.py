"""The portable dump of a store: one versioned JSON document, and its validation.

Version 2 holds views (networks, description), zones (SOA fields, NS, serial, secondaries),
pools (default and public members, members per view, health check), records (RRsets with owners,
literal values, a pool or weighted pools, mode, views) and the Kubernetes pool mappings.
Version 1 documents (no views, members, checks or targets) are still read: each of those keys
is optional, and what a version 1 document holds means the same in version 2. A dump never
holds API tokens, TSIG keys, health states, sync status or the change log. Lists are sorted,
so the same data always gives the same document (``created_at`` aside), whatever the backend.

:func:`parse_document` checks a document completely — shapes, the domain's rules, and the
references between entries — and reports every problem with its place (``records[3].ttl``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from dnsd import __version__
from dnsd.domain.dump_checks import Placed, cross_problems, view_problems
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.health import check_dict
from dnsd.domain.k8s import MappingEntry, make_entry
from dnsd.domain.pool_input import checked_pool
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset, TtlLimits, content_dict, make_rrset
from dnsd.domain.views import View, make_view
from dnsd.domain.zones import Zone, make_zone

FORMAT, VERSION = "dnsd-dump", 2
READABLE = (1, 2)
TOP_KEYS = (
    "format", "version", "created_at", "dnsd_version", "views", "zones", "pools", "records", "k8s_mappings"
)  # fmt: skip
TIMERS = ("refresh", "retry", "expire", "minimum", "ttl")
ZONE_KEYS = ("name", "serial", "ns", "mname", "rname", *TIMERS, "secondaries", "dnspod_sync")
VIEW_KEYS = ("name", "networks", "description")
POOL_KEYS = ("name", "addresses", "external_addresses", "description", "members", "check")
RECORD_KEYS = ("zone", "name", "type", "ttl", "owner", "values", "pool", "targets", "mode", "views")
MAPPING_KEYS = ("kind", "key", "pool")
MAX_SERIAL = 2**32 - 1
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoreDump:
    """Everything a dump carries, as domain objects (RRsets know their zone)."""

    zones: tuple[Zone, ...] = ()
    pools: tuple[Pool, ...] = ()
    rrsets: tuple[RRset, ...] = ()
    mappings: tuple[MappingEntry, ...] = ()
    views: tuple[View, ...] = ()
    view_descriptions: tuple[tuple[str, str], ...] = ()  # (view, description) for views that have one


def to_document(dump: StoreDump, created_at: dt.datetime) -> dict[str, Any]:
    """The JSON-ready document of ``dump``, every list sorted."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "dnsd_version": __version__,
        "views": [
            _view_doc(v, dict(dump.view_descriptions)) for v in sorted(dump.views, key=lambda v: v.name)
        ],
        "zones": [_zone_doc(z) for z in sorted(dump.zones, key=lambda z: z.name)],
        "pools": [_pool_doc(p) for p in sorted(dump.pools, key=lambda p: p.name)],
        "records": [_record_doc(r) for r in sorted(dump.rrsets, key=lambda r: (r.zone, r.name, r.rtype))],
        "k8s_mappings": [
            {"kind": m.kind, "key": m.key, "pool": m.pool}
            for m in sorted(dump.mappings, key=lambda m: (m.kind, m.key))
        ],
    }


def _zone_doc(zone: Zone) -> dict[str, Any]:
    return {
        "name": zone.name, "serial": zone.serial, "ns": list(zone.ns), "mname": zone.mname,
        "rname": zone.rname, **{t: getattr(zone, t) for t in TIMERS},
        "secondaries": list(zone.secondaries), "dnspod_sync": zone.dnspod_sync,
    }  # fmt: skip


def _view_doc(view: View, descriptions: dict[str, str]) -> dict[str, Any]:
    return {
        "name": view.name,
        "networks": list(view.networks),
        "description": descriptions.get(view.name, ""),
    }


def _pool_doc(pool: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": pool.name, "addresses": list(pool.addresses),
        "external_addresses": list(pool.external_addresses), "description": pool.description,
    }  # fmt: skip
    if pool.view_members:
        out["members"] = {view: list(addrs) for view, addrs in pool.view_members}
    if pool.check is not None:
        out["check"] = check_dict(pool.check)
    return out


def _record_doc(rrset: RRset) -> dict[str, Any]:
    out: dict[str, Any] = {"zone": rrset.zone, "name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl,
                           "owner": rrset.owner}  # fmt: skip
    out.update(content_dict(rrset))
    return out


@dataclass
class _Entry:
    """Typed access to one object of the document; wrong shapes become reasons under ``path``."""

    path: str
    item: dict[str, Any]
    reasons: list[Reason]
    sound: bool = field(default=True)

    def problem(self, key: str, message: str) -> None:
        self.sound = False
        self.reasons.append(Reason(f"{self.path}.{key}" if key else self.path, message))

    def check_keys(self, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        for key in self.item:
            if key not in keys:  # reported, but the entry stays sound enough to cross-check
                self.reasons.append(
                    Reason(f"{self.path}.{key}", f"unknown key; expected one of {', '.join(keys)}")
                )
        for key in keys:
            if key not in self.item and key not in optional:
                self.problem(key, "required")

    def value(self, key: str, kind: type[T], default: T, what: str) -> T:
        value = self.item.get(key, default)
        if value is None and default is None:
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(key, f"must be {what}, got {value!r}")
            return default
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.item.get(key)
        if value is not None and not isinstance(value, dict):
            self.problem(key, "must be an object")
            return None
        return value

    def texts(self, key: str) -> list[str]:
        value = self.item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "must be a list of strings")
            return []
        return value

    def build(self, make: Callable[[], T]) -> T | None:
        """The domain's validation; its reasons land under this entry's path."""
        try:
            built = make()
        except InvalidInput as exc:
            self.reasons += [Reason(f"{self.path}.{r.field}", r.message) for r in exc.reasons]
            return None
        return built if self.sound else None


def _entries(doc: dict[str, Any], key: str, reasons: list[Reason]) -> list[_Entry]:
    raw = doc.get(key)
    if not isinstance(raw, list):
        reasons.append(Reason(key, "required: a list" if raw is None else "must be a list"))
        return []
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            out.append(_Entry(f"{key}[{i}]", item, reasons))
        else:
            reasons.append(Reason(f"{key}[{i}]", "must be an object"))
    return out


def _zone(e: _Entry) -> Zone | None:
    e.check_keys(ZONE_KEYS)
    serial = e.value("serial", int, 0, "an integer")
    if not 0 <= serial <= MAX_SERIAL:
        e.problem("serial", f"must be between 0 and {MAX_SERIAL}")
    name, ns = e.value("name", str, "", "a string"), e.texts("ns")
    mname, rname = e.value("mname", str, "", "a string"), e.value("rname", str, "", "a string")
    timers = {t: e.value(t, int, 0, "an integer") for t in TIMERS}
    secondaries, sync = e.texts("secondaries"), e.value("dnspod_sync", bool, False, "true or false")
    zone = e.build(
        lambda: make_zone(
            name, ns, mname, rname, strict=False, secondaries=secondaries, dnspod_sync=sync, **timers
        )
    )
    return None if zone is None else replace(zone, serial=serial)


def _view(e: _Entry) -> tuple[View, str] | None:
    e.check_keys(VIEW_KEYS, optional=("description",))
    name, networks = e.value("name", str, "", "a string"), e.texts("networks")
    description = e.value("description", str, "", "a string")
    if len(description) > 1000:
        e.problem("description", "at most 1000 characters")
    built = e.build(lambda: make_view(name, networks))
    return None if built is None else (built, description)


def _pool(e: _Entry) -> Pool | None:
    e.check_keys(POOL_KEYS, optional=("members", "check"))
    name, description = e.value("name", str, "", "a string"), e.value("description", str, "", "a string")
    addresses, external = e.texts("addresses"), e.texts("external_addresses")
    members, check = e.mapping("members"), e.mapping("check")
    return e.build(lambda: checked_pool(name, addresses, description, external, members, check))


def _record(e: _Entry) -> RRset | None:
    e.check_keys(RECORD_KEYS, optional=("values", "pool", "targets", "mode", "views"))
    zone, name, rtype, owner = (e.value(k, str, "", "a string") for k in ("zone", "name", "type", "owner"))
    ttl = e.value("ttl", int, 0, "an integer")
    values = e.texts("values") if "values" in e.item else None
    pool = e.value("pool", str, None, "a string")
    targets, mode = e.mapping("targets"), e.value("mode", str, "hashed", "a string")
    views = e.texts("views")
    rrset = e.build(
        lambda: make_rrset(
            name, rtype, ttl, owner, values, pool, TtlLimits(), targets=targets, mode=mode, views=views
        )
    )
    return None if rrset is None else replace(rrset, zone=zone)


def _mapping(e: _Entry) -> MappingEntry | None:
    e.check_keys(MAPPING_KEYS)
    kind, key, pool = (e.value(k, str, "", "a string") for k in MAPPING_KEYS)
    return e.build(lambda: make_entry(kind, key, pool))


def _header_problems(doc: dict[str, Any]) -> list[Reason]:
    reasons = []
    if doc.get("format") != FORMAT:
        reasons.append(Reason("format", f"must be {FORMAT!r}: this is not a dnsd dump"))
    version = doc.get("version")
    if version not in READABLE or isinstance(version, bool):
        readable = " and ".join(str(v) for v in READABLE)
        reasons.append(Reason("version", f"this dnsd reads versions {readable}, not {version!r}"))
    for key in ("created_at", "dnsd_version"):
        if not isinstance(doc.get(key, ""), str):
            reasons.append(Reason(key, "must be a string"))
    return reasons + [
        Reason(k, f"unknown key; expected one of {', '.join(TOP_KEYS)}") for k in doc if k not in TOP_KEYS
    ]


def _parse(
    doc: dict[str, Any], key: str, build: Callable[[_Entry], T | None], reasons: list[Reason]
) -> tuple[list[Placed[T]], set[str]]:
    """The sound entries of list ``key`` with their paths, and every name the list declares."""
    sound: list[Placed[T]] = []
    declared: set[str] = set()
    for entry in _entries(doc, key, reasons):
        name = entry.item.get("name")
        if isinstance(name, str):
            declared.add(name.strip().rstrip(".").lower())
        built = build(entry)
        if built is not None:
            sound.append((entry.path, built))
    return sound, declared


def parse_document(doc: object) -> StoreDump:
    """The dump in ``doc`` (a parsed JSON document), checked completely.

    Raises :class:`InvalidInput` listing every problem with its place (``zones[1].serial``,
    ``records[7].pool``). Another format or version is refused before its content is read.
    """
    if not isinstance(doc, dict):
        raise InvalidInput([Reason("document", "must be a JSON object: this is not a dnsd dump")])
    reasons = _header_problems(doc)
    if any(r.field in ("format", "version") for r in reasons):
        raise InvalidInput(reasons)
    views: list[Placed[tuple[View, str]]] = []
    view_names: set[str] = set()
    if doc.get("views") is not None or doc.get("version") != 1:
        views, view_names = _parse(doc, "views", _view, reasons)
    zones, zone_names = _parse(doc, "zones", _zone, reasons)
    pools, pool_names = _parse(doc, "pools", _pool, reasons)
    records, _ = _parse(doc, "records", _record, reasons)
    mappings, _ = _parse(doc, "k8s_mappings", _mapping, reasons)
    reasons += cross_problems(zones, pools, records, mappings, (zone_names, pool_names))
    reasons += view_problems([(path, v) for path, (v, _) in views], view_names, pools, records, pool_names)
    if reasons:
        raise InvalidInput(reasons)
    return StoreDump(
        tuple(z for _, z in zones),
        tuple(p for _, p in pools),
        tuple(r for _, r in records),
        tuple(m for _, m in mappings),
        tuple(v for _, (v, _) in views),
        tuple((v.name, d) for _, (v, d) in views if d),
    )
