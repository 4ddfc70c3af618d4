"""The console in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against
``dnsd demo --serve`` with authentication on; answers checked with ``dig``.

The scenarios share one server and run in order: sign in; search a name and see its path; add a
record and see it in dig; move a pool with the preview; revert that move and see the old answer
in dig; start a shift (its route check passing on a local backend), see its progress on the
dashboard, abort it and see the old answer in dig; a read token sees no write controls and a
forged POST gets 403. Every page must log no JavaScript error. Each scenario saves screenshots
in its tmp_path (and copies the key ones to $DNSD_CONSOLE_SCREENS when set).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.console.browser import CHROMIUM, Served, require_chromium, save, server

pytestmark = pytest.mark.slow
ERRORS: list[str] = []
moved_change: list[str] = []  # the change page of the pool move, for the revert scenario


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_chromium()
    yield from server(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


# The console answers a refusal with its status (401 sign-in form, 403, 409, 422 form with the
# reasons); Chromium logs each such page load as "Failed to load resource". Those are statuses the
# scenarios ask for, not script errors; any other console error (a script error, a CSP violation,
# a missing file) fails the scenario.
EXPECTED_STATUS = re.compile(
    r"^Failed to load resource: the server responded with a status of (401|403|409|422) "
)


def watch(page: Page) -> Page:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not EXPECTED_STATUS.match(message.text):
            ERRORS.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: ERRORS.append(f"{page.url}: {exc}"))
    return page


def signed_in(browser: Browser, served: Served, token: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watch(context.new_page())
    page.goto(f"{served.base}/ui")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Dashboard')")
    return context, page


@pytest.fixture(scope="module")
def admin(browser: Browser, served: Served) -> Iterator[Page]:
    context, page = signed_in(browser, served, served.admin)
    yield page
    context.close()


def test_sign_in(browser: Browser, served: Served, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watch(context.new_page())
    response = page.goto(f"{served.base}/ui")
    assert response is not None and response.status == 401
    save(page, tmp_path, "sign-in")
    page.fill("input[name=token]", "not-a-token")
    page.click("button:has-text('Sign in')")
    assert "unknown or revoked token" in page.inner_text("[role=alert]")
    page.fill("input[name=token]", served.admin)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Dashboard')")
    zones = page.inner_text("section:has(h2:has-text('Zones'))")
    assert "hello-web.com" in zones and "wudebao-web.com" in zones
    assert "istio-ingressgateway" in page.inner_text("section:has(h2:has-text('Pools'))")
    assert "token:console-admin" in page.inner_text("header")
    save(page, tmp_path, "dashboard", key=True)
    context.close()
    assert ERRORS == []


def test_pages_read_with_javascript_off(browser: Browser, served: Served, tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = watch(context.new_page())
    page.goto(f"{served.base}/ui/name?q=www.wudebao-web.com")  # sign in, then back to the page asked for
    page.fill("input[name=token]", served.read)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(".path")
    assert page.url.endswith("/ui/name?q=www.wudebao-web.com")
    assert "10.20.0.10" in page.inner_text(".pool-box")
    page.goto(f"{served.base}/ui/changes?zone=legacy-web.com")
    log = page.inner_text("table.changes")
    assert "zone.create\tlegacy-web.com" in log and "zone.create\twudebao-web.com" not in log
    save(page, tmp_path, "no-javascript")
    context.close()
    assert ERRORS == []


def test_search_a_name_and_see_its_path(admin: Page, served: Served, tmp_path: Path) -> None:
    admin.goto(f"{served.base}/ui")
    admin.fill("input[name=q]", "WWW.Hello-Web.com.")
    admin.click("button:has-text('Where does it go?')")
    admin.wait_for_selector(".path")
    assert "Answered by zone hello-web.com" in admin.inner_text(".verdict")
    record = admin.locator(".record-box").first
    assert (
        "www.hello-web.com 60 IN" in record.inner_text()
        and "pool istio-ingressgateway" in record.inner_text()
    )
    members = admin.locator(".pool-box").first.locator(".member-box").all_inner_texts()
    assert any("10.20.0.10" in m for m in members)
    save(admin, tmp_path, "name", key=True)
    admin.fill("input[name=q]", "www.example.org")
    admin.click("button:has-text('Where does it go?')")
    assert "No zone of ours contains this name" in admin.inner_text(".verdict")
    admin.goto(f"{served.base}/ui/name?q=preview-42.apps.hello-web.com")
    assert "wildcard *.apps.hello-web.com" in admin.inner_text(".path")
    assert ERRORS == []


def test_add_a_record_and_see_it_in_dig(admin: Page, served: Served, tmp_path: Path) -> None:
    assert served.dig("blog.hello-web.com") == []
    admin.goto(f"{served.base}/ui/records/new?name=blog.hello-web.com")
    admin.fill("input[name=ttl]", "sixty")
    admin.fill("textarea[name=values]", "192.0.2.444")
    admin.click("button:has-text('Save')")
    errors = admin.locator(".field-error").all_inner_texts()
    assert any("whole number" in e for e in errors) and any("not an IP address" in e for e in errors), errors
    save(admin, tmp_path, "record-invalid")
    admin.fill("input[name=ttl]", "60")
    admin.fill("textarea[name=values]", "192.0.2.44")
    admin.click("button:has-text('Save')")
    admin.wait_for_selector(".flash")
    assert "blog.hello-web.com A saved" in admin.inner_text(".flash")
    save(admin, tmp_path, "record-added")
    assert served.dig_until("blog.hello-web.com", ["192.0.2.44"]) == ["192.0.2.44"]
    assert ERRORS == []


def test_move_a_pool_with_the_preview(admin: Page, served: Served, tmp_path: Path) -> None:
    assert served.dig("www.legacy-web.com") == ["10.10.0.10"]
    admin.goto(f"{served.base}/ui/pools/legacy-ingress")
    admin.fill("textarea[name=addresses]", "10.10.0.99")
    admin.click("#preview")
    admin.wait_for_selector("table.preview")
    changed = admin.locator("table.preview tr.changes").all_inner_texts()
    assert changed and all("10.10.0.10" in row and "10.10.0.99" in row for row in changed), changed
    assert any("www.legacy-web.com" in row for row in changed)
    assert served.dig("www.legacy-web.com") == ["10.10.0.10"]  # nothing written by the preview
    save(admin, tmp_path, "pool-preview", key=True)
    admin.click("#confirm")
    admin.wait_for_selector("pre.diff")
    diff = admin.inner_text("pre.diff")
    assert "- www.legacy-web.com. 60 IN A 10.10.0.10" in diff or "IN A 10.10.0.10" in diff
    assert "+ " in diff and "10.10.0.99" in diff
    moved_change.append(admin.url)
    save(admin, tmp_path, "change-diff", key=True)
    assert served.dig_until("www.legacy-web.com", ["10.10.0.99"]) == ["10.10.0.99"]
    assert ERRORS == []


def test_revert_the_move_and_see_the_old_answer(admin: Page, served: Served, tmp_path: Path) -> None:
    assert moved_change, "the pool move scenario did not run"
    admin.goto(moved_change[0])
    admin.click("#revert")
    admin.wait_for_selector(".flash")
    assert "reverted by change" in admin.inner_text(".flash")
    assert "Reverts change" in admin.inner_text("main")
    save(admin, tmp_path, "reverted")
    assert served.dig_until("www.legacy-web.com", ["10.10.0.10"]) == ["10.10.0.10"]
    # the move again: a later change (the revert) touched the same names, so it needs a confirmation
    admin.goto(moved_change[0])
    assert "Later changes touched the same names" in admin.inner_text(".revert")
    assert admin.locator("input[name=confirm]").count() == 1
    assert ERRORS == []


@contextmanager
def routed_backend() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 answering 200 to any Host: a canary pool member whose route
    check (the leader's, before each shift step) passes."""

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_start_and_abort_a_shift_and_see_it_on_the_dashboard(
    admin: Page, served: Served, tmp_path: Path
) -> None:
    name = "www.hello-web.com"
    before = served.dig(name)
    with routed_backend() as port:
        check = {"kind": "http", "port": port, "path": "/", "interval": 1, "rise": 1, "fall": 1}
        pool = {"name": "canary", "addresses": ["127.0.0.1"], "check": check}
        r = httpx.post(f"{served.base}/pools", headers={"Authorization": f"Bearer {served.admin}"}, json=pool)
        assert r.status_code == 201, r.text
        admin.goto(f"{served.base}/ui/shifts")
        admin.fill("textarea[name=names]", name)
        admin.select_option("select[name=to]", "canary")
        admin.fill("input[name=steps]", "10, 100")
        admin.fill("input[name=every]", "1h")
        admin.click("#start-shift")
        admin.wait_for_selector(".flash")
        assert "to canary started" in admin.inner_text(".flash")
        # the leader checks the route on 127.0.0.1 and takes the first step at once
        admin.goto(f"{served.base}/ui")
        shifts = admin.locator("#shifts")
        for _ in range(100):
            if "step 1 of 2" in shifts.inner_text():
                break
            admin.wait_for_timeout(200)
            admin.reload()
        text = shifts.inner_text()
        assert "step 1 of 2" in text and "running" in text and "10% on canary" in text, text
        assert "canary 10" in text and "UTC" in text  # the weights now and the next step's time
        # weighted: one pool per query (by hash), so the answer is either pool's members
        assert served.dig(name) in (before, ["127.0.0.1"])
        got = httpx.get(f"{served.base}/records", params={"name": name},
                        headers={"Authorization": f"Bearer {served.admin}"}).json()["items"]  # fmt: skip
        assert got[0]["targets"] == {"istio-ingressgateway": 90, "canary": 10}, got
        health = admin.locator("section:has(h2:has-text('Pools')) tr:has-text('canary')").inner_text()
        assert "127.0.0.1" in health and ("up" in health or "unchecked" in health), health
        save(admin, tmp_path, "shift-dashboard", key=True)
        admin.goto(f"{served.base}/ui/name?q={name}")
        assert "Shifts moving this name" in admin.inner_text("main")
        admin.goto(f"{served.base}/ui/shifts")
        admin.locator("button[id^=abort-]").first.click()
        admin.wait_for_selector(".flash")
        assert "now aborted" in admin.inner_text(".flash")
        assert admin.locator("button[id^=abort-]").count() == 0
        history = admin.locator("section[id$='-detail']").first.inner_text()
        assert "aborted" in history and "step" in history, history
        save(admin, tmp_path, "shift-aborted", key=True)
        assert served.dig_until(name, before) == before  # the records are back where they were
        admin.goto(f"{served.base}/ui")
        assert "No shift is running or paused." in admin.inner_text("#shifts")
    assert ERRORS == []


def test_read_token_sees_no_write_controls_and_a_forged_post_gets_403(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    context, page = signed_in(browser, served, served.read)
    assert "read only" in page.inner_text("header")
    change_page = urlsplit(moved_change[0]).path
    for path in ("/ui", "/ui/name?q=www.hello-web.com", change_page, "/ui/pools/istio-ingressgateway",
                 "/ui/shifts"):  # fmt: skip
        page.goto(f"{served.base}{path}")
        posts = page.locator("form[method=post]:not([action='/ui/logout'])")
        assert posts.count() == 0, path
        assert page.locator("text=Add a record here").count() == 0
        assert page.locator("nav >> text=Add record").count() == 0
    save(page, tmp_path, "read-only")
    csrf = page.locator("form[action='/ui/logout'] input[name=csrf]").get_attribute("value")
    assert csrf
    form = {"csrf": csrf, "name": "forged.hello-web.com", "type": "A", "ttl": "60", "owner": "user:eve",
            "values": "192.0.2.66"}  # fmt: skip
    forged = page.request.post(f"{served.base}/ui/records", form=form)
    assert forged.status == 403 and "read-only token" in forged.text()
    assert (
        page.request.post(
            f"{served.base}/ui/pools/legacy-ingress", form={"csrf": csrf, "addresses": "10.0.0.1"}
        ).status
        == 403
    )
    assert served.dig("forged.hello-web.com") == []
    context.close()
    assert ERRORS == []


def test_no_javascript_errors_and_live_updates(admin: Page, served: Served, tmp_path: Path) -> None:
    admin.goto(f"{served.base}/ui/changes")
    first = admin.locator("table.changes tbody tr").first.inner_text()
    # someone else changes something: the read-only page reloads itself (htmx polls /ui/live)
    body = {"name": "live.hello-web.com", "type": "A", "values": ["192.0.2.77"], "owner": "user:ops"}
    r = httpx.post(f"{served.base}/records", headers={"Authorization": f"Bearer {served.admin}"}, json=body)
    assert r.status_code == 201, r.text
    admin.wait_for_selector(
        "table.changes tbody tr:first-child:has-text('live.hello-web.com')", timeout=15000
    )
    assert admin.locator("table.changes tbody tr").first.inner_text() != first
    save(admin, tmp_path, "change-log")
    for path in ("/ui", "/ui/changes", "/ui/name?q=www.wudebao-web.com", "/ui/pools/istio-ingressgateway",
                 "/ui/records/new"):  # fmt: skip
        admin.goto(f"{served.base}{path}")
        admin.wait_for_load_state("networkidle")
    assert ERRORS == []
