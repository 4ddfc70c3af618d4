"""``dnsd demo``: migrate the database and seed ``zones/demo.yaml``; with ``--serve``, serve it
too (README command (a), ``scripts/demo``).

``--serve`` puts DNS on port 53 of 127.0.0.1 and ::1, so that ``dig @localhost`` works as
written, when the port can be had (root or CAP_NET_BIND_SERVICE; systemd-resolved holds only
127.0.0.53/54). Otherwise it says which port it took instead and why. ``DNSD_DNS_PORT`` (or
``--dns-port``) given explicitly is used as it is. The "try" lines are printed once, after DNS
answers and the API accepts requests.
"""

from __future__ import annotations

import argparse
import errno
from pathlib import Path

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.migrate import migrate, shown_url
from dnsd.cli.output import emit, note
from dnsd.cli.seed import outcome_json, outcome_text
from dnsd.cli.serve import Serving, run_until_signalled, serve
from dnsd.config import Settings
from dnsd.server.sockets import PortUnavailable, check_dns_ports, listen_hosts
from dnsd.services.seed import seed_file

SOURCE_DEMO_FILE = Path(__file__).resolve().parents[2] / "zones" / "demo.yaml"
# An installed wheel has no zones/ beside it: the image keeps it in its working directory.
DEMO_FILE = SOURCE_DEMO_FILE if SOURCE_DEMO_FILE.is_file() else Path("zones") / "demo.yaml"
FALLBACK_PORTS = (10053, 0)
"""Where the demo's DNS goes when port 53 cannot be had: a port no well-known service uses,
then any free one."""
NEW_RECORD = '{"name":"shop.hello-web.com","type":"A","pool":"legacy-ingress","ttl":60,"owner":"ci:readme"}'
POOL_MOVE = '{"addresses":["10.20.0.11","fd00:20::11"]}'


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="migrate, then seed the demo zones (zones/demo.yaml)")
    parser.add_argument("--serve", action="store_true", help="then serve them (API and DNS) until Ctrl-C")
    parser.add_argument("--dns-port", type=int, help="DNS port for --serve (DNSD_DNS_PORT; default 53)")
    parser.add_argument("--api-port", type=int, help="API port for --serve (DNSD_API_PORT; default 8080)")
    parser.set_defaults(func=run)


def dig_target(hosts: list[str]) -> str:
    """The address to put after ``dig @`` for a server listening on ``hosts``."""
    if {"127.0.0.1", "::1"} <= set(hosts):
        return "localhost"
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1"}
    return wildcard.get(hosts[0], hosts[0])


def try_line(settings: Settings) -> str:
    port = "" if settings.dns_port == 53 else f" -p {settings.dns_port}"
    return f"dig @{dig_target(listen_hosts(settings.dns_host))}{port} www.hello-web.com"


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.api_port is not None:
        settings = settings.model_copy(update={"api_port": args.api_port})
    if args.dns_port is not None:
        settings = settings.model_copy(update={"dns_port": args.dns_port})
    migrate(settings)
    with open_store(settings) as store:
        outcome = seed_file(store, DEMO_FILE, cli_actor())
    for line in outcome.plan.notes:
        note(f"note: {line}")
    if args.serve:
        emit(args, outcome_json(outcome), outcome_text(outcome))
        return serve_demo(args.dns_port is None and "dns_port" not in settings.model_fields_set, settings)
    hint = (
        f"demo data is in {shown_url(settings.database_url)}; 'dnsd serve' (or 'dnsd demo --serve') serves it"
    )
    emit(args, outcome_json(outcome) | {"try": try_line(settings)}, f"{outcome_text(outcome)}\n\n{hint}")
    return 0


def choose_dns_port(settings: Settings) -> tuple[int, str | None]:
    """Port 53 when it can be had, else the first fallback that can, with the reason why not."""
    hosts = listen_hosts(settings.dns_host)
    try:
        check_dns_ports(hosts, 53)
        return 53, None
    except PortUnavailable as exc:
        if exc.errno not in (errno.EACCES, errno.EADDRINUSE):
            raise
        why = str(exc).split(";")[0]
    for port in FALLBACK_PORTS:
        try:
            check_dns_ports(hosts, port)
        except PortUnavailable:
            continue
        return port, why
    raise AssertionError("unreachable: port 0 is always free")


def serve_demo(choose_port: bool, settings: Settings) -> int:
    """Serve the demo until Ctrl-C, printing where and what to try once it answers."""
    why = None
    if choose_port:
        port, why = choose_dns_port(settings)
        settings = settings.model_copy(update={"dns_port": port})

    def ready(serving: Serving) -> None:
        assert serving.dns_port is not None
        shown = settings.model_copy(update={"dns_port": serving.dns_port})
        print(try_block(shown, serving, why), flush=True)

    run_until_signalled(serve(settings, on_ready=ready))
    return 0


def try_block(settings: Settings, serving: Serving, why: str | None) -> str:
    """What the demo prints once DNS and the API answer: where, why there, and what to try."""
    api = serving.api_url
    hosts = " and ".join(serving.dns_hosts)
    lines = [
        "",
        f"dnsd is ready: DNS on {hosts} port {serving.dns_port} (UDP and TCP), "
        f"API on {api} (docs at {api}/docs){', no auth (demo mode)' if settings.auth_disabled else ''}.",
    ]
    lines.append(
        f"Web console: {api}/ui"
        + (" (opens on the demo data)" if settings.auth_disabled else " (sign in with an API token)")
    )
    if not settings.auth_disabled:
        lines.append("The API wants a token: add -H 'Authorization: Bearer ...' ('dnsd token create').")
    if why is not None:
        remedy = (
            "stop what holds it for port 53"
            if why.endswith("is in use")
            else "run as root (or give the Python interpreter CAP_NET_BIND_SERVICE) for port 53"
        )
        lines.append(f"DNS is on port {serving.dns_port}, not 53: {why}. To change it, {remedy}, "
                     "or set DNSD_DNS_PORT.")  # fmt: skip
    lines += [
        "Try:",
        f"  {try_line(settings)}",
        f"  curl -s '{api}/records?name=www.hello-web.com'",
        f"  curl -s -X POST {api}/records \\",
        f"    -d '{NEW_RECORD}'",
        f"  curl -s -X PATCH {api}/pools/istio-ingressgateway -d '{POOL_MOVE}'",
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)
