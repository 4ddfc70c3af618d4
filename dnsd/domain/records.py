"""RRsets, the unit of data: (name, type) -> TTL + values, or TTL + pool; and their validation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.names import is_subdomain, name_problems
from dnsd.domain.pools import POOL_NAME_RULE, is_pool_name
from dnsd.domain.rdata import POOL_TYPES, RECORD_TYPES, Rdata, parse_rdata

MAX_TTL = 2147483647
MAX_OWNER = 255  # the width of the owner columns
OWNER_LIMIT = f"at most {MAX_OWNER} characters"
_OWNER = re.compile(r"^[a-z0-9][a-z0-9_-]*:\S{1,240}$")


@dataclass(frozen=True, slots=True)
class RRset:
    """One RRset as stored: literal ``values``, or a ``pool`` (A/AAAA only), never both."""

    name: str
    rtype: str
    ttl: int
    values: tuple[Rdata, ...] = ()
    pool: str | None = None
    owner: str = ""
    zone: str = ""
    id: int | None = None

    def content(self) -> tuple[int, tuple[Rdata, ...], str | None]:
        """What "the same content" means for the idempotent POST: TTL, values, pool."""
        return (self.ttl, self.values, self.pool)

    def value_texts(self) -> list[str]:
        return [v.to_text() for v in self.values]


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
) -> RRset:
    """Validate every field of one RRset at once; raise :class:`InvalidInput` listing them all.

    Checks that need other data (zone exists, pool exists, CNAME alone at its name) are the
    store's; this function sees only its arguments.
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
    _check_shape(rtype, values, pool_name, reasons)
    rdatas = _check_values(rtype, values or [], reasons) if rtype in RECORD_TYPES else ()
    if reasons:
        raise InvalidInput(reasons)
    return RRset(canonical, rtype, ttl, tuple(sorted(rdatas, key=_sort_key)), pool_name, owner)


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
