"""One exception root for everything dnsd raises on purpose.

The API maps these to HTTP status codes in one place (``api/errors.py``); the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    """One problem with one input field (``field`` is a dotted path such as ``values.1``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class DnsdError(Exception):
    """Root of every error dnsd raises deliberately."""


class InvalidInput(DnsdError):
    """Input breaks one or more rules; ``reasons`` lists every problem found, not just the first."""

    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = list(reasons)
        super().__init__("; ".join(str(r) for r in self.reasons))


class NotFound(DnsdError):
    """A referenced zone, pool, record or token does not exist."""

    def __init__(self, kind: str, key: str, field: str | None = None) -> None:
        self.kind, self.key, self.field = kind, key, field
        super().__init__(f"{kind} {key!r} not found")


class Conflict(DnsdError):
    """The change clashes with existing data (another owner's name, a duplicate, a name in use)."""

    def __init__(self, message: str, holder: str | None = None) -> None:
        self.holder = holder
        super().__init__(message)


class StoreUnavailable(DnsdError):
    """The database cannot be reached; DNS keeps serving the last snapshot."""


def invalid(field: str, message: str) -> InvalidInput:
    """Shorthand for a single-reason :class:`InvalidInput`."""
    return InvalidInput([Reason(field, message)])
