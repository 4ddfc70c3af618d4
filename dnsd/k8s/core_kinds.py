"""Records from core Kubernetes kinds: annotated Services and Ingresses."""

from __future__ import annotations

from typing import Any

from dnsd.domain.k8s import PoolChoice, PoolMapping
from dnsd.k8s.desired import ANN_HOSTNAMES, Collector, annotated_pool, annotated_ttl
from dnsd.k8s.objects import KubeObject

LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def service_names(obj: KubeObject, mapping: PoolMapping) -> Collector:
    """A Service publishes the comma-separated ``dnsd.io/hostnames`` on its ``dnsd.io/pool``
    (or the default pool), with ``dnsd.io/ttl``. Without the annotation it publishes nothing."""
    out = Collector(obj)
    hostnames = obj.annotations.get(ANN_HOSTNAMES)
    if hostnames is None:
        return out
    fld = f"metadata.annotations.{ANN_HOSTNAMES}"
    hosts = [h for h in (out.host(t, fld) for t in hostnames.split(",") if t.strip()) if h]
    if not hosts and not out.rejected:
        out.reject(fld, "lists no hostname")
    pool = annotated_pool(obj.annotations)
    choice = PoolChoice(pool, via="annotation") if pool else mapping.default_choice("no dnsd.io/pool")
    ttl = annotated_ttl(obj.annotations, out)
    if choice.pool is None:
        out.reject("metadata.annotations.dnsd.io/pool", choice.reason)
    elif ttl is not None:
        for host in hosts:
            out.add(host, choice.pool, ttl, f"service {choice.via}")
    return out


def ingress_class(obj: KubeObject) -> str | None:
    """``spec.ingressClassName``, else the legacy ``kubernetes.io/ingress.class`` annotation."""
    name = str(obj.spec.get("ingressClassName") or obj.annotations.get(LEGACY_CLASS_ANNOTATION) or "")
    return name.strip() or None


def _ingress_hosts(obj: KubeObject, out: Collector) -> list[str]:
    texts: list[tuple[str, str]] = []
    rules: list[Any] = obj.spec.get("rules") or []
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and rule.get("host"):
            texts.append((str(rule["host"]), f"spec.rules[{i}].host"))
    tls: list[Any] = obj.spec.get("tls") or []
    for i, entry in enumerate(tls):
        tls_hosts = entry.get("hosts") if isinstance(entry, dict) else None
        for j, host in enumerate(tls_hosts or []):
            texts.append((str(host), f"spec.tls[{i}].hosts[{j}]"))
    found: list[str] = []
    for text, fld in texts:
        host = out.host(text, fld)
        if host and host not in found:
            found.append(host)
    return found


def ingress_names(obj: KubeObject, mapping: PoolMapping) -> Collector:
    """An Ingress publishes its rule hosts and TLS hosts on the pool of its class
    (``dnsd.io/pool`` overrides). Rules without a host are catch-alls and publish nothing."""
    out = Collector(obj)
    hosts = _ingress_hosts(obj, out)
    if not hosts:
        return out
    pool = annotated_pool(obj.annotations)
    cls = ingress_class(obj)
    choice = PoolChoice(pool, via="annotation") if pool else mapping.for_ingress_class(cls)
    ttl = annotated_ttl(obj.annotations, out)
    if choice.pool is None:
        out.reject("spec.ingressClassName", choice.reason)
    elif ttl is not None:
        for host in hosts:
            out.add(host, choice.pool, ttl, f"ingress {choice.via}")
    return out
