"""Bench data: a zone of N names (A records, a wildcard, a few other types) and the matching
NSD zone file, and a bulk loader that writes it straight into the store's tables.

The bulk loader bypasses ``ZoneStore.put_rrset`` (about 5 ms per change on SQLite, hours for a
million records) and the change log: it creates the *starting* state only. Everything measured
afterwards goes through the store's normal API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dnsd.domain.zones import make_zone
from dnsd.store.engine import make_engine
from dnsd.store.tables import RecordRow, ZoneRow
from dnsd.store.zonestore import ZoneStore

OWNER = "bench:seed"


@dataclass(frozen=True)
class BenchZone:
    name: str
    hosts: int

    def address(self, i: int) -> str:
        return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"

    def records(self) -> Iterator[tuple[str, str, list[str]]]:
        """(name, type, values) for every RRset besides the apex SOA/NS."""
        z = self.name
        yield f"ns1.{z}", "A", ["10.255.0.1"]
        yield f"*.wild.{z}", "A", ["10.255.0.9"]
        yield f"mail.{z}", "MX", [f"10 mx.{z}."]
        yield f"mx.{z}", "A", ["10.255.0.25"]
        yield f"txt.{z}", "TXT", ['"v=spf1 -all"']
        for i in range(self.hosts):
            yield f"host{i}.{z}", "A", [self.address(i)]

    def zone_file(self, serial: int = 1) -> str:
        """The same data for NSD (``serial``: the one :func:`seed` returned, for the same SOA)."""
        z = self.name
        lines = [
            f"$ORIGIN {z}.", "$TTL 300",
            f"@ IN SOA ns1.{z}. hostmaster.{z}. {serial} 3600 600 1209600 300", f"@ IN NS ns1.{z}.",
        ]  # fmt: skip
        lines += [f"{name}. 300 IN {rtype} {' '.join(values)}" for name, rtype, values in self.records()]
        return "\n".join(lines) + "\n"

    def queries(self, wildcard: int = 1000, nxdomain: int = 1000) -> list[str]:
        """dnsperf's input: every host once, plus wildcard and NXDOMAIN names, interleaved."""
        out = [f"host{i}.{self.name} A" for i in range(self.hosts)]
        out += [f"w{i}.wild.{self.name} A" for i in range(wildcard)]
        out += [f"nx{i}.{self.name} A" for i in range(nxdomain)]
        step = max(1, len(out) // (wildcard + nxdomain + 1))
        mixed: list[str] = []
        extras = out[self.hosts :]
        for i, line in enumerate(out[: self.hosts]):
            mixed.append(line)
            if i % step == 0 and extras:
                mixed.append(extras.pop())
        return mixed + extras


def seed(url: str, zone: BenchZone, batch: int = 20_000) -> int:
    """Create ``zone`` through the store, then bulk-insert its records into the tables; return
    the zone's serial."""
    engine = make_engine(url)
    store = ZoneStore(engine)
    store.create_zone(make_zone(zone.name, [f"ns1.{zone.name}"]), "bench")
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        zone_id, serial = session.execute(
            select(ZoneRow.id, ZoneRow.serial).where(ZoneRow.name == zone.name)
        ).one()
        rows: list[dict[str, object]] = []
        for name, rtype, values in zone.records():
            rows.append({
                "zone_id": zone_id, "name": name, "type": rtype, "ttl": 300, "rdata": values,
                "pool_id": None, "owner": OWNER, "created_at": now, "updated_at": now,
            })  # fmt: skip
            if len(rows) >= batch:
                session.execute(insert(RecordRow), rows)
                rows = []
        if rows:
            session.execute(insert(RecordRow), rows)
    engine.dispose()
    return int(serial)
