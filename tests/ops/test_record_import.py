"""``dnsd record import FILE``: JSON or YAML, every problem with its place, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ops.conftest import Dnsd

SEED = ("zone", "add", "hello-web.com", "--ns", "ns1.hello-web.com")


def test_import_json_then_again_changes_nothing(dnsd: Dnsd, tmp_path: Path) -> None:
    dnsd(*SEED)
    dnsd("pool", "add", "edge", "--address", "10.0.0.10")
    records = [
        {"name": "www.hello-web.com", "type": "A", "pool": "edge", "owner": "ci:import"},
        {"name": "hello-web.com", "type": "MX", "values": ["10 mx.hello-web.com."], "owner": "ci:import"},
        {"name": "_sip._tcp.hello-web.com", "type": "SRV", "ttl": 60,
         "values": ["0 5 5060 sip.hello-web.com."], "owner": "ci:import"},
    ]  # fmt: skip
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    first = dnsd.json("record", "import", str(path))
    assert (first["created"], first["changed"], first["unchanged"]) == (3, 0, 0)
    assert [(i["name"], i["outcome"]) for i in first["items"]] == [(r["name"], "created") for r in records]
    changes = dnsd.json("changes", "--limit", "100")
    assert changes[-1]["action"] == "record.bulk" and changes[-1]["owner"] == "ci:import"
    again = dnsd.json("record", "import", str(path))
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 3)
    assert dnsd.json("changes", "--limit", "100") == changes
    text = dnsd("record", "import", str(path)).out
    assert text.startswith(f"imported {path}: 0 created, 0 changed, 3 unchanged\n")


def test_import_yaml_with_a_default_owner_and_dry_run(dnsd: Dnsd, tmp_path: Path) -> None:
    dnsd(*SEED)
    path = tmp_path / "records.yaml"
    path.write_text(
        "owner: ci:pipeline-7\n"
        "records:\n"
        "  - {name: a.hello-web.com, type: A, values: [192.0.2.1]}\n"
        "  - {name: b.hello-web.com, type: TXT, values: ['\"hi\"'], owner: user:bob}\n"
    )
    dry = dnsd.json("record", "import", str(path), "--dry-run")
    assert dry["dry_run"] is True and dry["created"] == 2
    assert dnsd.json("record", "list")["total"] == 0
    done = dnsd.json("record", "import", str(path))
    assert [(i["name"], i["owner"]) for i in done["items"]] == [
        ("a.hello-web.com", "ci:pipeline-7"),
        ("b.hello-web.com", "user:bob"),
    ]


def test_every_problem_with_its_place_and_nothing_written(dnsd: Dnsd, tmp_path: Path) -> None:
    dnsd(*SEED)
    dnsd("record", "add", "held.hello-web.com", "A", "--value", "192.0.2.1", "--owner", "user:alice")
    before = dnsd.json("changes", "--limit", "100")
    path = tmp_path / "bad.yaml"
    path.write_text(
        "records:\n"
        "  - {name: ok.hello-web.com, type: A, values: [192.0.2.1], owner: ci:x}\n"
        "  - {name: x.hello-web.com, type: A, values: [300.1.1.1], owner: ci:x, ttl: soon}\n"
        "  - {name: www.not-ours.org, type: A, values: [192.0.2.1], owner: ci:x}\n"
        "  - {name: held.hello-web.com, type: TXT, values: ['\"t\"'], owner: ci:x}\n"
        "  - just a string\n"
    )
    err = dnsd.json("record", "import", str(path), expect=2)
    assert [r["field"] for r in err["reasons"]] == [
        "records[1].ttl", "records[1].values.0", "records[2].name", "records[3].name", "records[4]"
    ]  # fmt: skip
    assert err["reasons"][3]["message"] == "held.hello-web.com is held by user:alice"
    assert dnsd.json("changes", "--limit", "100") == before
    assert dnsd.json("record", "list")["total"] == 1


def test_conflicts_alone_are_refused_listing_each(dnsd: Dnsd, tmp_path: Path) -> None:
    dnsd(*SEED)
    for name, owner in (("a", "user:alice"), ("b", "user:bob")):
        dnsd("record", "add", f"{name}.hello-web.com", "A", "--value", "192.0.2.1", "--owner", owner)
    path = tmp_path / "clash.json"
    path.write_text(json.dumps({"owner": "ci:x", "records": [
        {"name": "new.hello-web.com", "type": "A", "values": ["192.0.2.1"]},
        {"name": "a.hello-web.com", "type": "A", "values": ["192.0.2.1"]},
        {"name": "b.hello-web.com", "type": "A", "values": ["192.0.2.1"]},
    ]}))  # fmt: skip
    run = dnsd("record", "import", str(path), expect=1)
    assert run.err.splitlines() == [
        "error: other owners hold 2 of these names:",
        "  records[1]: a.hello-web.com is held by user:alice",
        "  records[2]: b.hello-web.com is held by user:bob",
    ]
    err = dnsd.json("record", "import", str(path), expect=1)
    assert [c["item"] for c in err["conflicts"]] == ["records[1]", "records[2]"]
    assert dnsd.json("record", "list")["total"] == 2


def test_unreadable_files(dnsd: Dnsd, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "a.hello-web.com",]')
    err = dnsd.json("record", "import", str(broken), expect=2)
    assert err["reasons"][0]["field"] == "file" and "line 1, column" in err["reasons"][0]["message"]
    err = dnsd.json("record", "import", str(tmp_path / "missing.yaml"), expect=2)
    assert err["reasons"][0]["message"].startswith("cannot read")
    shape = tmp_path / "shape.json"
    shape.write_text('{"recs": []}')
    assert dnsd.json("record", "import", str(shape), expect=2)["reasons"][0]["field"] == "file"
