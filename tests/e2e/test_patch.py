"""The follower's incremental path: after every kind of change, the snapshot patched from the
change log equals a snapshot read from scratch (same nodes, names, cuts, DNAMEs, serials,
empty non-terminals and interior names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dnsd.domain.pools import make_pool
from dnsd.domain.snapshot import Snapshot
from dnsd.server.feed import apply_changes, load_snapshot, pending_changes
from dnsd.store.records import RecordFilter
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import ZONE, populate, put


def canonical(snapshot: Snapshot) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, zone in snapshot.zones.items():
        nodes = {
            owner: {t: (r.ttl, sorted(x.to_text() for x in r.rdatas)) for t, r in node.items()}
            for owner, node in zone.nodes.items()
        }
        out[name] = (zone.zone, nodes, zone.ents, zone.cuts, zone.dnames, zone.interior)
    return out


def record_id(store: ZoneStore, name: str, rtype: str) -> int:
    [rrset], _ = store.list_rrsets(RecordFilter(name=name, type=rtype))
    assert rrset.id is not None
    return rrset.id


POOL = "istio-ingressgateway"
STEPS: list[tuple[str, Callable[[ZoneStore], object]]] = [
    ("new name", lambda s: put(s, "fresh", "A", ["10.3.0.1"])),
    ("new deep name (empty non-terminals)", lambda s: put(s, "x.y.z", "TXT", ['"deep"'])),
    ("values replaced", lambda s: put(s, "fresh", "A", ["10.3.0.2", "10.3.0.3"])),
    ("ttl changed", lambda s: put(s, "fresh", "A", ["10.3.0.2", "10.3.0.3"], ttl=30)),
    ("second type at a name", lambda s: put(s, "fresh", "TXT", ['"t"'])),
    ("wildcard", lambda s: put(s, "*.w", "A", ["10.3.0.9"])),
    ("delegation (a cut)", lambda s: put(s, "child", "NS", [f"ns.child.{ZONE}"])),
    ("dname", lambda s: put(s, "dn2", "DNAME", [f"target.{ZONE}"])),
    ("pool addresses", lambda s: s.update_pool(POOL, "t", addresses=["10.0.0.5", "fd00::5"])),
    ("pool loses IPv6", lambda s: s.update_pool(POOL, "t", addresses=["10.0.0.6"])),
    ("delete deep name", lambda s: s.delete_by_name(f"x.y.z.{ZONE}", "t")),
    ("delete the cut", lambda s: s.delete_rrset(record_id(s, f"child.{ZONE}", "NS"), "t")),
    ("delete one type of two", lambda s: s.delete_rrset(record_id(s, f"fresh.{ZONE}", "TXT"), "t")),
    ("owner with a name below it", lambda s: [put(s, n, "A", ["10.3.0.4"]) for n in ("up", "kid.up")]),
    ("that owner deleted (now an empty non-terminal)", lambda s: s.delete_by_name(f"up.{ZONE}", "t")),
    ("its last name below deleted (no longer a name)", lambda s: s.delete_by_name(f"kid.up.{ZONE}", "t")),
    ("leaf below the apex deleted", lambda s: s.delete_by_name(f"fresh.{ZONE}", "t")),
    ("zone SOA fields", lambda s: s.update_zone(ZONE, "t", minimum=30, ns=[f"ns1.{ZONE}"])),
    ("new zone", lambda s: s.create_zone(make_zone("later.test", ["ns1.later.test"]), "t")),
    ("record in new zone", lambda s: s.put_rrset(_rr("www.later.test"), "t")),
    ("new pool", lambda s: s.create_pool(make_pool("spare", ["10.8.0.1"]), "t")),
    ("zone deleted", lambda s: s.delete_zone("other.test", "t")),
]


def _rr(name: str) -> Any:
    from dnsd.domain.records import make_rrset

    return make_rrset(name, "A", 60, "ci:e2e", ["10.4.0.1"])


@pytest.mark.parametrize("batch", [1, 4])
def test_patched_snapshot_equals_a_fresh_read(store: ZoneStore, batch: int) -> None:
    populate(store)
    snapshot = load_snapshot(store)
    for start in range(0, len(STEPS), batch):
        for _what, step in STEPS[start : start + batch]:
            step(store)
        changes, serving = pending_changes(store, snapshot.cursor)
        assert changes
        snapshot, _touched = apply_changes(store, snapshot, changes, serving if batch == 1 else None)
        fresh = load_snapshot(store)
        assert snapshot.cursor == fresh.cursor
        assert canonical(snapshot) == canonical(fresh), [w for w, _ in STEPS[start : start + batch]]


def test_record_change_is_patched_not_reread(store: ZoneStore) -> None:
    populate(store)
    before = load_snapshot(store)
    put(store, "fresh", "A", ["10.3.0.1"])
    after, touched = apply_changes(store, before, *pending_changes(store, before.cursor))
    assert touched == {ZONE}
    old, new = before.zones[ZONE], after.zones[ZONE]
    assert new.nodes[f"mx.{ZONE}"] is old.nodes[f"mx.{ZONE}"]  # shared, not read again
    assert new.zone.serial != old.zone.serial and new.rrsets == ()
    assert after.zones["other.test"] is before.zones["other.test"]
