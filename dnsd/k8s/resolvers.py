"""Resolver configuration that sends our zones to dnsd: kube-dns ``stubDomains``, CoreDNS
server blocks, unbound ``stub-zone``s. Pure text rendering from zone names and addresses.

``ecs``: make the resolver send the client's subnet (EDNS Client Subnet, RFC 7871) so that dnsd
answers the client's view rather than the resolver's (dnsd must trust the resolver:
``DNSD_ECS_TRUSTED``). unbound does it (its ``subnetcache`` module); CoreDNS's ``forward`` and
kube-dns's dnsmasq cannot add it from a ConfigMap, so their output says so and how views still
work: by the resolver's own source address (one resolver per data center)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason

DNS_PORT = 53
# Zones unbound answers itself by default (RFC 6761/6303 and AS112); a stub needs them unblocked.
_UNBOUND_DEFAULT_ZONES = ("localhost", "test", "invalid", "onion", "home.arpa", "in-addr.arpa", "ip6.arpa")


@dataclass(frozen=True, slots=True)
class Upstream:
    """A dnsd address: an IP literal and a port."""

    address: str
    port: int = DNS_PORT

    @property
    def is_v6(self) -> bool:
        return ":" in self.address

    def host_port(self) -> str:
        """``ip:port`` (``[ip]:port`` for IPv6) as kube-dns and CoreDNS write it."""
        return f"[{self.address}]:{self.port}" if self.is_v6 else f"{self.address}:{self.port}"

    def kube_dns(self) -> str:
        return self.address if self.port == DNS_PORT else self.host_port()


def parse_upstream(text: str, field: str = "server") -> Upstream:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address; :class:`InvalidInput` else."""
    raw = text.strip()
    host, port = raw, str(DNS_PORT)
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else (rest or str(DNS_PORT))
    elif raw.count(":") == 1:
        host, port = raw.split(":")
    try:
        address = ipaddress.ip_address(host).compressed
    except ValueError:
        raise InvalidInput([Reason(field, f"{text!r}: not IP[:PORT] (an IP address is required)")]) from None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InvalidInput([Reason(field, f"{text!r}: port must be 1..65535")])
    return Upstream(address, int(port))


ECS_HASH_V4, ECS_HASH_V6 = 24, 56  # what dnsd's selection uses (docs/selection.md)
ECS_BY_SOURCE = (
    "dnsd sees this resolver's own address, so its view is the one of the resolver's network: run "
    "one resolver per data center (or put unbound with --ecs in front)"
)


def kube_dns_configmap(zones: Sequence[str], servers: Sequence[Upstream], ecs: bool = False) -> str:
    """The ``kube-system/kube-dns`` ConfigMap with one stub domain per zone."""
    stubs = {zone: [s.kube_dns() for s in servers] for zone in zones}
    body = "\n".join("    " + line for line in json.dumps(stubs, indent=2).splitlines())
    note = f"# ECS: kube-dns (dnsmasq) cannot add the client subnet from this ConfigMap; {ECS_BY_SOURCE}\n"
    header = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-dns\n  namespace: kube-system\n"
    return f"{note if ecs else ''}{header}data:\n  stubDomains: |\n{body}\n"


def coredns_blocks(zones: Sequence[str], servers: Sequence[Upstream], ecs: bool = False) -> str:
    """CoreDNS server blocks, one per zone, to add to the Corefile."""
    targets = " ".join(s.host_port() for s in servers)
    blocks = [f"{zone}:53 {{\n    errors\n    cache 30\n    forward . {targets}\n}}\n" for zone in zones]
    head = "# dnsd zones: add to the Corefile (ConfigMap kube-system/coredns)\n"
    if ecs:
        head += (
            "# ECS: CoreDNS's forward plugin passes on a client's own ECS option but does not add one;\n"
            f"# {ECS_BY_SOURCE}. Keep 'cache' out of these blocks if clients send ECS.\n"
        )
    return head + "\n".join(blocks)


def _unbound_ecs(servers: Sequence[Upstream]) -> list[str]:
    """ECS to dnsd: the ``subnetcache`` module (answers cached per subnet), the client's /24 or /56
    sent to dnsd's addresses even for queries that came with an ECS option of their own."""
    lines = [
        "    # ECS (RFC 7871): dnsd answers the client's view; it must trust this resolver",
        "    # (DNSD_ECS_TRUSTED). Replaces module-config: keep subnetcache first in yours.",
        '    module-config: "subnetcache validator iterator"',
    ]
    lines += [f"    send-client-subnet: {s.address}" for s in servers]
    lines += [
        "    client-subnet-always-forward: yes",
        f"    max-client-subnet-ipv4: {ECS_HASH_V4}",
        f"    max-client-subnet-ipv6: {ECS_HASH_V6}",
    ]
    return lines


def _unbound_server_clause(zones: Sequence[str], servers: Sequence[Upstream]) -> list[str]:
    lines = ["server:"]
    if any(ipaddress.ip_address(s.address).is_loopback for s in servers):
        lines.append("    do-not-query-localhost: no")
    for zone in zones:
        # Unsigned zones below a signed parent would validate as bogus; private VIPs in the
        # answers must survive private-address filtering.
        lines += [f'    domain-insecure: "{zone}"', f'    private-domain: "{zone}"']
        if any(zone == d or zone.endswith("." + d) for d in _UNBOUND_DEFAULT_ZONES):
            lines.append(f'    local-zone: "{zone}." nodefault')
    return lines


def unbound_stub_zones(zones: Sequence[str], servers: Sequence[Upstream], ecs: bool = False) -> str:
    """An unbound config fragment (for ``include:``): a ``server:`` clause with what stubs to
    dnsd need (with ``ecs``, the client-subnet settings), then one ``stub-zone:`` per zone with
    ``stub-addr: IP@PORT``."""
    lines = ["# dnsd zones: include from unbound.conf", *_unbound_server_clause(zones, servers)]
    if ecs:
        lines += _unbound_ecs(servers)
    for zone in zones:
        lines += ["", "stub-zone:", f'    name: "{zone}"']
        lines += [f"    stub-addr: {s.address}@{s.port}" for s in servers]
    return "\n".join(lines) + "\n"


RENDERERS = {"kube-dns": kube_dns_configmap, "coredns": coredns_blocks, "unbound": unbound_stub_zones}
