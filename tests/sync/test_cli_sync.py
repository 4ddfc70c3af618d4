"""``dnsd sync dnspod`` and ``dnsd sync status`` through the real argument parser and settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dnsd.cli.main import main
from dnsd.store.zonestore import ZoneStore
from tests.sync.conftest import MARK, ZONE, managed, put
from tests.sync.fake_dnspod import FakeDnspod

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_then_apply_then_status(
    store: ZoneStore, zone: str, fake: FakeDnspod, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    put(store, "www", "A", pool="istio-ingressgateway")
    fake.add_record(ZONE, "legacy", "A", "198.51.100.7")
    put(store, "legacy", "A", pool="legacy-ingress")
    code, out, _ = run(capsys, "sync", "dnspod")
    assert code == 4 and fake.calls["CreateRecord"] == 0  # 4: a conflict remains
    assert f"zone {ZONE}: planned - 3 create, 0 update, 0 delete, 1 conflict" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["create", "www", "A", "默认", "300", "203.0.113.10", "new", "value"] in rows
    assert ["create", "legacy", "A", "默认", "300", "10.0.1.1", "new", "value"] in rows
    assert any(r[:5] == ["conflict", "legacy", "A", "默认", "-"] and "console" in r for r in rows)
    assert any("A 198.51.100.7 (id" in line for line in out.splitlines())
    code, out, _ = run(capsys, "sync", "dnspod", "--json")
    (plan,) = json.loads(out)["zones"]
    assert [c["new"]["value"] for c in plan["creates"]] == ["10.0.1.1", "203.0.113.10", "203.0.113.11"]
    assert plan["conflicts"][0]["held"][0]["value"] == "198.51.100.7"
    assert plan["conflicts"][0]["kind"] == "shared"
    code, out, _ = run(capsys, "sync", "dnspod", "--apply")
    assert code == 4 and "create: done" in out and len(managed(fake)) == 3
    assert "applied, in sync except 1 conflict" in out
    code, out, _ = run(capsys, "sync", "dnspod", "--apply")
    assert code == 4 and f"zone {ZONE}: in sync except 1 conflict - 0 create" in out
    assert "in-sync" not in out
    code, out, _ = run(capsys, "sync", "status")
    assert code == 0 and f"dnspod    {ZONE}" in out and "in-sync" in out
    code, out, _ = run(capsys, "--json", "sync", "status")
    (status,) = json.loads(out)["statuses"]
    assert (status["result"], status["creates"], status["conflicts"]) == ("in-sync", 0, 1)


def test_refused_plan_exits_3_and_force_applies(
    store: ZoneStore, zone: str, fake: FakeDnspod, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(10):
        fake.add_record(ZONE, f"h{i}", "A", f"192.0.2.{i}", Remark=MARK)  # managed, not wanted any more
    code, out, _ = run(capsys, "sync", "dnspod", "--apply")
    assert code == 3 and "refused" in out and "--force" in out and len(managed(fake)) == 10
    code, out, _ = run(capsys, "sync", "dnspod", "--apply", "--force")
    assert code == 0 and managed(fake) == []


def test_bad_credentials_and_missing_credentials(
    zone: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "wrong-key")
    code, _, err = run(capsys, "sync", "dnspod")
    assert code == 1 and "DNSPod refused the credentials" in err and "AuthFailure.SignatureFailure" in err
    assert "wrong-key" not in err
    monkeypatch.delenv("TENCENTCLOUD_SECRET_ID")
    code, _, err = run(capsys, "sync", "dnspod")
    assert code == 2 and "TENCENTCLOUD_SECRET_ID: not set" in err


def test_unknown_zone_is_named(zone: str, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sync", "dnspod", "--zone", "nope.example")
    assert code == 1 and "nope.example" in err


def test_the_module_runs_as_a_subprocess(
    store: ZoneStore, zone: str, fake: FakeDnspod, env: dict[str, str]
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    proc = subprocess.run(
        [sys.executable, "-m", "dnsd", "sync", "dnspod", "--apply", "--zone", ZONE],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert managed(fake) == [("www", "A", "192.0.2.1", 300)]


def test_a_refused_plan_is_approved_once_from_the_cli(
    store: ZoneStore, zone: str, fake: FakeDnspod, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(10):
        fake.add_record(ZONE, f"h{i}", "A", f"192.0.2.{i}", Remark=MARK)
    code, out, _ = run(capsys, "sync", "dnspod", "--apply")
    assert code == 3 and f"dnsd sync approve --zone {ZONE}" in out
    code, out, _ = run(capsys, "sync", "approve", "--zone", ZONE)
    assert code == 0 and "approved" in out
    code, out, _ = run(capsys, "sync", "dnspod", "--apply")
    assert code == 0 and managed(fake) == []
    code, _, err = run(capsys, "sync", "approve", "--zone", ZONE)
    assert code != 0 and "nothing to approve" in err
