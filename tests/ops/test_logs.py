"""Structured logs: the formats, one line per committed change, and no secret ever logged."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.errors import Conflict, InvalidInput
from dnsd.logs import CHATTY, MASK, add_secret, redact, setup_logging
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd
from tests.ops.conftest import ACTOR, rr, seed_basic

DEADLINE = 15.0


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root logger back as it was (pytest's own capture handlers included)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    chatty = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, saved in chatty.items():
        logging.getLogger(name).setLevel(saved)


def logs_to(stream: io.StringIO, log_format: str = "json", level: str = "INFO") -> None:
    setup_logging(Settings(log_format=log_format, log_level=level), stream=stream)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def change_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in json_lines(stream) if line["logger"] == "dnsd.changes"]


@pytest.mark.usefixtures("restore_logging")
def test_json_off_a_terminal_text_on_one() -> None:
    piped, tty, forced = io.StringIO(), Tty(), Tty()
    logs_to(piped, "auto")
    logging.getLogger("dnsd.test").info("hello %s", "world", extra={"zone": "a.com"})
    logs_to(tty, "auto")
    logging.getLogger("dnsd.test").warning("on a terminal")
    logs_to(forced, "json")
    logging.getLogger("dnsd.test").error("forced")
    (line,) = json_lines(piped)
    assert line | {"time": "?"} == {
        "time": "?", "level": "INFO", "logger": "dnsd.test", "message": "hello world", "zone": "a.com"
    }  # fmt: skip
    assert line["time"].endswith("Z")
    text = tty.getvalue()
    assert text.endswith(" WARNING dnsd.test: on a terminal\n") and not text.startswith("{")
    assert json_lines(forced)[0]["message"] == "forced"
    assert len(logging.getLogger().handlers) == len({id(h) for h in logging.getLogger().handlers})


@pytest.mark.usefixtures("restore_logging")
def test_setup_twice_keeps_one_handler_and_bad_settings_are_named() -> None:
    first, second = io.StringIO(), io.StringIO()
    logs_to(first)
    logs_to(second)
    logging.getLogger("dnsd.test").info("once")
    assert first.getvalue() == "" and len(json_lines(second)) == 1
    with pytest.raises(InvalidInput) as caught:
        setup_logging(Settings(log_format="xml", log_level="LOUD"))
    assert [r.field for r in caught.value.reasons] == ["log_format", "log_level"]


@pytest.mark.usefixtures("restore_logging")
def test_one_line_per_committed_change_and_none_for_refusals(store: ZoneStore) -> None:
    out = io.StringIO()
    logs_to(out)
    seed_basic(store)
    store.put_rrset(rr("www.hello-web.com"), ACTOR)
    store.put_rrset(rr("www.hello-web.com"), ACTOR)  # unchanged: no change, no line
    with pytest.raises(Conflict):
        store.put_rrset(rr("www.hello-web.com", owner="ci:other"), ACTOR)
    with pytest.raises(InvalidInput):
        store.put_rrset(rr("x.hello-web.com"), "a" * 300)
    store.update_pool("istio-ingressgateway", ACTOR, addresses=["10.0.0.11"])
    lines = change_lines(out)
    changes = store.list_changes(limit=1000)
    assert [line["change_id"] for line in lines] == [c.id for c in changes]
    assert [line["action"] for line in lines] == [
        "zone.create", "zone.create", "pool.create", "pool.create", "record.create", "pool.update"
    ]  # fmt: skip
    record = lines[4]
    zone_change = changes[4].zones[0]
    assert record | {"time": "?"} == {
        "time": "?", "level": "INFO", "logger": "dnsd.changes", "change_id": changes[4].id,
        "actor": ACTOR, "action": "record.create", "subject": "www.hello-web.com/A",
        "owner": "ci:pipeline-42",
        "zones": [{"zone": "hello-web.com", "prev_serial": zone_change.prev_serial,
                   "serial": zone_change.serial}],
        "message": f"change {changes[4].id}: record.create www.hello-web.com/A by {ACTOR} "
                   f"(owner ci:pipeline-42); hello-web.com {zone_change.prev_serial} -> {zone_change.serial}",
    }  # fmt: skip
    assert lines[5]["zones"] == []  # no record uses the pool: no zone changes


def test_cli_logs_each_change_on_stderr(dnsd: Dnsd) -> None:
    dnsd("zone", "add", "hello-web.com", "--ns", "ns1.hello-web.com")
    run = dnsd("record", "add", "www.hello-web.com", "A", "--value", "192.0.2.1", "--owner", "ci:a")
    (line,) = [json.loads(x) for x in run.err.splitlines()]
    assert (line["action"], line["subject"], line["actor"].startswith("cli:")) == (
        "record.create", "www.hello-web.com/A", True
    )  # fmt: skip
    assert line["zones"][0]["zone"] == "hello-web.com"
    text = dnsd("--log-format", "text", "record", "add", "www.hello-web.com", "A", "--value", "192.0.2.2",
                "--owner", "ci:a").err  # fmt: skip
    assert " INFO  dnsd.changes: change " in text and "record.update www.hello-web.com/A" in text
    assert dnsd("--log-level", "WARNING", "record", "rm", "--name", "www.hello-web.com").err == ""
    bad = dnsd.json("--log-level", "LOUD", "zone", "list", expect=2)
    assert bad["reasons"] == [{"field": "log_level", "message": "must be DEBUG, INFO, WARNING or ERROR, "
                               "got 'LOUD'"}]  # fmt: skip


# -- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "headers {'Authorization': 'Bearer SECRETVALUE123', 'Accept': '*/*'}",
        "Authorization: TC3-HMAC-SHA256 Credential=SECRETVALUE123/2026-01-01/dnspod/tc3_request",
        "sent bearer SECRETVALUE123 to the API",
        "GET /records?zone=a.com&access_token=SECRETVALUE123 HTTP/1.1",
        'body {"name": "k", "secret": "SECRETVALUE123", "algorithm": "hmac-sha256"}',
        "settings secret_key=SECRETVALUE123 password=SECRETVALUE123",
        "postgresql://dnsd:SECRETVALUE123@db.internal/dnsd",
        "token dnsd_SECRETVALUE123abcdefghijklmnop in a message",
    ],
)
def test_redact_masks_every_form(text: str) -> None:
    masked = redact(text)
    assert "SECRETVALUE123" not in masked and MASK in masked


def test_redact_keeps_what_is_no_secret() -> None:
    text = "change 7: record.create www.a.com/A by token:ci-deploy (owner ci:x); a.com 1 -> 2"
    assert redact(text) == text


@pytest.mark.usefixtures("restore_logging")
def test_extra_fields_exceptions_and_known_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "dnspod-key-0123456789")
    out = io.StringIO()
    logs_to(out)
    add_secret("c2VjcmV0LXRzaWcta2V5")  # a TSIG secret, base64
    log = logging.getLogger("dnsd.test")
    log.info("tsig key loaded", extra={"key": {"name": "xfr", "secret": "c2VjcmV0LXRzaWcta2V5"}})
    log.warning("DNSPod refused the key dnspod-key-0123456789; TSIG c2VjcmV0LXRzaWcta2V5 rejected")
    try:
        raise RuntimeError("Authorization: Bearer dnsd_abcdefghijklmnopqrstuvwxyz0123")
    except RuntimeError:
        log.exception("request failed")
    logged = out.getvalue()
    for secret in ("c2VjcmV0LXRzaWcta2V5", "dnspod-key-0123456789", "abcdefghijklmnopqrstuvwxyz0123"):
        assert secret not in logged
    first, second, third = json_lines(out)
    assert first["key"] == {"name": "xfr", "secret": MASK}
    assert second["message"] == f"DNSPod refused the key {MASK}; TSIG {MASK} rejected"
    assert "RuntimeError: Authorization: ***" in third["exception"]


@contextmanager
def uvicorn_with_logs(app: FastAPI) -> Iterator[str]:
    """The app behind real uvicorn, its loggers (access log included) left to the root logger."""
    # Another test in this process may have run uvicorn with its default logging config, which
    # gives uvicorn's loggers handlers of their own and stops them propagating: undo that here.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate, logger.disabled = True, False
        logger.setLevel(logging.NOTSET)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, access_log=True, log_level="debug", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(DEADLINE)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop in time"


@pytest.mark.usefixtures("restore_logging")
def test_a_token_used_in_requests_never_reaches_the_logs(db_url: str, store: ZoneStore) -> None:
    seed_basic(store)
    _, secret = store.create_token("deploy", "write")
    out = io.StringIO()
    logs_to(out, level="DEBUG")  # the most a deployment would ever log
    body = {"name": "www.hello-web.com", "type": "A", "owner": "ci:a", "values": ["192.0.2.1"]}
    app = create_app(Settings(database_url=db_url, auth_disabled=False))
    with uvicorn_with_logs(app) as base, httpx.Client(base_url=base, timeout=DEADLINE) as client:
        auth = {"Authorization": f"Bearer {secret}"}
        assert client.post("/records", json=body, headers=auth).status_code == 201
        # a careless client putting the token in the URL, and one with a token one letter off
        assert client.get("/records", params={"access_token": secret}, headers=auth).status_code == 200
        wrong = {"Authorization": f"Bearer {secret[:-1]}x"}
        assert client.post("/records", json=body, headers=wrong).status_code == 401
    logged = out.getvalue()
    assert secret not in logged and secret[len("dnsd_") : -1] not in logged
    lines = json_lines(out)
    (change,) = [x for x in lines if x["logger"] == "dnsd.changes"]
    assert change["actor"] == "token:deploy" and change["subject"] == "www.hello-web.com/A"
    access = [x["message"] for x in lines if x["logger"] == "uvicorn.access"]
    assert any("access_token=***" in m for m in access), access  # the URL was logged, masked
    assert any(" 401" in m for m in access)
