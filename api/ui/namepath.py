"""Where a name goes: name -> zone -> RRsets (or the wildcard covering it) -> pool -> members.

Built from the same store reads the API's ``GET /zones``, ``GET /records`` and ``GET /pools``
make. CNAME targets inside our zones are followed (up to :data:`MAX_HOPS`), so the picture ends
at the addresses a resolver would get.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset, find_zone
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore

MAX_HOPS = 8


@dataclass(frozen=True, slots=True)
class PoolTarget:
    """One pool an RRset answers from: its name, weight (1 for a plain pool record) and the
    pool itself (None if it is missing)."""

    name: str
    weight: int
    pool: Pool | None


@dataclass(slots=True)
class Step:
    """One RRset on the path; ``targets`` the pools it answers from (several when weighted),
    ``answers`` the default view's addresses (or the literal values), ``then`` a CNAME's target."""

    rrset: RRset
    targets: list[PoolTarget] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    then: NamePath | None = None


@dataclass(slots=True)
class NamePath:
    """A name, the zone that answers for it (None: no zone of ours), and what it holds there."""

    name: str
    zone: str | None
    steps: list[Step] = field(default_factory=list)
    wildcard: str | None = None  # the wildcard owner that answers, when the name has no records


def _at(store: ZoneStore, name: str) -> list[RRset]:
    return store.list_rrsets(RecordFilter(name=name), limit=100)[0]


def _wildcard(store: ZoneStore, name: str, zone: str) -> tuple[str | None, list[RRset]]:
    """The closest wildcard ``*.<ancestor>`` within ``zone`` with records (RFC 4592, simplified)."""
    labels = name.split(".")
    for i in range(1, len(labels)):
        parent = ".".join(labels[i:])
        if len(parent) < len(zone):
            break
        found = _at(store, f"*.{parent}")
        if found:
            return f"*.{parent}", found
    return None, []


def name_path(store: ZoneStore, name: str, hops: int = 0) -> NamePath:
    """The path of ``name`` (canonical) through our zones, records and pools."""
    zone = find_zone(name, [z.name for z in store.list_zones()])
    path = NamePath(name, zone)
    if zone is None:
        return path
    rrsets = _at(store, name)
    if not rrsets:
        path.wildcard, rrsets = _wildcard(store, name, zone)
    pools = {p.name: p for p in store.list_pools()} if any(r.pool for r in rrsets) else {}
    for rrset in sorted(rrsets, key=lambda r: (r.rtype != "CNAME", r.rtype)):
        step = Step(rrset)
        if rrset.pool is not None:
            step.targets = [PoolTarget(t.pool, t.weight, pools.get(t.pool)) for t in rrset.pool_targets]
            step.answers = [
                a for t in step.targets if t.pool and t.weight for a in t.pool.addresses_for(rrset.rtype)
            ]
        else:
            step.answers = rrset.value_texts()
        if rrset.rtype == "CNAME" and hops < MAX_HOPS:
            step.then = name_path(store, rrset.value_texts()[0].rstrip(".").lower(), hops + 1)
        path.steps.append(step)
    return path
