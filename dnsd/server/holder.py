"""The snapshot holder: one reference to what is being served, swapped in a single assignment."""

from __future__ import annotations

import time

from dnsd.domain.pools import DEFAULT_VIEW
from dnsd.domain.snapshot import Snapshot
from dnsd.domain.steering import DefaultScope
from dnsd.server.cache import ResponseCache
from dnsd.server.steer import plain_address

VIEW_MEMO = 65536  # source addresses whose view slot is remembered (cleared when full)


class Served:
    """A snapshot and the response caches that belong to it (and to nothing else).

    Without views there is one cache (``cache``) and ``views`` is False: the transports take
    their fast path. With views, each distinct answer set (``default``, and every view with
    zones of its own) has a *slot*: its snapshot (``snapshots``) and its cache (``caches``);
    views without zones of their own share slot 0. :meth:`slot_of` maps a source address to its
    slot, memoised in ``memo`` (the transports read it directly, keyed by what they have).
    """

    __slots__ = (
        "built_at", "cache", "caches", "default_scope", "memo", "slot_of_view", "snapshot", "snapshots",
        "views",
    )  # fmt: skip

    def __init__(self, snapshot: Snapshot, cache_size: int) -> None:
        self.snapshot = snapshot
        self.built_at = time.time()
        self.views = snapshot.matcher is not None
        snapshots = [snapshot]
        self.slot_of_view: dict[str, int] = {DEFAULT_VIEW: 0}
        for view in snapshot.views:
            seen = snapshot.in_view(view.name)
            slot = next((i for i, s in enumerate(snapshots) if s is seen), None)
            if slot is None:
                slot = len(snapshots)
                snapshots.append(seen)
            self.slot_of_view[view.name] = slot
        self.snapshots = tuple(snapshots)
        self.caches = tuple(ResponseCache(cache_size) for _ in snapshots)
        self.cache = self.caches[0]
        self.memo: dict[object, int] = {}
        self.default_scope = DefaultScope(snapshot.views)

    def match(self, address: str) -> tuple[str, int]:
        """The view of a source address and the prefix length that matched."""
        matcher = self.snapshot.matcher
        if matcher is None or not address:
            return DEFAULT_VIEW, 0
        try:
            return matcher.match(plain_address(address))
        except ValueError:  # not an address (a test's fake peer): the default view
            return DEFAULT_VIEW, 0

    def slot_of(self, address: str, key: object = None) -> int:
        """The slot of a source address, remembered under ``key`` (default: the address)."""
        key = address if key is None else key
        slot = self.memo.get(key)
        if slot is None:
            if len(self.memo) >= VIEW_MEMO:
                self.memo.clear()
            slot = self.memo[key] = self.slot_of_view.get(self.match(address)[0], 0)
        return slot


class SnapshotHolder:
    """Readers take ``holder.current`` once per message (or batch) and use that ``Served``
    throughout, so they never mix two snapshots. :meth:`swap` may be called from any thread:
    the assignment of one attribute is atomic."""

    __slots__ = ("cache_size", "current")

    def __init__(self, snapshot: Snapshot, cache_size: int = 100_000) -> None:
        self.cache_size = cache_size
        self.current = Served(snapshot, cache_size)

    def swap(self, snapshot: Snapshot) -> None:
        self.current = Served(snapshot, self.cache_size)

    @property
    def snapshot(self) -> Snapshot:
        return self.current.snapshot
