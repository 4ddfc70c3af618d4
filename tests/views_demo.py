"""A two-data-center setup the downstream tests share (export, transfers, DNSPod): views dc-a
and dc-b on loopback networks, the demo pools with members per view, the demo zone."""

from __future__ import annotations

from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.views import make_views
from dnsd.store.zonestore import ZoneStore
from tests.export.zones import create_demo

ZONE = "hello-web.com"
VIEWS = make_views([("dc-a", ["127.0.10.0/24", "10.1.0.0/16"]), ("dc-b", ["127.0.20.0/24", "10.2.0.0/16"])])
# view -> the istio-ingressgateway IPv4 members a client of that view gets
ISTIO_V4 = {
    "default": ["10.20.0.10", "10.20.0.11"],
    "dc-a": ["10.1.0.10"],
    "dc-b": ["10.2.0.10", "10.2.0.11"],
    "public": ["203.0.113.10"],
}


INTERNAL = ("internal", "10.1.9.9")  # a record of dc-a only: (relative name, address)


def create_views(store: ZoneStore) -> None:
    for view in VIEWS:
        store.create_view(view.name, list(view.networks), "test")


def create_views_demo(store: ZoneStore, zone: str = ZONE) -> None:
    """Views, the istio pool with members per view (legacy-ingress: default only), the zone,
    and ``internal`` limited to dc-a."""
    create_views(store)
    istio = make_pool(
        "istio-ingressgateway",
        [*ISTIO_V4["default"], "fd00:20::10"],
        external_addresses=ISTIO_V4["public"],
        view_members={"dc-a": ISTIO_V4["dc-a"], "dc-b": ISTIO_V4["dc-b"]},
    )
    store.create_pool(istio, "test")
    create_demo(store, zone)
    internal = make_rrset(f"{INTERNAL[0]}.{zone}", "A", 60, "user:test", [INTERNAL[1]], views=["dc-a"])
    store.put_rrset(internal, "test")
