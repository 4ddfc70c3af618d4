"""Weighted answers on the hot path: one pre-encoded body per variant, picked per query.

A :class:`Picker` belongs to one cache key in one view's cache. It encodes the body of each
variant when it is made (of each combination of variants, on first use, in the rare answer
with several weighted RRsets); ``hashed`` selectors pick by
:func:`dnsd.domain.selection.subnet_point` of the client (memoised per source address, so a
repeat client costs one dict lookup), ``random`` ones by a uniform draw per query.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from dnsd.domain.selection import Client
from dnsd.domain.steering import SteeredRRset

SOURCE_MEMO = 65536  # source addresses remembered per picker (cleared when full)
DRAW_BITS = 12
DRAW_SLOTS = 1 << DRAW_BITS  # a random selector's table of bodies (see Picker.table)

Encoder = Callable[[tuple[int, ...]], bytes]
"""The body for one combination of variant indexes (one per steered RRset, in order)."""


class Picker:
    """The bodies of one query key whose answer holds ``steered`` RRsets."""

    __slots__ = ("_encode", "bodies", "by_source", "hashed", "lookup", "multi", "single", "steered", "table")

    def __init__(self, steered: tuple[SteeredRRset, ...], encode: Encoder) -> None:
        self.steered = steered
        self._encode = encode
        self.bodies: dict[tuple[int, ...], bytes] = {}
        self.by_source: dict[object, bytes] = {}
        self.single: dict[int, bytes] = {}  # one steered RRset: body per variant index
        self.table: tuple[bytes, ...] | None = None  # one random RRset: bodies by random slot
        selectors = [r.selector for r in steered if r.selector is not None]
        self.hashed = all(s.mode == "hashed" for s in selectors)  # the body depends on the client only
        self.multi = any(s.mode == "hashed" for s in selectors)  # a hashed choice: ECS scope 24/56
        # The transports' first try, by source key: the memo when hashed, a draw when random;
        # None sends them to :meth:`for_source`.
        self.lookup: Callable[[object], bytes | None] = (
            self.by_source.get if self.hashed else self._drawn if not self.multi else _none
        )
        selector = steered[0].selector if len(steered) == 1 else None
        if selector is not None:  # the usual case: encode each variant now
            for index in range(len(selector.variants)):
                self.single[index] = self.body((index,))
            if selector.mode == "random":
                # DRAW_SLOTS slots shared out by weight: a query takes table[getrandbits(DRAW_BITS)]
                # (slot j is the point floor(j * total / DRAW_SLOTS); each target's share is off
                # by less than 1 / DRAW_SLOTS), one C call per query instead of a Python one
                total = selector.total
                self.table = tuple(
                    self.single[selector.index_of_point(j * total >> DRAW_BITS)] for j in range(DRAW_SLOTS)
                )

    def _drawn(self, key: object) -> bytes:
        return self.drawn()

    def drawn(self) -> bytes:
        """The body when every selector is ``random``: one draw each."""
        if self.table is not None:
            return self.table[random.getrandbits(DRAW_BITS)]
        if len(self.steered) == 1:
            selector = self.steered[0].selector
            assert selector is not None
            found = self.single.get(index := selector.index_for_draw(random.random()))
            if found is None:
                found = self.single[index] = self.body((index,))
            return found
        return self.body(self.indexes(_NO_CLIENT))

    def body(self, indexes: tuple[int, ...]) -> bytes:
        found = self.bodies.get(indexes)
        if found is None:
            found = self.bodies[indexes] = self._encode(indexes)
        return found

    def indexes(self, client: Client, draw: Callable[[], float] = random.random) -> tuple[int, ...]:
        """The variant of each steered RRset for ``client``."""
        out = []
        for rrset in self.steered:
            selector = rrset.selector
            if selector is None:
                out.append(0)
            elif selector.mode == "hashed":
                out.append(selector.index_for(client))
            else:
                out.append(selector.index_for_draw(draw()))
        return tuple(out)

    def for_client(self, client: Client) -> bytes:
        return self.body(self.indexes(client))

    def for_source(self, key: object, address: str) -> bytes:
        """The body for a query from ``address`` (a source address, not ECS); ``key`` stands
        for the address in the memo (the string itself, or what the transport has at hand)."""
        if not self.hashed:
            if self.multi:  # hashed and random selectors in one answer (rare)
                return self.for_client(source_client(address))
            return self.drawn()
        found = self.by_source.get(key)
        if found is None:
            if len(self.by_source) >= SOURCE_MEMO:
                self.by_source.clear()
            found = self.by_source[key] = self.for_client(source_client(address))
        return found


def _none(key: object) -> None:
    return None


_NO_CLIENT = Client("0.0.0.0", 0)  # random selectors do not read the client


def source_client(address: str) -> Client:
    """The client of a query without trusted ECS: its source address as a /32 or /128."""
    address = plain_address(address)
    return Client(address, 128 if ":" in address else 32)


def plain_address(address: str) -> str:
    """A socket's peer address as the selection sees it: IPv4-mapped IPv6 as IPv4, no zone id."""
    if ":" in address:
        address = address.partition("%")[0]
        if address.startswith("::ffff:") and "." in address:
            return address[7:]
    return address
