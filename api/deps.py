"""What routes depend on: the application context built by :func:`api.app.create_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from dnsd.config import Settings
from dnsd.store.zonestore import ZoneStore

ReadyCheck = Callable[[], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class AppContext:
    """Everything a request handler may use; one per app, stored on ``app.state.ctx``."""

    settings: Settings
    store: ZoneStore
    ready: ReadyCheck | None = None


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_store(request: Request) -> ZoneStore:
    return get_context(request).store


ContextDep = Annotated[AppContext, Depends(get_context)]
StoreDep = Annotated[ZoneStore, Depends(get_store)]
