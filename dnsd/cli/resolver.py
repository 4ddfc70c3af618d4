"""``dnsd resolver-config``: point kube-dns, CoreDNS or unbound at dnsd for every zone."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dnsd.cli.connect import open_store
from dnsd.config import Settings
from dnsd.k8s.resolvers import RENDERERS, Upstream, parse_upstream
from dnsd.server.sockets import listen_hosts


def cmd_resolver_config(args: argparse.Namespace, settings: Settings) -> int:
    texts = args.server or [Upstream(listen_hosts(settings.dns_host)[0], settings.dns_port).host_port()]
    servers = [parse_upstream(t, f"server.{i}") for i, t in enumerate(texts)]
    with open_store(settings) as store:
        zones = [z.name for z in store.list_zones()]
    if not zones:
        print("error: the store holds no zones; create them first", file=sys.stderr)
        return 1
    sys.stdout.write(RENDERERS[args.flavour](zones, servers, args.ecs))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "resolver-config", help="print resolver configuration that forwards every zone to dnsd"
    )
    flavour = parser.add_mutually_exclusive_group(required=True)
    for name, what in (
        ("kube-dns", "the kube-system/kube-dns ConfigMap (stubDomains)"),
        ("coredns", "CoreDNS server blocks (forward)"),
        ("unbound", "unbound stub-zone clauses"),
    ):
        flavour.add_argument(f"--{name}", dest="flavour", action="store_const", const=name, help=what)
    parser.add_argument(
        "--server", action="append", metavar="IP[:PORT]",
        help="a dnsd address (repeatable; default DNSD_DNS_HOST:DNSD_DNS_PORT)",
    )  # fmt: skip
    parser.add_argument(
        "--ecs", action="store_true",
        help="forward the client subnet (EDNS Client Subnet) so dnsd answers the client's view "
             "(unbound; CoreDNS/kube-dns: a note on what they can do); dnsd must trust the "
             "resolver (DNSD_ECS_TRUSTED)",
    )  # fmt: skip
    parser.set_defaults(func=cmd_resolver_config)
