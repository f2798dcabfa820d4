"""What the date finders share: one time an answer names, as read so far, and the words they read by.

A ``Time`` is a time found in an answer, by ``nlu.dates_absolute`` (said with its own day,
month or year) or ``nlu.dates_relative`` (counted from today), before ``nlu.dates`` places it
and decides which one the answer gives. ``DateWords`` are the words every finder reads by:
``nlu/data/dates.yaml``'s, the calendar's (``nlu.calendar``) and the units'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nlu import calendar

PUNCT = re.compile(r"^[^\w\s']+$")  # a token of punctuation only


@dataclass
class Time:
    """One time named in the answer, as read so far."""

    start: int  # token indexes
    end: int
    day: date | None = None  # the first day of what was said, once known
    precision: str = "date"  # date / month / year
    roles: set[str] = field(default_factory=set)
    future: bool = False
    in_year: Callable[[int], date | None] | None = None  # a month, holiday or season still without its year
    day_of_month: int | None = None  # "the 13th", still without its month
    relation: str | None = None  # "last" / "this" / "next" said before it
    anchor: str | None = None  # "year" / "month": a time a month or a day can be placed in
    bare: bool = False  # its year or week was never said: it could be an upcoming one
    season: tuple[int, int] | None = None  # first and last month of a season
    cued: bool = False  # said with an event cue ("diagnosed 2018", "last dose jan 2025")

    @property
    def last_day(self) -> date:
        """The last day of what was said."""
        assert self.day is not None
        if self.precision == "year":
            return date(self.day.year, 12, 31)
        if self.precision == "month":
            return self.day.replace(day=calendar.days_in_month(self.day.year, self.day.month))
        return self.day


@dataclass(frozen=True)
class DateWords:
    """The words the finders read by, lower case."""

    month_of: dict[str, int]  # every spelling of a month (the calendar's)
    ordinals: set[str]  # after the day of the month: "13th"
    unit_of: dict[str, str]  # units of time (and the others, to tell "2000 mg" from a year)
    needs_context: set[str]  # times that are also ordinary English ("may", "fall", "sat")
    context_before: set[str]  # words before such a word that make it a time ("in may")
    next_words: set[str]  # "next", "coming": a time still to come
    parts: dict[str, str]  # "early" / "late" in a year ("mid-2023")
    ago: list[list[str]]  # tokens after a length of time that make it how long ago ("ago", "back")
    length_marker: dict[str, str]  # the word before a length says what it is ("every", "for", "been", "in")
    length_skip: set[str]  # words looked past before a length ("for about 2 years")
    seasons: dict[str, tuple[int, int]]  # a season's first and last month
    holidays: dict[str, dict[str, Any]]  # a holiday's day (``nlu/data/dates.yaml``)

    def in_context(self, words: list[str], start: int, end: int) -> bool:
        """A word that is also ordinary English ("may", "fall", "sat") is a time only where a time fits."""
        if end - start > 1 or words[start] not in self.needs_context:
            return True
        before = words[start - 1] if start else ""
        after = words[end] if end < len(words) else ""
        if before in self.context_before or after.isdigit():
            return True
        if before in {"and", "or"} and start > 1 and words[start - 2] in self.month_of:
            return True  # "March or May"
        return (not before or bool(PUNCT.match(before))) and (not after or bool(PUNCT.match(after)))


def year_time(start: int, end: int, year: int, today: date) -> Time | None:
    """A year said with digits (one a patient could mean: 1900 to 2100)."""
    if not 1900 <= year <= 2100:
        return None
    time = point(start, end, date(year, 1, 1), "year", today)
    time.anchor = "year"
    return time


def point(start: int, end: int, day: date, precision: str, today: date) -> Time:
    """A time whose day is known; in the future if it starts after today."""
    return Time(start, end, day, precision, future=day > today)
