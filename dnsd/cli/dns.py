"""``dnsd serve-dns``: the DNS server alone (no HTTP API), one process or several."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from dnsd.config import Settings
from dnsd.server.reload import with_env_file


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve-dns", help="answer DNS over UDP and TCP from the store, following its changes"
    )
    parser.add_argument(
        "--host", "--dns-host", dest="host", help="addresses to listen on, comma-separated (DNSD_DNS_HOST)"
    )
    parser.add_argument(
        "--port", "--dns-port", dest="port", type=int,
        help="UDP and TCP port, 0 for any free one (DNSD_DNS_PORT; default 53)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, help="processes sharing the port (DNSD_DNS_WORKERS)")
    parser.add_argument(
        "--no-steering", action="store_true", help="never lead health checks and shifts (DNSD_STEERING=false)"
    )
    parser.set_defaults(func=serve_dns_command)


def serve_dns_command(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT. Prints ``serving DNS on HOST port PORT`` once bound."""
    overrides = {
        "dns_host": args.host, "dns_port": args.port, "dns_workers": args.workers,
        "steering": False if args.no_steering else None,
    }  # fmt: skip
    settings = with_env_file(
        settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    )
    from dnsd.server.sockets import check_dns_ports, listen_hosts

    hosts = listen_hosts(settings.dns_host)
    check_dns_ports(hosts, settings.dns_port, reuse_port=settings.dns_workers > 1)
    if settings.dns_workers > 1:
        from dnsd.server.workers import DnsWorkers

        def announce_workers(port: int) -> None:
            for host in hosts:
                print(f"serving DNS on {host} port {port}", flush=True)

        DnsWorkers(settings).run(announce_workers)
        return 0
    from dnsd.server.run import DnsServer, run_dns
    from dnsd.store.engine import engine_from
    from dnsd.store.zonestore import ZoneStore

    def announce(server: DnsServer) -> None:
        if server.metrics_port is not None:
            print(f"serving metrics on {settings.api_host} port {server.metrics_port}", flush=True)
        for host in server.hosts:
            print(f"serving DNS on {host} port {server.port}", flush=True)

    store = ZoneStore(engine_from(settings))
    if not settings.steering:
        run_dns(settings, store, on_ready=announce, serve_metrics=True)
        return 0
    from dnsd.cli.serve import run_until_signalled
    from dnsd.server.run import serve_dns
    from dnsd.steering.leader import Steering, alongside

    async def main() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        dns = serve_dns(settings, store, stop=stop, on_ready=announce, serve_metrics=True)
        await alongside(Steering(store, settings.steering_interval), stop, dns)

    run_until_signalled(main())
    return 0
