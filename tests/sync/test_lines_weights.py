"""DNSPod lines and weights: views published on lines (the store on both backends -> plan/apply
-> the real SDK -> the fake), the line mapping's validation, weighted records as DNSPod
``Weight``, health withdrawals, and the fake following the documented RecordLine/Weight rules."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from dnsd.domain.errors import InvalidInput
from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.selection import health_from_states
from dnsd.store.tables import MemberHealthRow
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.desired import desired_zone
from dnsd.sync.dnspod import DnspodProvider
from dnsd.sync.lines import parse_lines
from dnsd.sync.plan import plan_zone
from dnsd.sync.provider import ProviderError
from dnsd.sync.records import RecordSpec, RemoteRecord
from tests.sync.conftest import MARK, ZONE, RunnerFactory, put
from tests.sync.fake_dnspod import FakeDnspod

LINES = parse_lines(["dc-a=境内", "dc-b=境外"])


def published(fake: FakeDnspod) -> list[tuple[str, str, str, str, int | None]]:
    """(name, type, line, value, weight) of dnsd's records in the fake, sorted."""
    return sorted((r.name, r.type, r.line, r.value, r.weight) for r in fake.records(ZONE) if r.remark == MARK)


@pytest.fixture
def view_zone(store: ZoneStore) -> str:
    """The zone, views dc-a and dc-b, and a pool with members in dc-a (not dc-b) and public."""
    from dnsd.store.zones import make_zone

    store.create_view("dc-a", ["10.1.0.0/16"], "test")
    store.create_view("dc-b", ["10.2.0.0/16"], "test")
    store.create_zone(make_zone(ZONE, ["ns1.hello-web.com"], dnspod_sync=True), "test")
    pool = make_pool("istio-ingressgateway", ["10.0.0.1"], external_addresses=["203.0.113.10"],
                     view_members={"dc-a": ["10.1.0.10", "10.1.0.11"]})  # fmt: skip
    store.create_pool(pool, "test")
    store.create_pool(make_pool("legacy-ingress", ["10.0.1.1"]), "test")
    return ZONE


@pytest.mark.parametrize(
    ("items", "fields"),
    [
        (["dc-a"], ["lines.0"]),
        (["dc-a=境内,dc-a=境外"], ["lines.1"]),
        (["dc-a=境内", "dc-b=境内"], ["lines.1"]),
        (["default=境内"], ["lines.0"]),
        (["public=境内"], ["lines"]),  # nothing left on the default line
    ],
)
def test_line_mapping_is_validated(items: list[str], fields: list[str]) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_lines(items)
    assert [r.field for r in info.value.reasons] == fields


def test_line_mapping_defaults() -> None:
    assert parse_lines([]) == (("public", "默认"),)
    assert parse_lines(["public=默认"]) == (("public", "默认"),)
    assert LINES == (("public", "默认"), ("dc-a", "境内"), ("dc-b", "境外"))
    assert parse_lines(["dc-a=默认"]) == (("dc-a", "默认"),)  # the default line may publish another view


def test_views_are_published_on_their_lines(
    store: ZoneStore, view_zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", pool="istio-ingressgateway")
    put(store, "legacy", "A", pool="legacy-ingress")
    put(store, "@", "TXT", ['"hello"'])
    (planned,) = runner_for(lines=LINES).run()
    assert planned.plan is not None
    assert [(c.subdomain, c.line) for c in planned.plan.changes] == [
        ("@", "默认"), ("legacy", "默认"), ("www", "默认"), ("www", "境内"), ("www", "境内"),
        ("www", "境外"),
    ]  # fmt: skip
    (applied,) = runner_for(apply=True, lines=LINES).run()
    assert applied.result == "applied", applied.message
    assert published(fake) == [
        ("@", "TXT", "默认", "hello", None),
        ("legacy", "A", "默认", "10.0.1.1", None),
        ("www", "A", "境内", "10.1.0.10", None),  # dc-a's members
        ("www", "A", "境内", "10.1.0.11", None),
        ("www", "A", "境外", "10.0.0.1", None),  # dc-b has no members of its own: default's
        ("www", "A", "默认", "203.0.113.10", None),  # public: the external address
    ]
    (again,) = runner_for(apply=True, lines=LINES).run()
    assert again.result == "in-sync" and again.plan is not None and not again.plan.changes
    # a console record on a line dnsd does not publish is never touched
    fake.add_record(ZONE, "www", "A", "198.51.100.9", RecordLine="联通")
    (quiet,) = runner_for(apply=True, lines=LINES).run()
    assert quiet.result == "in-sync"
    # the mapping drops dc-a: dnsd's records on 境内 go, the console's on 联通 stay
    (dropped,) = runner_for(apply=True).run()
    assert dropped.plan is not None and [(c.action, c.line) for c in dropped.plan.changes] == [
        ("delete", "境内"), ("delete", "境内"), ("delete", "境外"),
    ]  # fmt: skip
    assert [r.line for r in fake.records(ZONE) if r.name == "www"] == ["默认", "联通"]


def test_a_pool_member_change_in_a_view_updates_its_line(
    store: ZoneStore, view_zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", pool="istio-ingressgateway")
    runner_for(apply=True, lines=LINES).run()
    store.update_pool("istio-ingressgateway", "test", view_members={"dc-a": ["10.1.0.10", "10.1.0.12"]})
    (applied,) = runner_for(apply=True, lines=LINES).run()
    assert applied.plan is not None
    assert [(c.action, c.line, c.why) for c in applied.plan.changes] == [
        ("update", "境内", "value 10.1.0.11 -> 10.1.0.12")
    ]
    assert [r[3] for r in published(fake) if r[2] == "境内"] == ["10.1.0.10", "10.1.0.12"]


def test_records_limited_to_views_without_public_are_not_published() -> None:
    pools = {"vip": make_pool("vip", ["10.0.0.1"], view_members={"dc-a": ["10.1.0.1"]})}
    inside = make_rrset("int.hello-web.com", "A", 60, "user:a", pool="vip", views=["dc-a"])
    outside = make_rrset("pub.hello-web.com", "A", 60, "user:a", pool="vip", views=["public", "dc-a"])
    desired = desired_zone(ZONE, [inside, outside], pools, LINES)
    assert sorted((r.subdomain, r.line, r.value) for r in desired.records) == [
        ("pub", "境内", "10.1.0.1"), ("pub", "默认", "10.0.0.1"),
    ]  # fmt: skip


def weighted_desired(states: dict[tuple[str, ...], str] | None = None) -> list[tuple[str, int | None]]:
    pools = {
        "istio": make_pool("istio", ["10.0.0.1", "10.0.0.2"]),
        "legacy": make_pool("legacy", ["10.0.1.1"]),
    }
    rrset = make_rrset("www.hello-web.com", "A", 60, "user:a", targets={"istio": 80, "legacy": 20})
    health = health_from_states(states or {})
    desired = desired_zone(ZONE, [rrset], pools, health=health)
    return sorted((r.value, r.weight) for r in desired.records)


def test_weights_and_health_withdrawals_in_the_desired_records() -> None:
    # istio's 80 is split over its two members (40 each), legacy's 20 stays: scaled to 100
    assert weighted_desired() == [("10.0.0.1", 100), ("10.0.0.2", 100), ("10.0.1.1", 50)]
    # a member down is withdrawn; its target's weight goes to the healthy one
    assert weighted_desired({("istio", "10.0.0.2"): "down"}) == [("10.0.0.1", 100), ("10.0.1.1", 25)]
    # every member down: fail open, everyone published with the configured split
    everyone_down = {
        ("istio", "10.0.0.1"): "down",
        ("istio", "10.0.0.2"): "down",
        ("legacy", "10.0.1.1"): "down",
    }
    assert weighted_desired(everyone_down) == [("10.0.0.1", 100), ("10.0.0.2", 100), ("10.0.1.1", 50)]


def test_plan_updates_weights_and_switches_them_off() -> None:
    def remote(value: str, weight: int | None, rid: int) -> RemoteRecord:
        return RemoteRecord(rid, "www", "A", value, 60, remark=MARK, weight=weight)

    wanted = desired_zone(ZONE, [make_rrset("www.hello-web.com", "A", 60, "user:a", ["10.0.0.1"])], {})
    plan = plan_zone(wanted, [remote("10.0.0.1", 40, 1)], MARK)
    (change,) = plan.updates
    assert change.why == "weight 40 -> -" and change.new is not None and change.new.weight == 0
    same = plan_zone(wanted, [remote("10.0.0.1", None, 1)], MARK)
    assert not same.changes and same.unchanged == 1


def test_fake_takes_lines_and_weights_as_documented(
    zone: str, fake: FakeDnspod, provider: DnspodProvider
) -> None:
    with pytest.raises(ProviderError) as first:
        provider.create_record(ZONE, RecordSpec("www", "A", "203.0.113.1", 600, line="境内"), MARK)
    assert first.value.code == "FailedOperation.MustAddDefaultLineFirst"
    base = provider.create_record(ZONE, RecordSpec("www", "A", "203.0.113.1", 600, weight=30), MARK)
    inside = provider.create_record(ZONE, RecordSpec("www", "A", "10.1.0.1", 600, line="境内"), MARK)
    listed = {r.id: r for r in provider.list_records(ZONE)}
    assert (listed[base].line, listed[base].weight) == ("默认", 30)
    assert (listed[inside].line, listed[inside].weight) == ("境内", None)
    item = fake.account.domains[ZONE].records[inside].item()
    assert (item["Line"], item["LineId"], item["Weight"]) == ("境内", "7=0", None)
    provider.modify_record(ZONE, base, RecordSpec("www", "A", "203.0.113.1", 600, weight=0), MARK)
    assert {r.id: r for r in provider.list_records(ZONE)}[base].weight is None  # 0: off
    for spec, code in (
        (RecordSpec("www", "A", "203.0.113.2", 600, weight=101), "InvalidParameter.InvalidWeight"),
        (RecordSpec("www", "A", "203.0.113.3", 600, line="火星"), "InvalidParameter.RecordLineInvalid"),
    ):
        with pytest.raises(ProviderError) as bad:
            provider.create_record(ZONE, spec, MARK)
        assert bad.value.code == code
    params = {"Domain": ZONE, "SubDomain": "www", "RecordType": "A", "RecordLineId": "3=0",
              "RecordLine": "境内", "Value": "10.9.0.1"}  # fmt: skip
    by_id = fake.account.run("CreateRecord", params)
    assert fake.account.domains[ZONE].records[by_id["RecordId"]].line == "境外"  # the id wins


def test_weighted_record_and_health_withdrawal_end_to_end(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    weighted = make_rrset("www.hello-web.com", "A", 300, "user:alice",
                          targets={"istio-ingressgateway": 75, "legacy-ingress": 25})  # fmt: skip
    store.put_rrset(weighted, "test")
    (applied,) = runner_for(apply=True).run()
    assert applied.result == "applied", applied.message
    # istio's 75 over its two public addresses (37.5 each), legacy's 25 on one: scaled to 100
    assert published(fake) == [
        ("www", "A", "默认", "10.0.1.1", 67),
        ("www", "A", "默认", "203.0.113.10", 100),
        ("www", "A", "默认", "203.0.113.11", 100),
    ]
    with Session(store.engine) as session, session.begin():  # what the health checker writes
        pool_id = session.execute(
            text("SELECT id FROM pools WHERE name = 'istio-ingressgateway'")
        ).scalar_one()
        session.add(MemberHealthRow(pool_id=pool_id, address="203.0.113.11", host="", state="down"))
    (withdrawn,) = runner_for(apply=True).run()
    assert withdrawn.plan is not None
    assert sorted((c.action, c.why) for c in withdrawn.plan.changes) == [
        ("delete", "not wanted"), ("update", "weight 67 -> 33"),
    ]  # fmt: skip
    assert published(fake) == [
        ("www", "A", "默认", "10.0.1.1", 33),
        ("www", "A", "默认", "203.0.113.10", 100),
    ]
