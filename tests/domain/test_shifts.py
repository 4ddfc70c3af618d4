"""The shift state machine (pure): weights per step, validation, rollback to the last good
step, controls."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnsd.domain.errors import InvalidInput
from dnsd.domain.shifts import (
    ORIGINAL,
    Shift,
    ShiftRecord,
    advance,
    check_steps,
    control,
    is_due,
    parse_duration,
    targets_at,
    watch,
)
from dnsd.domain.targets import Target

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
RECORD = ShiftRecord("example.com", "www.example.com", "A", (Target("legacy", 1),))


def shift(step: int = ORIGINAL, status: str = "running") -> Shift:
    return Shift(1, status, "istio", (5, 25, 50, 100), 600.0, step, (RECORD,), None)  # type: ignore[arg-type]


def test_targets_per_step() -> None:
    assert targets_at(RECORD, "istio", 0) == (Target("legacy", 1),)
    assert targets_at(RECORD, "istio", 25) == (Target("legacy", 75), Target("istio", 25))
    assert targets_at(RECORD, "istio", 100) == (Target("istio", 1),)
    split = ShiftRecord("z", "n", "A", (Target("a", 2), Target("b", 1), Target("istio", 5)))
    assert targets_at(split, "istio", 10) == (Target("a", 60), Target("b", 30), Target("istio", 10))


@given(
    st.lists(st.integers(1, 1000), min_size=1, max_size=5),
    st.integers(1, 99),
)
def test_weights_always_add_up_to_100(weights: list[int], percent: int) -> None:
    record = ShiftRecord("z", "n", "A", tuple(Target(f"p{i}", w) for i, w in enumerate(weights)))
    got = targets_at(record, "istio", percent)
    assert sum(t.weight for t in got) == 100 and got[-1] == Target("istio", percent)


@pytest.mark.parametrize(
    ("steps", "every", "field"),
    [([], 60, "steps"), ([50, 20, 100], 60, "steps"), ([5, 50], 60, "steps"), ([0, 100], 60, "steps"),
     ([5, 100], -1, "every"), ([5, 100], True, "every")],
)  # fmt: skip
def test_bad_steps_name_the_field(steps: list[int], every: float, field: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        check_steps(steps, every)
    assert [r.field for r in bad.value.reasons] == [field]


def test_durations() -> None:
    assert [parse_duration(t) for t in ("10m", "30s", "1h", "2d", "45")] == [600, 30, 3600, 172800, 45]
    with pytest.raises(InvalidInput):
        parse_duration("soon")


def test_steps_advance_then_complete() -> None:
    move = advance(shift(), NOW, [])
    assert move.step == 0 and move.shift.percent == 5 and move.shift.next_at == NOW + dt.timedelta(minutes=10)
    assert not is_due(move.shift, NOW) and is_due(move.shift, NOW + dt.timedelta(minutes=10))
    last = advance(shift(2), NOW, [])
    assert last.step == 3 and last.shift.status == "completed" and last.shift.next_at is None
    assert [h["event"] for h in last.shift.history] == ["step", "completed"]


def test_failures_roll_back_to_the_last_good_step() -> None:
    first = advance(shift(), NOW, ["www via 10.0.0.1: HTTP 404"])
    assert first.step is None and first.shift.status == "rolled_back" and first.shift.percent == 0
    later = advance(shift(2), NOW, ["x"])
    assert later.step == 1 and later.shift.percent == 25 and later.shift.reason == "x"
    during = watch(shift(0), NOW, ["www via 10.0.0.1"])
    assert during is not None and during.step == ORIGINAL and during.shift.status == "rolled_back"
    assert watch(shift(0), NOW, []) is None and watch(shift(), NOW, ["x"]) is None


def test_controls() -> None:
    paused = control(shift(1), "pause", NOW, "user:a")
    assert paused.shift.status == "paused" and paused.step is None
    with pytest.raises(InvalidInput) as bad:
        control(paused.shift, "pause", NOW, "user:a")
    assert bad.value.reasons[0].field == "action"
    resumed = control(paused.shift, "resume", NOW, "user:a")
    assert resumed.shift.status == "running" and resumed.shift.next_at == NOW + dt.timedelta(minutes=10)
    aborted = control(shift(1), "abort", NOW, "user:a")
    assert aborted.step == ORIGINAL and aborted.shift.status == "aborted" and "user:a" in aborted.shift.reason
    with pytest.raises(InvalidInput):
        control(aborted.shift, "resume", NOW, "user:a")
