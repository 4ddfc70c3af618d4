"""The console's steering pages through the real app and database (both backends): member
health per view and names per pool on the dashboard, weights and health on the name page, the
pool preview with later weighted targets, and shifts started, paused, resumed and aborted."""

from __future__ import annotations

import re

from fastapi import FastAPI

from dnsd.domain.health import Probe
from dnsd.store.health import ProbeResult
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record
from tests.console.test_pages import sign_in

POOL = "istio-ingressgateway"


def steer(app: FastAPI, store: ZoneStore, admin: str) -> None:
    """A view with its own member, a checked pool with one member down, a weighted record."""
    with TestClient(app, headers=bearer(admin)) as c:
        assert c.post("/views", json={"name": "dc-a", "networks": ["10.1.0.0/16"]}).status_code == 201
        body = {"members": {"dc-a": ["10.1.0.10"]}, "check": {"kind": "tcp", "port": 443, "fall": 1}}
        assert c.patch(f"/pools/{POOL}", json=body).status_code == 200
        weighted = record("api.hello-web.com", targets={"legacy-ingress": 90, POOL: 10})
        del weighted["values"]
        assert c.post("/records", json=weighted).status_code == 201
    store.record_health([ProbeResult(Probe(POOL, "10.0.0.10"), False, "connection refused")])
    assert {m.address: m.state for m in store.pool_health(POOL)} == {"10.0.0.10": "down"}


def test_dashboard_shows_health_per_view_and_names_per_pool(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    steer(app, store, seeded["admin"])
    with TestClient(app) as c:
        sign_in(c, seeded["read"])
        page = c.get("/ui").text
    # www (first target) and api (a later weighted target) are on the pool; api on legacy too
    assert f'href="/ui/pools/{POOL}">2</a>' in page and 'href="/ui/pools/legacy-ingress">1</a>' in page
    assert re.search(r'default</span> <code>10\.0\.0\.10</code> <span class="badge health-down"', page)
    assert re.search(r"default</span> <code>fd00::10</code> <span class=\"badge health-unchecked\"", page)
    assert re.search(r'dc-a</span> <code>10\.1\.0\.10</code> <span class="badge health-unchecked"', page)
    assert "connection refused" in page and "since " in page
    assert "No shift is running or paused." in page


def test_name_page_shows_weights_and_member_health(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    steer(app, store, seeded["admin"])
    with TestClient(app) as c:
        sign_in(c, seeded["read"])
        page = c.get("/ui/name?q=api.hello-web.com").text
    views = page[page.index('id="views"') :]
    assert '<span class="tag">weight 90</span>' in views and '<span class="tag">weight 10</span>' in views
    assert re.search(
        r"<td>dc-a</td><td><code>10\.1\.0\.10</code></td><td><span class=\"badge health-unchecked", views
    )
    assert re.search(
        r"<td>default</td><td><code>10\.0\.0\.10</code></td><td><span class=\"badge health-down", views
    )
    assert "Shifts moving this name" not in page


def test_pool_preview_lists_records_on_a_later_weighted_target(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    steer(app, store, seeded["admin"])
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["admin"])
        assert "api.hello-web.com" in c.get(f"/ui/pools/{POOL}").text
        form = {"csrf": csrf, "addresses": "10.0.0.11\nfd00::10", "external": ""}
        preview = c.post(f"/ui/pools/{POOL}/preview", data=form)
        assert preview.status_code == 200 and "api.hello-web.com" in preview.text, preview.text


def _shift_id(page: str) -> int:
    found = re.findall(r'id="shift-(\d+)-detail"', page)
    assert found, page
    return int(found[0])  # newest first


def test_shifts_start_pause_resume_abort_with_history(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["admin"])
        assert 'id="start-shift"' in c.get("/ui/shifts").text
        form = {"csrf": csrf, "names": "www.hello-web.com", "to": "legacy-ingress", "steps": "10, 50"}
        bad = c.post("/ui/shifts", data=form | {"every": "1h"})
        assert bad.status_code == 422 and "must rise strictly and end at 100" in bad.text
        bad = c.post("/ui/shifts", data=form | {"steps": "ten", "every": "soon"})
        assert bad.status_code == 422 and "like 5,25,50,100" in bad.text
        bad = c.post("/ui/shifts", data=form | {"steps": "10, 100", "every": "soon"})
        assert bad.status_code == 422 and "a duration like 30s" in bad.text
        assert store.list_shifts() == []  # nothing half-written
        r = c.post("/ui/shifts", data=form | {"steps": "10, 100", "every": "1h"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        page = c.get("/ui/shifts").text
        sid = _shift_id(page)
        assert f"Shift #{sid} to legacy-ingress started." in page and 'id="pause-' in page
        dash = c.get("/ui").text
        assert f'id="shift-{sid}"' in dash and "step 0 of 2" in dash and "running" in dash
        assert f"<code>{POOL}</code> 1" in dash  # the weights now: still the original pool
        assert "Shifts moving this name" in c.get("/ui/name?q=www.hello-web.com").text
        for action, status in (("pause", "paused"), ("resume", "running"), ("abort", "aborted")):
            r = c.post(f"/ui/shifts/{sid}/{action}", data={"csrf": csrf}, follow_redirects=False)
            assert r.status_code == 303, r.text
            assert store.get_shift(sid).status == status
        page = c.get("/ui/shifts").text
        assert "now aborted" in page and 'id="abort-' not in page
        events = [h["event"] for h in store.get_shift(sid).history]
        assert len(events) >= 3 and all(f"<td>{e}</td>" in page for e in events)
        assert f'id="shift-{sid}"' not in c.get("/ui").text  # no longer in progress
        assert c.post("/ui/shifts/999999/abort", data={"csrf": csrf}).status_code == 404


def test_shift_controls_need_a_write_token_and_csrf(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    shift = store.create_shift("legacy-ingress", (10, 100), 3600, "test", names=["www.hello-web.com"])
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["read"])
        page = c.get("/ui/shifts").text
        assert f'id="shift-{shift.id}"' in page and "step 0 of 2" in page
        assert 'method="post"' not in page.replace('action="/ui/logout" method="post"', "")
        form = {"csrf": csrf, "names": "www.hello-web.com", "to": POOL, "steps": "100", "every": "0"}
        assert c.post("/ui/shifts", data=form).status_code == 403
        assert c.post(f"/ui/shifts/{shift.id}/abort", data={"csrf": csrf}).status_code == 403
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["wudebao"])  # writes wudebao-web.com only
        assert f'id="shift-{shift.id}"' not in c.get("/ui/shifts").text  # not one of its zones
        assert f'id="shift-{shift.id}"' not in c.get("/ui").text
        assert c.post(f"/ui/shifts/{shift.id}/abort", data={"csrf": csrf}).status_code == 403
        assert c.post(f"/ui/shifts/{shift.id}/abort", data={"csrf": "forged"}).status_code == 403
    with TestClient(app) as c:
        sign_in(c, seeded["admin"])
        assert c.post(f"/ui/shifts/{shift.id}/abort", data={}).status_code == 403  # no CSRF token
    assert store.get_shift(shift.id).status == "running" and len(store.list_shifts()) == 1
