"""Date parsing to ISO 8601 with an offset (UTC assumed when none is given)."""

from __future__ import annotations

import pytest

from crawler.dates import day_of, format_iso, parse_date, states_time_without_zone


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-05-03T15:47:42+02:00", "2024-05-03T15:47:42+02:00"),
        ("2024-05-03 15:47:42.389000+00:00", "2024-05-03T15:47:42+00:00"),
        ("2024-05-03T15:47Z", "2024-05-03T15:47:00+00:00"),
        ("2024-05-03T10:00:00-0500", "2024-05-03T10:00:00-05:00"),
        ("2024-05-03T23:30:00", "2024-05-03T23:30:00+00:00"),
        ("2024-05-03", "2024-05-03T00:00:00+00:00"),
        ("Fri, 03 May 2024 10:00:00 +0200", "2024-05-03T10:00:00+02:00"),
        ("May 3, 2024", "2024-05-03T00:00:00+00:00"),
        ("03.05.2024 14:20", "2024-05-03T14:20:00+00:00"),
        ("3/5/2024", "2024-05-03T00:00:00+00:00"),
        ("1714730000", "2024-05-03T09:53:20+00:00"),
        (1714730000, "2024-05-03T09:53:20+00:00"),
    ],
)
def test_parse_date(raw: object, iso: str) -> None:
    assert parse_date(raw) == iso


def test_offset_is_kept_not_converted() -> None:
    # converting to UTC would move this to the previous calendar day
    assert day_of(parse_date("2024-05-03T01:00:00+02:00")) == "2024-05-03"


@pytest.mark.parametrize("raw", ["", "   ", "garbage", "3", "2099-01-01", "1850-01-01", None, [], {}, True, "99.99.2024"])
def test_unparseable_or_implausible(raw: object) -> None:
    assert parse_date(raw) is None


def test_timezone_names() -> None:
    """A zone abbreviation of one zone gives its offset, in summer time too; an unknown or ambiguous
    name is taken as UTC without a warning (warnings are errors here)."""
    assert parse_date("May 3, 2024 10:00 EST") == "2024-05-03T10:00:00-05:00"
    assert parse_date("Fri, 3 May 2024 10:00:00 PDT") == "2024-05-03T10:00:00-07:00"
    assert parse_date("3 May 2024 10:00 CEST") == "2024-05-03T10:00:00+02:00"
    assert parse_date("3 May 2024 23:30 ACST") == "2024-05-03T23:30:00+09:30"
    assert parse_date("May 3, 2024 10:00 XYZT") == "2024-05-03T10:00:00+00:00"
    assert parse_date("May 3, 2024 10:00 CST") == "2024-05-03T10:00:00+00:00"


def test_format_iso_and_day_of() -> None:
    from datetime import date

    assert format_iso(date(2024, 5, 3)) == "2024-05-03T00:00:00+00:00"
    assert day_of("2024-05-03T00:00:00+00:00") == "2024-05-03"
    assert day_of(None) is None


@pytest.mark.parametrize(
    ("raw", "naive"),
    [
        ("2025-08-19T09:15:00", True),
        ("2025-08-19 09:15", True),
        ("19.08.2025 09:15", True),
        ("August 19, 2025 9:15 am", True),
        ("2025-08-19T09:15:00Z", False),
        ("2025-08-19T09:15:00-07:00", False),
        ("August 19, 2025 9:15 am PDT", False),
        ("2025-08-19", False),
        ("19.08.2025", False),
        ("1724059200", False),
        ("", False),
        (None, False),
    ],
)
def test_states_time_without_zone(raw: object, naive: bool) -> None:
    assert states_time_without_zone(raw) is naive


def test_a_year_or_a_month_alone_is_no_day() -> None:
    # dateutil fills the missing month and day with today's: "2018" became the 7th of December 2018
    assert parse_date("2018") is None
    assert parse_date("May 2018") is None and parse_date("Mai 2018") is None
    assert parse_date("May 6, 2018") == "2018-05-06T00:00:00+00:00"
    assert parse_date("Dec. 9, 2016") == "2016-12-09T00:00:00+00:00"
