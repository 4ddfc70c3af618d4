"""One plan shape and one delete brake: the seed, the zone-file import, the Kubernetes planner
and the DNSPod sync all plan a :class:`Plan`, and the brake refuses the same counts for each."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.importplan import ZoneFileData, plan_import
from dnsd.domain.plan import CREATE, DELETE, UPDATE, DeleteBrake, Plan, Step
from dnsd.domain.records import RRset, make_rrset
from dnsd.domain.zones import Zone
from dnsd.k8s.desired import Derivation
from dnsd.k8s.plan import Safety, Scope, UnsafePlan, make_plan
from dnsd.services.seedfile import Entry, SeedFile
from dnsd.services.seedplan import Current, plan_seed
from dnsd.sync.desired import DesiredZone
from dnsd.sync.plan import ZonePlan, as_plan, plan_zone
from dnsd.sync.records import RecordSpec, RemoteRecord


def _k8s_refuses(deletes: int, existing: int) -> bool:
    rrset = make_rrset("a.example.com", "A", 300, "k8s:ns/Service/web", ["192.0.2.1"])
    try:
        Safety().check(Plan(tuple(Step(DELETE, rrset) for _ in range(deletes))), existing)
    except UnsafePlan:
        return True
    return False


def _sync_refuses(touched: int, managed: int) -> bool:
    return ZonePlan("example.com", managed=managed, touched=touched).unsafe(DeleteBrake()) is not None


@pytest.mark.parametrize(
    ("removed", "existing", "refused"),
    [(3, 10, False), (4, 10, True), (9, 9, False), (30, 100, False), (31, 100, True), (0, 0, False)],
)
def test_the_brake_refuses_over_the_share_once_there_are_enough_records(
    removed: int, existing: int, refused: bool
) -> None:
    brake = DeleteBrake()
    assert brake.refuses(removed, existing) is refused
    reason = brake.reason("the plan deletes", removed, existing)
    if refused:
        assert reason == f"the plan deletes {removed} of {existing} managed records (more than 30%)"
    else:
        assert reason is None


@given(st.integers(0, 60), st.integers(0, 60))
def test_kubernetes_and_sync_brake_alike(removed: int, existing: int) -> None:
    expected = DeleteBrake().refuses(removed, existing)
    assert _k8s_refuses(removed, existing) is expected
    assert _sync_refuses(removed, existing) is expected


# The four planners on real small inputs: ten records exist, the plan changes ``removed`` of
# them (deletes them where the planner deletes, updates them where it never does).
ZONE = Zone("example.com", 1, ("ns1.example.com",), "ns1.example.com", "hostmaster.example.com")
MARK = "dnsd:test"


def _host(i: int) -> str:
    return f"h{i}.example.com"


def _existing(owner: str, n: int = 10) -> list[RRset]:
    return [make_rrset(_host(i), "A", 300, owner, ["192.0.2.1"]) for i in range(n)]


def _k8s_plan(removed: int) -> Plan:
    existing = _existing("k8s:ns/Service/web")
    return make_plan(Derivation(), ["example.com"], existing[:removed], [], Scope())


def _seed_plan(removed: int) -> Plan:
    wanted = [make_rrset(_host(i), "A", 300, "seed:demo", ["192.0.2.2"]) for i in range(removed)]
    seed = SeedFile(records=tuple(Entry(f"records[{i}]", r) for i, r in enumerate(wanted)))
    current = Current({"example.com": ZONE}, {}, {r.name: [r] for r in _existing("seed:demo")})
    plan, problems = plan_seed(seed, current)
    assert problems == []
    return plan.plan


def _import_plan(removed: int) -> Plan:
    wanted = [make_rrset(_host(i), "A", 300, "import:f", ["192.0.2.2"]) for i in range(removed)]
    data = ZoneFileData(ZONE, tuple(wanted), tuple(10 + i for i in range(len(wanted))))
    return plan_import(data, ZONE, _existing("import:f"), {}).plan


def _sync_plan(removed: int) -> tuple[ZonePlan, Plan]:
    held = [RemoteRecord(i + 1, f"h{i}", "A", "192.0.2.1", 600, remark=MARK) for i in range(10)]
    desired = DesiredZone(
        "example.com", tuple(RecordSpec(f"h{i}", "A", "192.0.2.1", 600) for i in range(removed, 10))
    )
    zone_plan = plan_zone(desired, held, MARK)
    return zone_plan, as_plan(zone_plan)


def test_every_planner_plans_the_shared_shape() -> None:
    k8s, seed, imported = _k8s_plan(4), _seed_plan(4), _import_plan(4)
    zone_plan, synced = _sync_plan(4)
    for plan in (k8s, seed, imported, synced):
        assert isinstance(plan, Plan)
        assert all(isinstance(step, Step) for step in plan.steps)
    assert (k8s.count(DELETE), k8s.count(CREATE)) == (4, 0)
    assert (seed.count(UPDATE), seed.count(DELETE)) == (4, 0)
    assert [s.label for s in seed.steps] == ["records[0]", "records[1]", "records[2]", "records[3]"]
    assert (imported.count(UPDATE), imported.count(DELETE), len(imported.unchanged)) == (4, 0, 0)
    assert [s.label for s in imported.steps] == ["line 10", "line 11", "line 12", "line 13"]
    assert all(s.old is not None and s.old.value_texts() == ["192.0.2.1"] for s in imported.steps)
    assert synced.count(DELETE) == len(zone_plan.deletes) == 4
    assert [s.rrset.name for s in synced.steps] == [_host(i) for i in range(4)]
    assert [s.label for s in synced.steps] == ["record 1", "record 2", "record 3", "record 4"]


def test_an_import_conflict_is_a_problem_naming_the_holder_and_the_refused_step() -> None:
    wanted = make_rrset(_host(0), "A", 300, "import:f", ["192.0.2.2"])
    data = ZoneFileData(ZONE, (wanted,), (12,))
    imported = plan_import(data, ZONE, _existing("k8s:ns/Service/web", 1), {})
    (problem,) = imported.plan.problems
    assert (problem.holder, problem.host, problem.field) == ("k8s:ns/Service/web", _host(0), "line 12")
    assert problem.step is not None and (problem.step.action, problem.step.label) == (UPDATE, "line 12")
    assert imported.plan.steps == () and not imported.clean


def _removed(plan: Plan) -> int:
    """What the brake weighs in a plan: the records it deletes."""
    return plan.count(DELETE)


@pytest.mark.parametrize("removed", [0, 3, 4, 10])
def test_the_brake_refuses_the_same_counts_for_every_planner(removed: int) -> None:
    brake = DeleteBrake()
    refused = brake.refuses(removed, 10)  # ten records exist in each
    assert refused is (removed >= 4)
    k8s = _k8s_plan(removed)
    assert _removed(k8s) == removed
    try:
        Safety(brake).check(k8s, 10)
    except UnsafePlan:
        assert refused
    else:
        assert not refused
    zone_plan, synced = _sync_plan(removed)
    assert _removed(synced) == zone_plan.touched == removed
    assert (zone_plan.unsafe(brake) is not None) is refused
    # The seed and the import never delete: what they rewrite is never weighed by the brake.
    for plan in (_seed_plan(removed), _import_plan(removed)):
        assert _removed(plan) == 0 and plan.count(UPDATE) == removed
        assert brake.reason("the plan deletes", _removed(plan), 10) is None
