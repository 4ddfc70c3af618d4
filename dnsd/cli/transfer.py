"""``dnsd tsig`` (TSIG keys) and ``dnsd transfer`` (who may AXFR/IXFR a zone)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dnsd.cli.connect import cli_actor, open_store
from dnsd.config import Settings
from dnsd.domain.transfer import TransferAcl
from dnsd.store.tsig import TransferOps


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tsig = sub.add_parser("tsig", help="TSIG keys (HMAC-SHA256) for zone transfers").add_subparsers(
        dest="tsig_command", metavar="ACTION", required=True
    )
    add = tsig.add_parser("add", help="create a key and print its named.conf clause")
    add.add_argument("name", help="key name, e.g. xfr.example.com")
    source = add.add_mutually_exclusive_group()
    source.add_argument("--secret", help="base64 secret (default: 32 random octets)")
    source.add_argument("--secret-file", type=Path, help="read the base64 secret from a file ('-': stdin)")
    add.add_argument("--view", help="transfers signed with this key get this view's zones")
    add.set_defaults(func=cmd_tsig_add)
    view = tsig.add_parser("view", help="bind a key to a view (no VIEW: unbind)")
    view.add_argument("name")
    view.add_argument("view", nargs="?", help="view name (omit: the client address's view)")
    view.set_defaults(func=cmd_tsig_view)
    tsig.add_parser("list", help="key names, algorithms and views (never secrets)").set_defaults(
        func=cmd_tsig_list
    )
    show = tsig.add_parser("show", help="print a key's named.conf clause, secret included")
    show.add_argument("name")
    show.set_defaults(func=cmd_tsig_show)
    rm = tsig.add_parser("rm", help="delete a key (refused while an ACL uses it)")
    rm.add_argument("name")
    rm.set_defaults(func=cmd_tsig_rm)

    xfr = sub.add_parser("transfer", help="who may transfer a zone (AXFR/IXFR)").add_subparsers(
        dest="transfer_command", metavar="ACTION", required=True
    )
    allow = xfr.add_parser("allow", help="set the zone's ACL: networks AND keys (either may be omitted)")
    allow.add_argument("zone")
    allow.add_argument("--network", action="append", default=[], help="client CIDR (repeatable)")
    allow.add_argument("--key", action="append", default=[], help="TSIG key name (repeatable)")
    allow.set_defaults(func=cmd_transfer_allow)
    show_acl = xfr.add_parser("show", help="the ACLs (all zones, or one)")
    show_acl.add_argument("zone", nargs="?")
    show_acl.set_defaults(func=cmd_transfer_show)
    clear = xfr.add_parser("clear", help="remove the zone's ACL (transfers refused)")
    clear.add_argument("zone")
    clear.set_defaults(func=cmd_transfer_clear)


@contextmanager
def _ops(settings: Settings) -> Iterator[TransferOps]:
    with open_store(settings) as store:
        yield TransferOps(store.engine, store.limits)


def cmd_tsig_add(args: argparse.Namespace, settings: Settings) -> int:
    secret = args.secret
    if args.secret_file is not None:
        handle = sys.stdin if str(args.secret_file) == "-" else args.secret_file.open(encoding="ascii")
        secret = handle.read().strip()
    with _ops(settings) as ops:
        key = ops.add_tsig_key(args.name, cli_actor(), secret, args.view)
    print(f"# TSIG key {key.name} created; put this in the secondary's named.conf", file=sys.stderr)
    print(key.bind_clause(), end="")
    return 0


def cmd_tsig_view(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        key = ops.set_tsig_key_view(args.name, args.view, cli_actor())
    print(f"{key.name}: view {key.view or '- (the client address decides)'}")
    return 0


def cmd_tsig_list(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        keys = ops.list_tsig_keys()
    if args.json:
        print(
            json.dumps([{"name": k.name, "algorithm": k.algorithm, "view": k.view} for k in keys], indent=2)
        )
    for key in [] if args.json else keys:
        print(f"{key.name:<40} {key.algorithm:<12} {key.view or '-'}")
    return 0


def cmd_tsig_show(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        print(ops.get_tsig_key(args.name).bind_clause(), end="")
    return 0


def cmd_tsig_rm(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        ops.remove_tsig_key(args.name, cli_actor())
    print(f"deleted TSIG key {args.name}")
    return 0


def _acl_line(acl: TransferAcl) -> str:
    return f"{acl.zone:<30} networks={','.join(acl.networks) or '-'} keys={','.join(acl.keys) or '-'}"


def cmd_transfer_allow(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        acl = ops.set_transfer_acl(args.zone, cli_actor(), args.network, args.key)
    print(_acl_line(acl))
    return 0


def cmd_transfer_show(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        acls = ops.load_transfer_policy().acls
    zone = args.zone.lower().rstrip(".") if args.zone else None
    shown = [acls[z] for z in sorted(acls) if zone is None or z == zone]
    if args.json:
        print(json.dumps([{"zone": a.zone, "networks": a.networks, "keys": a.keys} for a in shown], indent=2))
        return 0
    for acl in shown:
        print(_acl_line(acl))
    if zone is not None and not shown:
        print(f"{zone}: no ACL; transfers are refused")
    return 0


def cmd_transfer_clear(args: argparse.Namespace, settings: Settings) -> int:
    with _ops(settings) as ops:
        ops.clear_transfer_acl(args.zone, cli_actor())
    print(f"{args.zone}: ACL removed; transfers are refused")
    return 0
