"""``dnsd k8s``: the pool mapping, ``apply`` (CI path), ``watch`` (controller), ``problems``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dnsd.cli.connect import cli_actor, open_store
from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.k8s import (
    DEFAULT,
    GATEWAY_SELECTOR,
    INGRESS_CLASS,
    SHIFT,
    PoolMapping,
    make_entry,
    mapping_from_document,
)
from dnsd.domain.sync_status import K8S_PROVIDER
from dnsd.k8s.derive import derive
from dnsd.k8s.http_sink import HttpSink
from dnsd.k8s.manifests import load_manifests
from dnsd.k8s.objects import ISTIO_VERSIONS
from dnsd.k8s.plan import Safety, Scope
from dnsd.k8s.report import plan_json, plan_lines, problem_json, problem_line
from dnsd.k8s.sinks import RecordSink, StoreSink, execute, plan_against
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.report import status_dict

if TYPE_CHECKING:
    from dnsd.k8s.controller import ControllerOptions


EXIT_HELD = 3  # `watch --once`: deletes over the safety share were held back


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


# --- mapping -------------------------------------------------------------------------------


def _mapping_key(args: argparse.Namespace) -> tuple[str, str]:
    return args.mapping_kind, getattr(args, "key", "") or ""


def cmd_mapping_set(args: argparse.Namespace, settings: Settings) -> int:
    kind, key = _mapping_key(args)
    entry = make_entry(kind, key, args.pool)
    with open_store(settings) as store:
        K8sOps(store.engine).set_mapping(entry, cli_actor())
    print(f"mapping {entry.describe()}")
    return 0


def cmd_mapping_rm(args: argparse.Namespace, settings: Settings) -> int:
    kind, key = _mapping_key(args)
    canonical = make_entry(kind, key, "placeholder").key  # the same canonical key `set` stored
    with open_store(settings) as store:
        entry = K8sOps(store.engine).delete_mapping(kind, canonical, cli_actor())
    print(f"removed {entry.describe()}")
    return 0


def cmd_mapping_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        entries = K8sOps(store.engine).list_mappings()
    if args.json:
        _print_json([{"kind": e.kind, "key": e.key, "pool": e.pool} for e in entries])
    else:
        for e in entries:
            print(f"{e.kind:<14} {e.key or '-':<40} {e.pool}")
    return 0


def _register_mapping(k8s: Any) -> None:
    mapping = k8s.add_parser("mapping", help="which pool serves which entry point")
    msub = mapping.add_subparsers(dest="mapping_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="show the mapping").set_defaults(func=cmd_mapping_list)
    for action, func, verb in (("set", cmd_mapping_set, "map"), ("rm", cmd_mapping_rm, "unmap")):
        parser = msub.add_parser(action, help=f"{verb} an entry point")
        kinds = parser.add_subparsers(dest="mapping_kind", metavar="KIND", required=True)
        gw = kinds.add_parser(GATEWAY_SELECTOR, help="Istio Gateways whose spec.selector has these labels")
        gw.add_argument("key", metavar="LABEL=VALUE[,LABEL=VALUE]")
        cls = kinds.add_parser(INGRESS_CLASS, help="Ingresses of this ingressClassName")
        cls.add_argument("key", metavar="CLASS")
        default = kinds.add_parser(DEFAULT, help="classless Ingresses and Services without dnsd.io/pool")
        shift = kinds.add_parser(SHIFT, help="moves onto POOL go by shift (docs/steering.md)")
        shift.add_argument("key", metavar="STEPS/EVERY", help="e.g. 5,25,50,100/10m")
        for sub in (gw, cls, default, shift):
            if action == "set":
                sub.add_argument("pool", metavar="POOL")
            sub.set_defaults(func=func)


# --- apply ---------------------------------------------------------------------------------


def _load_mapping(args: argparse.Namespace, sink: RecordSink, store: ZoneStore | None) -> PoolMapping:
    if args.mapping:
        try:
            doc = yaml.safe_load(Path(args.mapping).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidInput([Reason("mapping", f"{args.mapping}: {exc}")]) from None
        return mapping_from_document(doc)
    if store is not None:
        return K8sOps(store.engine).pool_mapping()
    assert isinstance(sink, HttpSink)
    return sink.pool_mapping()


def _run_apply(args: argparse.Namespace, sink: RecordSink, store: ZoneStore | None) -> int:
    manifests = load_manifests(args.filename, args.namespace)
    mapping = _load_mapping(args, sink, store)
    derivation = derive(manifests.objects.values(), mapping)
    plan, existing = plan_against(sink, derivation, Scope(owners=derivation.owners))
    Safety(force=args.force).check(plan, existing)
    outcome = None if args.dry_run else execute(plan, sink, mapping)
    failures = outcome.problems if outcome else []
    if args.json:
        _print_json(
            {**plan_json(plan), "dry_run": args.dry_run, "failed": [problem_json(p) for p in failures]}
        )
    else:
        print(
            f"objects read: {len(manifests.objects)}; documents of other kinds ignored: {manifests.ignored}"
        )
        print("\n".join(plan_lines(plan)))
        done = "Dry run: nothing written." if args.dry_run else f"Applied {len(plan.steps)} changes."
        print("\n".join(problem_line(p) for p in failures) or done)
    return 1 if plan.problems or failures else 0


def cmd_apply(args: argparse.Namespace, settings: Settings) -> int:
    if args.server:
        sink = HttpSink(args.server, args.token)
        try:
            return _run_apply(args, sink, None)
        finally:
            sink.close()
    with open_store(settings) as store:
        return _run_apply(args, StoreSink(store, args.actor or cli_actor()), store)


def _register_apply(k8s: Any) -> None:
    apply = k8s.add_parser("apply", help="register the records manifests describe (the CI path)")
    apply.add_argument("-f", "--filename", action="append", required=True, metavar="DIR_OR_FILE",
                       help="manifest file or directory (recursive), '-' for stdin; repeatable")  # fmt: skip
    apply.add_argument("-n", "--namespace", default="default", help="namespace of objects that name none")
    apply.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    apply.add_argument("--mapping", metavar="FILE", help="pool mapping YAML instead of the stored one")
    apply.add_argument("--server", metavar="URL", help="a remote dnsd's HTTP API instead of the database")
    apply.add_argument("--token", default=os.environ.get("DNSD_API_TOKEN"), help="API token (DNSD_API_TOKEN)")
    apply.add_argument("--actor", help="who the change log names (default cli:<user>)")
    apply.add_argument("--force", action="store_true", help="allow a plan that deletes many records")
    apply.set_defaults(func=cmd_apply)


# --- problems ------------------------------------------------------------------------------


def cmd_problems(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        problems = K8sOps(store.engine).list_problems(args.owner_prefix)
    if args.json:
        _print_json([problem_json(p) for p in problems])
    else:
        print("\n".join(problem_line(p) for p in problems) or "no problems")
    return 0


# --- watch ---------------------------------------------------------------------------------


def _controller_options(args: argparse.Namespace) -> ControllerOptions:
    from dnsd.k8s.controller import ControllerOptions
    from dnsd.k8s.watcher import WatchOptions

    versions = tuple(v.strip() for v in args.istio_versions.split(",") if v.strip())
    return ControllerOptions(
        namespaces=tuple(args.namespace or ()),
        resync_seconds=args.resync,
        force=args.force,
        actor=args.actor,
        watch=WatchOptions(timeout_seconds=args.watch_timeout, istio_versions=versions),
    )


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    # The kubernetes client is imported only here: it is slow to import and no other command needs it.
    from dnsd.k8s.controller import Controller
    from dnsd.k8s.kubeapi import Connection, api_client

    conn = Connection(args.api_server, args.token, args.kubeconfig, args.context, args.in_cluster)
    with open_store(settings) as store:
        options = _controller_options(args)
        sink = StoreSink(store, options.actor)
        controller = Controller(api_client(conn), sink, SyncStatusStore(store.engine), options)
        if args.once:
            if not controller.sync_once():
                return 1
            return EXIT_HELD if controller.guard.held else 0
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: controller.request_stop())
        controller.run()
    # Stopped by a signal, the store closed: leave now. The interpreter's teardown of the
    # kubernetes client's thousands of model classes would add about a second to the exit.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _register_watch(k8s: Any) -> None:
    watch = k8s.add_parser("watch", help="controller: keep records in step with the cluster")
    watch.add_argument("-n", "--namespace", action="append", help="watch only this namespace (repeatable)")
    watch.add_argument("--api-server", metavar="URL", help="API server URL (instead of kubeconfig)")
    watch.add_argument(
        "--token", default=os.environ.get("DNSD_K8S_TOKEN"), help="bearer token for --api-server"
    )
    watch.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    watch.add_argument("--context", help="kubeconfig context")
    watch.add_argument("--in-cluster", action="store_true", help="use the pod's service account")
    watch.add_argument("--istio-versions", default=",".join(ISTIO_VERSIONS),
                       help="networking.istio.io versions to try, in order")  # fmt: skip
    watch.add_argument("--resync", type=float, default=300.0, help="seconds between full reconciles")
    watch.add_argument("--watch-timeout", type=int, default=300, help="seconds before each watch is renewed")
    watch.add_argument("--once", action="store_true", help="list, reconcile once and exit")
    watch.add_argument("--force", action="store_true",
                       help="approve the deletes held back at start (over the safety share)")  # fmt: skip
    watch.add_argument("--actor", default="k8s-controller", help="who the change log names")
    watch.set_defaults(func=cmd_watch)


# --- status and approve --------------------------------------------------------------------


def _label(args: argparse.Namespace) -> str:
    from dnsd.k8s.guard import scope_label

    return scope_label(Scope.namespaces(args.namespace or ()))


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        status = SyncStatusStore(store.engine).get_sync_status(K8S_PROVIDER, _label(args))
    if args.json:
        _print_json(status_dict(status) if status else None)
    elif status is None:
        print("the controller has not reconciled yet")
    else:
        print(f"{status.result}: {status.deletes} deletes held (at {status.run_at:%Y-%m-%d %H:%M:%S}Z)")
        if status.message:
            print(status.message)
    return 0


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        status = SyncStatusStore(store.engine).approve(K8S_PROVIDER, _label(args), args.actor or cli_actor())
    print(f"approved {status.deletes} held deletes; the controller applies them within a second or two")
    return 0


def _register_status(k8s: Any) -> None:
    status = k8s.add_parser("status", help="the controller's state: deletes held back, and why")
    approve = k8s.add_parser("approve", help="let the controller apply the deletes it holds back")
    for parser in (status, approve):
        parser.add_argument("-n", "--namespace", action="append",
                            help="the controller's -n list (its scope), if it has one")  # fmt: skip
    status.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    status.set_defaults(func=cmd_status)
    approve.add_argument("--actor", help="who approves (default cli:<user>)")
    approve.set_defaults(func=cmd_approve)


def register(subparsers: Any) -> None:
    k8s = subparsers.add_parser("k8s", help="Kubernetes: mapping, apply, watch, problems")
    ksub = k8s.add_subparsers(dest="k8s_command", metavar="COMMAND", required=True)
    _register_mapping(ksub)
    _register_apply(ksub)
    _register_watch(ksub)
    _register_status(ksub)
    problems = ksub.add_parser("problems", help="rejections and conflicts the controller reported")
    problems.add_argument("--owner-prefix", default="k8s:", help="e.g. k8s:team-a/")
    problems.set_defaults(func=cmd_problems)
