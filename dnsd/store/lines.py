"""What a change row records for an RRset: the RR lines it answers with in the ``default`` view
(pool references expanded, health applied), and the member health states that decide that."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.changes import RRLine
from dnsd.domain.health import Probe
from dnsd.domain.pools import DEFAULT_VIEW, Pool
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, all_up, health_from_states
from dnsd.domain.snapshot import expand
from dnsd.store.tables import MemberHealthRow, PoolRow


def rr_lines(rrset: RRset | None, pools: Mapping[str, Pool], health: Health = all_up) -> list[RRLine]:
    """The RRs ``rrset`` carries in the default view's zone (what IXFR sends)."""
    if rrset is None:
        return []
    return [
        (rrset.name, rrset.rtype, rrset.ttl, r.to_text()) for r in expand(rrset, pools, DEFAULT_VIEW, health)
    ]


def read_member_states(session: Session) -> dict[tuple[str, ...], str]:
    """Every stored probe state, keyed as :func:`health_from_states` reads them."""
    rows = session.execute(
        select(PoolRow.name, MemberHealthRow.address, MemberHealthRow.host, MemberHealthRow.state).join(
            PoolRow, MemberHealthRow.pool_id == PoolRow.id
        )
    )
    return {Probe(pool, address, host).key: state for pool, address, host, state in rows}


def session_health(session: Session) -> Health:
    """The health lookup for the store's current states (all up when none is recorded)."""
    states = read_member_states(session)
    return health_from_states(states) if states else all_up
