"""AXFR and IXFR plans and message packing, checked against the store's real change log."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dnsd.domain.changes import ZoneChange
from dnsd.domain.rdata import TXT, Address
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import RRsetData, ZoneData, build_zone
from dnsd.export.render import zone_lines
from dnsd.store.zonestore import ZoneStore
from dnsd.xfr.plan import MAX_MESSAGE, axfr_rrsets, ixfr_chain, ixfr_rrsets, pack_messages, rr_size
from tests.export.zones import OWNER, create_demo, every_type_zone, large_zone

Line = tuple[str, str, int, str]


def lines_of(rrsets: list[RRsetData]) -> list[Line]:
    return [(r.name, r.rtype, r.ttl, d.to_text()) for r in rrsets for d in r.rdatas]


def zone_data(store: ZoneStore, zone: str) -> ZoneData:
    state = store.load_state([zone])
    z, rrsets = state.zones[zone]
    return build_zone(z, rrsets, state.pools)


def apply_ixfr(old: set[Line], answer: list[RRsetData]) -> set[Line]:
    """A client applying an IXFR answer (RFC 1995 section 4), written independently of dnsd.xfr.plan."""
    lines = lines_of(answer)
    assert lines[0][1] == "SOA" and lines[-1] == lines[0]
    state = {x for x in old if x[1] != "SOA"}
    body, deleting = lines[1:-1], True
    soas = 0
    for line in body:
        if line[1] == "SOA":
            soas += 1
            deleting = soas % 2 == 1
            continue
        (state.discard if deleting else state.add)(line)
    return state | {lines[0]}


def test_axfr_has_soa_first_and_last_and_every_rr_once() -> None:
    zone = every_type_zone()
    answer = lines_of(axfr_rrsets(zone))
    assert answer[0][1] == answer[-1][1] == "SOA" and answer[0] == answer[-1]
    assert answer[1:-1] == list(zone_lines(zone))[1:]
    assert len(set(answer)) == len(answer) - 1


def test_ixfr_replays_every_change_to_the_current_zone(store: ZoneStore) -> None:
    create_demo(store)
    seen: dict[int, set[Line]] = {}

    def remember() -> None:
        data = zone_data(store, "hello-web.com")
        seen[data.zone.serial] = set(zone_lines(data))

    remember()
    store.put_rrset(make_rrset("a.hello-web.com", "A", 60, OWNER, ["192.0.2.1"]), "t")
    remember()
    store.put_rrset(make_rrset("a.hello-web.com", "A", 90, OWNER, ["192.0.2.1", "192.0.2.2"]), "t")
    remember()
    store.update_pool("istio-ingressgateway", "t", addresses=["10.20.0.98", "10.20.0.99", "fd00:20::11"])
    remember()
    store.delete_by_name("www.hello-web.com", "t")
    remember()
    store.put_rrset(make_rrset("t.hello-web.com", "TXT", 60, OWNER, ['"a b" "c\\"d"']), "t")
    remember()
    current = zone_data(store, "hello-web.com")
    history = store.zone_history("hello-web.com")
    assert len(seen) == 6
    for serial, old in seen.items():
        answer = ixfr_rrsets(current, history, serial)
        assert answer is not None, serial
        assert apply_ixfr(old, answer) == seen[current.zone.serial]
    assert lines_of(ixfr_rrsets(current, history, current.zone.serial) or []) == [
        lines_of(axfr_rrsets(current))[0]
    ]


def test_ixfr_falls_back_when_the_log_cannot_bridge(store: ZoneStore) -> None:
    create_demo(store)
    first = zone_data(store, "hello-web.com").zone.serial
    store.put_rrset(make_rrset("a.hello-web.com", "A", 60, OWNER, ["192.0.2.1"]), "t")
    middle = zone_data(store, "hello-web.com").zone.serial
    store.update_zone("hello-web.com", "t", refresh=1234)  # settings: no RR lines in the log
    store.update_zone("hello-web.com", "t", ns=["ns1.hello-web.com", "ns3.example.net"])  # apex NS
    after_update = zone_data(store, "hello-web.com").zone.serial
    store.put_rrset(make_rrset("b.hello-web.com", "A", 60, OWNER, ["192.0.2.2"]), "t")
    current = zone_data(store, "hello-web.com")
    history = store.zone_history("hello-web.com")
    assert ixfr_rrsets(current, history, first) is None
    assert ixfr_rrsets(current, history, middle) is None
    assert ixfr_rrsets(current, history, after_update) is not None
    assert ixfr_rrsets(current, history, 12345) is None  # never seen


def test_ixfr_for_a_newer_client_is_the_soa_alone() -> None:
    zone = every_type_zone()
    answer = ixfr_rrsets(zone, [], zone.zone.serial + 5)
    assert answer is not None and [r.rtype for r in answer] == ["SOA"]


def change(prev: int | None, serial: int | None, added: bool = True) -> ZoneChange:
    line = ("x.example.com", "A", 60, "192.0.2.1")
    return ZoneChange("example.com", prev, serial, (), (line,) if added else ())


def test_ixfr_chain_rules() -> None:
    log = [change(None, 1), change(1, 2), change(2, 3), change(3, 4)]
    assert ixfr_chain(log, 2, 4) == log[2:]
    assert ixfr_chain(log, 1, 3) == log[1:3]  # entries newer than the snapshot are ignored
    assert ixfr_chain(log, 0, 4) is None
    assert ixfr_chain([*log, change(4, None), change(None, 7), change(7, 8)], 4, 8) is None  # recreated
    assert ixfr_chain([change(1, 2), change(5, 6)], 1, 6) is None  # gap (serial moved by an import)
    assert ixfr_chain([change(1, 2), change(2, 3, added=False)], 1, 3) is None  # settings change
    assert ixfr_chain(log, 2, 9) is None
    ns = ZoneChange("example.com", 4, 5, (("example.com", "NS", 300, "a.example."),), ())
    assert ixfr_chain([*log, ns], 4, 5) is None  # apex NS: a settings change


def test_packing_keeps_order_and_every_message_under_64k() -> None:
    zone = large_zone(3000)
    answer = axfr_rrsets(zone)
    messages = pack_messages(answer, zone.name)
    assert len(messages) > 1
    assert lines_of([r for m in messages for r in m]) == lines_of(answer)
    for message in messages:
        size = 12 + len(zone.name) + 6 + sum(rr_size(r.name, d) for r in message for d in r.rdatas)
        assert size <= MAX_MESSAGE - 512
    assert lines_of(list(messages[0]))[0][1] == "SOA" and lines_of(list(messages[-1]))[-1][1] == "SOA"


def test_large_rrsets_are_split_between_messages() -> None:
    big = RRsetData("t.example", "TXT", 60, tuple(TXT((bytes([i]) * 255,) * 10) for i in range(100)))
    messages = pack_messages([big], "example", limit=8000, reserve=0)
    assert all(len(m) == 1 and m[0].name == "t.example" for m in messages)
    assert sum(len(m[0].rdatas) for m in messages) == 100 and len(messages) == 34  # 3 RRs of 2581 octets each
    with pytest.raises(ValueError, match="too large"):
        pack_messages([big], "example", limit=1000, reserve=0)
    assert pack_messages([], "example") == [()]


def test_rr_sizes_match_the_wire() -> None:
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    for rrset in axfr_rrsets(every_type_zone()):
        for rdata in rrset.rdatas:
            wire = dns.rdata.from_text(
                dns.rdataclass.IN, dns.rdatatype.from_text(rrset.rtype), rdata.to_text()
            ).to_wire()
            assert rr_size(rrset.name, rdata) == len(rrset.name) + 2 + 10 + len(wire), rrset
    assert rr_size("a.example", Address("2001:db8::1")) == 11 + 10 + 16
    assert rr_size("", replace(Address("192.0.2.1"))) == 1 + 10 + 4
