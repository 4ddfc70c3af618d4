"""The web console under ``/ui``: server-rendered pages over the API's own handlers.

:func:`mount_console` adds it to the app built by :func:`api.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.ui.routes import changes, dashboard, live, names, pools, records, shifts, signin
from api.ui.session import SessionBook

STATIC = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI, sessions: SessionBook | None = None) -> None:
    """Serve the console at ``/ui`` (its files at ``/ui/static``) with its own session book."""
    app.state.console_sessions = sessions if sessions is not None else SessionBook()
    for module in (signin, dashboard, names, changes, records, pools, shifts, live):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="console-static")
