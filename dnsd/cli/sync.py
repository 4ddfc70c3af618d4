"""``dnsd sync``: bring DNSPod in step with the store (plan; ``--apply``; ``--watch``) and show status.

Exit codes of ``dnsd sync dnspod``: 0 when every zone is planned, applied or in sync; 1 when a
zone failed (partly or wholly), the provider could not be used or a plan was refused for the
provider plan's limits; 2 for invalid input (missing credentials, a bad flag); 3 when a plan was
refused by the safety limit (rerun with ``--force``); 4 when conflicts remain (console records
keep dnsd's values off the provider, or serve values dnsd does not want next to its own).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, note, render_table
from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.names import normalize_name
from dnsd.domain.sync_status import K8S_PROVIDER
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.lines import parse_lines
from dnsd.sync.provider import ProviderError
from dnsd.sync.report import (
    PLAN_HEADERS,
    STATUS_HEADERS,
    headline,
    plan_rows,
    report_dict,
    status_dict,
    status_row,
)
from dnsd.sync.runner import SyncOptions, SyncRunner, ZoneReport
from dnsd.sync.watch import Watcher

if TYPE_CHECKING:
    from dnsd.sync.dnspod import DnspodProvider

SECRET_ID_ENV, SECRET_KEY_ENV = "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"
FAILED, REFUSED = ("error", "failed", "partial", "over-limit"), ("refused",)
EXIT_FAILED, EXIT_UNSAFE, EXIT_CONFLICTS = 1, 3, 4


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    dnspod.add_argument("--line", action="append", default=[], metavar="VIEW=LINE",
                        help="publish VIEW on the DNSPod line LINE, e.g. dc-a=境内 (repeatable; default"
                             " DNSD_DNSPOD_LINES; public=默认 unless mapped)")  # fmt: skip
    dnspod.set_defaults(func=run_dnspod)
    status = commands.add_parser("status", help="show the last sync run of every zone")
    status.add_argument("--zone", help="only this zone")
    status.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    status.set_defaults(func=run_status)
    approve = commands.add_parser("approve", help="let the next sync apply a plan the safety limit refused")
    approve.add_argument("--zone", required=True, help="the zone whose refused plan to apply (once)")
    approve.add_argument("--actor", help="who approves (default cli:<user>)")
    approve.set_defaults(func=run_approve)


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
    # Imported here: the SDK takes ~0.2 s to import, which every other dnsd command would pay.
    from dnsd.sync.dnspod import DnspodProvider

    secret_id, secret_key = credentials()
    return DnspodProvider(
        secret_id,
        secret_key,
        endpoint=args.dnspod_endpoint or settings.dnspod_endpoint,
        protocol=args.dnspod_protocol or settings.dnspod_protocol,
        rate=args.dnspod_rate if args.dnspod_rate is not None else settings.dnspod_rate,
    )


def exit_code(reports: list[ZoneReport]) -> int:
    if any(r.result in FAILED for r in reports):
        return EXIT_FAILED
    if any(r.result in REFUSED for r in reports):
        return EXIT_UNSAFE
    return EXIT_CONFLICTS if any(r.plan is not None and r.plan.conflicts for r in reports) else 0


def report_text(report: ZoneReport) -> str:
    """A zone's plan or run: a headline, the table of changes, and the note (if any)."""
    rows = plan_rows(report)
    lines = [headline(report)]
    if rows:
        lines.append("\n".join("  " + line for line in render_table(PLAN_HEADERS, rows).splitlines()))
    if report.message and report.plan is not None:
        lines.append(f"  note: {report.message}")
    return "\n".join(lines)


def show_reports(args: argparse.Namespace, reports: list[ZoneReport]) -> None:
    text = (
        "\n".join(report_text(r) for r in reports)
        or "no zones to sync (mark them dnspod_sync, or use --zone)"
    )
    emit(args, {"zones": [report_dict(r) for r in reports]}, text)


def run_dnspod(args: argparse.Namespace, settings: Settings) -> int:
    lines = parse_lines(args.line or [settings.dnspod_lines], "line" if args.line else "DNSD_DNSPOD_LINES")
    options = SyncOptions(
        tuple(args.zone), args.apply, args.adopt, args.force, settings.instance_id, lines=lines
    )
    provider = make_provider(args, settings)
    try:
        with open_store(settings) as store:
            runner = SyncRunner(store, SyncStatusStore(store.engine), provider, options)
            if args.watch:
                return watch(runner, store, args)
            reports = runner.run()
            show_reports(args, reports)
            return exit_code(reports)
    except ProviderError as exc:
        if exc.auth_failure:
            note(f"error: DNSPod refused the credentials in {SECRET_ID_ENV}/{SECRET_KEY_ENV}: {exc}")
            return EXIT_FAILED
        raise
    finally:
        provider.close()


def watch(runner: SyncRunner, store: ZoneStore, args: argparse.Namespace) -> int:
    """Run :class:`Watcher` until SIGINT or SIGTERM; print each sync that did or found something
    (with ``--json``: one JSON document per line)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def show(kind: str, reports: list[ZoneReport]) -> None:
        busy = [r for r in reports if r.result != "in-sync" or r.drift or (r.plan and r.plan.conflicts)]
        if args.json:
            print(json.dumps({"kind": kind, "zones": [report_dict(r) for r in reports]}, ensure_ascii=False))
        elif busy:
            print(f"{kind}:\n" + "\n".join(report_text(r) for r in busy))
        else:
            print(f"{kind}: {len(reports)} zones in sync")
        sys.stdout.flush()

    watcher = Watcher(
        runner, store, debounce=args.debounce, reconcile_every=args.reconcile_interval, on_reports=show
    )
    watcher.run(stop)
    return 0


def run_approve(args: argparse.Namespace, settings: Settings) -> int:
    zone = normalize_name(args.zone, "zone", wildcard=False)
    with open_store(settings) as store:
        SyncStatusStore(store.engine).approve("dnspod", zone, args.actor or cli_actor())
    print(f"approved: the next sync of {zone} applies its plan past the safety limit (once)")
    return 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        found = SyncStatusStore(store.engine).list_sync_statuses(zone=args.zone)
        found = [s for s in found if s.provider != K8S_PROVIDER]  # `dnsd k8s status` shows that one
    text = render_table(STATUS_HEADERS, [status_row(s) for s in found]) if found else "no sync has run yet"
    emit(args, {"statuses": [status_dict(s) for s in found]}, text)
    return 0
