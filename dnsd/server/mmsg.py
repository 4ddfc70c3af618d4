"""Batched UDP on Linux: ``recvmmsg``/``sendmmsg`` through ctypes, answering from the cache.

Per datagram, the plain loop in :mod:`dnsd.server.udp` pays for two system calls, two releases
of the GIL, a Python address tuple built from the sender's sockaddr (``inet_ntop``) and parsed
back for the reply (``inet_pton``), and a 4 KiB allocation trimmed to size. Here one
``recvmmsg`` fills up to :data:`BATCH` preallocated slots, the replies are copied into
preallocated send slots that point at the senders' sockaddrs as received, and one ``sendmmsg``
sends them all: per datagram what is left is one ``bytes`` for the cache key, one dict lookup
and two buffer copies. The calls go through ``ctypes.PyDLL``, which keeps the GIL: both are
non-blocking (``MSG_DONTWAIT``), so nothing waits while holding it.

:func:`make_udp_server` picks this where libc has both calls and falls back to the plain loop.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import random
import socket
import time
from typing import Any

from dnsd import wire
from dnsd.server.holder import Served, SnapshotHolder
from dnsd.server.responder import Responder
from dnsd.server.rrl import PASS, SLIP, V4_MASK, V6_PREFIX_BYTES, Key, RateLimiter, slip_reply
from dnsd.server.stats import TransportStats
from dnsd.server.steer import DRAW_BITS, Picker
from dnsd.server.udp import UdpServer

log = logging.getLogger("dnsd.server")

BATCH = 64
RECV_SLOT = 4096  # larger datagrams arrive cut (MSG_TRUNC) and get FORMERR
SEND_SLOT = 4096  # no UDP reply of ours is larger (the limit is 1232); bigger ones go by sendto
ROUNDS = 8  # batches per readiness callback before other loop work gets a turn
_NAME_SIZE = 28  # sockaddr_in6, the larger of the two
_MSG_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0x40)
_MSG_TRUNC = getattr(socket, "MSG_TRUNC", 0x20)


class _IoVec(ctypes.Structure):
    _fields_ = (("base", ctypes.c_void_p), ("len", ctypes.c_size_t))


class _MsgHdr(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.c_void_p),
        ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
        ("flags", ctypes.c_int),
    )  # fmt: skip


class _MMsgHdr(ctypes.Structure):
    _fields_ = (("hdr", _MsgHdr), ("len", ctypes.c_uint))


def _libc_calls() -> tuple[Any, Any]:
    libc = ctypes.PyDLL(None, use_errno=True)
    recvmmsg, sendmmsg = libc.recvmmsg, libc.sendmmsg
    recvmmsg.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p)
    sendmmsg.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int)
    recvmmsg.restype = sendmmsg.restype = ctypes.c_int
    return recvmmsg, sendmmsg


class _Slots:
    """The preallocated buffers and headers, and integer views into them for the hot loop."""

    def __init__(self, family: int) -> None:
        self.recv = (ctypes.c_char * (BATCH * RECV_SLOT))()
        self.send = (ctypes.c_char * (BATCH * SEND_SLOT))()
        self.names = (ctypes.c_char * (BATCH * _NAME_SIZE))()
        self.recv_iov, self.send_iov = (_IoVec * BATCH)(), (_IoVec * BATCH)()
        self.recv_hdr, self.send_hdr = (_MMsgHdr * BATCH)(), (_MMsgHdr * BATCH)()
        namelen = 16 if family == socket.AF_INET else _NAME_SIZE
        self.name_ptrs = [ctypes.addressof(self.names) + i * _NAME_SIZE for i in range(BATCH)]
        for i in range(BATCH):
            self.recv_iov[i].base = ctypes.addressof(self.recv) + i * RECV_SLOT
            self.recv_iov[i].len = RECV_SLOT
            self.send_iov[i].base = ctypes.addressof(self.send) + i * SEND_SLOT
            for hdr, iov in ((self.recv_hdr[i].hdr, self.recv_iov), (self.send_hdr[i].hdr, self.send_iov)):
                hdr.name, hdr.namelen = self.name_ptrs[i], namelen
                hdr.iov, hdr.iovlen = ctypes.addressof(iov[i]), 1
        self.recv_view = memoryview(self.recv).cast("B")
        self.send_view = memoryview(self.send).cast("B")
        self.names_view = memoryview(self.names).cast("B")
        self.names_ints = self.names_view.cast("I")  # the IPv4 sender at [slot * 7 + 1]
        self._index_views()

    def _index_views(self) -> None:
        """Integer views of the headers, and per-slot indexes into them (struct layouts come
        from ctypes, so a platform with another layout fails here and gets the plain loop)."""
        size = self.hdr_size = ctypes.sizeof(_MMsgHdr)
        self.recv_ints = memoryview(self.recv_hdr).cast("B").cast("I")
        self.send_ptrs = memoryview(self.send_hdr).cast("B").cast("P")
        if ctypes.sizeof(ctypes.c_ulong) != ctypes.sizeof(ctypes.c_size_t):
            raise ValueError("size_t is not unsigned long here")
        self.send_lens = memoryview(self.send_iov).cast("B").cast("L")
        self.recv_ids = self.recv_view.cast("H")  # the query ID: 16 bits at an even offset
        self.send_ids = self.send_view.cast("H")
        self.len_step, self.flags_at = size // 4, _index(_MsgHdr.flags.offset, 4)
        len_at = _index(_MMsgHdr.len.offset, 4)
        pointer = ctypes.sizeof(ctypes.c_void_p)
        name_at, ptr_step = _index(_MsgHdr.name.offset, pointer), size // pointer
        iov_len_at = _index(_IoVec.len.offset, ctypes.sizeof(ctypes.c_size_t))
        iov_step = ctypes.sizeof(_IoVec) // ctypes.sizeof(ctypes.c_size_t)
        # Per slot: (start, index of msg_len, index of the ID) and (body start, index of the ID,
        # index of iov_len, index of msg_name).
        self.recv_info = [
            (i * RECV_SLOT, i * self.len_step + len_at, i * RECV_SLOT // 2) for i in range(BATCH)
        ]
        self.send_info = [
            (j * SEND_SLOT + 2, j * SEND_SLOT // 2, j * iov_step + iov_len_at, j * ptr_step + name_at)
            for j in range(BATCH)
        ]


def _index(offset: int, size: int) -> int:
    if offset % size:
        raise ValueError("unexpected struct layout")
    return offset // size


class MmsgUdpServer(UdpServer):
    """:class:`UdpServer` with batched system calls (Linux)."""

    def __init__(
        self,
        sock: socket.socket,
        holder: SnapshotHolder,
        responder: Responder,
        stats: TransportStats | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(sock, holder, responder, stats, limiter)
        self._recvmmsg, self._sendmmsg = _libc_calls()
        self._slots = _Slots(sock.family)
        self._fd = sock.fileno()
        self._recv_headers = ctypes.addressof(self._slots.recv_hdr)
        self._moved = False  # some send slot points at another slot's sender (see _answer)
        self._v4 = sock.family == socket.AF_INET  # ``sock.family`` builds an enum on every read

    def drain(self) -> None:
        """Receive, answer and send batches until the socket is empty (or :data:`ROUNDS`)."""
        for _ in range(ROUNDS):
            count = self._recvmmsg(self._fd, self._recv_headers, BATCH, _MSG_DONTWAIT, None)
            if count <= 0:
                if count < 0 and ctypes.get_errno() not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                    log.warning("recvmmsg failed: %s", errno.errorcode.get(ctypes.get_errno(), "?"))
                return
            started = time.perf_counter()
            replies = self._answer(count)
            if replies:
                self._send(replies)
            if self._moved:
                self._restore_names()
            self.stats.batch(time.perf_counter() - started, count)
            if count < BATCH:
                return

    def _answer(self, count: int) -> int:
        """Fill the send slots with the replies to the ``count`` received datagrams (hot path:
        every operation here is paid per query; indexes are precomputed per slot)."""
        s = self._slots
        recv: Any = s.recv  # slicing a c_char array gives bytes (typeshed says list)
        send, ints, recv_ids, send_ids, lens, ptrs = (
            s.send_view, s.recv_ints, s.recv_ids, s.send_ids, s.send_lens, s.send_ptrs
        )  # fmt: skip
        recv_info, send_info = s.recv_info, s.send_info
        served = self.holder.current
        if served.views:
            return self._answer_views(count, served)
        get, steer_get = served.cache.udp.get, served.cache.steered_udp.get
        names_ints, v4, bits = s.names_ints, self._v4, random.getrandbits
        hits = self.stats.hits
        limiter = self.limiter if self.limiter.rate else None
        if limiter is not None:
            limiter.new_batch(time.monotonic())
        out = 0
        for i in range(count):
            start, len_index, id_index = recv_info[i]
            size = ints[len_index]
            body_at, send_id_index, lens_index, ptr_index = send_info[out]
            if limiter is not None and (verdict := limiter.check(self._client(i))) != PASS:
                reply = self._limited(recv[start : start + size], verdict)
                if reply is None:
                    continue
                send[body_at - 2 : body_at - 2 + len(reply)] = reply
                lens[lens_index] = len(reply)
            elif (body := get(key := recv[start + 2 : start + size])) is not None or (  # ctypes slice: bytes
                (picker := steer_get(key)) is not None
                and (
                    body := (
                        picker.table[bits(DRAW_BITS)] if picker.table is not None
                        else picker.lookup(names_ints[i * 7 + 1] if v4 else self._source_key(i))
                    ) or self._picked(picker, i)
                )
            ):  # fmt: skip
                hits[body] += 1
                send_ids[send_id_index] = recv_ids[id_index]
                send[body_at : body_at + len(body)] = body
                lens[lens_index] = len(body) + 2
            else:
                reply = self._full_path(i, recv[start : start + size])
                if reply is None:
                    continue
                send[body_at - 2 : body_at - 2 + len(reply)] = reply
                lens[lens_index] = len(reply)
            if out != i:  # a datagram before this one got no reply: point at this sender
                ptrs[ptr_index] = s.name_ptrs[i]
                self._moved = True
            out += 1
        return out

    def _answer_views(self, count: int, served: Served) -> int:
        """:meth:`_answer` with views: each datagram answers from its sender's view's cache
        (the sender's slot memoised by its address as the kernel gave it)."""
        s = self._slots
        recv: Any = s.recv
        send, ints, recv_ids, send_ids, lens, ptrs = (
            s.send_view, s.recv_ints, s.recv_ids, s.send_ids, s.send_lens, s.send_ptrs
        )  # fmt: skip
        recv_info, send_info = s.recv_info, s.send_info
        caches, memo = served.caches, served.memo
        hits = self.stats.hits
        limiter = self.limiter if self.limiter.rate else None
        if limiter is not None:
            limiter.new_batch(time.monotonic())
        names_ints, v4 = s.names_ints, self._v4
        out = 0
        for i in range(count):
            start, len_index, id_index = recv_info[i]
            size = ints[len_index]
            body_at, send_id_index, lens_index, ptr_index = send_info[out]
            if limiter is not None and (verdict := limiter.check(self._client(i))) != PASS:
                reply = self._limited(recv[start : start + size], verdict)
            else:
                source = names_ints[i * 7 + 1] if v4 else self._source_key(i)
                slot = memo.get(source)
                cache = caches[served.slot_of(self._address(i)[0], source) if slot is None else slot]
                body = cache.udp.get(key := recv[start + 2 : start + size])  # ctypes slice: bytes
                if body is None and (picker := cache.steered_udp.get(key)) is not None:
                    body = picker.lookup(source) or self._picked(picker, i)
                if body is not None:
                    hits[body] += 1
                    send_ids[send_id_index] = recv_ids[id_index]
                    send[body_at : body_at + len(body)] = body
                    lens[lens_index] = len(body) + 2
                    reply = b""
                else:
                    reply = self._full_path(i, recv[start : start + size])
            if reply is None:
                continue
            if reply:
                send[body_at - 2 : body_at - 2 + len(reply)] = reply
                lens[lens_index] = len(reply)
            if out != i:
                ptrs[ptr_index] = s.name_ptrs[i]
                self._moved = True
            out += 1
        return out

    def _source_key(self, slot: int) -> bytes:
        """The IPv6 sender of ``slot`` as bytes (a memo key)."""
        at = slot * _NAME_SIZE + 8
        return bytes(self._slots.names_view[at : at + 16])

    def _picked(self, picker: Picker, slot: int) -> bytes:
        """The body of a weighted answer for the sender of ``slot``."""
        if picker.hashed:
            v4 = self._v4
            key = self._slots.names_ints[slot * 7 + 1] if v4 else self._source_key(slot)
            found = picker.by_source.get(key)
            return found if found is not None else picker.for_source(key, self._address(slot)[0])
        if not picker.multi:
            return picker.drawn()
        return picker.for_source(None, self._address(slot)[0])

    def _client(self, slot: int) -> Key:
        """The rate-limiting key of the sender in ``slot`` (see :mod:`dnsd.server.rrl`)."""
        s = self._slots
        if self._v4:
            return s.names_ints[slot * 7 + 1] & V4_MASK
        at = slot * _NAME_SIZE + 8
        return bytes(s.names_view[at : at + V6_PREFIX_BYTES])

    def _limited(self, data: bytes, verdict: int) -> bytes | None:
        reply = slip_reply(data) if verdict == SLIP else None
        if reply is None:
            self.stats.limited += 1
        else:
            self.stats.slipped += 1
        return reply

    def _restore_names(self) -> None:
        """Point every send slot back at its own sender slot after a batch that shifted some."""
        s = self._slots
        for j in range(BATCH):
            s.send_ptrs[s.send_info[j][3]] = s.name_ptrs[j]
        self._moved = False

    def _full_path(self, slot: int, data: bytes) -> bytes | None:
        """The full path; replies too large for a send slot go out at once by ``sendto``."""
        s = self._slots
        if len(data) == RECV_SLOT and s.recv_ints[slot * s.len_step + s.flags_at] & _MSG_TRUNC:
            return wire.header_error(data, wire.FORMERR)
        try:
            reply = self.responder.respond(data, False, self._address(slot)[0])
        except Exception:  # a bug must not stop the loop; the responder already logs its own
            log.exception("unexpected error answering a UDP datagram")
            return None
        if reply is not None:
            self.stats.response(reply)
        if reply is not None and len(reply) > SEND_SLOT:
            with contextlib.suppress(OSError):
                self.sock.sendto(reply, self._address(slot))
            return None
        return reply

    def _address(self, slot: int) -> tuple[str, int]:
        name = bytes(self._slots.names_view[slot * _NAME_SIZE : (slot + 1) * _NAME_SIZE])
        port = int.from_bytes(name[2:4], "big")
        if self._v4:
            return socket.inet_ntop(socket.AF_INET, name[4:8]), port
        return socket.inet_ntop(socket.AF_INET6, name[8:24]), port

    def _send(self, count: int) -> None:
        """sendmmsg stops at the first datagram it cannot send: skip it, unless the socket is
        full (then the rest are dropped, as UDP would drop them anyway)."""
        base, size, done = ctypes.addressof(self._slots.send_hdr), self._slots.hdr_size, 0
        while done < count:
            sent = self._sendmmsg(self._fd, base + done * size, count - done, _MSG_DONTWAIT)
            if sent > 0:
                done += sent
                continue
            if sent < 0 and ctypes.get_errno() == errno.EINTR:
                continue
            if sent < 0 and ctypes.get_errno() in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            done += 1


def make_udp_server(
    sock: socket.socket,
    holder: SnapshotHolder,
    responder: Responder,
    stats: TransportStats | None = None,
    limiter: RateLimiter | None = None,
) -> UdpServer:
    """The batched server where the platform allows it, else the plain loop."""
    try:
        return MmsgUdpServer(sock, holder, responder, stats, limiter)
    except (AttributeError, OSError, ValueError) as exc:
        log.info("recvmmsg/sendmmsg unavailable (%s): using one system call per datagram", exc)
        return UdpServer(sock, holder, responder, stats, limiter)
