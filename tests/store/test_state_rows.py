"""The Core reader of the store's state against the ORM's: the same state, the same snapshot.

:class:`StateReader` is what the DNS server's cold start reads (at a million records the ORM
read took most of a minute); every field it returns must be what :meth:`ChangeOps.load_state`
returns, and the zones it builds as the rows arrive what ``serving_zone(build_zone(...))``
builds from that state. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dnsd.domain.health import Probe, make_check
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import OneNode, Snapshot, ZoneData
from dnsd.server.feed import load_snapshot
from dnsd.server.serving import serving_snapshot
from dnsd.store.changes import StoreState
from dnsd.store.health import ProbeResult
from dnsd.store.serving_state import read_serving_state
from dnsd.store.state_rows import StateReader
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import ACTOR, OTHER, ZONE, ZONE2, add_zone, put

SUB = f"sub.{ZONE}"


def populate(store: ZoneStore) -> None:
    """Every shape the reader meets: literal values of each type (one and several, JSON
    escapes), pools (internal and external addresses; a type the pool has no address for),
    delegations, wildcards, DNAME, empty non-terminals, a child zone, owners."""
    for name in (ZONE, ZONE2, SUB):
        add_zone(store, name)
    store.create_view("dc-a", ["10.1.0.0/16"], ACTOR)
    check = make_check({"kind": "http", "path": "/healthz", "fall": 2})
    gw = make_pool("gw", ["10.0.0.1", "10.0.0.2", "fd00::1"], "gateway", ["203.0.113.9"], check=check)
    store.create_pool(gw, ACTOR)
    store.create_pool(
        make_pool("v4only", ["10.9.0.1"], view_members={"dc-a": ["10.1.0.1", "10.1.0.2"]}), ACTOR
    )
    put(store, f"www.{ZONE}", values=["192.0.2.1", "192.0.2.2"])
    put(store, f"v6.{ZONE}", "AAAA", ["2001:db8::1"])
    put(store, f"app.{ZONE}", pool="gw")
    put(store, f"app.{ZONE}", "AAAA", pool="gw")
    put(store, f"lonely.{ZONE}", "AAAA", pool="v4only")  # expands to nothing: no node at all
    put(store, f"a.b.c.deep.{ZONE}", values=["192.0.2.7"], owner=OTHER)  # empty non-terminals
    put(store, f"*.wild.{ZONE}", values=["192.0.2.9"])
    put(store, f"txt.{ZONE}", "TXT", ['"v=spf1 -all"', '"quote \\" and back\\\\slash" "two"', "caf\u00e9"])
    put(store, ZONE, "MX", ["10 mx.example.net.", "20 mx2.example.net."])
    put(store, f"_sip._tcp.{ZONE}", "SRV", ["10 5 5060 sip.example.net."])
    put(store, ZONE, "CAA", ['0 issue "letsencrypt.org"'])
    put(store, f"alias.{ZONE}", "CNAME", [f"www.{ZONE}."])
    put(store, f"old.{ZONE}", "DNAME", [f"{ZONE2}."])
    put(store, f"child.{ZONE}", "NS", ["ns1.example.net.", "ns2.example.net."])
    put(store, f"ns1.child.{ZONE}", values=["192.0.2.53"])  # glue below the cut
    put(store, f"ptr.{ZONE2}", "PTR", [f"www.{ZONE}."], ttl=60)
    put(store, f"x.{SUB}", values=["192.0.2.100"], ttl=2147483647)
    weighted = make_rrset(f"w.{ZONE}", "A", 60, OTHER, targets={"gw": 90, "v4only": 10}, mode="random")
    store.put_rrset(weighted, ACTOR)
    store.put_rrset(make_rrset(f"dc.{ZONE}", "A", 60, OTHER, pool="v4only", views=["dc-a"]), ACTOR)
    store.put_rrset(
        make_rrset(f"both.{ZONE}", "A", 60, OTHER, ["192.0.2.5"], views=["dc-a", "default"]), ACTOR
    )


def _sorted(state: StoreState) -> StoreState:
    zones = {
        name: (zone, sorted(rrsets, key=lambda r: r.id or 0)) for name, (zone, rrsets) in state.zones.items()
    }
    return StoreState(state.cursor, zones, state.pools)


def test_load_state_equals_the_orm_read(store: ZoneStore) -> None:
    populate(store)
    orm, core = store.load_state(), StateReader(store.engine).load_state()
    assert len(orm.zones) == 3 and sum(len(r) for _, r in orm.zones.values()) == 20
    assert _sorted(core) == _sorted(orm)
    assert core.pools["gw"].external_addresses == ("203.0.113.9",) and core.pools["gw"].check is not None
    assert core.pools["v4only"].view_members == (("dc-a", ("10.1.0.1", "10.1.0.2")),)
    weighted = next(r for r in core.zones[ZONE][1] if r.name == f"w.{ZONE}")
    assert [(t.pool, t.weight) for t in weighted.targets] == [("gw", 90), ("v4only", 10)]
    assert weighted.mode == "random"


def test_load_state_of_named_zones(store: ZoneStore) -> None:
    populate(store)
    reader = StateReader(store.engine)
    for names in ([ZONE2], [ZONE, SUB], [], ["nope.test"]):
        assert _sorted(reader.load_state(names)) == _sorted(store.load_state(names))
    assert set(reader.load_state([ZONE2]).zones) == {ZONE2}


def test_empty_store(store: ZoneStore) -> None:
    reader = StateReader(store.engine)
    assert reader.load_state() == store.load_state()


def _zone_shape(zone: ZoneData) -> tuple[object, ...]:
    """Everything an answer reads from a zone, with selectors (compare=False) spelled out."""
    nodes = {
        name: {rtype: (r, getattr(r, "selector", None)) for rtype, r in node.items()}
        for name, node in zone.nodes.items()
    }
    return zone.zone, nodes, zone.ents, zone.cuts, zone.dnames


def _snapshot_shape(snapshot: Snapshot) -> tuple[object, ...]:
    views = {v: {n: _zone_shape(z) for n, z in t.items()} for v, t in snapshot.view_zones.items()}
    zones = {n: _zone_shape(z) for n, z in snapshot.zones.items()}
    return zones, views, snapshot.views, snapshot.cursor, snapshot.health


def _from_state(store: ZoneStore) -> Snapshot:
    state, serving = store.load_state(), read_serving_state(store)
    return serving_snapshot(state.zones, state.pools, serving, 1, state.cursor)


def test_cold_start_split_builds_the_same_snapshot(store: ZoneStore) -> None:
    """load_snapshot reads records that need no selection straight into answer nodes; the
    snapshot must be the one the general path builds from the ORM's state, with every member
    up and with one down (then pool records go through the health-aware path)."""
    populate(store)
    put(store, f"plain.{ZONE}", pool="v4only")  # a pool with members of its own in a view
    for i in range(3):
        put(store, f"multi{i}.{ZONE}", values=[f"192.0.2.{20 + i}"])
        put(store, f"multi{i}.{ZONE}", "TXT", [f'"t{i}"'])
    fast = load_snapshot(store)
    assert _snapshot_shape(fast) == _snapshot_shape(_from_state(store))
    node = fast.zones[ZONE].nodes[f"www.{ZONE}"]
    assert isinstance(node, OneNode) and node.get("A") is not None and node.get("TXT") is None
    assert set(fast.zones[ZONE].ents) >= {f"deep.{ZONE}", f"c.deep.{ZONE}", f"b.c.deep.{ZONE}"}
    down = ProbeResult(Probe("gw", "10.0.0.1", f"app.{ZONE}"), False, "HTTP 503")
    for _ in range(2):  # fall 2
        store.record_health([down])
    assert any(state != "up" for state in store.member_states().values())
    after = load_snapshot(store)
    assert _snapshot_shape(after) == _snapshot_shape(_from_state(store))
    assert after.zones[ZONE].nodes[f"app.{ZONE}"]["A"] != fast.zones[ZONE].nodes[f"app.{ZONE}"]["A"]
