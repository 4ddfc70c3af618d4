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

import ipaddress
import logging
from collections.abc import Callable, Sequence

from dnsd import wire
from dnsd.answer import Answer, for_class_any, resolve
from dnsd.domain.pools import DEFAULT_VIEW
from dnsd.domain.rrtypes import META_TYPES, OBSOLETE_QTYPES, TRANSFER_TYPES
from dnsd.domain.selection import Client
from dnsd.domain.snapshot import RRsetData
from dnsd.domain.steering import SteeredRRset, scope_of, steered_rrsets
from dnsd.server.cache import body_of, cache_key, splice
from dnsd.server.holder import Served, SnapshotHolder
from dnsd.server.steer import Encoder, Picker, plain_address
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
        ecs_trusted: Sequence[str] = (),
    ) -> None:
        self.holder = holder
        networks = (n.strip() for n in ecs_trusted)
        self.ecs_trusted = tuple(ipaddress.ip_network(n, strict=False) for n in networks if n)
        self._trusted_memo: dict[str, bool] = {}
        self.version_bind = version_bind
        self.server_id = server_id
        self.opcode_handlers: dict[int, OpcodeHandler] = dict(opcode_handlers or {})
        self.transfer = transfer
        self.tsig = tsig

    def respond(self, data: bytes, tcp: bool = False, client: str = "") -> bytes | None:
        """The response to one message (``tcp``: no size limit) from ``client`` (the source
        address, which picks the view), or None to drop it."""
        messages = self.respond_all(data, tcp, client)
        return messages[0] if messages else None

    def respond_all(self, data: bytes, tcp: bool = False, client: str = "") -> Sequence[bytes]:
        """Like :meth:`respond`, but a transfer over TCP may answer with several messages.
        ``client`` is the peer's address where the transport knows it (views, transfer ACLs)."""
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
        slot, view, matched, trusted = self._client_view(served, query, client)
        cache = served.caches[slot]
        qend = 12 + len(query.question)
        key = cache_key(data, query) if query.plain else None
        if key is not None:
            cached = (cache.tcp if tcp else cache.udp).get(key)
            if cached is not None:
                return (self._ecs(splice(data, cached, qend), query, trusted, matched, False, tcp),)
            picker = (cache.steered_tcp if tcp else cache.steered_udp).get(key)
            if picker is not None:
                body = self._pick(picker, query, trusted, client)
                return (self._ecs(splice(data, body, qend), query, trusted, matched, picker.multi, tcp),)
        special = self._special(query, tcp, data, client)
        if special is not None:
            return special
        answer = resolve(served.snapshot.in_view(view), query.qname, query.qtype_name)
        if query.qclass == CLASS_ANY:
            answer = for_class_any(answer)
        limit = wire.MAX_MESSAGE if tcp else query.udp_limit
        steered = steered_rrsets(answer.answer, answer.authority, answer.additional)
        if steered:
            picker = Picker(steered, _encoder(query, answer, steered, limit))
            if key is not None:
                cache.store_picker(key, picker, tcp)
            body = self._pick(picker, query, trusted, client)
            return (self._ecs(splice(data, body, qend), query, trusted, matched, picker.multi, tcp),)
        response = wire.encode_response(query, answer, limit)
        if key is not None:
            cache.store(key, body_of(response, query), tcp)
        return (self._ecs(response, query, trusted, matched, False, tcp),)

    def _client_view(self, served: Served, query: Query, client: str) -> tuple[int, str, int, bool]:
        """(cache slot, view, ECS scope of the view, ECS trusted) of a query from ``client``:
        the view of a trusted ECS subnet, else of the source address."""
        ecs = query.ecs
        if ecs is not None and self.trusted(client):
            matcher = served.snapshot.matcher
            if matcher is None:
                return 0, DEFAULT_VIEW, 0, True
            value = ecs.value
            view, matched = matcher.match_int(ecs.version, value, ecs.source)
            if view == DEFAULT_VIEW and ecs.source:  # a /0 subnet opted out: scope 0
                matched = served.default_scope(ecs.version, value, ecs.source)
            return served.slot_of_view.get(view, 0), view, matched, True
        if served.views:
            return served.slot_of(client), served.match(client)[0], 0, False
        return 0, DEFAULT_VIEW, 0, False

    def trusted(self, client: str) -> bool:
        """Whether ``client`` is a resolver whose ECS option is trusted (``DNSD_ECS_TRUSTED``)."""
        if not self.ecs_trusted or not client:
            return False
        found = self._trusted_memo.get(client)
        if found is None:
            try:
                address = ipaddress.ip_address(plain_address(client))
            except ValueError:
                return False
            if len(self._trusted_memo) >= 65536:
                self._trusted_memo.clear()
            found = self._trusted_memo[client] = any(
                address.version == net.version and address in net for net in self.ecs_trusted
            )
        return found

    @staticmethod
    def _pick(picker: Picker, query: Query, trusted: bool, client: str) -> bytes:
        ecs = query.ecs
        if trusted and ecs is not None:
            return picker.for_client(Client(ecs.text, ecs.source, trusted_ecs=True))
        return picker.for_source(client, client or "0.0.0.0")

    @staticmethod
    def _ecs(response: bytes, query: Query, trusted: bool, matched: int, multi: bool, tcp: bool) -> bytes:
        """The ECS option echoed (RFC 7871 7.2.1): scope 0 unless the resolver is trusted."""
        ecs = query.ecs
        if ecs is None:
            return response
        scope = scope_of(matched, multi, ecs.text) if trusted else 0
        return wire.with_ecs(response, ecs, scope, wire.MAX_MESSAGE if tcp else query.udp_limit)

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


def _encoder(query: Query, answer: Answer, steered: tuple[SteeredRRset, ...], limit: int) -> Encoder:
    """Encodes the cache body of ``answer`` with each steered RRset replaced by one variant."""

    def encode(indexes: tuple[int, ...]) -> bytes:
        chosen: dict[int, RRsetData] = {}
        for rrset, index in zip(steered, indexes, strict=True):
            if rrset.selector is not None:
                variant = rrset.selector.variants[index]
                if variant.name != rrset.name:  # a wildcard expansion owns the query name
                    variant = RRsetData(rrset.name, variant.rtype, variant.ttl, variant.rdatas)
                chosen[id(rrset)] = variant

        def swap(section: tuple[RRsetData, ...]) -> tuple[RRsetData, ...]:
            return tuple(chosen.get(id(r), r) for r in section)

        sections = (swap(answer.answer), swap(answer.authority), swap(answer.additional))
        picked = Answer(answer.rcode, answer.aa, *sections)
        return body_of(wire.encode_response(query, picked, limit), query)

    return encode
