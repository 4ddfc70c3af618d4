"""``/token``: what the caller's own token may do and until when (CI checks its expiry here)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Caller
from api.errors import documented
from api.schemas import TokenOut

router = APIRouter(prefix="/token", tags=["tokens"])


@router.get("", responses=documented(401, 503))
def own_token(caller: Caller) -> TokenOut:
    """The token this request carries (never its secret); in dev mode, the ``dev`` admin."""
    return TokenOut.of(caller.actor, caller.token)
