"""What moving a pool's members would change, before it is confirmed.

For every RRset on the pool: the answer inside (the pool's addresses) before and after, and
what the DNSPod sync would do to the public view (external addresses when the pool has any),
for zones synced to DNSPod. Nothing is written: the confirmation is a separate POST.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnsd.domain.pools import Pool
from dnsd.domain.sync_status import SyncStatus
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore

MAX_NAMES = 10_000


@dataclass(frozen=True, slots=True)
class NameChange:
    name: str
    rtype: str
    zone: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    dnspod: str  # what the DNSPod plan does for this RRset, in words

    @property
    def changes(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class PoolPreview:
    old: Pool
    new: Pool
    names: list[NameChange]

    @property
    def changed(self) -> list[NameChange]:
        return [n for n in self.names if n.changes]

    @property
    def dnspod_changes(self) -> int:
        return sum(1 for n in self.names if n.dnspod.startswith("modify"))


def _dnspod(old: Pool, new: Pool, rtype: str, synced: bool, status: SyncStatus | None) -> str:
    if not synced:
        return "not synced to DNSPod"
    before, after = old.addresses_for(rtype, external=True), new.addresses_for(rtype, external=True)
    if before == after:
        return "no change (the public view is unchanged)"
    blocked = (
        f"; last sync {status.result}: {status.message}"
        if status and status.result in ("refused", "failed", "error")
        else ""
    )
    return f"modify: {', '.join(before) or '-'} -> {', '.join(after) or '-'}{blocked}"


def preview_pool(store: ZoneStore, old: Pool, new: Pool, statuses: dict[str, SyncStatus]) -> PoolPreview:
    """Every name on ``old`` and its answer before and after the pool becomes ``new``."""
    rrsets, _ = store.list_rrsets(RecordFilter(pool=old.name), limit=MAX_NAMES)
    synced = {z.name for z in store.list_zones() if z.dnspod_sync}
    names = [
        NameChange(
            r.name,
            r.rtype,
            r.zone,
            old.addresses_for(r.rtype),
            new.addresses_for(r.rtype),
            _dnspod(old, new, r.rtype, r.zone in synced, statuses.get(r.zone)),
        )
        for r in rrsets
    ]
    return PoolPreview(old, new, names)
