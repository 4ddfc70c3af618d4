"""The status of a provider's last run (DNSPod sync, the Kubernetes controller): a pure record
the store saves and the sync, the controller, the CLI and the API read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RESULTS = ("in-sync", "planned", "applied", "partial", "failed", "refused", "over-limit", "error",
           "held", "approved")  # fmt: skip
# Results an operator can approve (see ``SyncStatusStore.approve``): a DNSPod plan refused by
# the safety limit, and the Kubernetes controller's held-back deletes.
APPROVABLE = ("refused", "held")
K8S_PROVIDER = "k8s"  # the controller's row: zone = the owner prefixes it manages


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the last run of ``provider`` for ``zone`` found and did.

    ``result`` is one of :data:`RESULTS`. ``drift`` counts the changes a run found although the
    desired state was the one the provider last fully matched (``applied_hash``): someone edited
    records dnsd manages outside dnsd. ``last_success_at`` is the last time the provider matched.
    """

    provider: str
    zone: str
    run_at: dt.datetime
    mode: str
    result: str
    creates: int = 0
    updates: int = 0
    deletes: int = 0
    conflicts: int = 0
    failed: int = 0
    drift: int = 0
    message: str = ""
    applied_hash: str | None = None
    last_success_at: dt.datetime | None = None
