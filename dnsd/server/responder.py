"""The full path: one message in, at most one response out, and the rcode policy.

Policy (fixed): a message shorter than a header, or with QR=1, is dropped; an opcode without a
handler gets NOTIMP with only QR and the opcode set (RD, CD and AD are not defined for every
opcode); an unparseable message FORMERR; EDNS version > 0 BADVERS; class ANY gets the IN answer
the way NSD gives it (AA clear, no SOA); a class other than IN or ANY REFUSED (CH TXT
``version.bind``/``id.server`` answer the configured strings when set); OPT/TKEY/TSIG questions
FORMERR, MAILB/MAILA NOTIMP; transfers REFUSED until a transfer handler is plugged in; an
exception SERVFAIL and a log line. Query types reach these rules and the answer logic under
their canonical names (:mod:`dnsd.domain.rrtypes`).
Everything else is :func:`dnsd.answer.resolve` and lands in the response cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from dnsd import wire
from dnsd.answer import for_class_any, resolve
from dnsd.domain.rrtypes import META_TYPES, OBSOLETE_QTYPES, TRANSFER_TYPES
from dnsd.server.cache import body_of, cache_key, splice
from dnsd.server.holder import SnapshotHolder
from dnsd.wire import Query

log = logging.getLogger("dnsd.server")

OpcodeHandler = Callable[[Query, bool], "bytes | None"]
"""Answers a parsed message of a non-QUERY opcode (e.g. NOTIFY); ``True`` means TCP."""

TransferHandler = Callable[[Query, bytes, str, bool], Sequence[bytes]]
"""Answers AXFR/IXFR (query, raw message, client address, TCP?) with the messages of the
transfer (TCP) or one message (UDP)."""

TsigHook = Callable[[bytes, Query, Sequence[bytes]], Sequence[bytes]]
"""Verifies the TSIG of a message that is not plain (raw message, query, our answers) and
returns the answers signed, or the TSIG error answer."""

CLASS_ANY = 255
_CHAOS_VERSION = ("version.bind", "version.server")
_CHAOS_ID = ("id.server", "hostname.bind")


class Responder:
    """Protocol logic without sockets; transports call :meth:`respond` on cache misses.

    Handlers, passed in at construction (by :class:`dnsd.server.run.DnsServer`, from
    :class:`dnsd.server.transfers.TransferService`): ``opcode_handlers[4]`` for NOTIFY,
    ``transfer`` for AXFR/IXFR, ``tsig`` for signed messages. Without them, transfers are
    REFUSED, NOTIFY gets NOTIMP and TSIG is not checked.
    """

    def __init__(
        self,
        holder: SnapshotHolder,
        version_bind: str | None = None,
        server_id: str | None = None,
        *,
        opcode_handlers: dict[int, OpcodeHandler] | None = None,
        transfer: TransferHandler | None = None,
        tsig: TsigHook | None = None,
    ) -> None:
        self.holder = holder
        self.version_bind = version_bind
        self.server_id = server_id
        self.opcode_handlers: dict[int, OpcodeHandler] = dict(opcode_handlers or {})
        self.transfer = transfer
        self.tsig = tsig

    def respond(self, data: bytes, tcp: bool = False) -> bytes | None:
        """The response to one message (``tcp``: no size limit), or None to drop it."""
        messages = self.respond_all(data, tcp)
        return messages[0] if messages else None

    def respond_all(self, data: bytes, tcp: bool = False, client: str = "") -> Sequence[bytes]:
        """Like :meth:`respond`, but a transfer over TCP may answer with several messages.
        ``client`` is the peer's address where the transport knows it (transfer ACLs)."""
        if len(data) < 12 or data[2] & 0x80:
            return ()
        opcode = (data[2] >> 3) & 0xF
        try:
            query = wire.parse_query(data)
        except wire.FormError:
            known = opcode == wire.QUERY or opcode in self.opcode_handlers
            rcode = wire.FORMERR if known else wire.NOTIMP
            error = wire.header_error(data, rcode, echo=known)
            return (error,) if error else ()
        try:
            if opcode == wire.QUERY:
                responses = self._query(data, query, tcp, client)
            elif opcode in self.opcode_handlers:
                response = self.opcode_handlers[opcode](query, tcp)
                responses = (response,) if response else ()
            else:
                return (wire.error_response(query, wire.NOTIMP, echo=False),)
            if not query.plain and self.tsig is not None:  # a TSIG RR makes a message not plain
                return self.tsig(data, query, responses)
            return responses
        except Exception:
            log.exception("SERVFAIL for %s %s (opcode %d)", query.qname or ".", query.qtype_name, opcode)
            return (wire.error_response(query, wire.SERVFAIL),)

    def _query(self, data: bytes, query: Query, tcp: bool, client: str = "") -> Sequence[bytes]:
        served = self.holder.current
        key = cache_key(data, query) if query.plain else None
        if key is not None:
            cached = (served.cache.tcp if tcp else served.cache.udp).get(key)
            if cached is not None:
                return (splice(data, cached, 12 + len(query.question)),)
        special = self._special(query, tcp, data, client)
        if special is not None:
            return special
        answer = resolve(served.snapshot, query.qname, query.qtype_name)
        if query.qclass == CLASS_ANY:
            answer = for_class_any(answer)
        response = wire.encode_response(query, answer, wire.MAX_MESSAGE if tcp else query.udp_limit)
        if key is not None:
            served.cache.store(key, body_of(response, query), tcp)
        return (response,)

    def _special(
        self, query: Query, tcp: bool, data: bytes = b"", client: str = ""
    ) -> Sequence[bytes] | None:
        """Answers decided by policy rather than by our data, never cached."""
        if query.edns and query.edns_version > 0:
            return (wire.error_response(query, wire.BADVERS),)
        if query.qclass not in (wire.CLASS_IN, CLASS_ANY):
            return (self._chaos(query),)
        qtype = query.qtype_name
        if qtype in META_TYPES:
            return (wire.error_response(query, wire.FORMERR),)
        if qtype in OBSOLETE_QTYPES:
            return (wire.error_response(query, wire.NOTIMP),)
        if qtype in TRANSFER_TYPES:
            if self.transfer is None:
                return (wire.error_response(query, wire.REFUSED),)
            messages = self.transfer(query, data, client, tcp)
            return messages if tcp else messages[:1]
        return None

    def _chaos(self, query: Query) -> bytes:
        text = None
        if query.qclass == wire.CLASS_CH and query.qtype in (wire.TYPE_TXT, 255):
            if query.qname in _CHAOS_VERSION:
                text = self.version_bind
            elif query.qname in _CHAOS_ID:
                text = self.server_id
        if text is None:
            return wire.error_response(query, wire.REFUSED)
        return wire.chaos_txt(query, text)
