"""When a token stops working: ``30d``, ``12h``, ``90m``, ``2w`` from now, or an ISO 8601 date."""

from __future__ import annotations

import datetime as dt
import re

from dnsd.domain.errors import invalid

_DURATION = re.compile(r"^(\d{1,6})([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
FORMS = "a duration (30d, 12h, 90m, 2w) or an ISO 8601 date/time (2027-01-31, 2027-01-31T12:00Z)"


def parse_expiry(text: str, now: dt.datetime, field: str = "expires") -> dt.datetime:
    """The UTC time ``text`` means, counted from ``now`` (aware) for a duration.

    A date alone means its midnight UTC; a time without an offset is UTC. Raises
    :class:`InvalidInput` naming ``field`` for anything else, or for a time not after ``now``.
    """
    text = text.strip()
    if match := _DURATION.match(text.lower()):
        return now + dt.timedelta(seconds=int(match[1]) * _UNIT[match[2]])
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise invalid(field, f"{text!r} is not {FORMS}") from None
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    check_future(when, now, field)
    return when


def check_future(when: dt.datetime, now: dt.datetime, field: str = "expires") -> None:
    """:class:`InvalidInput` naming ``field`` unless ``when`` lies after ``now``."""
    if when <= now:
        raise invalid(field, f"{iso(when)} is not in the future")


def iso(when: dt.datetime) -> str:
    """``2027-01-31T00:00:00Z``: how expiry times are shown."""
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
