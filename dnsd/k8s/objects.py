"""The Kubernetes objects dnsd reads, as plain data, parsed from manifest or API dicts.

Objects arrive as the JSON/YAML dicts the Kubernetes API documents (camelCase fields), from
``kubectl``-style manifest files or from a list/watch. Only the four kinds dnsd derives records
from are kept; everything else (Deployments, Gateway API ``Gateway``s, ...) is not ours to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVICE, INGRESS, GATEWAY, VIRTUALSERVICE = "service", "ingress", "gateway", "virtualservice"
KINDS = (SERVICE, INGRESS, GATEWAY, VIRTUALSERVICE)
ISTIO_GROUP = "networking.istio.io"
ISTIO_VERSIONS = ("v1", "v1beta1", "v1alpha3")
# (apiVersion, kind) pairs we read; the Ingress host fields are the same in every version.
API_KINDS: dict[tuple[str, str], str] = {
    ("v1", "Service"): SERVICE,
    ("networking.k8s.io/v1", "Ingress"): INGRESS,
    ("networking.k8s.io/v1beta1", "Ingress"): INGRESS,
    ("extensions/v1beta1", "Ingress"): INGRESS,
    **{(f"{ISTIO_GROUP}/{v}", "Gateway"): GATEWAY for v in ISTIO_VERSIONS},
    **{(f"{ISTIO_GROUP}/{v}", "VirtualService"): VIRTUALSERVICE for v in ISTIO_VERSIONS},
}
OWNER_PREFIX = "k8s:"


@dataclass(frozen=True, slots=True)
class KubeObject:
    """One object of a kind in :data:`KINDS`. ``kind`` is lower-case; ``spec`` is the raw spec."""

    kind: str
    namespace: str
    name: str
    api_version: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    spec: Mapping[str, Any] = field(default_factory=dict)
    created: str = ""  # metadata.creationTimestamp (RFC 3339, sorts as text); "" when unknown
    resource_version: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def owner(self) -> str:
        """The owner of the records this object yields: ``k8s:<namespace>/<kind>/<name>``."""
        return f"{OWNER_PREFIX}{self.namespace}/{self.kind}/{self.name}"

    @property
    def ref(self) -> str:
        """How messages name the object: ``<kind> <namespace>/<name>``."""
        return f"{self.kind} {self.namespace}/{self.name}"


def kind_of(doc: Mapping[str, Any]) -> str | None:
    """The lower-case kind of a manifest dict when dnsd reads it, else None."""
    return API_KINDS.get((str(doc.get("apiVersion", "")), str(doc.get("kind", ""))))


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def from_dict(
    doc: Mapping[str, Any], default_namespace: str = "default", kind: str | None = None
) -> KubeObject:
    """Build a :class:`KubeObject` from an API/manifest dict.

    ``kind`` overrides the detection from ``apiVersion``/``kind`` (watch events of a known
    resource may omit them). A missing namespace is ``default_namespace``, as ``kubectl apply``
    does. Raises ``ValueError`` when the dict is not an object of a kind dnsd reads.
    """
    found = kind or kind_of(doc)
    if found is None:
        raise ValueError(f"not a kind dnsd reads: {doc.get('apiVersion')}/{doc.get('kind')}")
    meta = doc.get("metadata") or {}
    if not isinstance(meta, Mapping) or not meta.get("name"):
        raise ValueError(f"{found} without metadata.name")
    spec = doc.get("spec") or {}
    return KubeObject(
        kind=found,
        namespace=str(meta.get("namespace") or default_namespace),
        name=str(meta["name"]),
        api_version=str(doc.get("apiVersion", "")),
        labels=_str_map(meta.get("labels")),
        annotations=_str_map(meta.get("annotations")),
        spec=spec if isinstance(spec, Mapping) else {},
        created=str(meta.get("creationTimestamp") or ""),
        resource_version=str(meta.get("resourceVersion") or ""),
    )
