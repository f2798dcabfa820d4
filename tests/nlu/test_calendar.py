"""The calendar every reader shares: month and day names, seasons, and date arithmetic (no spaCy)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from nlu import calendar
from nlu.calendar import WORDS, load, slips
from nlu.dates import default_reader as dates
from nlu.measures import default_reader as measures
from nlu.medicines import default_reader as medicines

DAYS = calendar.default()
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("january", 1),  # a full name
        ("sept", 9),  # an abbreviation
        ("sep", 9),  # and a shorter one
        ("may", 5),  # a name that is also a word: the dates reader asks for context, not the calendar
        ("febuary", 2),  # a common misspelling, written in the file
        ("nvoember", 11),  # a typing slip (two letters swapped), added on load
        ("setember", 9),  # a typing slip (one letter left out)
    ],
)
def test_month_of(word: str, month: int) -> None:
    assert DAYS.month_of[word] == month


@pytest.mark.parametrize(
    "word",
    [
        "mya",  # no slips of names shorter than 6 letters: they would be other words
        "marhc",
        "summer",  # a season, not a month
        "monday",  # a day
    ],
)
def test_not_a_month(word: str) -> None:
    assert word not in DAYS.month_of


@pytest.mark.parametrize(
    ("spellings", "slip", "found"),
    [
        (["august"], "agust", True),  # one letter left out
        (["august"], "auugst", True),  # two neighbours swapped
        (["august"], "uagust", False),  # the first letter is kept: a slip is typed after it
        (["august"], "augustt", False),  # a letter doubled is no slip of the calendar's
        (["august", "agust"], "agust", False),  # a spelling written in the file is no slip of another
        (["june"], "jnue", False),  # names under 6 letters have none
    ],
)
def test_slips(spellings: list[str], slip: str, found: bool) -> None:
    assert (slip in slips(spellings)) is found


@pytest.mark.parametrize(
    ("word", "season", "first", "last"),
    [
        ("spring", "spring", 3, 5),
        ("fall", "autumn", 9, 11),  # American English
        ("wintertime", "winter", 12, 2),  # winter runs over New Year
    ],
)
def test_seasons(word: str, season: str, first: int, last: int) -> None:
    assert word in DAYS.seasons[season].words
    assert (DAYS.seasons[season].first, DAYS.seasons[season].last) == (first, last)
    assert word in DAYS.season_words


@pytest.mark.parametrize(
    ("word", "weekday"),
    [
        ("monday", 0),  # Monday is 0, as in datetime
        ("weds", 2),  # an abbreviation
        ("thrusday", 3),  # a misspelling
    ],
)
def test_weekdays(word: str, weekday: int) -> None:
    assert word in DAYS.weekdays[weekday]
    assert word in DAYS.weekday_words


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2024, 2, 29, date(2024, 2, 29)),  # a leap day
        (2025, 2, 29, None),  # not in a common year
        (2026, 4, 31, None),  # April has 30 days
        (2026, 13, 1, None),  # no month 13
        (2026, 0, 1, None),  # nor month 0
        (0, 1, 1, None),  # nor year 0
    ],
)
def test_safe_date(year: int, month: int, day: int, expected: date | None) -> None:
    assert calendar.safe_date(year, month, day) == expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("2019", 2019),  # four digits are the year
        ("19", 2019),  # two: this century when that is not after today's year
        ("26", 2026),  # this year
        ("27", 1927),  # otherwise the century before
    ],
)
def test_full_year(digits: str, expected: int) -> None:
    assert calendar.full_year(digits, TODAY) == expected


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [
        (11, 25, date(2026, 11, 25)),  # today counts
        (12, 25, date(2025, 12, 25)),  # still to come: last year's
        (2, 29, date(2024, 2, 29)),  # back to the last leap year
        (2, 30, None),  # no such day in any year
    ],
)
def test_recent_day(month: int, day: int, expected: date | None) -> None:
    assert calendar.recent_day(TODAY, month, day) == expected


@pytest.mark.parametrize(
    ("year", "month", "weekday", "nth", "expected"),
    [
        (2026, 11, 3, 4, date(2026, 11, 26)),  # Thanksgiving: the fourth Thursday of November
        (2026, 5, 0, -1, date(2026, 5, 25)),  # Memorial Day: the last Monday of May
        (2026, 9, 0, 1, date(2026, 9, 7)),  # Labor Day: the first Monday of September
    ],
)
def test_nth_weekday(year: int, month: int, weekday: int, nth: int, expected: date) -> None:
    assert calendar.nth_weekday(year, month, weekday, nth) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 3, 31)),  # in March
        (2025, date(2025, 4, 20)),  # in April
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),  # the latest it can be
    ],
)
def test_easter(year: int, expected: date) -> None:
    assert calendar.easter(year) == expected


@pytest.mark.parametrize(
    ("year", "month", "days"),
    [
        (2024, 2, 29),  # a leap February
        (2100, 2, 28),  # a century that is no leap year
        (2026, 12, 31),
    ],
)
def test_days_in_month(year: int, month: int, days: int) -> None:
    assert calendar.days_in_month(year, month) == days


def test_the_bundled_calendar_loads() -> None:
    assert load(WORDS) == DAYS


@pytest.mark.parametrize(
    "change",
    [
        {"holidays": {"christmas": [12, 25]}},  # an unknown section: holidays are the dates reader's
        {"months": {13: ["smarch"]}},  # a month that is not 1 to 12
        {"weekdays": {0: ["monday"]}},  # days missing
        {"seasons": {"spring": {"months": [3, 5], "words": ["spring"], "colour": "green"}}},  # an unknown field
        {"seasons": {"spring": {"months": [3, 13], "words": ["spring"]}}},  # no month 13
        {"ordinals": ["st", "2nd"]},  # a word that is not letters
        {"ordinals": []},  # an empty list
    ],
)
def test_a_malformed_calendar_is_an_error(tmp_path: Path, change: dict) -> None:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    path = tmp_path / "calendar.yaml"
    path.write_text(yaml.safe_dump({**data, **change}), encoding="utf-8")
    with pytest.raises(ValueError):
        load(path)


def test_every_reader_reads_the_one_calendar() -> None:
    assert dates().known.month_of == measures().age_reader.month_of == medicines().month_of == DAYS.month_of
    assert medicines().length_reader.seasons == DAYS.season_words


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [
        ({"date": "2026-03-02"}, None, (date(2026, 3, 2), date(2026, 3, 2))),  # a day is its own span
        ({"month": "2024-02"}, None, (date(2024, 2, 1), date(2024, 2, 29))),  # a leap February
        ({"month": "2025-12"}, None, (date(2025, 12, 1), date(2025, 12, 31))),  # December: no month 13
        ({"year": "2021"}, None, (date(2021, 1, 1), date(2021, 12, 31))),  # a whole year
        ({"year": "2026"}, date(2026, 11, 25), (date(2026, 1, 1), date(2026, 11, 25))),  # this year: so far
        ({"month": "2026-11"}, date(2026, 11, 25), (date(2026, 11, 1), date(2026, 11, 25))),  # this month so far
        ({"month": "2026-13"}, None, None),  # no such month
        ("never", None, None),  # not a date
        ({"week": "2026-10"}, None, None),  # not a precision the readers give
    ],
)
def test_span(value: object, today: date | None, expected: tuple[date, date] | None) -> None:
    assert calendar.span(value, today) == expected
