"""``dnsd serve-dns``: the DNS server alone (no HTTP API), one process or several."""

from __future__ import annotations

import argparse
from typing import Any

from dnsd.config import Settings
from dnsd.server.reload import with_env_file


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve-dns", help="answer DNS over UDP and TCP from the store, following its changes"
    )
    parser.add_argument("--host", help="address to listen on (DNSD_DNS_HOST)")
    parser.add_argument("--port", type=int, help="UDP and TCP port, 0 for any free one (DNSD_DNS_PORT)")
    parser.add_argument("--workers", type=int, help="processes sharing the port (DNSD_DNS_WORKERS)")
    parser.set_defaults(func=serve_dns_command)


def serve_dns_command(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT. Prints ``serving DNS on HOST port PORT`` once bound."""
    overrides = {"dns_host": args.host, "dns_port": args.port, "dns_workers": args.workers}
    settings = with_env_file(
        settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    )
    if settings.dns_workers > 1:
        from dnsd.server.workers import DnsWorkers

        DnsWorkers(settings).run(
            lambda port: print(f"serving DNS on {settings.dns_host} port {port}", flush=True)
        )
        return 0
    from dnsd.server.run import DnsServer, run_dns
    from dnsd.store.engine import engine_from
    from dnsd.store.zonestore import ZoneStore

    def announce(server: DnsServer) -> None:
        if server.metrics_port is not None:
            print(f"serving metrics on {settings.api_host} port {server.metrics_port}", flush=True)
        print(f"serving DNS on {server.host} port {server.port}", flush=True)

    run_dns(settings, ZoneStore(engine_from(settings)), on_ready=announce, serve_metrics=True)
    return 0
