"""``GET /sync/status`` through the real app on the real database: what the runs saved."""

from __future__ import annotations

from api.app import create_app
from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer
from tests.sync.conftest import ZONE, RunnerFactory, put


def test_sync_status_is_readable_with_any_token(
    db_url: str, store: ZoneStore, zone: str, runner_for: RunnerFactory
) -> None:
    put(store, "www", "A", ["192.0.2.1"])
    runner_for(apply=True).run()
    reader = store.create_token("reader", "read")[1]
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        assert client.get("/sync/status").status_code == 401
        answer = client.get("/sync/status", headers=bearer(reader))
        assert answer.status_code == 200, answer.text
        (item,) = answer.json()["items"]
        assert (item["provider"], item["zone"], item["result"], item["creates"], item["drift"]) == (
            "dnspod", ZONE, "applied", 1, 0,
        )  # fmt: skip
        assert item["last_success_at"] is not None
        filtered = client.get("/sync/status", params={"zone": "Other.example."}, headers=bearer(reader))
        assert filtered.json() == {"items": []}
