"""End to end: the store (SQLite and PostgreSQL) -> plan/apply -> the real SDK -> the fake DNSPod."""

from __future__ import annotations

import socket

import pytest

from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.provider import ProviderError
from tests.sync.conftest import MARK, ZONE, RunnerFactory, make_provider, managed, put
from tests.sync.fake_dnspod import FakeDnspod

WRITES = ("CreateRecord", "ModifyRecord", "DeleteRecord")


def writes(fake: FakeDnspod) -> int:
    return sum(fake.calls[a] for a in WRITES)


def fill(store: ZoneStore) -> None:
    """A zone with every kind of value whose DNSPod spelling differs from ours."""
    put(store, "www", "A", pool="istio-ingressgateway")
    put(store, "www", "AAAA", pool="istio-ingressgateway")
    put(store, "legacy", "A", pool="legacy-ingress")
    put(store, "@", "A", ["198.51.100.1"])
    put(store, "@", "MX", ["10 mx1.example.net", "20 mx2.example.net"])
    put(store, "@", "TXT", ['"v=spf1 include:spf.example.net -all"'])
    put(store, "docs", "CNAME", ["docs.example.net"], ttl=600)
    put(store, "*.apps", "A", pool="istio-ingressgateway")
    put(store, "_sip._tcp", "SRV", ["0 5 5060 sip.example.net"])
    put(store, "@", "CAA", ['0 issue "letsencrypt.org"'])
    put(store, "sub", "NS", ["ns1.example.org", "ns2.example.org"])


EXPECTED = [
    ("*.apps", "A", "203.0.113.10", 300), ("*.apps", "A", "203.0.113.11", 300),
    ("@", "A", "198.51.100.1", 300), ("@", "CAA", '0 issue "letsencrypt.org"', 300),
    ("@", "MX", "mx1.example.net.", 300), ("@", "MX", "mx2.example.net.", 300),
    ("@", "TXT", "v=spf1 include:spf.example.net -all", 300),
    ("_sip._tcp", "SRV", "0 5 5060 sip.example.net.", 300), ("docs", "CNAME", "docs.example.net.", 600),
    ("legacy", "A", "10.0.1.1", 300),  # no external addresses: the ordinary ones
    ("sub", "NS", "ns1.example.org.", 300), ("sub", "NS", "ns2.example.org.", 300),
    ("www", "A", "203.0.113.10", 300), ("www", "A", "203.0.113.11", 300),
    ("www", "AAAA", "2001:db8::10", 300),
]  # fmt: skip


def test_first_sync_of_an_empty_zone(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory, statuses: SyncStatusStore
) -> None:
    fill(store)
    (planned,) = runner_for().run()
    assert planned.result == "planned" and planned.plan is not None
    assert (
        len(planned.plan.creates) == len(EXPECTED) and not planned.plan.updates and not planned.plan.deletes
    )
    assert writes(fake) == 0 and fake.records(ZONE) == []  # a plan writes nothing
    (applied,) = runner_for(apply=True).run()
    assert applied.result == "applied" and applied.outcome is not None and applied.outcome.complete
    assert managed(fake) == EXPECTED
    assert {r.remark for r in fake.records(ZONE)} == {MARK}
    assert sorted(r.mx for r in fake.records(ZONE) if r.type == "MX") == [10, 20]
    assert len(fake.records(ZONE, default_ns=True)) == len(EXPECTED) + 2  # DefaultNS still there
    status = statuses.get_sync_status("dnspod", ZONE)
    assert status is not None and (status.result, status.creates, status.failed) == (
        "applied",
        len(EXPECTED),
        0,
    )


def test_second_apply_plans_nothing(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    fill(store)
    runner_for(apply=True).run()
    fake.calls.clear()
    (again,) = runner_for(apply=True).run()
    assert again.result == "in-sync" and again.plan is not None and again.plan.unchanged == len(EXPECTED)
    assert writes(fake) == 0
    assert dict(fake.calls) == {"DescribeDomainList": 1, "DescribeDomainPurview": 1, "DescribeRecordList": 1}


def ids(fake: FakeDnspod) -> dict[tuple[str, str, str], int]:
    return {(r.name, r.type, r.value): r.record_id for r in fake.records(ZONE)}


def test_pool_vip_change_modifies_only_the_affected_records(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    fill(store)
    for i in range(5):  # so the 5 changes stay under the 30 % safety limit (5 of 20)
        put(store, f"h{i}", "A", [f"192.0.2.{i}"])
    runner_for(apply=True).run()
    before = ids(fake)
    store.update_pool("istio-ingressgateway", "test", addresses=["10.0.0.5", "10.0.0.6", "fd00::5"],
                      external_addresses=["203.0.113.20", "203.0.113.21", "2001:db8::20"])  # fmt: skip
    fake.calls.clear()
    (report,) = runner_for(apply=True).run()
    assert report.result == "applied" and report.plan is not None
    assert {c.action for c in report.plan.changes} == {"update"}
    assert (fake.calls["ModifyRecord"], fake.calls["CreateRecord"], fake.calls["DeleteRecord"]) == (5, 0, 0)
    after = ids(fake)
    for name in ("www", "*.apps"):  # each address moved within its record
        assert after[(name, "A", "203.0.113.20")] == before[(name, "A", "203.0.113.10")]
        assert after[(name, "A", "203.0.113.21")] == before[(name, "A", "203.0.113.11")]
    assert after[("www", "AAAA", "2001:db8::20")] == before[("www", "AAAA", "2001:db8::10")]
    untouched = {k: v for k, v in before.items() if k[0] not in ("www", "*.apps")}
    assert {k: v for k, v in after.items() if k[0] not in ("www", "*.apps")} == untouched


def test_pool_vip_change_of_one_address_modifies_one_record_per_name(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    fill(store)
    runner_for(apply=True).run()
    before = ids(fake)
    store.update_pool(
        "istio-ingressgateway", "test", external_addresses=["203.0.113.10", "203.0.113.12", "2001:db8::10"]
    )
    fake.calls.clear()
    (report,) = runner_for(apply=True).run()
    assert report.plan is not None and [c.action for c in report.plan.changes] == ["update", "update"]
    assert (fake.calls["ModifyRecord"], fake.calls["CreateRecord"], fake.calls["DeleteRecord"]) == (2, 0, 0)
    after = ids(fake)
    for name in ("www", "*.apps"):  # .11 became .12 in the same record; .10 untouched
        assert after[(name, "A", "203.0.113.12")] == before[(name, "A", "203.0.113.11")]
    assert {k: v for k, v in after.items() if k[2] != "203.0.113.12"} == {
        k: v for k, v in before.items() if k[2] != "203.0.113.11"
    }


def test_foreign_records_are_never_touched(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    hand = [
        fake.add_record(ZONE, "mail", "A", "198.51.100.25", Remark="set up by hand"),
        fake.add_record(ZONE, "www", "TXT", "google-site-verification=abc"),  # same name, other type
        fake.add_record(ZONE, "old", "A", "198.51.100.26", Remark="managed-by=dnsd:other-instance"),
        fake.add_record(ZONE, "@", "MX", "mx.example.org", MX=5),
    ]
    put(store, "www", "A", ["192.0.2.1"])
    (report,) = runner_for(apply=True).run()
    assert report.result == "applied" and report.plan is not None and not report.plan.conflicts
    assert managed(fake) == [("www", "A", "192.0.2.1", 300)]
    after = {r.record_id: r for r in fake.records(ZONE)}
    assert all(after[h.record_id] == h for h in hand)
    store.delete_by_name(f"www.{ZONE}", "test")
    (cleanup,) = runner_for(apply=True).run()
    assert cleanup.plan is not None and [c.action for c in cleanup.plan.changes] == ["delete"]
    assert [r.record_id for r in fake.records(ZONE)] == [h.record_id for h in hand]


def test_conflicts_are_left_alone_unless_adopt(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    www = fake.add_record(ZONE, "www", "A", "203.0.113.10", TTL=600)
    api = fake.add_record(ZONE, "api", "CNAME", "old.example.net")
    put(store, "www", "A", pool="istio-ingressgateway")
    put(store, "api", "A", ["192.0.2.7"])
    put(store, "free", "A", ["192.0.2.8"])
    (report,) = runner_for(apply=True).run()
    assert report.plan is not None
    # api: the console's CNAME excludes dnsd's A. www: shared; the console holds a value dnsd
    # wants too (not created twice), dnsd adds its other one.
    assert [(c.subdomain, c.rtype, c.kind) for c in report.plan.conflicts] == [("api", "A", "exclusive")]
    assert managed(fake) == [("free", "A", "192.0.2.8", 300), ("www", "A", "203.0.113.11", 300)]
    assert fake.records(ZONE)[:2] == [www, api]  # untouched
    (adopted,) = runner_for(apply=True, adopt=True).run()
    assert adopted.result == "applied" and adopted.plan is not None and not adopted.plan.conflicts
    assert adopted.drift == 0  # taking over is not drift
    assert managed(fake) == [
        ("api", "A", "192.0.2.7", 300), ("free", "A", "192.0.2.8", 300),
        ("www", "A", "203.0.113.10", 300), ("www", "A", "203.0.113.11", 300),
    ]  # fmt: skip
    assert any(r.record_id == www.record_id and r.remark == MARK for r in fake.records(ZONE))
    (again,) = runner_for(apply=True).run()
    assert again.result == "in-sync"


def test_safety_stop_and_force(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    for i in range(14):
        put(store, f"h{i}", "A", [f"192.0.2.{i}"])
    runner_for(apply=True).run()
    for i in range(3):  # 3 of 14 (21 %): allowed
        store.delete_by_name(f"h{i}.{ZONE}", "test")
    (small,) = runner_for(apply=True).run()
    assert small.result == "applied"
    for i in range(3, 7):  # 4 of 11 (36 %): refused
        put(store, f"h{i}", "A", [f"198.51.100.{i}"])
    fake.calls.clear()
    (refused,) = runner_for(apply=True).run()
    assert refused.result == "refused" and "4 of 11" in refused.message and writes(fake) == 0
    (forced,) = runner_for(apply=True, force=True).run()
    assert forced.result == "applied" and fake.calls["ModifyRecord"] == 4


def test_throttling_is_retried_without_duplicate_writes(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    fill(store)
    fake.throttle(3)  # DescribeDomainList and DescribeRecordList meet it first
    fake.fail("CreateRecord", nth=2, code="FailedOperation.FrequencyLimit", message="Too frequent.")
    fake.fail("CreateRecord", nth=5, drop=True, execute=True)  # done, but the answer is lost
    (report,) = runner_for(apply=True).run()
    assert report.result == "applied"
    assert managed(fake) == EXPECTED  # each record exactly once
    assert fake.calls["CreateRecord"] == len(EXPECTED) + 2  # the FrequencyLimit one and the lost answer
    (again,) = runner_for(apply=True).run()
    assert again.result == "in-sync"


def test_a_failure_midway_is_reported_exactly_and_the_next_run_converges(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory, statuses: SyncStatusStore
) -> None:
    for i in range(6):
        put(store, f"h{i}", "A", [f"192.0.2.{i}"])
    fake.fail("CreateRecord", nth=2, code="InvalidParameter.RecordValueInvalid", message="refused")
    fake.fail("CreateRecord", nth=4, code="InternalError", message="boom")
    (report,) = runner_for(apply=True).run()
    outcome = report.outcome
    assert report.result == "partial" and outcome is not None
    assert [c.subdomain for c in outcome.done] == ["h0", "h2"]
    assert [(f.change.subdomain, f.error.code) for f in outcome.failed] == [
        ("h1", "InvalidParameter.RecordValueInvalid"), ("h3", "InternalError"),
    ]  # fmt: skip
    assert [c.subdomain for c in outcome.not_attempted] == ["h4", "h5"]
    assert sorted(r.name for r in fake.records(ZONE)) == ["h0", "h2"]
    status = statuses.get_sync_status("dnspod", ZONE)
    assert (
        status is not None and (status.result, status.failed) == ("partial", 4) and "boom" in status.message
    )
    (second,) = runner_for(apply=True).run()
    assert second.result == "applied" and second.plan is not None and len(second.plan.creates) == 4
    assert [n for n, *_ in managed(fake)] == [f"h{i}" for i in range(6)]


def test_drift_is_reported_and_repaired(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory, statuses: SyncStatusStore
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    put(store, "api", "A", ["192.0.2.2"])
    runner_for(apply=True).run()
    www = next(r for r in fake.records(ZONE) if r.name == "www")
    api = next(r for r in fake.records(ZONE) if r.name == "api")
    fake.edit_record(ZONE, www.record_id, value="198.51.100.66", status="DISABLE")  # console edits
    del fake.account.domains[ZONE].records[api.record_id]
    (report,) = runner_for(apply=True).run()
    assert report.drift == 2 and report.result == "applied"
    assert managed(fake) == [("api", "A", "192.0.2.2", 300), ("www", "A", "192.0.2.1", 300)]
    assert {r.status for r in fake.records(ZONE)} == {"ENABLE"}
    status = statuses.get_sync_status("dnspod", ZONE)
    assert status is not None and status.drift == 2
    put(store, "api", "A", ["192.0.2.3"])  # a store change is not drift
    (change,) = runner_for(apply=True).run()
    assert change.drift == 0 and change.result == "applied"


def test_signature_failure_is_a_clear_error(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory, statuses: SyncStatusStore
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    bad = make_provider(fake, secret_key="wrong-key")
    with pytest.raises(ProviderError) as info:
        runner_for(bad, apply=True).run()
    bad.close()
    assert info.value.auth_failure and info.value.code == "AuthFailure.SignatureFailure"
    assert "credentials could not be validated" in str(info.value) and "wrong-key" not in str(info.value)
    status = statuses.get_sync_status("dnspod", ZONE)
    assert status is not None and status.result == "error" and "SignatureFailure" in status.message


def test_zones_missing_from_the_account_and_unmarked_zones(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    from dnsd.store.zones import make_zone

    store.create_zone(make_zone("not-there.com", ["ns1.hello-web.com"], dnspod_sync=True), "test")
    store.create_zone(make_zone("private.com", ["ns1.hello-web.com"]), "test")
    reports = {r.zone: r for r in runner_for(apply=True).run()}
    assert set(reports) == {ZONE, "not-there.com"}  # private.com is not marked
    assert reports["not-there.com"].result == "error" and "not a domain" in reports["not-there.com"].message
    assert [r.zone for r in runner_for(zones=("private.com",)).run()] == ["private.com"]


def test_network_errors_are_retried_then_reported(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory, statuses: SyncStatusStore
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    fake.fail("DescribeRecordList", drop=True)  # one lost answer: retried
    (report,) = runner_for(apply=True).run()
    assert report.result == "applied" and fake.calls["DescribeRecordList"] == 2
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    gone = make_provider(fake, endpoint=f"127.0.0.1:{closed}")
    with pytest.raises(ProviderError) as info:
        runner_for(gone).run()
    gone.close()
    assert info.value.code == "ClientNetworkError" and not info.value.auth_failure
    status = statuses.get_sync_status("dnspod", ZONE)
    assert status is not None and status.result == "error" and "ClientNetworkError" in status.message


def test_a_create_answered_rate_limited_that_happened_counts_as_done(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    """Issue 11 (4): DNSPod made the record but answered RequestLimitExceeded; the retry meets
    InvalidParameter.DomainRecordExist, looks the record up and counts the create as done."""
    put(store, "www", "A", ["192.0.2.1"])
    fake.fail("CreateRecord", code="RequestLimitExceeded", message="Too many requests.", execute=True)
    (report,) = runner_for(apply=True).run()
    assert report.result == "applied", report.message
    assert report.outcome is not None and len(report.outcome.done) == 1 and not report.outcome.failed
    assert managed(fake) == [("www", "A", "192.0.2.1", 300)] and fake.calls["CreateRecord"] == 2


def test_txt_values_are_sent_as_text_and_over_long_ones_refused_at_plan_time(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    """Issue 11 (5): every TXT value goes as its text (no quotes or backslashes added, also when
    it holds a quote); a value DNSPod cannot hold is skipped with the reason, not failed each run."""
    put(store, "q", "TXT", ['"say \\"hi\\" to c:\\\\dir"'])
    put(store, "plain", "TXT", ['"v=spf1" " -all"'])
    put(store, "long", "TXT", [" ".join(f'"{"x" * 200}"' for _ in range(3))])  # 600 characters
    for _ in range(2):
        (report,) = runner_for(apply=True).run()
        assert report.plan is not None
        assert [(s.name, s.reason) for s in report.plan.skipped] == [
            (f"long.{ZONE}", "TXT value is 600 characters; DNSPod takes at most 512")
        ]
        assert report.outcome is None or not report.outcome.failed
    assert managed(fake) == [("plain", "TXT", "v=spf1 -all", 300), ("q", "TXT", 'say "hi" to c:\\dir', 300)]
    assert report.result == "in-sync"


def test_a_pool_move_moves_dnsd_values_in_an_rrset_shared_with_the_console(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    """Issue 11 (2): dnsd's own values at www move with the pool although a console record shares
    the RRset; the console value is reported on every run (a conflict, never silent)."""
    put(store, "www", "A", pool="istio-ingressgateway")
    runner_for(apply=True).run()
    console = fake.add_record(ZONE, "www", "A", "203.0.113.99")
    store.update_pool("istio-ingressgateway", "test", external_addresses=["198.51.100.10", "198.51.100.11"])
    (moved,) = runner_for(apply=True).run()
    assert moved.result == "applied" and moved.plan is not None
    www = sorted((r.value, r.remark) for r in fake.records(ZONE) if r.name == "www")
    assert www == [("198.51.100.10", MARK), ("198.51.100.11", MARK), ("203.0.113.99", "")]
    (conflict,) = moved.plan.conflicts
    assert conflict.kind == "shared" and [r.record_id for r in [console]] == [conflict.held[0].id]
    assert "203.0.113.99" in moved.message
    (again,) = runner_for(apply=True).run()
    assert again.result == "in-sync" and again.plan is not None and len(again.plan.conflicts) == 1
