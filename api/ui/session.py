"""Console sessions: a random id in a cookie, the rest kept in this process.

The cookie carries only the session id (HttpOnly, SameSite=Strict, Secure behind TLS). The
session keeps the API token the user signed in with, so every request is checked again as an API
call would be (a revoked or expired token ends the session), and the CSRF token every form
carries. Sessions end on logout, after :data:`SESSION_TTL` of inactivity, or when the process
restarts.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "dnsd_session"
SESSION_TTL = 8 * 3600.0  # seconds of inactivity before a session ends
MAX_SESSIONS = 10_000  # the oldest sessions are dropped beyond this


@dataclass(slots=True)
class ConsoleSession:
    """One signed-in browser: ``token`` is None in dev mode (no authentication)."""

    id: str
    token: str | None
    csrf: str
    last_seen: float
    flash: list[str] = field(default_factory=list)

    def csrf_ok(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())


class SessionBook:
    """The sessions of this process. ``clock`` is injectable so tests can age a session."""

    def __init__(self, ttl: float = SESSION_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._sessions: dict[str, ConsoleSession] = {}

    def open(self, token: str | None) -> ConsoleSession:
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
            del self._sessions[oldest.id]
        session = ConsoleSession(secrets.token_urlsafe(32), token, secrets.token_urlsafe(32), self.clock())
        self._sessions[session.id] = session
        return session

    def find(self, session_id: str | None) -> ConsoleSession | None:
        """The live session with this id (its inactivity timer restarts), or None."""
        session = self._sessions.get(session_id or "")
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.ttl:
            del self._sessions[session.id]
            return None
        session.last_seen = now
        return session

    def close(self, session_id: str | None) -> None:
        self._sessions.pop(session_id or "", None)
