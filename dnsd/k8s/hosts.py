"""Istio host semantics: ``namespace/host`` forms on Gateway servers and host coverage.

Istio documents a Gateway server host as ``[namespace/]dnsName``: ``*/`` (the default when no
namespace is given) lets VirtualServices of any namespace bind the host, ``./`` only those in
the Gateway's namespace, ``prod/`` only those in ``prod``. ``dnsName`` is an FQDN, optionally
with ``*`` as its leftmost label, or ``*`` alone for every host.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY_NAMESPACE = "*"


def canonical_host(text: str) -> str:
    """Istio hosts compare case-insensitively and without a trailing dot."""
    return text.strip().lower().rstrip(".")


def covers(pattern: str, host: str) -> bool:
    """True when every name ``host`` matches is also matched by ``pattern`` (both canonical).

    ``*.hello-web.com`` covers ``www.hello-web.com``, ``a.b.hello-web.com`` and
    ``*.apps.hello-web.com``, but not ``hello-web.com``; ``*`` covers everything.
    """
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host == pattern or (host[1:] if host.startswith("*.") else host).endswith(suffix)
    return host == pattern


@dataclass(frozen=True, slots=True)
class GatewayHost:
    """One entry of a Gateway server's ``hosts``, with its namespace part resolved."""

    namespace: str  # ANY_NAMESPACE or one namespace
    pattern: str

    def admits(self, namespace: str, host: str) -> bool:
        """True when a VirtualService in ``namespace`` may bind ``host`` through this entry."""
        return self.namespace in (ANY_NAMESPACE, namespace) and covers(self.pattern, host)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.pattern}"


def parse_gateway_host(text: str, gateway_namespace: str) -> GatewayHost:
    """Parse ``[namespace/]dnsName``; ``.`` is the Gateway's own namespace."""
    namespace, sep, name = text.strip().rpartition("/")
    if not sep:
        namespace = ANY_NAMESPACE
    elif namespace == ".":
        namespace = gateway_namespace
    return GatewayHost(namespace or ANY_NAMESPACE, canonical_host(name))


def parse_gateway_ref(ref: str, namespace: str) -> tuple[str, str] | None:
    """A VirtualService ``spec.gateways`` entry -> (namespace, name); None for ``mesh``.

    Accepts ``name`` (the VirtualService's namespace), ``namespace/name`` and the older
    ``name.namespace.svc.cluster.local`` form.
    """
    ref = ref.strip()
    if ref == "mesh":
        return None
    if "/" in ref:
        ns, _, name = ref.partition("/")
        return ns, name
    if "." in ref:
        name, ns = ref.split(".")[:2]
        return ns, name
    return namespace, ref
