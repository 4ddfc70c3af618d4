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


@dataclass(slots=True)
class Step:
    """One RRset on the path; ``pool`` when it answers from a pool, ``then`` the CNAME's target."""

    rrset: RRset
    pool: Pool | None = None
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
            step.pool = pools.get(rrset.pool)
            step.answers = list(step.pool.addresses_for(rrset.rtype)) if step.pool else []
        else:
            step.answers = rrset.value_texts()
        if rrset.rtype == "CNAME" and hops < MAX_HOPS:
            step.then = name_path(store, rrset.value_texts()[0].rstrip(".").lower(), hops + 1)
        path.steps.append(step)
    return path
