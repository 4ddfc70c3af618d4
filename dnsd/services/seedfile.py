"""Reading a seed file: views, pools, zones and records declared in YAML (``dnsd seed``, ``dnsd demo``).

:func:`parse_seed` checks every entry on its own — its shape, then the domain's validation —
and returns every problem with its place in the file (``records[3].ttl: ...``). Entries with
problems are left out of the result, so the cross-checks that follow see only sound data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import yaml

from dnsd.domain.errors import InvalidInput, Reason, invalid
from dnsd.domain.pool_input import checked_pool
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset, TtlLimits, make_rrset
from dnsd.domain.views import View, make_view
from dnsd.domain.zones import Zone, make_zone

T = TypeVar("T")
YamlMap = dict[object, object]
DEFAULT_TTL = 300
TOP_KEYS = ("owner", "views", "pools", "zones", "records")
VIEW_KEYS = ("name", "networks", "description")
POOL_KEYS = ("name", "addresses", "external_addresses", "description", "members", "check")
ZONE_TIMERS = ("ttl", "refresh", "retry", "expire", "minimum")
ZONE_KEYS = ("name", "ns", "mname", "rname", *ZONE_TIMERS, "secondaries", "dnspod_sync")
RECORD_KEYS = ("name", "type", "ttl", "values", "pool", "targets", "mode", "views", "owner")
_ENTRY_PATH = re.compile(r"^(views|pools|zones|records)\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    """One validated item of the file and where it stands there (``records[3]``)."""

    path: str
    item: T


@dataclass(frozen=True, slots=True)
class SeedView:
    """A view as the file declares it, with its description."""

    view: View
    description: str = ""

    @property
    def name(self) -> str:
        return self.view.name


@dataclass(frozen=True, slots=True)
class SeedFile:
    pools: tuple[Entry[Pool], ...] = ()
    zones: tuple[Entry[Zone], ...] = ()
    records: tuple[Entry[RRset], ...] = ()
    broken: frozenset[str] = frozenset()  # names of views, pools and zones declared with problems
    pool_refs: tuple[tuple[str, str], ...] = ()  # (field, pool) of every record naming a pool
    views: tuple[Entry[SeedView], ...] = ()
    view_refs: tuple[tuple[str, str], ...] = ()  # (field, view) of every pool and record naming a view


def read_seed(path: Path) -> object:
    """The YAML document in ``path``; :class:`InvalidInput` (field ``file``) if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise invalid("file", f"cannot read {path}: {exc.strerror}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise invalid("file", f"{path} is not valid YAML{where}: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise invalid("file", f"{path} is not valid YAML: {exc}") from exc


def unknown_keys(item: YamlMap, keys: tuple[str, ...], prefix: str = "") -> list[Reason]:
    expected = ", ".join(keys)
    return [Reason(f"{prefix}{k}", f"unknown key; expected one of {expected}") for k in item if k not in keys]


class EntryReader:
    """Typed access to one mapping of the file; wrong shapes become reasons under ``path``."""

    def __init__(self, path: str, item: YamlMap, keys: tuple[str, ...], reasons: list[Reason]):
        self.path, self.item, self.reasons = path, item, reasons
        self.bad_fields: set[str] = set()
        # reported, but the entry stays sound enough to cross-check
        reasons += unknown_keys(item, keys, f"{path}.")

    def problem(self, key: str, message: str) -> None:
        self.bad_fields.add(key)
        self.reasons.append(Reason(f"{self.path}.{key}", message))

    def declared_name(self) -> str:
        """The entry's name as written, for recognising references to an entry with problems."""
        name = self.item.get("name")
        return name.strip().rstrip(".").lower() if isinstance(name, str) else ""

    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self.problem(key, "required")
            return default
        if not isinstance(value, str):
            self.problem(key, f"must be a string, got {value!r} (quote it in YAML)")
            return default
        return value

    def texts(self, key: str) -> list[str] | None:
        """A list of strings; a single string counts as a list of one. Items of another type are
        reported and passed on as text, so the domain's reasons keep the file's indices."""
        value = self.item.get(key)
        if value is None or isinstance(value, str):
            return None if value is None else [value]
        if not isinstance(value, list):
            self.problem(key, "must be a list of strings")
            return None
        for i, v in enumerate(value):
            if not isinstance(v, str):
                self.problem(f"{key}.{i}", f"must be a string, got {v!r} (quote it in YAML)")
        return [str(v) for v in value]

    def mapping(self, key: str) -> dict[str, object] | None:
        """A mapping with text keys (``members``, ``targets``, ``check``); None when absent."""
        value = self.item.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, "must be a mapping")
            return None
        return {str(k): v for k, v in value.items()}

    def members(self) -> dict[str, list[str]] | None:
        """``members: {view: [addresses]}``; a single address counts as a list of one."""
        value = self.mapping("members")
        if value is None:
            return None
        out: dict[str, list[str]] = {}
        for view, addrs in value.items():
            items = [addrs] if isinstance(addrs, str) else addrs
            if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
                self.problem(f"members.{view}", "must be a list of addresses (quote them in YAML)")
                continue
            out[view] = [str(a) for a in items]
        return out

    def integer(self, key: str) -> int | None:
        value = self.item.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.problem(key, f"must be an integer, got {value!r}")
        return None

    def build(self, make: Callable[[], T]) -> T | None:
        """Run the domain's validation; keep its reasons for fields not already reported."""
        try:
            result = make()
        except InvalidInput as exc:
            for r in exc.reasons:
                if not any(r.field == k or r.field.startswith(k + ".") for k in self.bad_fields):
                    self.reasons.append(Reason(f"{self.path}.{r.field}", r.message))
            return None
        return None if self.bad_fields else result


def _mappings(doc: YamlMap, key: str, reasons: list[Reason]) -> list[tuple[str, YamlMap]]:
    raw = doc.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        reasons.append(Reason(key, "must be a list"))
        return []
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            out.append((f"{key}[{i}]", item))
        else:
            reasons.append(Reason(f"{key}[{i}]", "must be a mapping (name: ..., ...)"))
    return out


def _view(r: EntryReader) -> SeedView | None:
    name, networks = r.text("name", "", required=True), r.texts("networks") or []
    description = r.text("description", "") or ""
    if len(description) > 1000:
        r.problem("description", "at most 1000 characters")
    return r.build(lambda: SeedView(make_view(name or "", networks), description))


def _pool(r: EntryReader) -> Pool | None:
    name, addresses = r.text("name", "", required=True), r.texts("addresses") or []
    description, external = r.text("description", ""), r.texts("external_addresses")
    members, check = r.members(), r.mapping("check")
    return r.build(lambda: checked_pool(name or "", addresses, description or "", external, members, check))


def _zone(r: EntryReader) -> Zone | None:
    name, ns = r.text("name", "", required=True), r.texts("ns") or []
    mname, rname = r.text("mname"), r.text("rname")
    timers = {t: v for t in ZONE_TIMERS if (v := r.integer(t)) is not None}
    secondaries, sync = r.texts("secondaries") or [], bool(r.item.get("dnspod_sync"))
    return r.build(
        lambda: make_zone(
            name or "", ns, mname, rname, strict=True, secondaries=secondaries, dnspod_sync=sync, **timers
        )
    )


def read_record(r: EntryReader, owner: str, limits: TtlLimits) -> RRset | None:
    """One record entry (seed file, ``dnsd record import``)."""
    name, rtype = r.text("name", "", required=True), r.text("type", "", required=True)
    ttl, values, pool = r.integer("ttl"), r.texts("values"), r.text("pool")
    targets, mode, views = r.mapping("targets"), r.text("mode", "hashed") or "hashed", r.texts("views")
    who = r.text("owner", owner) or ""
    ttl = DEFAULT_TTL if ttl is None else ttl
    return r.build(
        lambda: make_rrset(
            name or "", rtype or "", ttl, who, values, pool, limits,
            targets=targets, mode=mode, views=views,  # type: ignore[arg-type]  # weights: the domain checks
        )
    )  # fmt: skip


def _entries(
    doc: YamlMap,
    key: str,
    keys: tuple[str, ...],
    parse: Callable[[EntryReader], T | None],
    reasons: list[Reason],
    broken: set[str],
) -> tuple[Entry[T], ...]:
    out = []
    for path, item in _mappings(doc, key, reasons):
        reader = EntryReader(path, item, keys, reasons)
        parsed = parse(reader)
        if parsed is not None:
            out.append(Entry(path, parsed))
        else:
            broken.add(reader.declared_name())
    return tuple(out)


def in_file_order(reasons: list[Reason]) -> list[Reason]:
    """Reasons sorted as their entries stand in the file (top-level keys, views, pools, zones, records)."""

    def key(reason: Reason) -> tuple[int, int]:
        match = _ENTRY_PATH.match(reason.field)
        if match is None:
            return (-1, 0)
        return (TOP_KEYS.index(match[1]), int(match[2]))

    return sorted(reasons, key=key)


def parse_seed(doc: object, limits: TtlLimits) -> tuple[SeedFile, list[Reason]]:
    """The sound entries of a seed document and every problem found in it."""
    reasons: list[Reason] = []
    if doc is None:
        return SeedFile(), [Reason("file", "the file is empty")]
    if not isinstance(doc, dict):
        return SeedFile(), [Reason("file", "must be a mapping with 'pools', 'zones' and 'records'")]
    reasons += unknown_keys(doc, TOP_KEYS)
    owner = doc.get("owner", "")
    if not isinstance(owner, str):
        reasons.append(Reason("owner", "must be a string like 'ci:demo'"))
        owner = ""
    broken: set[str] = set()
    views = _entries(doc, "views", VIEW_KEYS, _view, reasons, broken)
    pools = _entries(doc, "pools", POOL_KEYS, _pool, reasons, broken)
    zones = _entries(doc, "zones", ZONE_KEYS, _zone, reasons, broken)
    records = _entries(doc, "records", RECORD_KEYS, lambda r: read_record(r, owner, limits), reasons, set())
    # References are checked for every entry, sound or not, so a record with a bad TTL and an
    # unknown pool shows both problems at once.
    pool_refs, view_refs = _references(_mappings(doc, "pools", []), _mappings(doc, "records", []))
    return SeedFile(pools, zones, records, frozenset(broken - {""}), pool_refs, views, view_refs), reasons


def _references(
    pools: list[tuple[str, YamlMap]], records: list[tuple[str, YamlMap]]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(field, pool) of every pool a record names, and (field, view) of every view a pool's
    members or a record name."""
    pool_refs: list[tuple[str, str]] = []
    view_refs: list[tuple[str, str]] = []
    for path, item in pools:
        if isinstance(members := item.get("members"), dict):
            view_refs += [(f"{path}.members.{v}", str(v).strip().lower()) for v in members]
    for path, item in records:
        if isinstance(pool := item.get("pool"), str):
            pool_refs.append((f"{path}.pool", pool.strip().lower()))
        if isinstance(targets := item.get("targets"), dict):
            pool_refs += [(f"{path}.targets.{p}", str(p).strip().lower()) for p in targets]
        if isinstance(views := item.get("views"), list):
            named = [(i, v) for i, v in enumerate(views) if isinstance(v, str)]
            view_refs += [(f"{path}.views.{i}", v.strip().lower()) for i, v in named]
    return tuple(pool_refs), tuple(view_refs)
