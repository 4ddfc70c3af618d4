"""Fixtures of the Kubernetes tests: the `dnsd` command, and a store with the
two pools and the two zones of issue 6."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnsd.domain.pools import make_pool
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.helpers import ROOT, Run, run_dnsd

__all__ = ["ISTIO_VIP", "LEGACY_VIP", "MANIFESTS", "ROOT", "ZONES", "dnsd", "seeded"]
MANIFESTS = Path(__file__).parent / "manifests"
ISTIO_VIP, LEGACY_VIP = "10.0.0.10", "10.0.0.20"
ZONES = ("hello-web.com", "wudebao-web.com")


def dnsd(db_url: str, *args: str, stdin: str | None = None) -> Run:
    """``dnsd --database-url DB ARGS`` (in this process, see :func:`tests.helpers.run_dnsd`);
    never raises."""
    return run_dnsd(["--database-url", db_url, *args], stdin=stdin)


@pytest.fixture
def seeded(store: ZoneStore) -> ZoneStore:
    """Pools ``istio-ingressgateway`` and ``legacy-ingress`` and the zones of issue 6."""
    store.create_pool(make_pool("istio-ingressgateway", [ISTIO_VIP]), "test")
    store.create_pool(make_pool("legacy-ingress", [LEGACY_VIP]), "test")
    for zone in ZONES:
        store.create_zone(make_zone(zone, [f"ns1.{zone}"]), "test")
    return store
