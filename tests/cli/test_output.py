"""Tables and JSON as printed: pure functions, no database."""

from __future__ import annotations

import datetime as dt
import json

from dnsd.cli.output import render_fields, render_table, to_json
from dnsd.domain.changes import ZoneChange


def test_table_columns_align_and_lists_stack() -> None:
    table = render_table(
        ("name", "data", "ttl"),
        [("www.hello-web.com", ["10.0.0.1", "10.0.0.2"], 60), ("a", None, True)],
    )
    assert table.splitlines() == [
        "NAME               DATA      TTL",
        "www.hello-web.com  10.0.0.1  60",
        "                   10.0.0.2",
        "a                  -         yes",
    ]
    assert render_table(("only",), []) == "ONLY"


def test_fields_and_json_forms() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert render_fields([("name", "edge"), ("addresses", ["10.0.0.1", "fd00::1"]), ("created", when)]) == (
        "name:      edge\naddresses: 10.0.0.1\n           fd00::1\ncreated:   2026-01-02 03:04:05Z"
    )
    data = json.loads(to_json({"at": when, "zone": ZoneChange("a.com", None, 2026010200), "raw": b"\xff"}))
    assert data == {
        "at": "2026-01-02T03:04:05+00:00",
        "zone": {"zone": "a.com", "prev_serial": None, "serial": 2026010200, "removed": [], "added": []},
        "raw": "\\xff",
    }
