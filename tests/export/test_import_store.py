"""Importing zone files into the store (SQLite and PostgreSQL): plans, one transaction, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.importplan import ADD, CHANGE, CONFLICT, UNCHANGED
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import build_zone
from dnsd.domain.zones import serial_gt
from dnsd.export.importfile import read_zone_file
from dnsd.export.render import render_zone_file
from dnsd.store.records import RecordFilter
from dnsd.store.zone_import import ImportConflict, ZoneImportOps
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.export.zones import create_demo

FILES = Path(__file__).parent / "files"
OWNER = "import:legacy.example.zone"


@pytest.fixture
def importer(store: ZoneStore) -> ZoneImportOps:
    return ZoneImportOps(store.engine, store.limits)


def legacy() -> str:
    return (FILES / "legacy.example.zone").read_text()


def export_text(store: ZoneStore, zone: str) -> str:
    state = store.load_state([zone])
    z, rrsets = state.zones[zone]
    return render_zone_file(build_zone(z, rrsets, state.pools))


def without_serial(text: str) -> list[str]:
    return [line for line in text.splitlines() if "serial" not in line]


def test_import_creates_the_zone_in_one_change(store: ZoneStore, importer: ZoneImportOps) -> None:
    data = read_zone_file(legacy(), OWNER)
    plan = importer.apply_zone_import(data, actor="test")
    assert plan.create_zone and plan.count(ADD) == len(data.rrsets) == 20
    zone = store.get_zone("legacy.example")
    assert serial_gt(zone.serial, 2024061503)  # past the file's serial: secondaries still transfer
    assert zone.ns == ("ns1.legacy.example", "ns2.legacy.example", "ns.backup-dns.example.net")
    rrsets, total = store.list_rrsets(RecordFilter(zone="legacy.example"), limit=100)
    assert total == 20 and {r.owner for r in rrsets} == {OWNER}
    changes = store.list_changes(zone="legacy.example")
    assert [c.action for c in changes] == ["zone.import"]
    (zc,) = changes[0].zones
    assert zc.prev_serial is None and zc.serial == zone.serial
    assert ("www.legacy.example", "CNAME", 600, "legacy.example.") in zc.added


def test_importing_the_same_file_again_writes_nothing(store: ZoneStore, importer: ZoneImportOps) -> None:
    importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    before = (store.last_change_id(), store.get_zone("legacy.example").serial)
    plan = importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    assert not plan.writes and plan.count(UNCHANGED) == 20
    assert (store.last_change_id(), store.get_zone("legacy.example").serial) == before


def test_exported_zone_imports_as_a_no_op(store: ZoneStore, importer: ZoneImportOps) -> None:
    create_demo(store)
    before = store.last_change_id()
    text = export_text(store, "hello-web.com")
    plan = importer.apply_zone_import(read_zone_file(text, "import:other"), actor="test")
    # pool-backed RRsets owned by someone else count as unchanged: same answers
    assert plan.clean and not plan.writes and plan.count(UNCHANGED) == len(plan.items) == 13
    assert store.last_change_id() == before
    assert export_text(store, "hello-web.com") == text


def test_export_delete_import_export_is_identical(store: ZoneStore, importer: ZoneImportOps) -> None:
    create_demo(store)
    text = export_text(store, "hello-web.com")
    store.delete_zone("hello-web.com", "test", force=True)
    importer.apply_zone_import(read_zone_file(text, "import:file"), actor="test")
    again = export_text(store, "hello-web.com")
    assert without_serial(again) == without_serial(text)
    assert again != text  # the serial moved on


def test_conflicting_owner_blocks_the_whole_import(store: ZoneStore, importer: ZoneImportOps) -> None:
    importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    store.put_rrset(make_rrset("new.legacy.example", "A", 60, "k8s:ns/svc/new", ["10.0.0.1"]), "test")
    before = store.last_change_id()
    text = legacy().replace("www     600", "www     900") + "new A 192.0.2.99\nbrand-new A 192.0.2.98\n"
    with pytest.raises(ImportConflict) as info:
        importer.apply_zone_import(read_zone_file(text, OWNER), actor="test")
    plan = info.value.plan
    conflict = next(i for i in plan.items if i.action == CONFLICT)
    assert (conflict.new.name, conflict.holder) == ("new.legacy.example", "k8s:ns/svc/new")
    assert conflict.line == 45 and info.value.holder == "k8s:ns/svc/new"
    assert plan.count(ADD) == 1 and plan.count(CHANGE) == 1
    assert store.last_change_id() == before
    names = {r.name for r in store.list_rrsets(RecordFilter(zone="legacy.example"), limit=100)[0]}
    assert "brand-new.legacy.example" not in names


def test_changes_by_the_same_owner_are_applied_as_one_ixfr_step(
    store: ZoneStore, importer: ZoneImportOps
) -> None:
    importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    serial = store.get_zone("legacy.example").serial
    text = legacy().replace("www     600     CNAME   @", "www     900     CNAME   @") + "extra A 192.0.2.77\n"
    plan = importer.apply_zone_import(read_zone_file(text, OWNER), actor="test")
    assert (plan.count(CHANGE), plan.count(ADD), plan.zone_changes) == (1, 1, {})
    last = store.list_changes(zone="legacy.example")[-1]
    (zc,) = last.zones
    assert (last.action, zc.prev_serial) == ("zone.import", serial)
    assert zc.removed == (("www.legacy.example", "CNAME", 600, "legacy.example."),)
    assert set(zc.added) == {
        ("www.legacy.example", "CNAME", 900, "legacy.example."),
        ("extra.legacy.example", "A", 300, "192.0.2.77"),  # $TTL 5m is in force at the end
    }


def test_zone_settings_and_a_newer_file_serial(store: ZoneStore, importer: ZoneImportOps) -> None:
    store.create_zone(make_zone("legacy.example", ["ns1.legacy.example"], refresh=100), "test")
    text = legacy().replace("2024061503", "4000000000")
    plan = importer.apply_zone_import(read_zone_file(text, OWNER), actor="test")
    assert plan.zone_changes["refresh"] == (100, 10800)
    assert plan.serial_floor == 4000000000
    zone = store.get_zone("legacy.example")
    assert zone.refresh == 10800 and len(zone.ns) == 3
    assert serial_gt(zone.serial, 4000000000)
    actions = [c.action for c in store.list_changes(zone="legacy.example")]
    assert actions == ["zone.create", "zone.update", "zone.import"]


def test_ns_order_is_not_a_change(store: ZoneStore, importer: ZoneImportOps) -> None:
    importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    swapped = (
        legacy()
        .replace("        IN      NS      ns1\n", "")
        .replace(
            "                NS      ns.backup-dns.example.net.\n",
            "                NS      ns.backup-dns.example.net.\n        IN      NS      ns1\n",
        )
    )
    assert swapped != legacy()
    plan = importer.plan_zone_import(read_zone_file(swapped, OWNER))
    assert plan.zone_changes == {} and not plan.writes


def test_dry_run_plans_without_writing(store: ZoneStore, importer: ZoneImportOps) -> None:
    plan = importer.plan_zone_import(read_zone_file(legacy(), OWNER))
    assert plan.create_zone and plan.count(ADD) == 20
    assert store.list_zones() == [] and store.last_change_id() == 0


def test_placement_against_existing_rrsets_is_a_conflict(store: ZoneStore, importer: ZoneImportOps) -> None:
    importer.apply_zone_import(read_zone_file(legacy(), OWNER), actor="test")
    store.put_rrset(make_rrset("solo.legacy.example", "CNAME", 60, OWNER, ["www.legacy.example"]), "test")
    with pytest.raises(ImportConflict) as info:
        importer.apply_zone_import(read_zone_file(legacy() + "solo TXT hello\n", OWNER), actor="test")
    (conflict,) = [i for i in info.value.plan.items if i.action == CONFLICT]
    assert "CNAME" in conflict.reason and conflict.holder is None


def test_a_zone_named_with_a_star_label_imports_and_stays_editable(
    store: ZoneStore, importer: ZoneImportOps
) -> None:
    # issue 10: what bind9 and NSD load, the import accepts; the zone's stored names stay valid
    # through later updates, while names the API is given now still follow its rules
    plan = importer.apply_zone_import(
        read_zone_file((FILES / "example.star.zone").read_text(), OWNER), "test"
    )
    assert plan.create_zone and any("example.*" in w for w in plan.warnings)
    zone = store.get_zone("example.*")
    assert (zone.ns, zone.mname, zone.rname) == (("ns.campus",), "ns.example.*", "hostmaster.example.*")
    assert store.update_zone("example.*", "test", ttl=600).ttl == 600
    with pytest.raises(InvalidInput) as bad:
        store.update_zone("example.*", "test", ns=["my_host.campus"], refresh=-1)
    assert {r.field for r in bad.value.reasons} == {"ns.0", "refresh"}  # every problem at once
    importer.apply_zone_import(read_zone_file((FILES / "email.zone").read_text(), OWNER), "test")
    assert store.get_zone("email").ns == ("mybankcard.www.campus.*", "ns.email")
