"""``dnsd sync``: bring DNSPod in step with the store (plan; ``--apply``; ``--watch``) and show status.

Exit codes of ``dnsd sync dnspod``: 0 when every zone is planned, applied or in sync; 1 when a
zone failed (partly or wholly) or the provider could not be used; 2 when a plan was refused by
the safety limit (rerun with ``--force``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.store.engine import make_engine
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.dnspod import DnspodProvider
from dnsd.sync.provider import ProviderError
from dnsd.sync.report import report_dict, report_lines, status_dict, status_lines
from dnsd.sync.runner import SyncOptions, SyncRunner, ZoneReport
from dnsd.sync.watch import Watcher

SECRET_ID_ENV, SECRET_KEY_ENV = "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"
FAILED, REFUSED = ("error", "failed", "partial"), ("refused",)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sync = subparsers.add_parser("sync", help="sync zones to DNSPod and show sync status")
    commands = sync.add_subparsers(dest="sync_command", metavar="SUBCOMMAND", required=True)
    dnspod = commands.add_parser(
        "dnspod",
        help="plan the changes that bring DNSPod in step with the store (--apply makes them)",
        description="Credentials come from TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.",
    )
    dnspod.add_argument("--zone", action="append", default=[], metavar="ZONE",
                        help="sync this zone (repeatable); default: zones marked dnspod_sync")  # fmt: skip
    dnspod.add_argument("--apply", action="store_true", help="make the planned changes (default: plan only)")
    dnspod.add_argument("--adopt", action="store_true", help="take over unmanaged records in the way")
    dnspod.add_argument("--force", action="store_true", help="apply plans over the safety limit")
    dnspod.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    dnspod.add_argument("--watch", action="store_true", help="keep syncing as the store changes")
    dnspod.add_argument(
        "--debounce", type=float, default=2.0, help="seconds of quiet before a sync (--watch)"
    )
    dnspod.add_argument("--reconcile-interval", type=float, default=300.0,
                        help="seconds between full reconciles that repair drift (--watch)")  # fmt: skip
    dnspod.add_argument("--dnspod-endpoint", help="API host[:port] (DNSD_DNSPOD_ENDPOINT)")
    dnspod.add_argument("--dnspod-protocol", choices=("https", "http"), help="(DNSD_DNSPOD_PROTOCOL)")
    dnspod.add_argument("--dnspod-rate", type=float, help="most API calls per second (DNSD_DNSPOD_RATE)")
    dnspod.set_defaults(func=run_dnspod)
    status = commands.add_parser("status", help="show the last sync run of every zone")
    status.add_argument("--zone", help="only this zone")
    status.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    status.set_defaults(func=run_status)


def credentials() -> tuple[str, str]:
    """The API key pair from the environment; :class:`InvalidInput` naming what is missing."""
    secret_id, secret_key = (
        os.environ.get(SECRET_ID_ENV, "").strip(),
        os.environ.get(SECRET_KEY_ENV, "").strip(),
    )
    missing = [
        Reason(name, "not set")
        for name, v in ((SECRET_ID_ENV, secret_id), (SECRET_KEY_ENV, secret_key))
        if not v
    ]
    if missing:
        raise InvalidInput(missing)
    return secret_id, secret_key


def make_provider(args: argparse.Namespace, settings: Settings) -> DnspodProvider:
    secret_id, secret_key = credentials()
    return DnspodProvider(
        secret_id,
        secret_key,
        endpoint=args.dnspod_endpoint or settings.dnspod_endpoint,
        protocol=args.dnspod_protocol or settings.dnspod_protocol,
        rate=args.dnspod_rate if args.dnspod_rate is not None else settings.dnspod_rate,
    )


@contextmanager
def stores(settings: Settings) -> Iterator[tuple[ZoneStore, SyncStatusStore]]:
    engine = make_engine(settings.database_url)
    try:
        yield ZoneStore(engine), SyncStatusStore(engine)
    finally:
        engine.dispose()


def exit_code(reports: list[ZoneReport]) -> int:
    if any(r.result in FAILED for r in reports):
        return 1
    return 2 if any(r.result in REFUSED for r in reports) else 0


def print_reports(reports: list[ZoneReport], as_json: bool, kind: str = "") -> None:
    if as_json:
        print(json.dumps({"kind": kind, "zones": [report_dict(r) for r in reports]} if kind
                         else {"zones": [report_dict(r) for r in reports]}, ensure_ascii=False))  # fmt: skip
    elif not reports:
        print("no zones to sync (mark zones with dnspod_sync, or name them with --zone)")
    for report in [] if as_json else reports:
        print("\n".join(report_lines(report)))
    sys.stdout.flush()


def run_dnspod(args: argparse.Namespace, settings: Settings) -> int:
    options = SyncOptions(tuple(args.zone), args.apply, args.adopt, args.force, settings.instance_id)
    provider = make_provider(args, settings)
    as_json = bool(getattr(args, "json", False))
    try:
        with stores(settings) as (store, statuses):
            runner = SyncRunner(store, statuses, provider, options)
            if args.watch:
                return watch(runner, store, args, as_json)
            reports = runner.run()
            print_reports(reports, as_json)
            return exit_code(reports)
    except ProviderError as exc:
        if exc.auth_failure:
            print(
                f"error: DNSPod refused the credentials in {SECRET_ID_ENV}/{SECRET_KEY_ENV}: {exc}",
                file=sys.stderr,
            )
            return 1
        raise
    finally:
        provider.close()


def watch(runner: SyncRunner, store: ZoneStore, args: argparse.Namespace, as_json: bool) -> int:
    """Run :class:`Watcher` until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def show(kind: str, reports: list[ZoneReport]) -> None:
        busy = [r for r in reports if r.result != "in-sync" or r.drift]
        if as_json or busy:
            print_reports(reports if as_json else busy, as_json, kind)
        else:
            print(f"{kind}: {len(reports)} zones in sync", flush=True)

    Watcher(
        runner, store, debounce=args.debounce, reconcile_every=args.reconcile_interval, on_reports=show
    ).run(stop)
    return 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    with stores(settings) as (_, statuses):
        found = statuses.list_sync_statuses(zone=args.zone)
    if getattr(args, "json", False):
        print(json.dumps({"statuses": [status_dict(s) for s in found]}, ensure_ascii=False))
    else:
        print("\n".join(status_lines(found)))
    return 0
