"""The per-snapshot cache of finished responses: the hot path's only data structure.

A key is the query with its ID removed: header flags and counts, the question with the name
lower-cased, and the OPT record without options (payload, version, DO kept). A lower-case query
without EDNS options *is* its own key, so the transports look ``data[2:]`` up directly and send
``data[:2] + body``; a query in mixed case or with options takes the full path once more to
compute its key (:func:`cache_key`) and then splices its own question back in (:func:`splice`).

A query whose answer holds a weighted RRset (several eligible targets) is not in ``udp``/``tcp``
but in ``steered_udp``/``steered_tcp``: a :class:`~dnsd.server.steer.Picker` gives the body for
the client (pre-encoded per variant). With views, :class:`~dnsd.server.holder.Served` keeps one
cache per distinct view answer set and finds a client's by its source address (memoised).

Bodies are the response without its ID, with the question in lower case. Because every response
to a query is a pure function of (snapshot, key), a new snapshot simply starts a new cache.
"""

from __future__ import annotations

from dnsd.server.steer import Picker
from dnsd.wire import Query


def cache_key(data: bytes, query: Query) -> bytes:
    """The cache key of ``data`` (parsed into ``query``; only for ``query.plain`` messages)."""
    qend = 12 + len(query.question)
    name = query.question[:-4].lower()  # label lengths are < 0x40, so only letters change
    opt = data[qend : qend + 9] + b"\x00\x00" if query.edns else b""
    return data[2:12] + name + query.question[-4:] + opt


def body_of(response: bytes, query: Query) -> bytes:
    """What the cache keeps of ``response``: no ID, the question name in lower case."""
    qend = 12 + len(query.question)
    return response[2:12] + query.question[:-4].lower() + response[qend - 4 :]


def splice(data: bytes, body: bytes, qend: int) -> bytes:
    """The response to ``data`` from a cached ``body``: the query's ID and question (its case)."""
    return data[:2] + body[:10] + data[12:qend] + body[qend - 2 :]


class ResponseCache:
    """Two bounded dicts (UDP responses may be truncated, TCP ones never are).

    When one is full it is cleared rather than evicting entry by entry: the hot path stays a
    single dict lookup, and a flood of unique names cannot pin stale entries forever.
    """

    __slots__ = ("capacity", "steered_tcp", "steered_udp", "tcp", "udp")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.udp: dict[bytes, bytes] = {}
        self.tcp: dict[bytes, bytes] = {}
        # Keys whose answer holds a weighted RRset: the picker of the body per client.
        self.steered_udp: dict[bytes, Picker] = {}
        self.steered_tcp: dict[bytes, Picker] = {}

    def store_picker(self, key: bytes, picker: Picker, tcp: bool) -> None:
        table = self.steered_tcp if tcp else self.steered_udp
        if len(table) >= self.capacity:
            table.clear()
        if self.capacity > 0:
            table[key] = picker

    def store(self, key: bytes, body: bytes, tcp: bool) -> None:
        table = self.tcp if tcp else self.udp
        if len(table) >= self.capacity:
            table.clear()
        if self.capacity > 0:
            table[key] = body
