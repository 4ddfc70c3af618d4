"""RRsets, the unit of data: (name, type) -> TTL + values, or TTL + pool; and their validation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.names import is_subdomain, name_problems
from dnsd.domain.pools import DEFAULT_VIEW, POOL_NAME_RULE, PUBLIC_VIEW, is_pool_name
from dnsd.domain.rdata import POOL_TYPES, RECORD_TYPES, Rdata, parse_rdata
from dnsd.domain.targets import Mode, Target, check_mode, make_targets

MAX_TTL = 2147483647
MAX_OWNER = 255  # the width of the owner columns
OWNER_LIMIT = f"at most {MAX_OWNER} characters"
_OWNER = re.compile(r"^[a-z0-9][a-z0-9_-]*:\S{1,240}$")


@dataclass(frozen=True, slots=True)
class RRset:
    """One RRset as stored: literal ``values``, or a ``pool`` (A/AAAA only), never both.

    A pool-backed RRset may point at several pools with weights (``targets``, docs/selection.md);
    then ``pool`` is the first target's pool and ``targets`` lists them all. ``targets`` is empty
    for the common single-pool record (weight 1). ``mode`` is how a weighted record picks a
    target per query. ``views`` limits the RRset to those views (empty: every view).
    """

    name: str
    rtype: str
    ttl: int
    values: tuple[Rdata, ...] = ()
    pool: str | None = None
    owner: str = ""
    zone: str = ""
    id: int | None = None
    targets: tuple[Target, ...] = ()
    mode: Mode = "hashed"
    views: tuple[str, ...] = ()

    def content(self) -> tuple[object, ...]:
        """What "the same content" means for the idempotent POST: TTL, values, pools, views."""
        return (self.ttl, self.values, self.pool, self.targets, self.mode, self.views)

    @property
    def pool_targets(self) -> tuple[Target, ...]:
        """The pools this RRset points at with weights (``((pool, 1),)`` for a plain pool
        record, ``()`` for literal values)."""
        if self.targets:
            return self.targets
        return (Target(self.pool, 1),) if self.pool is not None else ()

    @property
    def pools(self) -> tuple[str, ...]:
        """Every pool named, weight 0 included."""
        return tuple(t.pool for t in self.pool_targets)

    def visible_in(self, view: str) -> bool:
        """Whether clients of ``view`` see this RRset."""
        return not self.views or view in self.views

    def value_texts(self) -> list[str]:
        return [v.to_text() for v in self.values]


def content_dict(rrset: RRset) -> dict[str, object]:
    """The content of an RRset in its JSON form (change log, dump): ``targets`` and ``mode``,
    or ``pool``, or ``values``; and ``views`` when limited."""
    out: dict[str, object] = {}
    if rrset.targets:
        out["targets"] = {t.pool: t.weight for t in rrset.targets}
        out["mode"] = rrset.mode
    elif rrset.pool is not None:
        out["pool"] = rrset.pool
    else:
        out["values"] = rrset.value_texts()
    if rrset.views:
        out["views"] = list(rrset.views)
    return out


@dataclass(frozen=True, slots=True)
class TtlLimits:
    """Configurable floor and ceiling applied on top of the protocol's 0..2**31-1."""

    floor: int = 0
    ceiling: int = MAX_TTL


def find_zone(name: str, zones: Iterable[str]) -> str | None:
    """The longest zone in ``zones`` that contains ``name``, or None."""
    best: str | None = None
    for zone in zones:
        if is_subdomain(name, zone) and (best is None or len(zone) > len(best)):
            best = zone
    return best


def _check_values(rtype: str, values: list[str], reasons: list[Reason]) -> tuple[Rdata, ...]:
    out: list[Rdata] = []
    for i, text in enumerate(values):
        try:
            rdata = parse_rdata(rtype, str(text))
        except ValueError as exc:
            reasons.append(Reason(f"values.{i}", str(exc)))
            continue
        if rdata in out:
            reasons.append(Reason(f"values.{i}", f"duplicate value {rdata.to_text()!r}"))
            continue
        out.append(rdata)
    if rtype in ("CNAME", "DNAME") and len(out) > 1:
        reasons.append(Reason("values", f"a {rtype} RRset holds exactly one value"))
    return tuple(out)


def _check_shape(rtype: str, values: list[str] | None, pool: str | None, reasons: list[Reason]) -> None:
    if pool is not None and values:
        reasons.append(Reason("pool", "give either 'pool' or 'values', not both"))
    elif pool is None and not values:
        reasons.append(Reason("values", "give at least one value (or a 'pool' for A/AAAA)"))
    if pool is not None and rtype not in POOL_TYPES:
        reasons.append(Reason("pool", f"only A and AAAA records may point at a pool, not {rtype}"))
    elif pool is not None and not values and not is_pool_name(pool):
        # an empty name must not pass: the RRset would be stored with neither values nor pool
        reasons.append(Reason("pool", f"{pool!r} is not a pool name ({POOL_NAME_RULE})"))


def make_rrset(
    name: str,
    rtype: str,
    ttl: int,
    owner: str,
    values: list[str] | None = None,
    pool: str | None = None,
    limits: TtlLimits = TtlLimits(),
    *,
    targets: Mapping[str, int] | Sequence[tuple[str, int]] | None = None,
    mode: str = "hashed",
    views: Sequence[str] | None = None,
) -> RRset:
    """Validate every field of one RRset at once; raise :class:`InvalidInput` listing them all.

    Checks that need other data (zone exists, pool exists, CNAME alone at its name, views
    defined) are the store's; this function sees only its arguments. ``targets`` (``{pool:
    weight}``) replaces ``pool``; a single target of weight 1 is stored as a plain ``pool``.
    """
    reasons: list[Reason] = []
    canonical, problems = name_problems(name)
    reasons += [Reason("name", p) for p in problems]
    rtype = rtype.upper()
    if rtype not in RECORD_TYPES:
        reasons.append(Reason("type", f"unsupported type {rtype!r}; one of {', '.join(RECORD_TYPES)}"))
    low, high = max(0, limits.floor), min(MAX_TTL, limits.ceiling)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not low <= ttl <= high:
        reasons.append(Reason("ttl", f"must be between {low} and {high}"))
    if not _OWNER.match(owner or "") or len(owner) > MAX_OWNER:
        reasons.append(
            Reason("owner", f"must look like 'kind:identity' (e.g. 'k8s:user/alice'), {OWNER_LIMIT}")
        )
    pool_name = pool.strip().lower() if pool is not None else None
    weighted: tuple[Target, ...] = ()
    if targets is not None:
        if pool is not None:
            reasons.append(Reason("targets", "give either 'pool' or 'targets', not both"))
        try:
            weighted = make_targets(targets)
        except InvalidInput as exc:
            reasons += exc.reasons
        for i, target in enumerate(weighted):
            if not is_pool_name(target.pool):
                reasons.append(
                    Reason(f"targets.{i}.pool", f"{target.pool!r} is not a pool name ({POOL_NAME_RULE})")
                )
        if weighted:
            pool_name = weighted[0].pool
        if len(weighted) == 1 and weighted[0].weight == 1:
            weighted = ()
    checked_mode = check_mode(mode, reasons)
    view_names = _check_views(views or (), reasons)
    _check_shape(rtype, values, pool_name, reasons)
    rdatas = _check_values(rtype, values or [], reasons) if rtype in RECORD_TYPES else ()
    if reasons:
        raise InvalidInput(reasons)
    return RRset(
        canonical, rtype, ttl, tuple(sorted(rdatas, key=_sort_key)), pool_name, owner,
        targets=weighted, mode=checked_mode, views=view_names,
    )  # fmt: skip


def _check_views(views: Sequence[str], reasons: list[Reason]) -> tuple[str, ...]:
    out: list[str] = []
    for i, raw in enumerate(views):
        view = str(raw).strip().lower()
        if view not in (PUBLIC_VIEW, DEFAULT_VIEW) and not is_pool_name(view):
            reasons.append(Reason(f"views.{i}", POOL_NAME_RULE.replace("pool", "view")))
        elif view in out:
            reasons.append(Reason(f"views.{i}", f"view {view!r} is listed twice"))
        else:
            out.append(view)
    return tuple(sorted(out))


def _sort_key(rdata: Rdata) -> str:
    return rdata.to_text()


def placement_problems(rrset: RRset, zone: str, others: Iterable[RRset]) -> list[Reason]:
    """Rules that depend on the zone and the other RRsets at the same name (same zone)."""
    reasons: list[Reason] = []
    other_types = {o.rtype for o in others if o.rtype != rrset.rtype}
    if rrset.name == zone and rrset.rtype in ("CNAME", "NS"):
        what = (
            "a CNAME cannot stand at the zone apex"
            if rrset.rtype == "CNAME"
            else ("apex NS records are the zone's 'ns' setting; change the zone instead")
        )
        reasons.append(Reason("name", what))
    if rrset.rtype == "CNAME" and other_types:
        reasons.append(Reason("type", f"a CNAME must stand alone; {rrset.name} has {sorted(other_types)}"))
    if "CNAME" in other_types:
        reasons.append(Reason("type", f"{rrset.name} has a CNAME, which must stand alone"))
    if rrset.name.startswith("*.") and rrset.rtype in ("NS", "DNAME"):
        reasons.append(Reason("name", f"a wildcard owner cannot hold {rrset.rtype}"))
    return reasons
