"""``dnsd change revert ID`` against the store (both backends)."""

from __future__ import annotations

from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd

NS = ["--ns", "ns1.hello-web.com", "--ns", "ns2.hello-web.com"]


def test_change_revert_restores_and_refuses_after_a_later_change(dnsd: Dnsd, store: ZoneStore) -> None:
    dnsd("zone", "add", "hello-web.com", *NS)
    dnsd("record", "add", "www.hello-web.com", "A", "--value", "192.0.2.1", "--owner", "ci:test")
    dnsd("record", "add", "www.hello-web.com", "A", "--value", "192.0.2.2", "--owner", "ci:test")
    update = store.last_change_id()
    reverted = dnsd.json("change", "revert", str(update))
    assert reverted["action"] == "change.revert" and reverted["id"] == update + 1
    values = [r.value_texts() for r in store.list_rrsets(RecordFilter(name="www.hello-web.com"))[0]]
    assert values == [["192.0.2.1"]]

    refused = dnsd("change", "revert", str(update - 1), expect=1)
    assert f"{update + 1} (change.revert" in refused.err and "force" in refused.err
    assert store.last_change_id() == update + 1  # nothing written
    text = dnsd("change", "revert", str(update - 1), "--force").out
    assert text.startswith(f"change {update + 2}: reverted change {update - 1}")
    assert store.list_rrsets(RecordFilter(name="www.hello-web.com"))[0] == []
    dnsd("change", "revert", "999999", expect=1)
