"""Derivation: Kubernetes objects + the pool mapping -> the desired names. Pure.

``derive`` sees only its arguments (no client library, no store, no I/O), so the same code
serves ``dnsd k8s apply`` on manifest files and the ``dnsd k8s watch`` controller.
"""

from __future__ import annotations

from collections.abc import Iterable

from dnsd.domain.k8s import PoolMapping
from dnsd.domain.plan import Problem
from dnsd.k8s.core_kinds import ingress_names, service_names
from dnsd.k8s.desired import Collector, Derivation, DesiredName
from dnsd.k8s.istio import GatewayKey, GatewayView, gateway_view, virtualservice_names
from dnsd.k8s.objects import GATEWAY, INGRESS, SERVICE, VIRTUALSERVICE, KubeObject


def _collect(objects: list[KubeObject], mapping: PoolMapping) -> list[tuple[KubeObject, Collector]]:
    gateways: dict[GatewayKey, GatewayView] = {
        (o.namespace, o.name): gateway_view(o, mapping) for o in objects if o.kind == GATEWAY
    }
    results = []
    for obj in objects:
        if obj.kind == SERVICE:
            results.append((obj, service_names(obj, mapping)))
        elif obj.kind == INGRESS:
            results.append((obj, ingress_names(obj, mapping)))
        elif obj.kind == VIRTUALSERVICE:
            results.append((obj, virtualservice_names(obj, gateways)))
    return results


def _seniority(obj: KubeObject) -> tuple[bool, str, str]:
    # The oldest object keeps a contested name (creationTimestamp, when known), then by owner.
    return (obj.created == "", obj.created, obj.owner)


def _deduplicate(results: list[tuple[KubeObject, Collector]]) -> tuple[list[DesiredName], list[Problem]]:
    """One owner per name: when objects claim the same host, the oldest keeps it and the others
    are rejected naming it (the store would refuse the second owner anyway)."""
    winners: dict[str, tuple[KubeObject, DesiredName]] = {}
    losers: list[tuple[KubeObject, DesiredName]] = []
    for obj, out in sorted(results, key=lambda r: _seniority(r[0])):
        for want in out.names:
            if want.name in winners:
                losers.append((obj, want))
            else:
                winners[want.name] = (obj, want)
    problems = [
        Problem(want.owner, "host", f"also claimed by {winners[want.name][0].owner} (older)", want.name)
        for _obj, want in losers
    ]
    return [want for _obj, want in winners.values()], problems


def derive(objects: Iterable[KubeObject], mapping: PoolMapping) -> Derivation:
    """The desired names for ``objects`` under ``mapping``, every refusal with its reason,
    and the hosts deliberately left out. Output is sorted, so equal input gives equal output."""
    listed = sorted(objects, key=lambda o: o.key)
    results = _collect(listed, mapping)
    names, duplicates = _deduplicate(results)
    rejected = [p for _obj, out in results for p in out.rejected] + duplicates
    skipped = [s for _obj, out in results for s in out.skipped]
    return Derivation(
        names=tuple(sorted(names, key=lambda n: (n.name, n.owner))),
        rejected=tuple(sorted(rejected, key=lambda p: (p.owner, p.host, p.field))),
        skipped=tuple(sorted(skipped, key=lambda s: (s.owner, s.host))),
        owners=frozenset(o.owner for o in listed if o.kind != GATEWAY),
    )
