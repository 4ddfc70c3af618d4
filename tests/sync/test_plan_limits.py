"""Issue 11 (1): the provider plan's limits. A free-plan domain's 600 s minimum TTL is honoured
(published TTL raised and shown in the plan; a rerun is in sync), and a plan that needs more
records per name than the plan allows is refused at plan time, not failed on every run."""

from __future__ import annotations

import pytest

from dnsd.store.zonestore import ZoneStore
from dnsd.sync.limits import limits_from_purview
from tests.sync.conftest import ZONE, RunnerFactory, managed, put
from tests.sync.fake_dnspod import FakeDnspod
from tests.sync.test_cli_sync import run

WRITES = ("CreateRecord", "ModifyRecord", "DeleteRecord")


def test_the_purview_names_the_limits() -> None:
    english = limits_from_purview("DP_PLUS", [("Min TTL", "120"), ("max DNS balance count", "10"),
                                              ("A record count", "1999"), ("URL Forward", "10")])  # fmt: skip
    assert (english.min_ttl, english.max_values, english.max_per_type) == (120, 10, {"A": 1999})
    chinese = limits_from_purview(
        "DP_FREE", [("记录最低TTL", "600"), ("负载均衡数量", "2"), ("NS记录条数", "1999")]
    )
    assert (chinese.min_ttl, chinese.max_values, chinese.max_per_type) == (600, 2, {"NS": 1999})
    assert limits_from_purview("DP_FREE", []).min_ttl == 600  # the grade's documented minimum


def test_a_free_plan_domain_gets_the_plan_minimum_ttl_and_converges(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    fake.account.domains[ZONE].grade = "DP_FREE"
    put(store, "www", "A", pool="istio-ingressgateway", ttl=300)  # the Kubernetes TTL
    put(store, "slow", "A", ["192.0.2.9"], ttl=3600)
    (first,) = runner_for(apply=True).run()
    assert first.result == "applied", first.message
    assert first.plan is not None and first.outcome is not None and not first.outcome.failed
    whys = {(c.subdomain, c.new.value if c.new else ""): c.why for c in first.plan.creates}
    assert whys[("www", "203.0.113.10")] == "new value, ttl 300 -> 600 (plan minimum)"
    assert whys[("slow", "192.0.2.9")] == "new value"
    assert "2 records published with the plan's minimum TTL (300 -> 600)" in first.message
    assert managed(fake) == [("slow", "A", "192.0.2.9", 3600), ("www", "A", "203.0.113.10", 600),
                             ("www", "A", "203.0.113.11", 600)]  # fmt: skip
    fake.calls.clear()
    (second,) = runner_for(apply=True).run()
    assert second.result == "in-sync" and sum(fake.calls[a] for a in WRITES) == 0


def test_a_plan_over_the_balance_count_is_refused_at_plan_time(
    store: ZoneStore, zone: str, fake: FakeDnspod, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    fake.account.domains[ZONE].balance = 1
    fake.add_record(ZONE, "www", "A", "198.51.100.1")  # a console value counts too
    put(store, "www", "A", pool="istio-ingressgateway")  # two public addresses
    put(store, "api", "A", ["192.0.2.7"])
    for _ in range(2):
        code, out, _ = run(capsys, "sync", "dnspod", "--apply")
        assert code == 1 and f"zone {ZONE}: over-limit" in out
        assert "www A needs 3 records; the DP_ULTRA plan allows 1 per name and type" in out
        assert "--force does not override a plan limit" in out
        assert sum(fake.calls[a] for a in WRITES) == 0 and managed(fake) == []
