"""``dnsd_member_up{pool,address,host}``: each probed member's state as this process last read
it from the store (every serving process, leader or not, refreshes it each lease interval)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dnsd.domain.health import UP
from dnsd.steering.leader import Steering

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric


class MemberHealthCollector(Collector):
    def __init__(self, steering: Steering) -> None:
        self.steering = steering

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "dnsd_member_up",
            "Pool member health (1 up, 0 down); host is the name of a route-aware check, else empty",
            labels=["pool", "address", "host"],
        )
        for key, state in sorted(self.steering.states.items()):
            pool, address, host = (*key, "")[:3]
            gauge.add_metric([pool, address, host], 1.0 if state == UP else 0.0)
        yield gauge
        leader = GaugeMetricFamily("dnsd_steering_leader", "1 when this process runs checks and shifts")
        leader.add_metric([], 1.0 if self.steering.is_leader else 0.0)
        yield leader
