"""Process-wide counters of rare events, and the registry every ``/metrics`` endpoint reads.

Outcomes of zone transfers, NOTIFY and provider syncs are counted with :func:`count_transfer`,
:func:`count_notify`, :func:`count_sync` and :func:`set_sync_drift` from the DNS loop, the
API's threads and sync workers alike, and exported by every registry :func:`make_registry`
builds. This module imports nothing from the server: the DNS side's collector (queries,
latency, snapshot, feed) is :mod:`dnsd.server.metrics`, passed to :func:`make_registry`.
See ``docs/metrics.md`` for every metric.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric


class Outcomes:
    """Process-wide counts of transfers, NOTIFYs and provider syncs (thread-safe: they come
    from the DNS loop, the API's threads and sync workers alike)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.transfers: Counter[tuple[str, str]] = Counter()
        self.notifies: Counter[tuple[str, str]] = Counter()
        self.syncs: Counter[tuple[str, str]] = Counter()
        self.drift: dict[tuple[str, str], int] = {}

    def add(self, table: Counter[tuple[str, str]], key: tuple[str, str]) -> None:
        with self._lock:
            table[key] += 1


OUTCOMES = Outcomes()


def count_transfer(kind: str, result: str) -> None:
    """One zone transfer served: ``kind`` ``axfr``/``ixfr``, ``result`` e.g. ``ok``/``refused``."""
    OUTCOMES.add(OUTCOMES.transfers, (kind, result))


def count_notify(direction: str, result: str) -> None:
    """One NOTIFY: ``direction`` ``sent``/``received``, ``result`` e.g. ``acked``/``timeout``."""
    OUTCOMES.add(OUTCOMES.notifies, (direction, result))


def count_sync(provider: str, result: str) -> None:
    """One sync run against ``provider`` (``dnspod``, ``k8s``) ended with ``result``."""
    OUTCOMES.add(OUTCOMES.syncs, (provider, result))


def set_sync_drift(provider: str, zone: str, records: int) -> None:
    """Records of ``zone`` that differ between dnsd and ``provider`` at the last plan."""
    with OUTCOMES._lock:
        OUTCOMES.drift[(provider, zone)] = records


class OutcomeCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        with OUTCOMES._lock:
            tables = [
                ("dnsd_transfers", "Zone transfers served", ["kind", "result"], dict(OUTCOMES.transfers)),
                ("dnsd_notifies", "NOTIFY messages", ["direction", "result"], dict(OUTCOMES.notifies)),
                ("dnsd_sync_runs", "Provider sync runs", ["provider", "result"], dict(OUTCOMES.syncs)),
            ]
            drift = dict(OUTCOMES.drift)
        for name, doc, labels, values in tables:
            family = CounterMetricFamily(name, doc, labels=labels)
            for key, value in sorted(values.items()):
                family.add_metric(list(key), value)
            yield family
        gauge = GaugeMetricFamily("dnsd_sync_drift_records", "Records differing at the last plan",
                                  labels=["provider", "zone"])  # fmt: skip
        for key, value in sorted(drift.items()):
            gauge.add_metric(list(key), value)
        yield gauge


def make_registry(*collectors: Collector) -> CollectorRegistry:
    """A registry with the outcome counters and ``collectors`` (e.g. the DNS side's,
    :class:`dnsd.server.metrics.DnsCollector`)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutcomeCollector())
    for collector in collectors:
        registry.register(collector)
    return registry
