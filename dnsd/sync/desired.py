"""The desired provider state of one zone, read from the store's RRsets and pools.

Views and lines (docs/dnspod.md): the default line publishes its view (``public``) of every
RRset visible there. Each other line publishes its view's values of the RRsets that read
differently in that view (a pool with members of its own there); DNSPod answers that line's
clients from the default line for every other name. RRsets limited to views that leave out the
default line's view are not published. Pool-backed values are the healthy members of every
weight > 0 target (fail open), as zone files carry them; a record with several such targets
publishes DNSPod ``Weight`` per record (:func:`dnsd.domain.selection.dnspod_weights`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dnsd.domain.pools import Pool
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, Steered, all_up, dnspod_weights
from dnsd.domain.snapshot import expand
from dnsd.sync.lines import DEFAULT_LINES, LineMap, default_view
from dnsd.sync.records import (
    DEFAULT_LINE,
    SUPPORTED_TYPES,
    RecordSpec,
    clamp_ttl,
    spec_value,
    subdomain_for,
)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An RRset the provider view leaves out, and why."""

    name: str
    rtype: str
    reason: str


@dataclass(frozen=True, slots=True)
class DesiredZone:
    """Every record dnsd wants the provider to hold for ``zone``, one per value and line."""

    zone: str
    records: tuple[RecordSpec, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A hash of the desired records, independent of their order."""
        lines = sorted(_fingerprint_line(r) for r in self.records)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    @property
    def lines(self) -> frozenset[str]:
        return frozenset(r.line for r in self.records)


def _fingerprint_line(r: RecordSpec) -> str:
    line = f"{r.subdomain}\t{r.rtype}\t{r.key}\t{r.ttl}"
    if r.line != DEFAULT_LINE or r.weight is not None:  # records without either hash as before
        line += f"\t{r.line}\t{r.weight}"
    return line


Values = list[tuple[str, int | None]]  # (presentation value, DNSPod weight)


def _values(rrset: RRset, pools: Mapping[str, Pool], view: str, health: Health) -> Values | str:
    """Presentation values of ``rrset`` in ``view`` with their weights, or the reason there are
    none."""
    if rrset.pool is None:
        return [(v, None) for v in rrset.value_texts()]
    missing = [p for p in rrset.pools if p not in pools]
    if missing:
        return f"pool {missing[0]} does not exist"
    addresses = [r.to_text() for r in expand(rrset, pools, view, health)]
    weighted = [t for t in rrset.pool_targets if t.weight > 0]
    if len(weighted) < 2 or rrset.rtype not in ("A", "AAAA"):
        return [(a, None) for a in addresses]
    members = {p: pools[p].members for p in rrset.pools}
    steered = Steered(rrset.name, "A" if rrset.rtype == "A" else "AAAA", rrset.pool_targets, rrset.mode)
    weights = dnspod_weights(steered, view, members, health)
    return [(a, weights.get(a)) for a in addresses]


def _spec(sub: str, rtype: str, text: str, ttl: int, line: str, weight: int | None) -> RecordSpec:
    value, mx = spec_value(parse_rdata(rtype, text))
    return RecordSpec(sub, rtype, value, ttl, mx, line=line, weight=weight)


def desired_zone(
    zone: str,
    rrsets: Iterable[RRset],
    pools: Mapping[str, Pool],
    lines: LineMap = DEFAULT_LINES,
    health: Health = all_up,
) -> DesiredZone:
    """The provider records for ``zone``: one :class:`RecordSpec` per value of each RRset on
    each line it is published on (see the module docstring).

    Types the provider cannot hold (PTR, DNAME) and pool records whose pool is missing are
    listed as skipped. The apex NS set is the provider's own and never part of this.
    """
    records: dict[tuple[str, str, str, str], RecordSpec] = {}
    skipped: list[Skipped] = []
    base = default_view(lines)
    for rrset in sorted(rrsets, key=lambda r: (r.name, r.rtype)):
        if rrset.rtype not in SUPPORTED_TYPES:
            skipped.append(Skipped(rrset.name, rrset.rtype, f"the provider has no {rrset.rtype} records"))
            continue
        if (rrset.rtype == "NS" and rrset.name == zone) or not rrset.visible_in(base):
            continue
        published = _values(rrset, pools, base, health)
        if isinstance(published, str):
            skipped.append(Skipped(rrset.name, rrset.rtype, published))
            continue
        per_line = [(DEFAULT_LINE, published)]
        for view, line in lines:
            if line != DEFAULT_LINE and rrset.pool is not None and rrset.visible_in(view):
                values = _values(rrset, pools, view, health)
                if not isinstance(values, str) and values and sorted(values) != sorted(published):
                    per_line.append((line, values))
        sub = subdomain_for(rrset.name, zone)
        try:
            specs = [_spec(sub, rrset.rtype, text, clamp_ttl(rrset.ttl), line, weight)
                     for line, values in per_line for text, weight in values]  # fmt: skip
        except ValueError as exc:  # the provider cannot hold it: refused here, not on every run
            skipped.append(Skipped(rrset.name, rrset.rtype, str(exc)))
            continue
        for spec in specs:
            records.setdefault((sub, rrset.rtype, spec.line, spec.key), spec)
    return DesiredZone(zone, tuple(records.values()), tuple(skipped))
