"""The desired provider state of one zone, read from the store's RRsets and pools."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dnsd.domain.pools import Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.sync.records import SUPPORTED_TYPES, RecordSpec, clamp_ttl, spec_value, subdomain_for


@dataclass(frozen=True, slots=True)
class Skipped:
    """An RRset the provider view leaves out, and why."""

    name: str
    rtype: str
    reason: str


@dataclass(frozen=True, slots=True)
class DesiredZone:
    """Every record dnsd wants the provider to hold for ``zone``, one per value."""

    zone: str
    records: tuple[RecordSpec, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A hash of the desired records, independent of their order."""
        lines = sorted(f"{r.subdomain}\t{r.rtype}\t{r.key}\t{r.ttl}" for r in self.records)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _values(rrset: RRset, pools: Mapping[str, Pool]) -> list[str] | str:
    """Presentation values of ``rrset`` for the public view, or the reason there are none."""
    if rrset.pool is None:
        return rrset.value_texts()
    pool = pools.get(rrset.pool)
    if pool is None:
        return f"pool {rrset.pool} does not exist"
    # The public view: a pool's external addresses when it has any, else its ordinary ones.
    return list(pool.addresses_for(rrset.rtype, external=True))


def _spec(sub: str, rtype: str, text: str, ttl: int) -> RecordSpec:
    value, mx = spec_value(parse_rdata(rtype, text))
    return RecordSpec(sub, rtype, value, ttl, mx)


def desired_zone(zone: str, rrsets: Iterable[RRset], pools: Mapping[str, Pool]) -> DesiredZone:
    """The provider records for ``zone``: one :class:`RecordSpec` per value of each RRset.

    Types the provider cannot hold (PTR, DNAME) and pool records whose pool is missing are
    listed as skipped. The apex NS set is the provider's own and never part of this.
    """
    records: dict[tuple[str, str, str], RecordSpec] = {}
    skipped: list[Skipped] = []
    for rrset in sorted(rrsets, key=lambda r: (r.name, r.rtype)):
        if rrset.rtype not in SUPPORTED_TYPES:
            skipped.append(Skipped(rrset.name, rrset.rtype, f"the provider has no {rrset.rtype} records"))
            continue
        if rrset.rtype == "NS" and rrset.name == zone:
            continue
        values = _values(rrset, pools)
        if isinstance(values, str):
            skipped.append(Skipped(rrset.name, rrset.rtype, values))
            continue
        sub = subdomain_for(rrset.name, zone)
        try:
            specs = [_spec(sub, rrset.rtype, text, clamp_ttl(rrset.ttl)) for text in values]
        except ValueError as exc:  # the provider cannot hold it: refused here, not on every run
            skipped.append(Skipped(rrset.name, rrset.rtype, str(exc)))
            continue
        for spec in specs:
            records.setdefault((sub, rrset.rtype, spec.key), spec)
    return DesiredZone(zone, tuple(records.values()), tuple(skipped))
