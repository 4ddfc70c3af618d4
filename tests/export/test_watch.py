"""``dnsd export --watch``: follows the change feed, re-exports changed zones, runs the command."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dnsd.domain.records import make_rrset
from dnsd.export.exporter import ExportWatcher
from dnsd.store.zonestore import ZoneStore
from tests import helpers
from tests.export.zones import OWNER, create_demo, named_checkzone


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    helpers.wait_for(check, "condition", timeout)


@pytest.fixture
def running() -> Iterator[Callable[[ExportWatcher], None]]:
    started: list[tuple[ExportWatcher, threading.Thread]] = []

    def start(watcher: ExportWatcher) -> None:
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        started.append((watcher, thread))

    yield start
    for watcher, thread in started:
        watcher.stop.set()
        thread.join(10)
        assert not thread.is_alive()


def test_watch_reexports_changed_zones_and_runs_the_command(
    store: ZoneStore, tmp_path: Path, running: Callable[[ExportWatcher], None]
) -> None:
    create_demo(store)
    create_demo(store, "other.example")
    log = tmp_path / "reloads.log"
    out = tmp_path / "zones"
    watcher = ExportWatcher(store, out, None, f"sh -c 'echo {{zone}} >> {log}'", interval=0.05)
    running(watcher)
    wait_for(lambda: log.exists() and len(log.read_text().splitlines()) == 2)
    store.put_rrset(make_rrset("new.hello-web.com", "A", 60, OWNER, ["192.0.2.200"]), "test")
    path = out / "hello-web.com.zone"
    wait_for(lambda: "192.0.2.200" in path.read_text())
    wait_for(lambda: len(log.read_text().splitlines()) == 3)
    assert sorted(log.read_text().splitlines()) == ["hello-web.com", "hello-web.com", "other.example"]
    check = named_checkzone("hello-web.com", path)
    assert check.returncode == 0, check.stdout
    store.update_pool("legacy-ingress", "test", addresses=["10.30.0.99"])  # both zones use it
    wait_for(lambda: "10.30.0.99" in (out / "other.example.zone").read_text())
    wait_for(lambda: len(log.read_text().splitlines()) == 5)


def test_watch_only_follows_the_named_zones(
    store: ZoneStore, tmp_path: Path, running: Callable[[ExportWatcher], None]
) -> None:
    create_demo(store)
    create_demo(store, "other.example")
    watcher = ExportWatcher(store, tmp_path, ["other.example"], interval=0.05)
    running(watcher)
    wait_for((tmp_path / "other.example.zone").exists)
    store.put_rrset(make_rrset("x.hello-web.com", "A", 60, OWNER, ["192.0.2.1"]), "test")
    store.put_rrset(make_rrset("x.other.example", "A", 60, OWNER, ["192.0.2.2"]), "test")
    wait_for(lambda: "192.0.2.2" in (tmp_path / "other.example.zone").read_text())
    assert not (tmp_path / "hello-web.com.zone").exists()


def test_watch_logs_a_failing_command_and_keeps_going(
    store: ZoneStore,
    tmp_path: Path,
    running: Callable[[ExportWatcher], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="dnsd.export")
    create_demo(store)
    command = "sh -c 'echo rndc: connect failed for {zone} >&2; exit 1'"
    watcher = ExportWatcher(store, tmp_path, None, command, interval=0.05)
    running(watcher)

    def failures() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]

    wait_for(lambda: len(failures()) == 1)
    store.put_rrset(make_rrset("y.hello-web.com", "A", 60, OWNER, ["192.0.2.3"]), "test")
    wait_for(lambda: len(failures()) == 2)
    assert all("exited with 1" in m and "rndc: connect failed for hello-web.com" in m for m in failures())
    assert "192.0.2.3" in (tmp_path / "hello-web.com.zone").read_text()


def test_deleted_zone_keeps_its_file_with_a_warning(
    store: ZoneStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dnsd.export")
    create_demo(store)
    watcher = ExportWatcher(store, tmp_path, interval=0.05)
    watcher.start()
    store.delete_zone("hello-web.com", "test", force=True)
    assert watcher.poll() is True
    assert (tmp_path / "hello-web.com.zone").exists()
    assert any("hello-web.com was deleted" in r.getMessage() for r in caplog.records)
    assert watcher.poll() is False
