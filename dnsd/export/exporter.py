"""Export zones from the store as bind9 zone files, once or following the change feed.

``--watch`` polls ``store.feed(cursor)`` (bounded interval, backing off while the database is
away), re-exports only the zones the new changes touched, and runs the configured command
(e.g. ``rndc reload {zone}``) for each zone whose file actually changed. A failing command is
logged with its exit code and stderr and never stops the loop: the next change retries it.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dnsd.domain.errors import NotFound, StoreUnavailable
from dnsd.domain.selection import Health, all_up, health_from_states
from dnsd.domain.snapshot import build_zone
from dnsd.domain.transfer import TsigKey
from dnsd.domain.views import View
from dnsd.export.named_views import (
    CONF_FILE,
    KEYS_FILE,
    render_keys,
    render_views_conf,
    view_file,
    view_order,
)
from dnsd.export.render import render_zone_file
from dnsd.export.writer import WRITTEN, write_if_changed, zone_file_path
from dnsd.store.state_rows import StateReader
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.export")
COMMAND_TIMEOUT = 60.0
MAX_BACKOFF = 30.0


@dataclass(frozen=True, slots=True)
class ExportResult:
    zone: str  # "" for the named.conf fragment and keys file of --views
    path: Path
    status: str  # "written" or "unchanged"
    view: str = ""


def export_zones(
    store: ZoneStore, directory: Path, zones: Iterable[str] | None = None, missing_ok: bool = False
) -> tuple[int, list[ExportResult]]:
    """Render and write the named zones (all when None) from one consistent read.

    Returns the change cursor the files reflect and one result per zone, sorted by name.
    Raises :class:`NotFound` for a named zone the store does not have, unless ``missing_ok``.
    """
    wanted = None if zones is None else sorted(set(zones))
    state = StateReader(store.engine).load_state(wanted)  # rows without the ORM
    health = member_health(store)  # zone files carry the healthy members, as transfers do
    cursor = state.cursor
    built = {name: build_zone(zone, rrsets, state.pools, health=health, shards=1)
             for name, (zone, rrsets) in state.zones.items()}  # fmt: skip
    for name in wanted or ():
        if name not in built and not missing_ok:
            raise NotFound("zone", name, field="zone")
    results = []
    for name in sorted(built):
        path = zone_file_path(directory, name)
        text = render_zone_file(built.pop(name))  # each zone freed once it is written
        results.append(ExportResult(name, path, write_if_changed(path, text)))
    return cursor, results


def member_health(store: ZoneStore) -> Health:
    """The members' health as the store records it (all up when no state is recorded): zone
    files carry the healthy members, as transfers do."""
    states = store.member_states()
    return health_from_states(states) if states else all_up


def command_args(command: str, zone: str, path: Path, view: str = "") -> list[str]:
    """Split ``command`` like a shell would (no shell runs it) and fill ``{zone}``/``{file}``
    (and ``{view}``: ``rndc reload {zone} IN {view}`` after ``export --views``)."""
    return [a.replace("{zone}", zone).replace("{file}", str(path)).replace("{view}", view)
            for a in shlex.split(command)]  # fmt: skip


def run_command(command: str, result: ExportResult) -> bool:
    """Run the post-export command for one zone; log and return False when it fails."""
    args = command_args(command, result.zone, result.path, result.view)
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("command for zone %s failed to run: %s: %s", result.zone, args[0], exc)
        return False
    if done.returncode != 0:
        log.error(
            "command for zone %s exited with %d: %s",
            result.zone,
            done.returncode,
            (done.stderr or done.stdout).strip()[:2000],
        )
        return False
    log.info("command for zone %s succeeded", result.zone)
    return True


class ExportWatcher:
    """Follows the change feed and keeps ``directory`` in step with the store."""

    def __init__(
        self,
        store: ZoneStore,
        directory: Path,
        zones: Iterable[str] | None = None,
        command: str | None = None,
        interval: float = 1.0,
    ) -> None:
        self.store, self.directory, self.command = store, directory, command
        self.only = None if zones is None else frozenset(zones)
        self.interval = interval
        self.cursor = 0
        self.stop = threading.Event()

    def _publish(self, results: list[ExportResult]) -> None:
        for result in results:
            log.info("zone %s %s to %s", result.zone, result.status, result.path)
            if result.status == WRITTEN and self.command:
                run_command(self.command, result)

    def start(self) -> None:
        """Export every watched zone once (running the command where a file changed)."""
        self.cursor, results = export_zones(self.store, self.directory, self.only)
        self._publish(results)

    def poll(self) -> bool:
        """Handle the changes after the cursor; True if any were found."""
        entries = self.store.feed(self.cursor)
        if not entries:
            return False
        touched = {z for entry in entries for z in entry.zones}
        if self.only is not None:
            touched &= self.only
        if touched:
            _, results = export_zones(self.store, self.directory, touched, missing_ok=True)
            for gone in sorted(touched - {r.zone for r in results}):
                log.warning("zone %s was deleted; its file is left in place", gone)
            self._publish(results)
        # Only now: a failure above leaves the cursor behind, so the next poll retries.
        self.cursor = entries[-1].id
        return True

    def run(self) -> None:
        """:meth:`start`, then poll until :attr:`stop` is set, backing off while the store is down."""
        self.start()
        delay = self.interval
        while not self.stop.wait(delay):
            try:
                busy = self.poll()
            except StoreUnavailable as exc:
                delay = min(max(delay, self.interval) * 2, MAX_BACKOFF)
                log.warning("store unavailable, retrying in %.1fs: %s", delay, exc)
                continue
            except OSError as exc:
                delay = min(max(delay, self.interval) * 2, MAX_BACKOFF)
                log.error("writing zone files failed, retrying in %.1fs: %s", delay, exc)
                continue
            delay = 0.0 if busy else self.interval


def export_views(
    store: ZoneStore,
    directory: Path,
    views: Sequence[View],
    keys: Sequence[TsigKey],
    zones: Iterable[str] | None = None,
) -> list[ExportResult]:
    """Every zone (the named ones when given) in every view (:func:`view_order`) as a zone file
    under ``directory/<view>/``, plus the ``named.conf`` fragment and ``keys.conf`` (mode 0600)
    in ``directory``. The files carry the healthy members (:func:`member_health`). Raises
    :class:`NotFound` for a named zone the store does not have."""
    wanted = None if zones is None else sorted(set(zones))
    state = store.load_state(wanted)
    for name in wanted or ():
        if name not in state.zones:
            raise NotFound("zone", name, field="zone")
    health = member_health(store)
    results = []
    for view in view_order(views):
        for name in sorted(state.zones):
            zone, rrsets = state.zones[name]
            path = view_file(directory, view, name)
            text = render_zone_file(build_zone(zone, rrsets, state.pools, view, health, shards=1))
            results.append(ExportResult(name, path, write_if_changed(path, text), view))
    conf = render_views_conf(directory.absolute(), sorted(state.zones), views, keys)  # named's cwd differs
    results.append(ExportResult("", directory / CONF_FILE, write_if_changed(directory / CONF_FILE, conf)))
    secret = write_if_changed(directory / KEYS_FILE, render_keys(keys), mode=0o600)
    results.append(ExportResult("", directory / KEYS_FILE, secret))
    return results
