"""The provider protocol: what plan and apply need from a DNS hosting API (octoDNS-style)."""

from __future__ import annotations

from typing import Protocol

from dnsd.domain.errors import DnsdError
from dnsd.sync.limits import PlanLimits
from dnsd.sync.records import RecordSpec, RemoteRecord


class ProviderError(DnsdError):
    """A provider call failed for good (after any retries). ``code`` is the provider's error code.

    ``record_level`` errors concern one record (a value the provider refuses, a record that is
    already there); the other records of a plan can still be applied. Every other error (auth,
    throttling that outlasted the retries, network, unknown domain) stops the zone.
    """

    def __init__(self, code: str, message: str, action: str = "", request_id: str | None = None) -> None:
        self.code, self.message, self.action, self.request_id = code, message, action, request_id
        where = f"{action}: " if action else ""
        super().__init__(f"{where}{code}: {message}" + (f" (request {request_id})" if request_id else ""))

    @property
    def record_level(self) -> bool:
        if self.code == "InvalidParameterValue.DomainNotExists":
            return False
        return self.code.startswith(("InvalidParameter.", "InvalidParameterValue.", "LimitExceeded."))

    @property
    def auth_failure(self) -> bool:
        return self.code.startswith("AuthFailure")


class Provider(Protocol):
    """A DNS hosting API. Every method raises :class:`ProviderError` when the call fails."""

    name: str

    def list_zones(self) -> set[str]:
        """Canonical names of the zones (domains) the account holds."""
        ...

    def plan_limits(self, zone: str) -> PlanLimits:
        """The limits of ``zone``'s plan at the provider (minimum TTL, records per name...)."""
        ...

    def list_records(self, zone: str) -> list[RemoteRecord]:
        """Every record of ``zone``, all pages."""
        ...

    def create_record(self, zone: str, spec: RecordSpec, remark: str) -> int:
        """Create one record on the default line; returns its id."""
        ...

    def modify_record(self, zone: str, record_id: int, spec: RecordSpec, remark: str) -> None:
        """Overwrite record ``record_id`` with ``spec``, enabled, with ``remark``."""
        ...

    def delete_record(self, zone: str, record_id: int) -> None: ...

    def close(self) -> None: ...
