"""A long random run of store operations, checking after each one what must always hold.

The operations come from a seeded generator (so a failure replays), and the checks compare
independent views of the store: the records, the zone serial, the change log, and a replay
of every ``change_zones`` line (what IXFR would send) from the empty zone.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.zones import Zone, serial_gt
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, OTHER, OWNER, ZONE, add_pool, put

NAMES = [ZONE, "www.hello-web.com", "api.hello-web.com", "*.apps.hello-web.com", "_dmarc.hello-web.com"]
VALUES = {
    "A": ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
    "AAAA": ["2001:db8::1", "2001:db8::2"],
    "TXT": ["one", "two", "x" * 300],
    "CNAME": ["web.example.net", "other.example.net"],
    "MX": ["10 mx.example.net", "0 ."],
}
POOLS = ["blue", "green"]
Line = tuple[str, str, int, str]


def random_op(rng: random.Random, store: ZoneStore) -> str:
    """Do one random operation; return what it was (for the failure message)."""
    kind = rng.choice(["put", "put", "put", "put", "delete", "pool"])
    if kind == "pool":
        pool = rng.choice(POOLS)
        addrs = rng.sample(["10.0.0.1", "10.0.0.2", "10.0.0.3", "fd00::1", "fd00::2"], rng.randint(1, 3))
        store.update_pool(pool, ACTOR, addresses=addrs)
        return f"pool {pool} {addrs}"
    name = rng.choice(NAMES)
    owner = rng.choice([OWNER, OWNER, OTHER])
    if kind == "delete":
        store.delete_by_name(name, ACTOR, owner=owner)
        return f"delete {name} by {owner}"
    rtype = rng.choice(sorted(VALUES))
    ttl = rng.choice([60, 300])
    if rtype in ("A", "AAAA") and rng.random() < 0.4:
        pool = rng.choice(POOLS)
        put(store, name, rtype, pool=pool, owner=owner, ttl=ttl)
        return f"put {name} {rtype} pool={pool} by {owner}"
    values = rng.sample(VALUES[rtype], 1 if rtype == "CNAME" else rng.randint(1, len(VALUES[rtype])))
    put(store, name, rtype, values, owner=owner, ttl=ttl)
    return f"put {name} {rtype} {values} ttl={ttl} by {owner}"


def expanded(store: ZoneStore) -> Counter[Line]:
    """Every RR the zone answers with now (pools expanded), apex SOA/NS aside."""
    state = store.load_state([ZONE])
    _, rrsets = state.zones[ZONE]
    lines: Counter[Line] = Counter()
    for r in rrsets:
        texts = state.pools[r.pool].addresses_for(r.rtype) if r.pool else r.value_texts()
        lines.update((r.name, r.rtype, r.ttl, t) for t in texts)
    return lines


def replayed(store: ZoneStore) -> Counter[Line]:
    """The zone rebuilt from nothing by applying every change_zones row in order."""
    lines: Counter[Line] = Counter()
    for zc in store.zone_history(ZONE):
        for line in zc.removed:
            if line[:2] != (ZONE, "NS"):
                assert lines[line] > 0, f"IXFR would remove {line}, which is not there"
                lines[line] -= 1
        for line in zc.added:
            if line[:2] != (ZONE, "NS"):
                lines[line] += 1
    return +lines


def check(store: ZoneStore, serial_before: int, changes_before: int, what: str) -> tuple[int, int]:
    zone = store.get_zone(ZONE)
    last = store.last_change_id()
    history = store.zone_history(ZONE)
    assert zone.serial == history[-1].serial, what
    if last == changes_before:
        assert zone.serial == serial_before, what
    else:
        assert serial_gt(zone.serial, serial_before) or zone.serial == serial_before, what
    rrsets, total = store.list_rrsets(RecordFilter(zone=ZONE), limit=1000)
    assert total == len(rrsets), what
    by_name: dict[str, list[str]] = {}
    for r in rrsets:
        by_name.setdefault(r.name, []).append(r.rtype)
        assert r.rtype != "CNAME" or r.name != ZONE, what
    for name, types in by_name.items():
        assert len({r.owner for r in rrsets if r.name == name}) == 1, f"{what}: two owners at {name}"
        assert "CNAME" not in types or types == ["CNAME"], f"{what}: CNAME with {types} at {name}"
    assert replayed(store) == expanded(store), what
    return zone.serial, last


@pytest.mark.parametrize("seed", [1, 2])
def test_random_operations_keep_the_invariants(store: ZoneStore, zone: Zone, seed: int) -> None:
    for pool in POOLS:
        add_pool(store, pool, "10.0.0.1", "fd00::1")
    rng = random.Random(seed)
    serial, last = zone.serial, store.last_change_id()
    outcomes: Counter[str] = Counter()
    for step in range(120):
        try:
            what = random_op(rng, store)
            outcomes["ok"] += 1
        except (Conflict, InvalidInput, NotFound) as exc:
            what = f"step {step}: refused {type(exc).__name__}: {exc}"
            outcomes[type(exc).__name__] += 1
            assert store.last_change_id() == last, what
        serial, last = check(store, serial, last, f"step {step}: {what}")
    assert outcomes["ok"] > 30 and outcomes["Conflict"] > 0 and outcomes["InvalidInput"] > 0, outcomes
