"""The console through the real app and database (both backends), without a browser: sign-in,
cookies, CSRF, scopes, expiry, and that every page reads without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from api.ui.session import COOKIE
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient, bearer, record


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/ui/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce is not None
    r = client.post(
        "/ui/login", data={"token": token, "nonce": nonce.group(1), "next": "/ui"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui", r.text
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS it is Secure (test below)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui").text)
    assert csrf is not None
    return csrf.group(1)


def test_pages_need_a_session_and_sign_in_works(app: FastAPI, seeded: dict[str, str]) -> None:
    with TestClient(app) as c:
        r = c.get("/ui/changes")
        assert r.status_code == 401 and 'name="token"' in r.text
        assert c.get("/ui/login").status_code == 200
        bad = c.get("/ui/login")
        nonce = re.search(r'name="nonce" value="([^"]+)"', bad.text)
        assert nonce is not None
        r = c.post("/ui/login", data={"token": "wrong", "nonce": nonce.group(1)})
        assert r.status_code == 401 and "unknown or revoked token" in r.text
        assert c.post("/ui/login", data={"token": seeded["admin"], "nonce": "forged"}).status_code == 403
        csrf = sign_in(c, seeded["admin"])
        dash = c.get("/ui")
        assert (
            dash.status_code == 200 and "hello-web.com" in dash.text and "istio-ingressgateway" in dash.text
        )
        assert "default-src 'self'" in dash.headers["content-security-policy"]
        assert c.post("/ui/logout", data={"csrf": "forged"}).status_code == 403
        assert c.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert c.get("/ui").status_code == 401


def test_secure_cookie_behind_tls(app: FastAPI, seeded: dict[str, str]) -> None:
    with TestClient(app, base_url="https://dnsd.example") as c:
        nonce = re.search(r'name="nonce" value="([^"]+)"', c.get("/ui/login").text)
        assert nonce is not None
        r = c.post(
            "/ui/login", data={"token": seeded["admin"], "nonce": nonce.group(1)}, follow_redirects=False
        )
        assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]


def test_session_expiry(app: FastAPI, seeded: dict[str, str]) -> None:
    now = [1000.0]
    app.state.console_sessions.clock = lambda: now[0]
    with TestClient(app) as c:
        sign_in(c, seeded["read"])
        now[0] += app.state.console_sessions.ttl - 1
        assert c.get("/ui").status_code == 200  # activity restarts the timer
        now[0] += app.state.console_sessions.ttl + 1
        r = c.get("/ui")
        assert r.status_code == 401 and "session expired" in r.text


def test_read_token_sees_no_write_controls_and_forged_writes_get_403(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    last = store.last_change_id()
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["read"])
        for path in (
            "/ui",
            "/ui/name?q=www.hello-web.com",
            f"/ui/changes/{last}",
            "/ui/pools/istio-ingressgateway",
        ):
            page = c.get(path).text
            assert 'method="post"' not in page.replace('action="/ui/logout" method="post"', ""), path
        forged: list[tuple[str, dict[str, Any]]] = [
            (
                "/ui/records",
                {
                    "name": "x.hello-web.com",
                    "type": "A",
                    "ttl": "60",
                    "owner": "user:x",
                    "values": "192.0.2.1",
                },
            ),
            (f"/ui/changes/{last}/revert", {}),
            ("/ui/pools/istio-ingressgateway", {"addresses": "10.9.9.9"}),
        ]
        for path, data in forged:
            r = c.post(path, data={"csrf": csrf, **data})
            assert r.status_code == 403, (path, r.text)
            assert "read-only token" in r.text or "needs a write token" in r.text, r.text
    assert store.last_change_id() == last


def test_csrf_is_required_on_every_form(app: FastAPI, seeded: dict[str, str], store: ZoneStore) -> None:
    last = store.last_change_id()
    with TestClient(app) as c:
        sign_in(c, seeded["admin"])
        for path in ("/ui/records", f"/ui/changes/{last}/revert", "/ui/pools/istio-ingressgateway/preview"):
            assert c.post(path, data={"name": "x.hello-web.com"}).status_code == 403, path
    assert store.last_change_id() == last


def test_zone_scoped_token_sees_only_its_zones(app: FastAPI, seeded: dict[str, str]) -> None:
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["wudebao"])
        dash = c.get("/ui").text
        assert "wudebao-web.com" in dash and "hello-web.com</a>" not in dash.replace(
            "wudebao-web.com</a>", ""
        )
        assert "outside this token" in c.get("/ui/name?q=www.hello-web.com").text
        log = c.get("/ui/changes").text
        assert "shop.wudebao-web.com/A" in log and "www.hello-web.com/A" not in log
        r = c.post("/ui/records", data={"csrf": csrf, "name": "x.hello-web.com", "type": "A", "ttl": "60",
                                         "owner": "user:x", "values": "192.0.2.1"})  # fmt: skip
        assert r.status_code == 403 and "hello-web.com" in r.text


def test_record_form_shows_every_problem_at_its_field_and_conflicts(
    app: FastAPI, seeded: dict[str, str]
) -> None:
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["admin"])
        bad = {
            "csrf": csrf,
            "name": "a..hello-web.com",
            "type": "A",
            "ttl": "x",
            "owner": "nobody",
            "values": "1.2.3.999",
        }
        r = c.post("/ui/records", data=bad)
        assert r.status_code == 422
        for message in ("empty label", "whole number", "kind:identity", "not an IP address (values.0)"):
            assert message in r.text.replace("&#39;", "'"), message
        assert r.text.count('class="field-error"') == 4, r.text
        conflict = {"csrf": csrf, "name": "shop.wudebao-web.com", "type": "A", "ttl": "60"}
        conflict |= {"owner": "user:eve", "values": "192.0.2.5"}
        r = c.post("/ui/records", data=conflict)
        assert r.status_code == 422 and "held by user:bob" in r.text and "Only that owner" in r.text


def test_pool_preview_lists_names_then_confirm_moves(
    app: FastAPI, seeded: dict[str, str], store: ZoneStore
) -> None:
    with TestClient(app, headers=bearer(seeded["admin"])) as api:
        assert api.patch("/zones/hello-web.com", json={"dnspod_sync": True}).status_code == 200
    with TestClient(app) as c:
        csrf = sign_in(c, seeded["admin"])
        last = store.last_change_id()
        r = c.post("/ui/pools/istio-ingressgateway/preview", data={"csrf": csrf, "addresses": "10.0.0.77"})
        assert r.status_code == 200 and "www.hello-web.com" in r.text and "10.0.0.77" in r.text
        rows = re.findall(r'<tr class="(changes|same)">(.*?)</tr>', r.text, re.DOTALL)
        www = [row for kind, row in rows if "www.hello-web.com" in row and kind == "changes"]
        assert www and "modify: 10.0.0.10 -&gt; 10.0.0.77" in www[0]  # hello-web.com syncs to DNSPod
        assert "1</strong> of 1 name" in r.text  # shop.wudebao-web.com has literal values
        assert store.last_change_id() == last  # a preview writes nothing
        r = c.post("/ui/pools/istio-ingressgateway", data={"csrf": csrf, "addresses": "10.0.0.77"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == f"/ui/changes/{last + 1}"
        diff = c.get(r.headers["location"]).text
        assert (
            "- www.hello-web.com. 300 IN A 10.0.0.10" in diff
            and "+ www.hello-web.com. 300 IN A 10.0.0.77" in diff
        )


def test_record_content_is_escaped(app: FastAPI, seeded: dict[str, str]) -> None:
    with TestClient(app, headers=bearer(seeded["admin"])) as api:
        body = record("xss.hello-web.com", type="TXT", values=['"<script>alert(1)</script>"'])
        assert api.post("/records", json=body).status_code == 201, body
    with TestClient(app) as c:
        sign_in(c, seeded["read"])
        page = c.get("/ui/name?q=xss.hello-web.com").text
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_live_endpoint(app: FastAPI, seeded: dict[str, str], store: ZoneStore) -> None:
    with TestClient(app) as c:
        sign_in(c, seeded["admin"])
        last = store.last_change_id()
        assert c.get(f"/ui/live?since={last}").status_code == 204
        assert c.get(f"/ui/live?since={last - 1}&mode=refresh").headers["hx-refresh"] == "true"
        assert "1 new change" in c.get(f"/ui/live?since={last - 1}").text
