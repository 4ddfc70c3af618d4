"""SIGHUP: re-read the settings and apply what can change while serving.

Settings come from the environment and, when ``env_file`` is set, from that file of
``DNSD_*=value`` lines (a running process cannot see a changed environment, so the file is what
an operator edits before sending SIGHUP). Only fields the fresh read sets explicitly are compared,
so a CLI override (``--port 0``) is not reported as a change.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from dnsd.config import Settings

log = logging.getLogger("dnsd.server")

LIVE_FIELDS = frozenset({
    "log_level", "rrl_responses_per_second", "rrl_slip", "rrl_exempt", "tcp_idle_timeout",
    "tcp_max_connections", "tcp_max_per_client", "version_bind", "server_id", "feed_poll_interval",
    "drain_timeout",
})  # fmt: skip
"""What a reload applies; any other field that changed is logged as needing a restart."""


def read_settings(env_file: str | None) -> Settings:
    """The settings as the environment (and ``env_file``, if given) say now."""
    if env_file:
        return Settings(_env_file=env_file)
    return Settings()


def with_env_file(settings: Settings) -> Settings:
    """``settings`` completed by ``settings.env_file`` (fields already set win)."""
    if not settings.env_file:
        return settings
    fresh = read_settings(settings.env_file)
    update = {f: getattr(fresh, f) for f in fresh.model_fields_set - settings.model_fields_set}
    return settings.model_copy(update=update)


def plan_reload(current: Settings, fresh: Settings) -> tuple[dict[str, Any], list[str]]:
    """(live changes to apply, names of changed fields that need a restart)."""
    live: dict[str, Any] = {}
    restart: list[str] = []
    for name in sorted(fresh.model_fields_set):
        if getattr(fresh, name) == getattr(current, name):
            continue
        if name in LIVE_FIELDS:
            live[name] = getattr(fresh, name)
        else:
            restart.append(name)
    return live, restart


def reread(current: Settings) -> tuple[Settings, dict[str, Any]] | None:
    """The reloaded settings and the live changes in them, logged; None (logged) when the
    fresh settings are invalid, in which case nothing changes."""
    try:
        fresh = read_settings(current.env_file)
    except (ValidationError, OSError) as exc:
        log.error("SIGHUP: settings not reloaded, keeping the current ones: %s", exc)
        return None
    live, restart = plan_reload(current, fresh)
    if restart:
        log.warning("SIGHUP: changed but needing a restart (not applied): %s", ", ".join(restart))
    if live:
        log.info("SIGHUP: applying %s", ", ".join(f"{k}={v!r}" for k, v in live.items()))
        if "log_level" in live:
            logging.getLogger().setLevel(str(live["log_level"]).upper())
    else:
        log.info("SIGHUP: no live setting changed")
    return current.model_copy(update=live), live
