"""The snapshot holder: one reference to what is being served, swapped in a single assignment."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dnsd.domain.snapshot import Snapshot
from dnsd.server.cache import ResponseCache


@dataclass(frozen=True, slots=True)
class Served:
    """A snapshot and the response cache that belongs to it (and to nothing else)."""

    snapshot: Snapshot
    cache: ResponseCache
    built_at: float = field(default_factory=time.time)


class SnapshotHolder:
    """Readers take ``holder.current`` once per message (or batch) and use that ``Served``
    throughout, so they never mix two snapshots. :meth:`swap` may be called from any thread:
    the assignment of one attribute is atomic."""

    __slots__ = ("cache_size", "current")

    def __init__(self, snapshot: Snapshot, cache_size: int = 100_000) -> None:
        self.cache_size = cache_size
        self.current = Served(snapshot, ResponseCache(cache_size))

    def swap(self, snapshot: Snapshot) -> None:
        self.current = Served(snapshot, ResponseCache(self.cache_size))

    @property
    def snapshot(self) -> Snapshot:
        return self.current.snapshot
