"""The IXFR journal kept beside the snapshot: bounded per zone, idempotent over overlapping
fills, forgetting a deleted zone."""

from __future__ import annotations

import datetime as dt

from dnsd.domain.changes import Change, ZoneChange
from dnsd.xfr.journal import Journal

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def change(change_id: int, *zones: ZoneChange) -> Change:
    return Change(change_id, NOW, "test", None, "record.update", "x", None, None, zones)


def step(zone: str, prev: int | None, serial: int | None) -> ZoneChange:
    return ZoneChange(zone, prev, serial, (), ((f"x.{zone}", "A", 60, "192.0.2.1"),))


def test_the_journal_keeps_each_zones_steps_in_order() -> None:
    journal = Journal()
    journal.remember(
        [change(1, step("a.example", None, 1)), change(2, step("a.example", 1, 2), step("b.example", 5, 6))]
    )
    journal.remember([change(2, step("a.example", 1, 2)), change(3, step("a.example", 2, 3))])  # overlap
    assert [z.serial for z in journal.history("a.example")] == [1, 2, 3]
    assert [z.serial for z in journal.history("b.example")] == [6]
    assert journal.cursor == 3 and journal.history("c.example") == []


def test_the_journal_is_bounded_and_forgets_deleted_zones() -> None:
    journal = Journal(per_zone=3)
    journal.remember(change(i, step("a.example", i - 1, i)) for i in range(1, 11))
    assert [z.serial for z in journal.history("a.example")] == [8, 9, 10]
    journal.remember([change(11, step("a.example", 10, None))])
    assert journal.history("a.example") == []
