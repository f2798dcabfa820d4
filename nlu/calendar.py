"""The calendar every reader shares: month and day names with their misspellings, seasons, and date arithmetic.

The words are in ``nlu/data/calendar.yaml`` (checked on load: unknown keys are errors);
``default`` is the bundled calendar. The dates reader, the age reader (birth dates,
birthdays) and the medicine reader ("since March") all read months from here. No spaCy.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

WORDS = Path(__file__).parent / "data" / "calendar.yaml"
SECTIONS = ("months", "weekdays", "seasons", "ordinals", "spelled_days")
_SPELLED = (*range(1, 21), 30)  # the days of the month said in one word; 21 to 29 and 31 are two
SLIP_LENGTH = 6  # typing slips are added for month names this long: shorter ones would be other words


@dataclass(frozen=True)
class Season:
    """A season: its first and last month (winter runs over New Year: 12 to 2) and its words."""

    first: int
    last: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Calendar:
    """The calendar's words, lower case."""

    months: Mapping[int, tuple[str, ...]]  # month (1-12) -> spellings, then their typing slips
    weekdays: Mapping[int, tuple[str, ...]]  # 0 is Monday
    seasons: Mapping[str, Season]
    ordinals: tuple[str, ...]  # after the day of the month: "13th", "3rd"
    spelled_days: Mapping[int, tuple[str, ...]]  # "third", "twentieth"

    @property
    def day_of(self) -> dict[str, int]:
        """Every day of the month said as a word, "twenty first" and "twenty-first" too -> its number."""
        one = {word: day for day, words in self.spelled_days.items() for word in words}
        tens = {word: day for word, day in one.items() if day in {20, 30}}
        found = dict(one)
        for word, day in one.items():
            if day < 10:
                for tens_word, tens_day in (("twenty", 20), ("thirty", 30)):
                    if tens_day + day <= 31:
                        found[f"{tens_word} {word}"] = found[f"{tens_word}-{word}"] = tens_day + day
        return {**found, **tens}

    @property
    def month_of(self) -> dict[str, int]:
        """Every spelling of a month -> its number."""
        return {word: month for month, words in self.months.items() for word in words}

    @property
    def weekday_words(self) -> frozenset[str]:
        """Every spelling of a day of the week."""
        return frozenset(word for words in self.weekdays.values() for word in words)

    @property
    def season_words(self) -> frozenset[str]:
        """Every word for a season."""
        return frozenset(word for season in self.seasons.values() for word in season.words)


def load(path: Path = WORDS) -> Calendar:
    """The calendar file, checked.

    Raises:
        ValueError: an unknown or missing section, month, day or season field, or a word that is not letters.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) != set(SECTIONS):
        raise ValueError(f"{path.name}: the sections are exactly {list(SECTIONS)}")
    months = _numbered(path, "months", data["months"], range(1, 13))
    weekdays = _numbered(path, "weekdays", data["weekdays"], range(7))
    seasons = {}
    for name, season in (data["seasons"] or {}).items():
        if not isinstance(season, dict) or set(season) != {"months", "words"}:
            raise ValueError(f"{path.name}: seasons.{name} has exactly months and words")
        bounds = season["months"]
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(b in range(1, 13) for b in bounds)):
            raise ValueError(f"{path.name}: seasons.{name}.months is [first month, last month]")
        seasons[str(name)] = Season(bounds[0], bounds[1], _words(path, f"seasons.{name}", season["words"]))
    return Calendar(
        months={month: (*said, *slips(said)) for month, said in months.items()},
        weekdays=weekdays,
        seasons=seasons,
        ordinals=_words(path, "ordinals", data["ordinals"]),
        spelled_days=_numbered(path, "spelled_days", data["spelled_days"], _SPELLED),
    )


@cache
def default() -> Calendar:
    """The bundled calendar."""
    return load()


def _numbered(path: Path, section: str, data: Any, numbers: range | tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    if not isinstance(data, dict) or set(data) != set(numbers):
        raise ValueError(f"{path.name}: {section} are numbered {', '.join(map(str, numbers))}")
    return {int(n): _words(path, f"{section}.{n}", words) for n, words in data.items()}


def _words(path: Path, where: str, words: Any) -> tuple[str, ...]:
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.isalpha() for w in words):
        raise ValueError(f"{path.name}: {where} is a list of words (letters only)")
    return tuple(w.casefold() for w in words)


def slips(spellings: Iterable[Any]) -> list[str]:
    """Typing slips of the long month names: two letters swapped or one left out ("nvoember", "Setember").

    Only names of 6 letters or more, where a slip cannot be another word of the calendar.
    """
    spellings = list(spellings)
    found = set()
    for word in (str(w) for w in spellings if len(str(w)) >= SLIP_LENGTH and str(w).isalpha()):
        found |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
        found |= {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    return sorted(found - {str(w) for w in spellings})


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None if there is no such day (31 April, month 13)."""
    if not (1 <= month <= 12 and 1 <= year <= 9999 and 1 <= day <= days_in_month(year, month)):
        return None
    return date(year, month, day)


def days_in_month(year: int, month: int) -> int:
    """How many days the month has (28 to 31)."""
    return _gregorian.monthrange(year, month)[1]


def full_year(digits: str, today: date) -> int:
    """A year said with four digits, or two: the latest year ending so that is not after today's."""
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= today.year else year - 100


def recent_day(today: date, month: int, day: int) -> date | None:
    """The most recent past (or today's) date with this month and day."""
    for year in range(today.year, today.year - 8, -1):  # 29 February: back to a leap year
        found = safe_date(year, month, day)
        if found is not None and found <= today:
            return found
    return None


def span(value: Any, today: date | None = None) -> tuple[date, date] | None:
    """The first and last day of a date entity's value (``{date|month|year: said}``); None if it is none.

    With ``today``, the last day is never after it (this year so far, not all of it).
    """
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((precision, said),) = value.items()
    try:
        if precision == "date":
            first = last = date.fromisoformat(str(said))
        elif precision == "month":
            year, month = (int(part) for part in str(said).split("-"))
            first, last = date(year, month, 1), date(year, month, days_in_month(year, month))
        elif precision == "year":
            first, last = date(int(said), 1, 1), date(int(said), 12, 31)
        else:
            return None
    except ValueError:
        return None
    return first, last if today is None else max(first, min(last, today))


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` weekday (0 is Monday) of a month; ``nth`` -1 is the last one (Thanksgiving, Memorial Day)."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year, month, days_in_month(year, month))
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)
