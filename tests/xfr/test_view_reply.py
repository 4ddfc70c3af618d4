"""Transfers per view without sockets: which copy of the zone a transfer sends (the key's view,
else the client address's, else default), IXFR in another view answered whole, and the per-view
copies built only where a zone differs."""

from __future__ import annotations

import dns.message
import dns.name
import dns.rrset
import dns.tsig

from dnsd.domain.changes import ZoneChange
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.selection import health_from_states
from dnsd.domain.snapshot import Snapshot, build_zone
from dnsd.domain.transfer import TransferAcl, TransferPolicy, TsigKey
from dnsd.domain.views import make_views
from dnsd.domain.zones import Zone
from dnsd.xfr.reply import NOERROR, transfer_reply
from dnsd.xfr.views import differs_in_view, zones_by_view

ZONE = Zone("example.com", 2026120201, ("ns1.example.com",), "ns1.example.com", "hostmaster.example.com")
POOLS = {
    "vip": make_pool(
        "vip", ["10.0.0.1"], external_addresses=["203.0.113.1"], view_members={"dc-a": ["10.1.0.1"]}
    ),
    "plain": make_pool("plain", ["10.9.0.1"]),
}
RRSETS = [
    make_rrset("www.example.com", "A", 60, "user:a", pool="vip"),
    make_rrset("int.example.com", "A", 60, "user:a", ["10.1.9.9"], views=["dc-a"]),
]
VIEWS = make_views([("dc-a", ["127.0.10.0/24"]), ("dc-b", ["127.0.20.0/24"])])
KEY = TsigKey("xfr-b", b"b" * 32, view="dc-b")
POLICY = TransferPolicy({KEY.name: KEY}, {ZONE.name: TransferAcl(ZONE.name, ("127.0.0.0/8",))}, VIEWS)
DEFAULT = build_zone(ZONE, RRSETS, POOLS)
SNAPSHOT = Snapshot({ZONE.name: DEFAULT})
VIEW_ZONES = zones_by_view({ZONE.name: (ZONE, RRSETS)}, POOLS, ["dc-a", "dc-b", "public"])


def history(zone: str) -> list[ZoneChange]:
    line = ("new.example.com", "A", 60, "192.0.2.1")
    return [ZoneChange(zone, ZONE.serial - 1, ZONE.serial, (), (line,))]


def transfer(
    rdtype: str, client: str, serial: int | None = None, signed: bool = False
) -> list[tuple[str, str]]:
    q = dns.message.make_query(ZONE.name, rdtype)
    if serial is not None:
        q.authority.append(dns.rrset.from_text(ZONE.name + ".", 0, "IN", "SOA", f"ns. h. {serial} 0 0 0 0"))
    if signed:
        q.use_tsig({dns.name.from_text("xfr-b."): dns.tsig.Key("xfr-b.", b"b" * 32, "hmac-sha256")})
    reply = transfer_reply(SNAPSHOT, ZONE.name, q.question[0].rdtype, q.to_wire(), client, True, POLICY,
                           history, int(__import__("time").time()), VIEW_ZONES)  # fmt: skip
    assert reply.rcode == NOERROR, reply.reason
    return [
        (r.name, r.rdatas[0].to_text())
        for section in reply.sections
        for r in section
        if r.rtype in ("A", "SOA")
    ]


def test_only_differing_views_get_a_copy() -> None:
    assert sorted(VIEW_ZONES) == [(ZONE.name, "dc-a"), (ZONE.name, "public")]
    assert not differs_in_view(RRSETS[:1], {"vip": POOLS["plain"]}, "public")  # no external addresses


def test_axfr_sends_the_view_of_the_key_then_the_address() -> None:
    assert ("www.example.com", "10.1.0.1") in transfer("AXFR", "127.0.10.5")
    assert ("int.example.com", "10.1.9.9") in transfer("AXFR", "127.0.10.5")
    default = transfer("AXFR", "127.0.30.5")
    assert ("www.example.com", "10.0.0.1") in default and "int.example.com" not in dict(default)
    signed = transfer("AXFR", "127.0.10.5", signed=True)  # dc-b's key from dc-a's network
    assert ("www.example.com", "10.0.0.1") in signed and "int.example.com" not in dict(signed)


def test_ixfr_in_another_view_is_whole_and_in_default_incremental() -> None:
    incremental = transfer("IXFR", "127.0.30.5", serial=ZONE.serial - 1)
    assert [n for n, _ in incremental] == ["example.com"] * 3 + ["new.example.com", "example.com"]
    for client in ("127.0.10.5", "127.0.20.5"):  # dc-a (own copy) and dc-b (reads as default)
        whole = transfer("IXFR", client, serial=ZONE.serial - 1)
        assert whole[0][0] == whole[-1][0] == "example.com" and ("www.example.com", "10.1.0.1" if
               client == "127.0.10.5" else "10.0.0.1") in whole  # fmt: skip
        current = transfer("IXFR", client, serial=ZONE.serial)
        assert [n for n, _ in current] == ["example.com"]  # up to date: the SOA alone


def test_view_copies_carry_the_healthy_members() -> None:
    pools = {"vip": make_pool("vip", ["10.0.0.1"], view_members={"dc-a": ["10.1.0.1", "10.1.0.2"]})}
    down = health_from_states({("vip", "10.1.0.2"): "down"})
    copies = zones_by_view({ZONE.name: (ZONE, RRSETS[:1])}, pools, ["dc-a"], down)
    www = copies[(ZONE.name, "dc-a")].nodes["www.example.com"]["A"]
    assert [r.to_text() for r in www.rdatas] == ["10.1.0.1"]
