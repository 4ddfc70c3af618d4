"""Serial arithmetic: RFC 1982 comparison, YYYYMMDDnn then +1, wrap-around; the Zone's SOA."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from dnsd.domain.rdata import SOA
from dnsd.domain.zones import Zone, next_serial, serial_gt

MOD = 2**32
HALF = 2**31
serials = st.integers(0, MOD - 1)
days = st.dates(dt.date(1970, 1, 1), dt.date(2147, 12, 31))  # YYYYMMDD00 fits below 2**31 until 2147


@given(serials)
def test_a_serial_is_not_newer_than_itself(a: int) -> None:
    assert not serial_gt(a, a)


@given(serials, serials)
def test_at_most_one_of_two_serials_is_newer(a: int, b: int) -> None:
    assert not (serial_gt(a, b) and serial_gt(b, a))


@given(serials, st.integers(1, HALF - 1))
def test_adding_less_than_half_the_space_is_newer(a: int, n: int) -> None:
    b = (a + n) % MOD
    assert serial_gt(b, a)
    assert not serial_gt(a, b)


@given(serials)
def test_exactly_half_the_space_apart_is_undefined(a: int) -> None:
    b = (a + HALF) % MOD
    assert not serial_gt(a, b)
    assert not serial_gt(b, a)


@given(serials, serials)
def test_distinct_serials_are_ordered_unless_half_apart(a: int, b: int) -> None:
    assume(a != b and (a - b) % MOD != HALF)
    assert serial_gt(a, b) != serial_gt(b, a)


def test_comparison_across_the_wrap() -> None:
    assert serial_gt(0, MOD - 1)
    assert serial_gt(5, MOD - 10)
    assert not serial_gt(MOD - 1, 0)
    assert serial_gt(HALF - 1, 0)
    assert not serial_gt(HALF, 0)


@given(serials, days)
def test_next_serial_is_always_newer(current: int, day: dt.date) -> None:
    nxt = next_serial(current, day)
    assert 0 <= nxt < MOD
    assert serial_gt(nxt, current)


@given(days)
def test_first_change_of_the_day_is_yyyymmdd00(day: dt.date) -> None:
    yesterday = int((day - dt.timedelta(days=1)).strftime("%Y%m%d")) * 100 + 42
    assert next_serial(yesterday, day) == int(day.strftime("%Y%m%d")) * 100


@given(days, st.integers(0, 98))
def test_further_changes_the_same_day_count_up(day: dt.date, nn: int) -> None:
    current = int(day.strftime("%Y%m%d")) * 100 + nn
    assert next_serial(current, day) == current + 1


def test_after_99_changes_the_serial_just_goes_on() -> None:
    day = dt.date(2026, 11, 26)
    assert next_serial(2026112699, day) == 2026112700
    assert next_serial(2026112700, day) == 2026112701
    # the next day's YYYYMMDD00 is not newer than 2026112701, so +1 continues
    assert next_serial(2026112701, dt.date(2026, 11, 27)) == 2026112702


def test_a_serial_ahead_of_the_date_is_incremented() -> None:
    assert next_serial(3000010100, dt.date(2026, 11, 26)) == 3000010101


def test_wrap_around() -> None:
    far_future = dt.date(3000, 1, 1)  # YYYYMMDD00 = 3000010100, not newer than 2**32 - 1
    assert next_serial(MOD - 1, far_future) == 0
    assert next_serial(0, far_future) == 1  # 3000010100 is more than 2**31 ahead of 0: "older"


def test_next_serial_without_a_date_uses_today_utc() -> None:
    today = dt.datetime.now(dt.UTC).date()
    got = next_serial(0)
    assert got // 100 in {
        int(today.strftime("%Y%m%d")),
        int((today + dt.timedelta(days=1)).strftime("%Y%m%d")),
    }


@given(serials, st.lists(days, min_size=1, max_size=30))
def test_a_run_of_changes_is_strictly_increasing(start: int, run: list[dt.date]) -> None:
    current = start
    for day in sorted(run):
        nxt = next_serial(current, day)
        assert serial_gt(nxt, current)
        current = nxt


def test_zone_soa_and_negative_ttl() -> None:
    zone = Zone("example.com", 2026112600, ("ns1.example.com",), "ns1.example.com", "hostmaster.example.com")
    assert zone.soa() == SOA("ns1.example.com", "hostmaster.example.com", 2026112600, 3600, 600, 1209600, 300)
    assert zone.negative_ttl == 300
    assert Zone("z", 1, (), "m", "r", minimum=60, ttl=600).negative_ttl == 60
    assert Zone("z", 1, (), "m", "r", minimum=600, ttl=60).negative_ttl == 60
