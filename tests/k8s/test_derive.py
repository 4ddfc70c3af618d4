"""Derivation (pure): manifests + mapping -> desired names, rejections with reasons, skips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dnsd.domain.k8s import PoolMapping, make_entry
from dnsd.k8s.derive import derive
from dnsd.k8s.desired import Derivation
from dnsd.k8s.manifests import load_manifests
from dnsd.k8s.objects import KubeObject, from_dict

MANIFESTS = Path(__file__).parent / "manifests"
MAPPING = PoolMapping.of(
    [
        make_entry("gateway", "istio=ingressgateway", "istio-ingressgateway"),
        make_entry("ingress-class", "nginx", "legacy-ingress"),
        make_entry("default", "", "istio-ingressgateway"),
    ]
)


def gateway(
    name: str, hosts: list[str], ns: str = "default", version: str = "v1alpha3", **meta: Any
) -> dict[str, Any]:
    return {
        "apiVersion": f"networking.istio.io/{version}",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns, **meta},
        "spec": {
            "selector": {"istio": "ingressgateway"},
            "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": hosts}],
        },
    }


def vs(
    name: str,
    hosts: list[str],
    gateways: list[str] | None,
    ns: str = "default",
    version: str = "v1alpha3",
    **meta: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"hosts": hosts, "http": [{"route": [{"destination": {"host": name}}]}]}
    if gateways is not None:
        spec["gateways"] = gateways
    return {
        "apiVersion": f"networking.istio.io/{version}",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns, **meta},
        "spec": spec,
    }


def run(*docs: dict[str, Any], mapping: PoolMapping = MAPPING) -> Derivation:
    return derive([from_dict(d) for d in docs], mapping)


def published(result: Derivation) -> set[tuple[str, str, str]]:
    return {(n.name, n.pool, n.owner) for n in result.names}


def test_issue_manifests_publish_both_domains_on_the_istio_pool() -> None:
    loaded = load_manifests([str(MANIFESTS)])
    result = derive(loaded.objects.values(), MAPPING)
    assert published(result) == {
        ("www.hello-web.com", "istio-ingressgateway", "k8s:default/virtualservice/hello-web"),
        ("www.wudebao-web.com", "istio-ingressgateway", "k8s:wudebao/virtualservice/wudebao-web"),
    }
    assert result.rejected == ()
    assert loaded.ignored == 1  # the Deployment (the List is unpacked, not ignored)
    assert {n.ttl for n in result.names} == {300}
    assert result.owners == {"k8s:default/virtualservice/hello-web", "k8s:wudebao/virtualservice/wudebao-web"}


@pytest.mark.parametrize("version", ["v1alpha3", "v1beta1", "v1"])
def test_every_istio_api_version_derives_the_same(version: str) -> None:
    result = run(
        gateway("gw", ["*.hello-web.com"], version=version),
        vs("web", ["www.hello-web.com"], ["gw"], version=version),
    )
    assert published(result) == {
        ("www.hello-web.com", "istio-ingressgateway", "k8s:default/virtualservice/web")
    }


def test_gateway_api_gateway_is_not_an_istio_gateway() -> None:
    doc = gateway("gw", ["*.hello-web.com"])
    doc["apiVersion"] = "gateway.networking.k8s.io/v1"
    with pytest.raises(ValueError, match="not a kind dnsd reads"):
        from_dict(doc)


def test_uncovered_host_is_rejected_with_the_reason() -> None:
    result = run(
        gateway("hello-web-gateway", ["*.hello-web.com"]),
        vs("hello-web", ["www.hello-web.com", "hello-web.com"], ["hello-web-gateway"]),
    )
    assert published(result) == {
        ("www.hello-web.com", "istio-ingressgateway", "k8s:default/virtualservice/hello-web")
    }
    [problem] = result.rejected
    assert (problem.owner, problem.host, problem.field) == (
        "k8s:default/virtualservice/hello-web",
        "hello-web.com",
        "spec.hosts[1]",
    )
    assert (
        "not covered by the hosts of gateway default/hello-web-gateway (*/*.hello-web.com)" in problem.message
    )


def test_mesh_only_virtualservice_produces_nothing() -> None:
    explicit = run(vs("reviews", ["reviews.hello-web.com"], ["mesh"]))
    implicit = run(vs("reviews", ["reviews.hello-web.com"], None))
    for result in (explicit, implicit):
        assert result.names == () and result.rejected == ()
        assert [s.reason for s in result.skipped] == ["bound only to the mesh gateway"]


def test_mesh_plus_gateway_skips_mesh_hosts_and_publishes_gateway_hosts() -> None:
    result = run(
        gateway("gw", ["*.hello-web.com"]),
        vs("web", ["www.hello-web.com", "web.default.svc.cluster.local"], ["gw", "mesh"]),
    )
    assert [n.name for n in result.names] == ["www.hello-web.com"]
    assert result.rejected == ()
    assert [s.host for s in result.skipped] == ["web.default.svc.cluster.local"]


@pytest.mark.parametrize("ref", ["istio-system/shared-gw", "shared-gw.istio-system.svc.cluster.local"])
def test_namespace_qualified_gateway_reference(ref: str) -> None:
    result = run(
        gateway("shared-gw", ["*/*.hello-web.com"], ns="istio-system"),
        vs("web", ["api.hello-web.com"], [ref], ns="team-a"),
    )
    assert published(result) == {
        ("api.hello-web.com", "istio-ingressgateway", "k8s:team-a/virtualservice/web")
    }


def test_unqualified_gateway_reference_means_the_virtualservice_namespace() -> None:
    result = run(
        gateway("gw", ["*.hello-web.com"], ns="istio-system"),
        vs("web", ["api.hello-web.com"], ["gw"], ns="team-a"),
    )
    assert result.names == ()
    [problem] = result.rejected
    assert (problem.field, problem.message) == ("spec.gateways[0]", "gateway team-a/gw not found")


@pytest.mark.parametrize(
    ("gateway_host", "vs_namespace", "covered"),
    [
        ("./www.hello-web.com", "edge", True),  # '.' is the gateway's own namespace
        ("./www.hello-web.com", "team-a", False),
        ("team-a/www.hello-web.com", "team-a", True),
        ("team-a/www.hello-web.com", "team-b", False),
        ("*/www.hello-web.com", "team-b", True),
        ("team-a/*", "team-a", True),
    ],
)
def test_gateway_host_namespace_forms(gateway_host: str, vs_namespace: str, covered: bool) -> None:
    result = run(
        gateway("gw", [gateway_host], ns="edge"),
        vs("web", ["www.hello-web.com"], ["edge/gw"], ns=vs_namespace),
    )
    assert bool(result.names) is covered
    assert bool(result.rejected) is not covered


def test_wildcard_virtualservice_host_becomes_a_wildcard_name() -> None:
    result = run(gateway("gw", ["*.hello-web.com"]), vs("apps", ["*.apps.hello-web.com", "*"], ["gw"]))
    assert [n.name for n in result.names] == ["*.apps.hello-web.com"]
    assert [(s.host, s.reason.split(";")[0]) for s in result.skipped] == [("*", "'*' matches every name")]


def test_gateway_without_a_mapped_selector_gives_no_pool() -> None:
    doc = gateway("gw", ["*.hello-web.com"])
    doc["spec"]["selector"] = {"istio": "internal-gateway"}
    result = run(doc, vs("web", ["www.hello-web.com"], ["gw"]))
    assert result.names == ()
    [problem] = result.rejected
    assert "selector {istio=internal-gateway} matches no gateway mapping" in problem.message


def test_gateway_pool_annotation_overrides_the_selector() -> None:
    doc = gateway("gw", ["*.hello-web.com"], annotations={"dnsd.io/pool": "Canary-Pool"})
    result = run(doc, vs("web", ["www.hello-web.com"], ["gw"], annotations={"dnsd.io/ttl": "60"}))
    assert [(n.name, n.pool, n.ttl) for n in result.names] == [("www.hello-web.com", "canary-pool", 60)]


def test_most_specific_selector_mapping_wins() -> None:
    mapping = PoolMapping.of(
        [
            make_entry("gateway", "istio=ingressgateway", "istio-ingressgateway"),
            make_entry("gateway", "istio=ingressgateway,zone=b", "istio-zone-b"),
        ]
    )
    doc = gateway("gw", ["*.hello-web.com"])
    doc["spec"]["selector"]["zone"] = "b"
    result = run(doc, vs("web", ["www.hello-web.com"], ["gw"]), mapping=mapping)
    assert [n.pool for n in result.names] == ["istio-zone-b"]


def test_two_virtualservices_claiming_one_host_the_older_keeps_it() -> None:
    result = run(
        gateway("gw", ["*.hello-web.com"]),
        vs("young", ["www.hello-web.com"], ["gw"], creationTimestamp="2024-05-01T00:00:00Z"),
        vs("old", ["www.hello-web.com"], ["gw"], creationTimestamp="2023-01-01T00:00:00Z"),
    )
    assert published(result) == {
        ("www.hello-web.com", "istio-ingressgateway", "k8s:default/virtualservice/old")
    }
    [problem] = result.rejected
    assert problem.owner == "k8s:default/virtualservice/young"
    assert "also claimed by k8s:default/virtualservice/old" in problem.message


def ingress(name: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, **meta},
        "spec": spec,
    }


RULES = [{"host": "shop.hello-web.com", "http": {"paths": [{"path": "/", "pathType": "Prefix"}]}}]


def test_ingress_class_maps_to_its_pool_with_tls_hosts() -> None:
    spec = {
        "ingressClassName": "nginx",
        "rules": RULES,
        "tls": [{"hosts": ["shop.hello-web.com", "pay.hello-web.com"]}],
    }
    result = run(ingress("shop", spec))
    assert published(result) == {
        ("shop.hello-web.com", "legacy-ingress", "k8s:default/ingress/shop"),
        ("pay.hello-web.com", "legacy-ingress", "k8s:default/ingress/shop"),
    }


def test_ingress_legacy_class_annotation() -> None:
    result = run(ingress("shop", {"rules": RULES}, annotations={"kubernetes.io/ingress.class": "nginx"}))
    assert [n.pool for n in result.names] == ["legacy-ingress"]


def test_ingress_without_class_uses_the_default_pool() -> None:
    result = run(ingress("shop", {"rules": [*RULES, {"http": {}}]}))  # a host-less rule is a catch-all
    assert [(n.name, n.pool) for n in result.names] == [("shop.hello-web.com", "istio-ingressgateway")]


def test_ingress_with_an_unmapped_class_is_rejected_not_defaulted() -> None:
    result = run(ingress("shop", {"ingressClassName": "traefik", "rules": RULES}))
    assert result.names == ()
    [problem] = result.rejected
    assert (problem.field, problem.message) == (
        "spec.ingressClassName",
        "ingress class 'traefik' is not mapped to a pool",
    )


def test_without_a_default_a_classless_ingress_is_rejected() -> None:
    result = run(ingress("shop", {"rules": RULES}), mapping=PoolMapping.of([]))
    assert "no default pool is mapped" in result.rejected[0].message


def service(annotations: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "shop", "annotations": annotations},
        "spec": {"ports": [{"port": 80}]},
    }


def test_service_annotations_hostnames_pool_ttl() -> None:
    result = run(
        service(
            {
                "dnsd.io/hostnames": "API.hello-web.com., api2.hello-web.com",
                "dnsd.io/pool": "legacy-ingress",
                "dnsd.io/ttl": "30",
            }
        )
    )
    assert {(n.name, n.pool, n.ttl, n.owner) for n in result.names} == {
        ("api.hello-web.com", "legacy-ingress", 30, "k8s:shop/service/api"),
        ("api2.hello-web.com", "legacy-ingress", 30, "k8s:shop/service/api"),
    }


def test_service_without_pool_annotation_uses_default_and_unannotated_publishes_nothing() -> None:
    assert [n.pool for n in run(service({"dnsd.io/hostnames": "api.hello-web.com"})).names] == [
        "istio-ingressgateway"
    ]
    plain = run(service({}))
    assert plain.names == () and plain.rejected == ()
    assert plain.owners == {"k8s:shop/service/api"}


@pytest.mark.parametrize(
    ("annotations", "field", "fragment"),
    [
        (
            {"dnsd.io/hostnames": "api.hello-web.com", "dnsd.io/ttl": "soon"},
            "metadata.annotations.dnsd.io/ttl",
            "is not a TTL",
        ),
        (
            {"dnsd.io/hostnames": "api.hello-web.com", "dnsd.io/ttl": "-5"},
            "metadata.annotations.dnsd.io/ttl",
            "is not a TTL",
        ),
        (
            {"dnsd.io/hostnames": "bad_host!.hello-web.com"},
            "metadata.annotations.dnsd.io/hostnames",
            "must be letters",
        ),
        ({"dnsd.io/hostnames": " , "}, "metadata.annotations.dnsd.io/hostnames", "lists no hostname"),
    ],
)
def test_bad_service_annotations_are_rejected_naming_the_field(
    annotations: dict[str, str], field: str, fragment: str
) -> None:
    result = run(service(annotations))
    assert result.names == ()
    assert [p.field for p in result.rejected] == [field]
    assert fragment in result.rejected[0].message


def test_owner_format() -> None:
    obj: KubeObject = from_dict(vs("Web", [], None, ns="prod"))
    assert obj.owner == "k8s:prod/virtualservice/Web"
