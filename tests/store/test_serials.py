"""Serials (SQLite and PostgreSQL): one change is one bump, whatever its size (seed, zone-file
import, bulk put), the three serial policies, switching between them, and import --keep-serial."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from pathlib import Path

import pytest

from dnsd.domain.records import make_rrset
from dnsd.domain.zones import SERIAL_POLICIES, SerialPolicy, serial_gt
from dnsd.export.importfile import read_zone_file
from dnsd.services.seed import seed_file
from dnsd.store.bulk import BulkOps
from dnsd.store.zone_import import ZoneImportOps
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore

ZONE = "serials.test"
ACTOR = "test"


def with_policy(store: ZoneStore, policy: SerialPolicy) -> ZoneStore:
    return ZoneStore(store.engine, store.limits, policy)


def serial(store: ZoneStore, zone: str = ZONE) -> int:
    return store.get_zone(zone).serial


def today() -> int:
    return int(dt.datetime.now(dt.UTC).strftime("%Y%m%d")) * 100


def zone_file(serial: int, records: int, refresh: int = 3600) -> str:
    lines = [
        "$TTL 300",
        f"{ZONE}. IN SOA ns.{ZONE}. hostmaster.{ZONE}. {serial} {refresh} 600 86400 300",
        f"{ZONE}. IN NS ns.{ZONE}.",
        f"ns.{ZONE}. IN A 192.0.2.1",
    ]
    lines += [f"h{i}.{ZONE}. IN A 10.0.{i // 250}.{i % 250 + 1}" for i in range(records)]
    return "\n".join(lines) + "\n"


def test_a_seed_of_500_records_is_one_bump(store: ZoneStore, tmp_path: Path) -> None:
    records = "\n".join(
        f"  - {{name: h{i}.{ZONE}, type: A, values: ['10.0.{i // 250}.{i % 250 + 1}']}}" for i in range(500)
    )
    path = tmp_path / "seed.yaml"
    path.write_text(f"owner: ci:seed\nzones:\n  - name: {ZONE}\n    ns: [ns1.{ZONE}]\nrecords:\n{records}\n")
    before = store.last_change_id()
    outcome = seed_file(store, path, ACTOR)
    # one change creates the zone (its first serial), one puts the 500 records (one bump)
    assert store.last_change_id() == before + 2
    assert outcome.serials[ZONE] == serial(store) == today() + 1
    path.write_text(path.read_text().replace("10.0.0.1'", "10.9.9.9'"))  # change one record
    seed_file(store, path, ACTOR)
    assert serial(store) == today() + 2


def test_a_seed_into_an_existing_zone_is_one_bump(store: ZoneStore, tmp_path: Path) -> None:
    store.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), ACTOR)
    first = serial(store)
    records = "\n".join(f"  - {{name: h{i}.{ZONE}, type: TXT, values: ['\"{i}\"']}}" for i in range(60))
    path = tmp_path / "seed.yaml"
    path.write_text(f"owner: ci:seed\nrecords:\n{records}\n")
    seed_file(store, path, ACTOR)
    assert serial(store) == first + 1


def test_an_import_is_one_bump_even_when_it_changes_the_zone_settings(store: ZoneStore) -> None:
    ops = ZoneImportOps(store.engine, store.limits)
    ops.apply_zone_import(read_zone_file(zone_file(1, 5), "import:a"), ACTOR)
    created = serial(store)
    assert created == today()  # a new zone: its first serial, no bump on top
    # new SOA timers and 200 more records: one zone.update step carries the only bump
    ops.apply_zone_import(read_zone_file(zone_file(1, 205, refresh=7200), "import:a"), ACTOR)
    assert serial(store) == created + 1
    assert store.get_zone(ZONE).refresh == 7200
    ops.apply_zone_import(read_zone_file(zone_file(1, 300), "import:a"), ACTOR)
    assert serial(store) == created + 2


def test_import_goes_past_a_newer_file_serial_or_keeps_it(store: ZoneStore) -> None:
    ops = ZoneImportOps(store.engine, store.limits)
    ops.apply_zone_import(read_zone_file(zone_file(2030010155, 3), "import:a"), ACTOR)
    assert serial(store) == 2030010156  # secondaries holding the file's serial still transfer
    store.delete_zone(ZONE, ACTOR, force=True)
    ops.apply_zone_import(read_zone_file(zone_file(2030010155, 3), "import:a"), ACTOR, keep_serial=True)
    assert serial(store) == 2030010155  # a new zone keeps the file's serial exactly
    ops.apply_zone_import(
        read_zone_file(zone_file(2030010170, 4, refresh=900), "import:a"), ACTOR, keep_serial=True
    )
    assert serial(store) == 2030010170  # a newer file: its serial, settings change included
    ops.apply_zone_import(read_zone_file(zone_file(2030010100, 6), "import:a"), ACTOR, keep_serial=True)
    assert serial(store) == 2030010171  # ours is higher: raised by one bump, never lowered


@pytest.mark.parametrize("policy", SERIAL_POLICIES)
def test_each_policy_bumps_once_per_change(store: ZoneStore, policy: SerialPolicy) -> None:
    policed = with_policy(store, policy)
    start = int(time.time())
    policed.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), ACTOR)
    first = serial(store)
    expected_first = {"date": today(), "increment": 1}.get(policy)
    if expected_first is not None:
        assert first == expected_first
    else:
        assert start <= first <= int(time.time())
    policed.put_rrset(make_rrset(f"a.{ZONE}", "A", 300, "ci:x", ["192.0.2.1"]), ACTOR)
    second = serial(store)
    assert serial_gt(second, first)
    if policy != "unixtime":
        assert second == first + 1
    else:
        assert second == max(first + 1, second) and second <= max(first + 1, int(time.time()))
    bulk = BulkOps(store.engine, store.limits, policy)
    bulk.put_many([make_rrset(f"b{i}.{ZONE}", "A", 300, "ci:x", ["192.0.2.2"]) for i in range(50)], ACTOR)
    third = serial(store)
    assert serial_gt(third, second)
    assert third == second + 1 or (policy == "unixtime" and third <= int(time.time()))


def test_switching_policies_never_goes_backwards(store: ZoneStore) -> None:
    by_date = with_policy(store, "date")
    by_date.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), ACTOR)
    seen = [serial(store)]
    for policy in ("unixtime", "increment", "date", "unixtime", "date"):
        policed = with_policy(store, policy)  # type: ignore[arg-type]
        policed.put_rrset(make_rrset(f"{policy}.{ZONE}", "TXT", 300, "ci:x", [f'"{len(seen)}"']), ACTOR)
        seen.append(serial(store))
    assert all(serial_gt(b, a) for a, b in itertools.pairwise(seen))
    # a date serial (about 2.0e9) is ahead of the clock (about 1.8e9): unixtime counts up from it
    assert seen[1] == seen[0] + 1


def test_increment_from_unixtime_then_back_to_date(store: ZoneStore) -> None:
    by_time = with_policy(store, "unixtime")
    by_time.create_zone(make_zone(ZONE, [f"ns1.{ZONE}"]), ACTOR)
    assert serial(store) < today()  # the clock's serial is below today's date serial
    with_policy(store, "date").put_rrset(make_rrset(f"a.{ZONE}", "A", 300, "ci:x", ["192.0.2.1"]), ACTOR)
    assert serial(store) == today()  # date is newer: it jumps forward
