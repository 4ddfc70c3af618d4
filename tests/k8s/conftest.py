"""Fixtures of the Kubernetes tests: the `dnsd` command as a subprocess, and a store with the
two pools and the two zones of issue 6."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dnsd.domain.pools import make_pool
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = Path(__file__).parent / "manifests"
ISTIO_VIP, LEGACY_VIP = "10.0.0.10", "10.0.0.20"
ZONES = ("hello-web.com", "wudebao-web.com")


def dnsd(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m dnsd --database-url DB ARGS`` from this worktree; never raises."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "dnsd", "--database-url", db_url, *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def seeded(store: ZoneStore) -> ZoneStore:
    """Pools ``istio-ingressgateway`` and ``legacy-ingress`` and the zones of issue 6."""
    store.create_pool(make_pool("istio-ingressgateway", [ISTIO_VIP]), "test")
    store.create_pool(make_pool("legacy-ingress", [LEGACY_VIP]), "test")
    for zone in ZONES:
        store.create_zone(make_zone(zone, [f"ns1.{zone}"]), "test")
    return store
