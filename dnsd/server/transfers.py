"""The serving process's zone-transfer side: AXFR/IXFR answers, TSIG on signed queries, NOTIFY
in and out, and the state they need.

:class:`TransferService` is built by :class:`dnsd.server.run.DnsServer`, which hands its
handlers to the Responder (``transfer``, ``sign``, :meth:`TransferService.opcode_handlers`) and
the FeedFollower (``on_changes``) when it constructs them. The decisions are :mod:`dnsd.xfr`'s;
this module holds the state and does the I/O. Nothing here reads the database on the query
path: the TSIG keys, the transfer ACLs and the recent change log (IXFR's source) are read once
at start, then kept current from the changes the follower applies; a round that changes keys
or ACLs re-reads the policy in the feed's thread, and it is installed with that round's
snapshot. Transfers older than the history kept in memory are answered AXFR-style.

Views: where a zone reads differently in a view (docs/bind9.md), its copy for that view is
built in the feed's thread, from the same kind of read as the snapshot, and installed with the
round's snapshot; a transfer in that view sends it. Nothing is built while no view is defined
and no key is bound to one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from dnsd import metrics, wire
from dnsd.answer import Answer
from dnsd.domain.changes import Change
from dnsd.domain.errors import StoreUnavailable
from dnsd.domain.pools import DEFAULT_VIEW
from dnsd.domain.selection import all_up, health_from_states
from dnsd.domain.snapshot import Snapshot
from dnsd.domain.transfer import TransferPolicy, TsigKey
from dnsd.server.holder import SnapshotHolder
from dnsd.server.notify import Notifier
from dnsd.server.responder import OpcodeHandler
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from dnsd.wire import FormError, Query
from dnsd.xfr.journal import MAX_LINE_CHARS, Journal
from dnsd.xfr.notify import NOERROR, OPCODE_NOTIFY, incoming_notify_rcode
from dnsd.xfr.reply import AXFR, IXFR, TransferReply, transfer_reply
from dnsd.xfr.tsig import (
    BADTIME,
    TsigError,
    badtime_answer,
    sign_message,
    unsigned_error,
    verify_message,
)
from dnsd.xfr.views import ViewZones, zones_by_view

log = logging.getLogger("dnsd.xfr")
HISTORY_AT_START = 20_000  # changes read at start to fill the IXFR journal
NOTAUTH, FORMERR = 9, 1
RCODE_NAMES = {1: "formerr", 5: "refused", 9: "notauth"}


class TransferService:
    """AXFR/IXFR, TSIG and NOTIFY for one serving process.

    ``send_notify``: NOTIFY the zones' secondaries when a serial moves. Only one process of a
    group sharing a port sends (worker 0, see :mod:`dnsd.server.workers`); the others would
    only repeat it. A NOTIFY is signed with the zone's transfer key when its ACL names one.
    """

    def __init__(self, store: ZoneStore, holder: SnapshotHolder, *, send_notify: bool = True) -> None:
        self.store, self.holder = store, holder
        self.ops = TransferOps(store.engine, store.limits)
        self.policy = TransferPolicy({}, {})
        self.journal = Journal()  # IXFR's source, kept current by on_changes
        self.loaded = False
        self._next_policy: TransferPolicy | None = None  # read by prepare, installed by on_changes
        self.view_zones: ViewZones = {}  # (zone, view) -> ZoneData where the view differs
        self._next_view_zones: ViewZones | None = None
        self.notifier = Notifier(self.notify_key) if send_notify else None

    def opcode_handlers(self) -> dict[int, OpcodeHandler]:
        """The Responder's handlers by opcode: NOTIFY."""
        return {OPCODE_NOTIFY: self.notify}

    def notify_key(self, zone: str) -> TsigKey | None:
        """The key a NOTIFY for ``zone`` is signed with (see :meth:`TransferPolicy.notify_key`)."""
        return self.policy.notify_key(zone)

    async def start(self) -> None:
        """Load the policy and history in a thread; if the database is away, the next feed
        round retries (until then transfers are refused and IXFR falls back to AXFR)."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.load)
        except StoreUnavailable as exc:
            log.warning("transfer policy not loaded yet: %s", exc)

    def load(self) -> None:
        """Read the transfer policy and the recent change log (blocking: run it in a thread)."""
        policy = self.ops.load_transfer_policy()
        view_zones = self._build_view_zones(policy, None)
        cursor = max(0, self.store.last_change_id() - HISTORY_AT_START)
        while True:
            page = self.store.list_changes(after_id=cursor, limit=1000, lines_under=MAX_LINE_CHARS)
            self.journal.remember(page)
            if len(page) < 1000:
                break
            cursor = page[-1].id
        self.policy, self.view_zones, self.loaded = policy, view_zones, True
        log.info("transfer policy: %d TSIG keys, %d zone ACLs", len(policy.keys), len(policy.acls))

    async def close(self) -> None:
        if self.notifier is not None:
            await self.notifier.close()

    def prepare(self, changes: list[Change]) -> None:
        """The follower's preparer (in its thread, before the swap): re-read the policy when the
        round changes keys or ACLs (or it never loaded), so :meth:`on_changes` installs it in
        the same loop step as the snapshot; a transfer never sees one without the other."""
        policy = self.policy
        if not self.loaded or any(c.action.startswith(("tsig.", "transfer.", "view.")) for c in changes):
            try:
                policy = self._next_policy = self.ops.load_transfer_policy()
            except StoreUnavailable:
                raise  # the round fails and is retried: snapshot and policy move together
            except Exception:  # a bad row must not stop zone updates: keep the last policy
                log.exception("reading the transfer policy failed; keeping the last one")
        if _views_of(policy) != _views_of(self.policy) or not self.loaded:
            self._next_view_zones = self._build_view_zones(policy, None)
            return
        touched = {z.zone for c in changes for z in c.zones}
        if touched and _views_of(policy):
            built = self._build_view_zones(policy, touched)
            kept = {k: v for k, v in self.view_zones.items() if k[0] not in touched}
            self._next_view_zones = {**kept, **built}

    def _build_view_zones(self, policy: TransferPolicy, zones: set[str] | None) -> ViewZones:
        """The zones (all when None) as each view that transfers may ask for sees them, where
        they differ from ``default`` (blocking: the feed's thread)."""
        views = _views_of(policy)
        if not views:
            return {}
        state = self.store.load_state(None if zones is None else sorted(zones))
        states = self.store.member_states()
        return zones_by_view(
            state.zones, state.pools, views, health_from_states(states) if states else all_up
        )

    def on_changes(self, before: Snapshot, after: Snapshot, changes: list[Change]) -> None:
        """Called by the follower (on the event loop) right after it swapped in ``after``."""
        self.journal.remember(changes)
        if self._next_policy is not None:
            self.policy, self.loaded, self._next_policy = self._next_policy, True, None
        if self._next_view_zones is not None:
            self.view_zones, self._next_view_zones = self._next_view_zones, None
        if self.notifier is None:
            return
        for name in sorted({z.zone for c in changes for z in c.zones}):
            new, old = after.zones.get(name), before.zones.get(name)
            if new is not None and (old is None or old.zone.serial != new.zone.serial):
                self.notifier.zone_changed(new.zone)

    def transfer(self, query: Query, data: bytes, client: str, tcp: bool) -> list[bytes]:
        """The Responder's AXFR/IXFR handler: every message of the answer, TSIG applied."""
        reply = transfer_reply(
            self.holder.snapshot, query.qname, query.qtype, data, client, tcp, self.policy,
            self.journal.history, int(time.time()), self.view_zones,
        )  # fmt: skip
        self._log(query, client, tcp, reply)
        if reply.sections:
            messages = [
                wire.encode_response(query, Answer(NOERROR, True, section)) for section in reply.sections
            ]
        else:
            messages = [wire.error_response(query, reply.rcode)]
        return reply.finish(messages)

    @staticmethod
    def _log(query: Query, client: str, tcp: bool, reply: TransferReply) -> None:
        kind = "AXFR" if query.qtype == AXFR else "IXFR"
        via = "TCP" if tcp else "UDP"
        key = f" key {reply.key.name}" if reply.key else ""
        metrics.count_transfer(
            kind.lower(), "ok" if reply.rcode == NOERROR else RCODE_NAMES.get(reply.rcode, "error")
        )
        if reply.rcode == NOERROR:
            size = sum(len(r.rdatas) for section in reply.sections for r in section)
            log.info("%s %s to %s%s over %s: %d RRs in %d messages %s", kind, query.qname, client or "?", key,
                     via, size, len(reply.sections), reply.reason)  # fmt: skip
        else:
            log.warning("%s %s from %s%s over %s: rcode %d (%s)", kind, query.qname, client or "?", key, via,
                        reply.rcode, reply.reason)  # fmt: skip

    def notify(self, query: Query, tcp: bool) -> bytes:
        """The Responder's NOTIFY handler (RFC 1996): NOERROR for our zones, NOTAUTH otherwise."""
        rcode = incoming_notify_rcode(self.holder.snapshot.zones, query.qname, query.qtype)
        metrics.count_notify("received", "ok" if rcode == NOERROR else RCODE_NAMES.get(rcode, "error"))
        return wire.encode_response(query, Answer(rcode, rcode == NOERROR))

    def sign(self, data: bytes, query: Query, responses: Sequence[bytes]) -> Sequence[bytes]:
        """TSIG for a signed message that is not a transfer (a secondary's SOA check, a NOTIFY):
        verify it and sign the answer, or answer NOTAUTH with the TSIG error (RFC 8945 5.2)."""
        if query.opcode == wire.QUERY and query.qtype in (AXFR, IXFR):
            return responses  # transfer() signed them
        now = int(time.time())
        try:
            verified = verify_message(data, self.policy.keys, now)
        except FormError:
            return [wire.error_response(query, FORMERR)]
        except TsigError as exc:
            log.warning("bad TSIG from a query for %s: %s", query.qname or ".", exc)
            return (
                [self._tsig_error(query, exc, now)]
                if exc.record is not None
                else [wire.error_response(query, NOTAUTH)]
            )
        if verified is None or not responses:
            return responses
        key, record = verified
        return [sign_message(responses[0], key, now, prior_mac=record.mac)[0]]

    def _tsig_error(self, query: Query, exc: TsigError, now: int) -> bytes:
        assert exc.record is not None
        base = wire.error_response(query, NOTAUTH)
        key: TsigKey | None = self.policy.keys.get(exc.record.key_name)
        if exc.error == BADTIME and key is not None:
            return badtime_answer(base, key, exc.record, now)
        return unsigned_error(base, exc.record, exc.error, now)


def _views_of(policy: TransferPolicy) -> frozenset[str]:
    """The views a transfer may be answered in, besides ``default``: the defined views and any
    view a key is bound to (``public`` has no networks, only keys)."""
    named = {v.name for v in policy.views} | {k.view for k in policy.keys.values() if k.view}
    return frozenset(named - {DEFAULT_VIEW})
