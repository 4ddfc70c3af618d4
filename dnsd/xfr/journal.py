"""The IXFR journal: the recent changes of each zone, kept in memory beside the snapshot.

The serving process fills it once from the change log at start and then from the changes the
feed applies, so an IXFR never reads the database. Pure: no I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from dnsd.domain.changes import Change, ZoneChange

PER_ZONE = 1000  # zone changes kept per zone; a client older than that gets the full zone
MAX_LINES = 20_000
"""A zone change of more RR lines than this (a bulk import) is not kept: an IXFR through it
would be larger than the zone, and RFC 1995 section 4 lets the server send the whole zone
instead. :func:`dnsd.xfr.plan.ixfr_chain` sees the gap and a client older than it gets AXFR."""
MAX_LINE_CHARS = MAX_LINES * 64
"""The same bound in characters of stored RR lines, for reading the change log at start
without parsing a bulk import's lines (:meth:`dnsd.store.changes.ChangeOps.list_changes`)."""


class Journal:
    """Per zone, the last ``per_zone`` :class:`ZoneChange` entries in commit order.

    ``cursor`` is the id of the last change remembered; changes at or before it are ignored,
    so the start-up fill and the feed may overlap. A zone deleted forgets its history (a zone
    created again under the same name starts a new one)."""

    def __init__(self, per_zone: int = PER_ZONE) -> None:
        self.per_zone = per_zone
        self.cursor = 0
        self._zones: dict[str, deque[ZoneChange]] = {}

    def remember(self, changes: Iterable[Change]) -> None:
        """Add ``changes`` (oldest first)."""
        for change in changes:
            if change.id <= self.cursor:
                continue
            for zone_change in change.zones:
                if zone_change.serial is None:  # the zone was deleted
                    self._zones.pop(zone_change.zone, None)
                    continue
                if len(zone_change.added) + len(zone_change.removed) > MAX_LINES:
                    continue  # IXFR falls back to AXFR across it (see MAX_LINES)
                kept = self._zones.setdefault(zone_change.zone, deque(maxlen=self.per_zone))
                kept.append(zone_change)
            self.cursor = change.id

    def history(self, zone: str) -> Sequence[ZoneChange]:
        """The zone's remembered changes, oldest first (what :func:`dnsd.xfr.plan.ixfr_rrsets`
        takes)."""
        return list(self._zones.get(zone, ()))
