"""``dnsd export`` and ``dnsd import`` as an operator runs them (the command in-process, both backends)."""

from __future__ import annotations

import json
from pathlib import Path

from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.export.zones import create_demo, named_checkzone
from tests.helpers import Run, dnsd_env, run_dnsd

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).parent / "files"


def dnsd(db_url: str, *args: str) -> Run:
    return run_dnsd(args, dnsd_env(db_url))


def test_export_writes_files_that_named_checkzone_accepts(
    store: ZoneStore, db_url: str, tmp_path: Path
) -> None:
    create_demo(store)
    create_demo(store, "other.example")
    done = dnsd(db_url, "export", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "written",
        str(tmp_path / "hello-web.com.zone"),
        "written",
        str(tmp_path / "other.example.zone"),
    ]
    for zone in ("hello-web.com", "other.example"):
        check = named_checkzone(zone, tmp_path / f"{zone}.zone")
        assert check.returncode == 0, check.stdout + check.stderr
    again = dnsd(db_url, "export", "--dir", str(tmp_path), "--zone", "hello-web.com")
    assert again.stdout.split() == ["unchanged", str(tmp_path / "hello-web.com.zone")]


def test_export_runs_the_command_only_for_changed_files(
    store: ZoneStore, db_url: str, tmp_path: Path
) -> None:
    create_demo(store)
    log = tmp_path / "reloads.log"
    command = f"sh -c 'echo {{zone}} {{file}} >> {log}'"
    out = tmp_path / "zones"
    assert dnsd(db_url, "export", "--dir", str(out), "--command", command).returncode == 0
    assert dnsd(db_url, "export", "--dir", str(out), "--command", command).returncode == 0
    assert log.read_text().splitlines() == [f"hello-web.com {out / 'hello-web.com.zone'}"]


def test_export_reports_a_failing_command(store: ZoneStore, db_url: str, tmp_path: Path) -> None:
    create_demo(store)
    done = dnsd(
        db_url,
        "export",
        "--dir",
        str(tmp_path),
        "--command",
        "sh -c 'echo rndc: connection refused >&2; exit 7'",
    )
    assert done.returncode == 1
    assert "exited with 7" in done.stderr and "rndc: connection refused" in done.stderr


def test_export_of_an_unknown_zone_fails(store: ZoneStore, db_url: str, tmp_path: Path) -> None:
    done = dnsd(db_url, "export", "--dir", str(tmp_path), "--zone", "nope.example")
    assert done.returncode == 1 and "zone 'nope.example' not found" in done.stderr


def test_import_dry_run_json_then_apply(store: ZoneStore, db_url: str) -> None:
    path = FILES / "legacy.example.zone"
    dry = dnsd(db_url, "--json", "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["create_zone"] and not plan["applied"]
    assert plan["summary"] == {"add": 20, "change": 0, "unchanged": 0, "conflict": 0}
    assert {i["line"] for i in plan["items"] if i["name"] == "www.legacy.example"} == {23}
    assert len(plan["skipped"]) == 2
    assert store.list_zones() == []
    done = dnsd(db_url, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "zone legacy.example: create" in done.stdout and "applied" in done.stdout
    assert "skipped   line 33: ssh.legacy.example SSHFP" in done.stdout
    (rrset,) = store.list_rrsets(RecordFilter(name="www.legacy.example"))[0]
    assert rrset.owner == "import:legacy.example.zone"
    again = dnsd(db_url, "import", str(path))
    assert again.returncode == 0 and "20 unchanged" in again.stdout and "nothing to do" in again.stdout


def test_import_of_a_bad_file_prints_line_numbers_and_writes_nothing(
    store: ZoneStore, db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.zone"
    bad.write_text(
        "$TTL 300\n@ SOA ns h 1 2 3 4 5\n NS ns\nns A 192.0.2.1\n$INCLUDE other.zone\nwww A 300.1.1.1\n"
    )
    done = dnsd(db_url, "import", str(bad), "--zone", "bad.example")
    assert done.returncode == 2  # invalid input
    assert f"{bad}:5: $INCLUDE is not supported" in done.stderr
    assert f"{bad}:6: '300.1.1.1' is not an IP address" in done.stderr
    assert store.list_zones() == [] and store.last_change_id() == 0
    as_json = dnsd(db_url, "--json", "import", str(bad), "--zone", "bad.example")
    assert as_json.returncode == 2 and as_json.stdout == ""
    reasons = json.loads(as_json.stderr)["reasons"]
    assert reasons[0] == {"field": "line 5", "message": reasons[0]["message"]}
    assert "$INCLUDE is not supported" in reasons[0]["message"]


def test_import_keep_serial_and_the_serial_policy_setting(store: ZoneStore, db_url: str) -> None:
    # issue 10: --keep-serial ends at the file's serial; DNSD_SERIAL_POLICY picks the next one
    done = dnsd(db_url, "import", "--keep-serial", str(FILES / "email.zone"))
    assert done.returncode == 0, done.stderr
    assert "NS host mybankcard.www.campus.*: the API would refuse this name" in done.stdout
    assert store.get_zone("email").serial == 2026010101
    env = dnsd_env(db_url) | {"DNSD_SERIAL_POLICY": "increment"}
    added = run_dnsd(["record", "add", "mail.email", "A", "--value", "192.0.2.25", "--owner", "ci:x"], env)
    assert added.returncode == 0, added.stderr
    assert store.get_zone("email").serial == 2026010102  # +1, not today's YYYYMMDD00
