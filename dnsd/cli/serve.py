"""``dnsd serve``: the HTTP API and the DNS server in one process (either may run alone).

This module is the composition root: the one place in ``dnsd`` allowed to import ``api``
(import-linter lists it as the single exception), because it wires the two together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any

from dnsd.config import Settings
from dnsd.domain.records import TtlLimits
from dnsd.server.reload import with_env_file
from dnsd.store.engine import engine_from
from dnsd.store.zonestore import ZoneStore

log = logging.getLogger("dnsd.serve")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run the HTTP API and the DNS server (one process; --no-api/--no-dns for one alone)"
    )
    parser.add_argument("--api-host", help="address of the HTTP API (DNSD_API_HOST)")
    parser.add_argument("--api-port", type=int, help="port of the HTTP API (DNSD_API_PORT)")
    parser.add_argument("--dns-host", help="addresses of the DNS server, comma-separated (DNSD_DNS_HOST)")
    parser.add_argument(
        "--dns-port", type=int, help="UDP and TCP port of the DNS server, 0: any free (DNSD_DNS_PORT; 53)"
    )
    parser.add_argument(
        "--migrate", action="store_true", default=None, help="upgrade the schema first (DNSD_MIGRATE)"
    )
    parser.add_argument(
        "--ecs-trusted", help="networks of resolvers whose EDNS Client Subnet is trusted, comma-separated "
        "(DNSD_ECS_TRUSTED; none)",
    )  # fmt: skip
    parser.add_argument("--no-api", action="store_true", help="serve DNS only")
    parser.add_argument("--no-dns", action="store_true", help="serve the HTTP API only")
    parser.add_argument(
        "--no-steering", action="store_true", help="never lead health checks and shifts (DNSD_STEERING=false)"
    )
    parser.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT."""
    if args.no_api and args.no_dns:
        raise SystemExit("dnsd serve: --no-api and --no-dns leave nothing to serve")
    overrides = {
        "api_host": args.api_host, "api_port": args.api_port,
        "dns_host": args.dns_host, "dns_port": args.dns_port, "migrate": args.migrate,
        "ecs_trusted": args.ecs_trusted,
        "steering": False if args.no_steering else None,
    }  # fmt: skip
    settings = with_env_file(
        settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    )
    if settings.migrate:
        from dnsd.cli.migrate import migrate, shown_url

        migrate(settings)
        log.info("database %s migrated to head", shown_url(settings.database_url))
    run_until_signalled(serve(settings, api=not args.no_api, dns=not args.no_dns))
    return 0


def run_until_signalled(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop when it is installed, else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


@dataclass(frozen=True, slots=True)
class Serving:
    """Where ``serve`` answers, once every side it runs is ready."""

    dns_hosts: list[str]
    dns_port: int | None
    api_url: str | None


async def serve(
    settings: Settings,
    *,
    api: bool = True,
    dns: bool = True,
    on_ready: Callable[[Serving], None] | None = None,
) -> None:
    """Run the chosen sides on one event loop until SIGTERM/SIGINT (DNS drains, the API finishes
    its requests) or until one side fails. SIGHUP reloads the DNS side's live settings.
    With the API, ``/metrics`` is on the API port; without it, on ``metrics_port`` if set.

    A port that cannot be had is :class:`~dnsd.server.sockets.PortUnavailable` before anything
    starts (the DNS port is checked early, then bound once the first snapshot has loaded);
    ``on_ready(serving)`` runs once DNS answers and the API accepts requests."""
    from dnsd.metrics import make_registry
    from dnsd.server.metrics import DnsCollector
    from dnsd.server.run import DnsServer, serve_dns
    from dnsd.server.sockets import bind_api, check_dns_ports, listen_hosts
    from dnsd.server.state import ServerState

    if dns:
        check_dns_ports(listen_hosts(settings.dns_host), settings.dns_port)
    api_socket = bind_api(settings.api_host, settings.api_port) if api else None

    limits = TtlLimits(settings.ttl_floor, settings.ttl_ceiling)
    store = ZoneStore(engine_from(settings), limits, settings.serial_policy)
    state = ServerState()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    registry = make_registry()

    dns_ready: asyncio.Future[DnsServer | None] = loop.create_future()
    if not dns:
        dns_ready.set_result(None)

    def announce(server: DnsServer) -> None:
        if api:
            registry.register(DnsCollector(server))
        if server.metrics_port is not None:
            print(f"serving metrics on {settings.api_host} port {server.metrics_port}", flush=True)
        for host in server.hosts:
            print(f"serving DNS on {host} port {server.port}", flush=True)
        dns_ready.set_result(server)

    dns_task = None
    if dns:
        dns_coro = serve_dns(
            settings, store, state=state, on_ready=announce, stop=stop, serve_metrics=not api
        )
        dns_task = asyncio.create_task(dns_coro)
    api_server = _api_server(settings, store, state if dns else None, registry) if api else None
    api_task = None
    if api_server is not None and api_socket is not None:
        api_task = asyncio.create_task(api_server.serve(sockets=[api_socket]))
    # steering ends (giving its lease up) when stop is set
    tasks = [t for t in (dns_task, api_task, _start_steering(settings, store, registry, stop)) if t]
    waiter = asyncio.create_task(stop.wait())
    api_url = None
    if api_socket is not None:
        api_url = f"http://{_url_host(settings.api_host)}:{api_socket.getsockname()[1]}"
    ready_task = asyncio.create_task(_when_ready(dns_ready, api_server, api_url, on_ready))
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    ready_task.cancel()
    stop.set()  # one side failed or a signal came: the DNS side drains
    if api_server is not None:
        api_server.should_exit = True  # uvicorn finishes in-flight requests, then returns
    results = await asyncio.gather(*tasks, return_exceptions=True)
    waiter.cancel()
    store.engine.dispose()
    for result in results:
        if isinstance(result, Exception):
            raise result


async def _when_ready(
    dns_ready: asyncio.Future[Any],
    api_server: Any,
    api_url: str | None,
    on_ready: Callable[[Serving], None] | None,
) -> None:
    server = await dns_ready
    while api_server is not None and not api_server.started:
        await asyncio.sleep(0.02)
    if on_ready is not None:
        on_ready(Serving(
            dns_hosts=server.hosts if server is not None else [],
            dns_port=server.port if server is not None else None,
            api_url=api_url,
        ))  # fmt: skip


def _start_steering(
    settings: Settings, store: ZoneStore, registry: Any, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """The leader election (health checks, shifts) beside the API and DNS, unless disabled;
    its ``dnsd_member_up`` gauges go to ``registry``."""
    if not settings.steering:
        return None
    from dnsd.steering.leader import Steering
    from dnsd.steering.metrics import MemberHealthCollector

    steering = Steering(store, settings.steering_interval)
    registry.register(MemberHealthCollector(steering))
    return asyncio.create_task(steering.run(stop))


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _api_server(settings: Settings, store: ZoneStore, state: Any, registry: Any) -> Any:
    import uvicorn

    from api.app import create_app

    def ready() -> tuple[bool, str]:
        if state is None or state.ready:
            return True, "ok"
        return False, state.last_error or "DNS snapshot not loaded yet"

    class EmbeddedServer(uvicorn.Server):
        """uvicorn without its own signal handlers: ``serve`` owns SIGTERM/SIGINT for both sides."""

        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    app = create_app(settings, store, ready=ready, registry=registry)
    config = uvicorn.Config(app, host=settings.api_host, port=settings.api_port, log_config=None)
    return EmbeddedServer(config)
