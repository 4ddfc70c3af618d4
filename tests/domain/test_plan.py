"""The one delete brake: the Kubernetes planner and the DNSPod sync refuse the same plans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.plan import DELETE, DeleteBrake, Plan, Step
from dnsd.domain.records import make_rrset
from dnsd.k8s.plan import Safety, UnsafePlan
from dnsd.sync.plan import ZonePlan


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
