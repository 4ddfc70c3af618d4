"""Shifts in the store (filled in below)."""

from __future__ import annotations

from dnsd.store.base import StoreBase


class ShiftOps(StoreBase):
    pass
