"""Concurrent writers: no lost update, serials strictly increasing in commit order, one owner."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from dnsd.domain.errors import Conflict
from dnsd.domain.zones import Zone, serial_gt
from dnsd.store.records import PutResult, RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.store.conftest import OTHER, OWNER, ZONE, put

T = TypeVar("T")
WAIT = 60.0  # seconds; a bound, not a timing assertion


def run_together(calls: list[Callable[[], T]]) -> list[T | Exception]:
    """Run every call in its own thread, released at once; return results or raised errors."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | Exception:
        barrier.wait(timeout=WAIT)
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the caller inspects what each thread got
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result(timeout=WAIT) for f in futures]


def test_twenty_writers_in_one_zone_lose_nothing(store: ZoneStore, zone: Zone) -> None:
    start = store.last_change_id()
    names = [f"svc{i:02d}.hello-web.com" for i in range(20)]
    results = run_together([partial(put, store, n) for n in names])

    assert all(isinstance(r, PutResult) and r.created for r in results), results
    rrsets, total = store.list_rrsets(RecordFilter(zone=ZONE), limit=100)
    assert total == 20
    assert sorted(r.name for r in rrsets) == names

    changes = store.list_changes(after_id=start)
    assert len(changes) == 20
    assert [c.id for c in changes] == sorted(c.id for c in changes)
    serials = [c.zones[0].serial or 0 for c in changes]
    prevs = [c.zones[0].prev_serial for c in changes]
    assert all(serial_gt(later, earlier) for earlier, later in itertools.pairwise(serials))
    assert prevs == [zone.serial, *serials[:-1]]  # each change starts from the one before it
    assert store.get_zone(ZONE).serial == serials[-1]
    assert sorted(r.serial for r in results if isinstance(r, PutResult)) == sorted(serials)


def test_two_owners_racing_for_one_name(store: ZoneStore, zone: Zone) -> None:
    for i in range(5):
        name = f"race{i}.hello-web.com"
        results = run_together(
            [partial(put, store, name, owner=OWNER), partial(put, store, name, owner=OTHER)]
        )
        winners = [r for r in results if isinstance(r, PutResult)]
        losers = [r for r in results if isinstance(r, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert winners[0].created
        assert losers[0].holder == winners[0].rrset.owner
        [held], total = store.list_rrsets(RecordFilter(name=name))
        assert total == 1 and held.owner == winners[0].rrset.owner
        assert (
            len(store.list_changes(zone=ZONE, owner=OWNER)) + len(store.list_changes(zone=ZONE, owner=OTHER))
            == i + 1
        )


def test_same_owner_racing_with_the_same_content_writes_once(store: ZoneStore, zone: Zone) -> None:
    start = store.last_change_id()
    results = run_together([partial(put, store, "same.hello-web.com")] * 6)
    assert all(isinstance(r, PutResult) for r in results), results
    assert sum(1 for r in results if isinstance(r, PutResult) and r.changed) == 1
    assert len(store.list_changes(after_id=start)) == 1
