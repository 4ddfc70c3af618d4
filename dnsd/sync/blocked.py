"""What the DNSPod sync and the Kubernetes controller are holding back, as Prometheus metrics.

Both run as their own processes and save their state in the sync status table; the API process
reads it at scrape time, so one ``/metrics`` shows it whichever process held something back:

* ``dnsd_sync_blocked{zone,reason}`` 1 per zone whose last DNSPod plan was refused
  (``reason`` ``safety-limit``: approve it; ``plan-limit``: over the DNSPod plan's limits);
* ``dnsd_k8s_deletes_held{scope}`` the deletes the controller holds until approved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dnsd.domain.errors import DnsdError
from dnsd.domain.sync_status import K8S_PROVIDER
from dnsd.store.sync_status import SyncStatusStore

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

log = logging.getLogger("dnsd.sync")
REASONS = {"refused": "safety-limit", "over-limit": "plan-limit"}


class BlockedCollector(Collector):
    """Reads the status rows (one small query) when ``/metrics`` is scraped."""

    def __init__(self, statuses: SyncStatusStore) -> None:
        self.statuses = statuses

    def collect(self) -> Iterator[Metric]:
        blocked = GaugeMetricFamily(
            "dnsd_sync_blocked", "Zones whose last provider sync was refused", labels=["zone", "reason"]
        )
        held = GaugeMetricFamily(
            "dnsd_k8s_deletes_held",
            "Deletes the Kubernetes controller holds until approved",
            labels=["scope"],
        )
        try:
            statuses = self.statuses.list_sync_statuses()
        except DnsdError as exc:  # the database is away: the other metrics still answer
            log.warning("sync status unavailable for the metrics: %s", exc)
            statuses = []
        for status in statuses:
            if status.provider == K8S_PROVIDER:
                held.add_metric([status.zone], status.deletes if status.result == "held" else 0)
            elif status.result in REASONS:
                blocked.add_metric([status.zone, REASONS[status.result]], 1)
        yield blocked
        yield held
