"""Records from Istio: a VirtualService publishes its hosts through the Gateways it binds.

The VirtualService owns the records (it names the hosts); a Gateway owns none: it decides
which hosts may be bound (coverage) and, through its ``selector``, which pool serves them.
The same fields exist in ``networking.istio.io`` ``v1alpha3``, ``v1beta1`` and ``v1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dnsd.domain.k8s import PoolChoice, PoolMapping
from dnsd.k8s.desired import Collector, annotated_pool, annotated_ttl
from dnsd.k8s.hosts import GatewayHost, parse_gateway_host, parse_gateway_ref
from dnsd.k8s.objects import KubeObject

GatewayKey = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True, slots=True)
class GatewayView:
    """What a VirtualService needs from a Gateway: the hosts it serves and its pool."""

    namespace: str
    name: str
    hosts: tuple[GatewayHost, ...]
    choice: PoolChoice

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


def gateway_view(obj: KubeObject, mapping: PoolMapping) -> GatewayView:
    """Resolve a Gateway's server hosts and its pool (``dnsd.io/pool`` overrides the selector)."""
    selector = obj.spec.get("selector") or {}
    selector = {str(k): str(v) for k, v in selector.items()} if isinstance(selector, Mapping) else {}
    pool = annotated_pool(obj.annotations)
    choice = PoolChoice(pool, via="annotation") if pool else mapping.for_selector(selector)
    servers: list[Any] = obj.spec.get("servers") or []
    hosts = tuple(
        parse_gateway_host(str(host), obj.namespace)
        for server in servers
        if isinstance(server, Mapping)
        for host in (server.get("hosts") or [])
    )
    return GatewayView(obj.namespace, obj.name, hosts, choice)


def _bound(
    obj: KubeObject, gateways: Mapping[GatewayKey, GatewayView], out: Collector
) -> tuple[list[GatewayView], bool]:
    """The Gateways ``spec.gateways`` binds (missing ones rejected) and whether ``mesh`` is bound.
    No ``spec.gateways`` means ``mesh`` only, as in Istio."""
    refs: list[Any] = obj.spec.get("gateways") or ["mesh"]
    bound: list[GatewayView] = []
    mesh = False
    for i, ref in enumerate(refs):
        key = parse_gateway_ref(str(ref), obj.namespace)
        if key is None:
            mesh = True
        elif key in gateways:
            bound.append(gateways[key])
        else:
            out.reject(f"spec.gateways[{i}]", f"gateway {key[0]}/{key[1]} not found")
    return bound, mesh


def _publish(out: Collector, host: str, fld: str, covering: list[GatewayView], ttl: int) -> None:
    missing = [f"gateway {gw}: {gw.choice.reason}" for gw in covering if gw.choice.pool is None]
    pools = sorted({gw.choice.pool for gw in covering if gw.choice.pool})
    if missing:
        out.reject(fld, "; ".join(missing), host)
    elif len(pools) > 1:
        out.reject(fld, f"the gateways covering it map to different pools {pools}", host)
    else:
        gw = covering[0]
        out.add(host, pools[0], ttl, f"gateway {gw} {gw.choice.via}")


def virtualservice_names(obj: KubeObject, gateways: Mapping[GatewayKey, GatewayView]) -> Collector:
    """Each ``spec.hosts`` entry covered by a bound Gateway's hosts is published on that
    Gateway's pool. An uncovered host is rejected (it would resolve to a 404), unless the
    VirtualService also binds ``mesh``, where it is a mesh-internal host and is skipped."""
    out = Collector(obj)
    bound, mesh = _bound(obj, gateways, out)
    hosts: list[Any] = obj.spec.get("hosts") or []
    if not bound:
        if mesh:
            for text in hosts:
                out.skip(str(text), "bound only to the mesh gateway")
        return out
    ttl = annotated_ttl(obj.annotations, out)
    for i, text in enumerate(hosts):
        fld = f"spec.hosts[{i}]"
        host = out.host(str(text), fld)
        if host is None or ttl is None:
            continue
        covering = [gw for gw in bound if any(h.admits(obj.namespace, host) for h in gw.hosts)]
        if covering:
            _publish(out, host, fld, covering, ttl)
        elif mesh:
            out.skip(host, "no bound gateway exposes it; it serves the mesh only")
        else:
            served = ", ".join(f"{gw} ({' '.join(str(h) for h in gw.hosts) or 'no hosts'})" for gw in bound)
            out.reject(fld, f"not covered by the hosts of gateway {served}; it would resolve to a 404", host)
    return out
