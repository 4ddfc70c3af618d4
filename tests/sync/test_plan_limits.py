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


# DescribeDomainPurview's documented example (zh-CN), values as strings, in the documented order.
DOCUMENTED_ZH = [("URL转发条数", "10"), ("NS记录条数", "99999"), ("AAAA记录条数", "99999"),
                 ("SRV记录条数", "99999"), ("域名别名绑定个数", "10"), ("域名锁定天数", "365"),
                 ("域名共享个数", "1000"), ("子域名级数", "12"), ("泛解析级数", "10"), ("负载均衡数量", "60"),
                 ("记录TTL最低", "1"), ("混合泛解析支持", "yes"), ("增强线路类型", "yes"),
                 ("分省线路类型", "yes"), ("分大洲线路类型", "yes")]  # fmt: skip
# The English page's names (it shows no English name for the TTL minimum).
DOCUMENTED_EN = [("URL Forward", "10"), ("NS record count", "1999"), ("AAAA record count", "1999"),
                 ("SRV record count", "1999"), ("domain alias count", "10"), ("max domain lock days", "365"),
                 ("max domain share count", "1000"), ("max sub domain level", "12"),
                 ("max Spread Record level", "10"), ("max DNS balance count", "60")]  # fmt: skip


def test_the_purview_names_the_limits() -> None:
    chinese = limits_from_purview("DP_ULTRA", DOCUMENTED_ZH)
    assert (chinese.min_ttl, chinese.max_values) == (1, 60)
    assert chinese.max_per_type == {"NS": 99999, "AAAA": 99999, "SRV": 99999}
    free = limits_from_purview("DP_FREE", [*DOCUMENTED_ZH[:10], ("记录TTL最低", "600")])
    assert (free.grade, free.min_ttl, free.max_values) == ("DP_FREE", 600, 60)
    english = limits_from_purview("dp_plus", DOCUMENTED_EN)
    assert (english.grade, english.max_values) == ("DP_PLUS", 60)
    assert english.max_per_type == {"NS": 1999, "AAAA": 1999, "SRV": 1999}
    # The TTL entry is read whatever its language: any name about TTL that is not a maximum.
    for name in ("Min TTL", "record TTL minimum", "TTL最低"):
        assert limits_from_purview("DP_PLUS", [*DOCUMENTED_EN, (name, "120")]).min_ttl == 120
    assert limits_from_purview("DP_PLUS", [("max TTL", "86400")]).min_ttl == 600


def test_without_a_ttl_entry_the_minimum_is_the_free_plans() -> None:
    """No per-grade table is documented: without the entry every grade gets 600 s, a raise that
    costs only caching time (a TTL too low would fail every run)."""
    for grade in ("DP_FREE", "DP_PLUS", "DP_EXPERT", "DP_ULTRA", "D_FREE", ""):
        assert limits_from_purview(grade, DOCUMENTED_EN).min_ttl == 600
        assert limits_from_purview(grade, []).min_ttl == 600


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


def test_the_ttl_minimum_comes_from_the_purview_not_the_grade(
    store: ZoneStore, zone: str, fake: FakeDnspod, runner_for: RunnerFactory
) -> None:
    """The domain's 记录TTL最低 decides (900 here), read from DescribeDomainPurview asked in
    zh-CN; a record under it would be refused with LimitExceeded.RecordTtlLimit on every run."""
    fake.account.domains[ZONE].grade, fake.account.domains[ZONE].min_ttl = "DP_FREE", 900
    put(store, "www", "A", ["192.0.2.1"], ttl=300)
    (first,) = runner_for(apply=True).run()
    assert first.result == "applied", first.message
    assert first.outcome is not None and not first.outcome.failed
    assert managed(fake) == [("www", "A", "192.0.2.1", 900)]
    assert fake.calls["DescribeDomainPurview"] == 1
    fake.calls.clear()
    (second,) = runner_for(apply=True).run()
    assert second.result == "in-sync" and sum(fake.calls[a] for a in WRITES) == 0
