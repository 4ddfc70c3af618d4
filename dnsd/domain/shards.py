"""A read-only mapping split into shards by key hash, so that a new version with a few keys
changed copies a few shards, not the whole mapping.

A zone's nodes are one mapping of every owner name. The feed moves a zone forward copy-on-write
(:mod:`dnsd.server.patch`): with one dict, one record change copied all of it, 20 ms at a
million names, and the change took that much longer to answer (bench/RESULTS.md, issue 17).
Split into shards of about :data:`SHARD_KEYS` keys, a change copies the shards of the keys it
touches (microseconds) and shares the rest with the previous version. A lookup is one more
index: ``hash`` of a ``str`` is cached in the string, and the shard's dict reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain
from typing import Generic, TypeVar, overload

SHARD_KEYS = 2048
"""Keys per shard the shard count aims at (a power of two of shards, at least one)."""

V = TypeVar("V")
T = TypeVar("T")


def shard_count(keys: int) -> int:
    """The number of shards (a power of two) for ``keys`` keys."""
    count = 1
    while count * SHARD_KEYS < keys:
        count *= 2
    return count


class Shards(Mapping[str, V], Generic[V]):
    """An immutable ``str``-keyed mapping; :meth:`updated` makes a new one sharing the shards
    it does not touch."""

    __slots__ = ("_len", "_mask", "_shards")

    def __init__(
        self, items: Mapping[str, V] | None = None, count: int | None = None, *, adopt: bool = False
    ) -> None:
        """The items of ``items`` in ``count`` shards (a power of two; by default as many as
        :func:`shard_count` says). One shard suits a zone built once and never patched (zone
        file export): no split, and the insertion order kept for sorting. ``adopt``: a ``dict``
        that stays in one shard is taken over, not copied (the caller must not change it)."""
        items = items if items is not None else {}
        count = count or shard_count(len(items))
        if count & (count - 1):
            raise ValueError(f"shard count {count} is not a power of two")
        if count == 1 and adopt and isinstance(items, dict):
            self._set((items,))
        else:
            self._set(_split(items, count))

    def _set(self, shards: tuple[dict[str, V], ...]) -> None:
        self._shards = shards
        self._mask = len(shards) - 1
        self._len = sum(len(shard) for shard in shards)

    @classmethod
    def _of(cls, shards: tuple[dict[str, V], ...]) -> Shards[V]:
        out: Shards[V] = cls.__new__(cls)
        out._set(shards)
        return out

    @overload
    def get(self, key: str, /) -> V | None: ...
    @overload
    def get(self, key: str, default: V, /) -> V: ...
    @overload
    def get(self, key: str, default: T, /) -> V | T: ...

    def get(self, key: str, default: object = None, /) -> object:
        return self._shards[hash(key) & self._mask].get(key, default)

    def __getitem__(self, key: str) -> V:
        return self._shards[hash(key) & self._mask][key]

    def __contains__(self, key: object) -> bool:
        return key in self._shards[hash(key) & self._mask]

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._shards)

    def __len__(self) -> int:
        return self._len

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Shards):
            return self._len == other._len and self.to_dict() == other.to_dict()
        return isinstance(other, Mapping) and self.to_dict() == dict(other)

    __hash__ = None  # type: ignore[assignment]  # a mapping: equal by content, not hashable

    def __reduce__(self) -> tuple[type[Shards[V]], tuple[dict[str, V]]]:
        # ``hash`` of a str differs between interpreters (PYTHONHASHSEED): rebuild, not copy, shards
        return (type(self), (self.to_dict(),))

    def __repr__(self) -> str:
        return f"Shards({len(self)} keys in {len(self._shards)} shards)"

    def to_dict(self) -> dict[str, V]:
        """Every item in one new dict (C copies of the shards)."""
        out: dict[str, V] = {}
        for shard in self._shards:
            out.update(shard)
        return out

    def as_dict(self) -> dict[str, V]:
        """Every item as a dict, to read many keys at C speed: the shard itself when there is
        one (the caller must not change it), else a merged copy (:meth:`to_dict`)."""
        return self._shards[0] if len(self._shards) == 1 else self.to_dict()

    def pairs(self) -> Iterator[tuple[str, V]]:
        """Every (key, value), shard by shard, at the speed of the dicts' own iteration."""
        return chain.from_iterable(shard.items() for shard in self._shards)

    def updated(self, changes: Mapping[str, V | None]) -> Shards[V]:
        """A new mapping: ``changes`` set (a value) or removed (None) and every other key
        shared. Only the shards the changed keys fall in are copied; when the keys outgrow the
        shard count fourfold, everything is split again."""
        shards = list(self._shards)
        copied: set[int] = set()
        mask = self._mask
        for key, value in changes.items():
            at = hash(key) & mask
            if at not in copied:
                shards[at] = shards[at].copy()
                copied.add(at)
            if value is None:
                shards[at].pop(key, None)
            else:
                shards[at][key] = value
        out = Shards._of(tuple(shards))
        if out._len > 4 * SHARD_KEYS * len(shards):
            return Shards(out.to_dict())
        return out


def _split(items: Mapping[str, V], count: int) -> tuple[dict[str, V], ...]:
    if count == 1:
        return (dict(items),)
    shards: tuple[dict[str, V], ...] = tuple({} for _ in range(count))
    mask = count - 1
    pairs = items.pairs() if isinstance(items, Shards) else items.items()
    for key, value in pairs:
        shards[hash(key) & mask][key] = value
    return shards
