"""The Kubernetes API as the controller uses it, through the official ``kubernetes`` client:
how to connect, and the list function of each kind (which ``Watch.stream`` also watches)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import client, config

from dnsd.k8s.objects import GATEWAY, INGRESS, ISTIO_GROUP, ISTIO_VERSIONS, SERVICE, VIRTUALSERVICE

ListFunc = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Connection:
    """How to reach the API server: ``api_server`` (+ ``token``) explicitly, else in-cluster
    config when running in a pod, else the kubeconfig (``kubeconfig`` path, ``context``)."""

    api_server: str | None = None
    token: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    in_cluster: bool = False


def api_client(conn: Connection) -> Any:
    """A ``kubernetes.client.ApiClient`` for ``conn``."""
    if conn.api_server:
        configuration = client.Configuration(host=conn.api_server)
        if conn.token:
            configuration.api_key = {"authorization": f"Bearer {conn.token}"}
        return client.ApiClient(configuration)
    configuration = client.Configuration()
    if conn.in_cluster:
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    else:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=conn.kubeconfig, context=conn.context, client_configuration=configuration
        )
    return client.ApiClient(configuration)


def list_function(api: Any, kind: str, namespace: str | None, version: str = "v1") -> ListFunc:
    """The client method listing (and, with ``watch=True``, watching) ``kind`` in ``namespace``
    (None: all namespaces). ``version`` is the Istio API version for Gateways/VirtualServices."""
    if kind == SERVICE:
        core = client.CoreV1Api(api)
        if namespace is None:
            return core.list_service_for_all_namespaces
        return functools.partial(core.list_namespaced_service, namespace)
    if kind == INGRESS:
        networking = client.NetworkingV1Api(api)
        if namespace is None:
            return networking.list_ingress_for_all_namespaces
        return functools.partial(networking.list_namespaced_ingress, namespace)
    plural = {GATEWAY: "gateways", VIRTUALSERVICE: "virtualservices"}[kind]
    custom = client.CustomObjectsApi(api)
    if namespace is None:
        return functools.partial(custom.list_cluster_custom_object, ISTIO_GROUP, version, plural)
    return functools.partial(custom.list_namespaced_custom_object, ISTIO_GROUP, version, namespace, plural)


def versions_of(kind: str, istio_versions: tuple[str, ...] = ISTIO_VERSIONS) -> tuple[str, ...]:
    """API versions to try for ``kind``, in order (Istio: newest first, unless configured)."""
    return istio_versions if kind in (GATEWAY, VIRTUALSERVICE) else ("v1",)
