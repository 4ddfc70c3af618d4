"""Reverting a change on behalf of a caller: the scope check and the store call, shared by
``POST /changes/{id}/revert`` and the console."""

from __future__ import annotations

from api.auth import Principal
from dnsd.domain.changes import Change
from dnsd.store.revert import pool_before
from dnsd.store.zonestore import ZoneStore


def revert_for(caller: Principal, store: ZoneStore, change_id: int, *, force: bool) -> Change:
    """Revert ``change_id`` as ``caller``: a pool change needs an admin, a record change a
    token that may write every name it touched (:class:`Forbidden` otherwise)."""
    plan = store.revert_plan(change_id)
    if pool_before(plan.change) is not None:
        caller.require_admin()
    else:
        caller.require_records_write(store, plan.names)
    return store.revert_change(change_id, caller.actor, force=force)
