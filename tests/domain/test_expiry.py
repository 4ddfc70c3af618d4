"""Token expiry: durations from now, ISO dates (UTC), and clear refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.expiry import iso, parse_expiry

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", NOW + dt.timedelta(days=30)),
        ("12h", NOW + dt.timedelta(hours=12)),
        ("90m", NOW + dt.timedelta(minutes=90)),
        ("2w", NOW + dt.timedelta(weeks=2)),
        ("45S", NOW + dt.timedelta(seconds=45)),
        ("2027-01-31", dt.datetime(2027, 1, 31, tzinfo=dt.UTC)),
        ("2027-01-31T12:30", dt.datetime(2027, 1, 31, 12, 30, tzinfo=dt.UTC)),
        ("2027-01-31T12:30+02:00", dt.datetime(2027, 1, 31, 10, 30, tzinfo=dt.UTC)),
        ("2027-01-31T12:30Z", dt.datetime(2027, 1, 31, 12, 30, tzinfo=dt.UTC)),
    ],
)
def test_parse_expiry(text: str, expected: dt.datetime) -> None:
    assert parse_expiry(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [("30x", "is not a duration"), ("soon", "is not a duration"), ("", "is not a duration"),
     ("2026-12-01", "not in the future")],
)  # fmt: skip
def test_bad_expiry_names_the_field(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_expiry(text, NOW)
    [reason] = info.value.reasons
    assert reason.field == "expires" and says in reason.message


def test_iso_is_utc_with_z() -> None:
    assert (
        iso(dt.datetime(2027, 1, 31, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
        == "2027-01-31T00:00:00Z"
    )
