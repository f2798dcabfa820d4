"""Times an answer names by counting from today: "3 weeks ago", "last Tuesday", "Thanksgiving", "last spring".

The relative times of the dates reader (``nlu.dates``): lengths of time read as a time ("3
weeks ago", "its been 7 yrs", "in 2 weeks"), and times named with words (weekdays, weekends,
holidays, seasons, "yesterday", "last week"; month names go to ``nlu.dates_absolute``), each
at its latest past occurrence unless "this" or "next" says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from spacy.tokens import Doc

from criteria.quantities import add_months
from nlu import calendar
from nlu import dates_absolute as absolute
from nlu.date_parts import DateWords, Time, point
from nlu.numbers import NumberReader
from nlu.text import clause_breaks

_TIME_UNITS = {"day", "week", "month", "year"}
_CLAUSE_END = clause_breaks() | {"?", "!", "and", "then"}
_MAX_DAYS_BACK = 150 * 365  # "999999 years ago" is no date (and would leave the calendar)
_DECADE = re.compile(r"^[1-9]0$")  # "the 90s" (prepared as "90 s"); "in my 20s" is a time of life
_DECADE_BEFORE = {"the", "'", "early", "late", "mid"}


def named(
    known: DateWords, matches: list[tuple[str, int, int]], words: list[str], today: date, taken: list[bool]
) -> list[Time]:
    """Times named with words: months, weekdays, holidays, seasons, "yesterday", "last week", "next month"."""
    found: list[Time] = []
    for label, start, end in matches:
        if any(taken[start:end]):
            continue
        kind, _, key = label.partition(":")
        relation = _relation(words, start, known.next_words)
        time: Time | None
        if kind == "month":
            time = absolute.month_name(known, words, start, end, int(key), taken=taken)
        elif kind == "weekday":
            if not known.in_context(words, start, end):
                continue
            time = _weekday(start, end, today, int(key), relation)
        elif kind == "holiday":
            time = Time(start, end, precision=str(known.holidays[key].get("precision", "date")))
            time.in_year = _holiday(known.holidays[key])
        elif kind == "season":
            if not known.in_context(words, start, end):
                continue
            time = Time(start, end, precision="year", season=known.seasons[key])
            first, _ = known.seasons[key]
            time.in_year = lambda year, first=first: date(year, first, 1)
        elif kind == "back":
            time = point(start, end, today - timedelta(days=int(key)), "date", today)
        elif kind == "period":
            time = _period(start, end, today, *key.split(":"))
        elif kind == "weekend":
            time = _weekend(start, end, today, relation)
        else:
            time = Time(start, end, today, future=True)  # "next month": its day is never used
        if time is None:
            continue
        if relation and kind in {"month", "weekday", "holiday", "season", "weekend"}:
            time.relation = relation
            time.start = start - 1
            time.future |= relation == "next"
        taken[time.start : time.end] = [True] * (time.end - time.start)
        found.append(time)
    return found


def lengths(
    known: DateWords, reader: NumberReader, doc: Doc, words: list[str], today: date, *, taken: list[bool]
) -> list[Time]:
    """Lengths of time read as a time: "3 weeks ago", "its been 7 yrs", "for about two years", "in 2 weeks"."""
    found: list[Time] = []
    numbers = reader.numbers(doc)
    starting = {number.start: number for number in numbers}
    for amount in reader.amounts(doc, numbers):
        number = amount.number
        if amount.unit not in _TIME_UNITS or any(taken[amount.start : amount.end]):
            continue
        end = amount.end
        roles: set[str] = set()
        if words[end : end + 2] == ["or", "so"] or words[end : end + 1] == ["ish"]:
            end += 2 if words[end] == "or" else 1
            roles.add("hedge")
        elif end < len(words) and words[end] in {"or", "to", "-"} and (other := starting.get(end + 1)):
            end = other.end
            roles.add("range")  # "a week or two ago"
        ago = _ago_at(known, words, end)
        if ago:
            kind, end = "ago", end + ago
            if end < len(words) and words[end] == "today":
                end += 1  # "two weeks ago today"
        else:
            kind = _marker(known, words, number.start) or ""
            if kind not in {"ago", "since", "future", "window"}:
                continue  # "every 4 weeks", "5 days in hospital": how often, how long
        back = _back(today, number.value, amount.unit)
        if back is None:
            continue
        if number.vague:
            roles.add("vague")  # "a few months ago"
        elif number.low != number.high or number.bound:
            roles.add("range")  # "2 or 3 months ago", "over ten years ago"
        elif number.approximate:
            roles.add("hedge")  # "about 5 years ago"
        roles |= {"since": {"unclear"}, "window": {"range"}}.get(kind, set())  # "for 2 years": since, or on it
        day, precision = back
        start = amount.start
        while number.approximate | bool(number.bound) and start and words[start - 1] in known.length_skip - {"the"}:
            start -= 1  # the entity covers "about" / "over"
        time = Time(start, end, day, precision, roles, future=kind == "future")
        time.anchor = precision if precision != "date" else None
        taken[start:end] = [True] * (end - start)
        found.append(time)
    return found


def without_value(known: DateWords, words: list[str], taken: list[bool]) -> tuple[int, int] | None:
    """A time without a usable value: "years ago", "months back", "the 90s"."""
    for i, word in enumerate(words):
        if taken[i]:
            continue
        if known.unit_of.get(word) in _TIME_UNITS and (ago := _ago_at(known, words, i + 1)):
            return i, i + 1 + ago
        if _DECADE.match(word) and words[i + 1 : i + 2] == ["s"] and i and words[i - 1] in _DECADE_BEFORE:
            return i - 1, i + 2
    return None


def _ago_at(known: DateWords, words: list[str], at: int) -> int:
    """How many tokens of "ago" (or "back", ...) start at ``at``; 0 when none.

    "3 weeks before" is "ago" only where the clause ends after it ("half year before, in Chengdu"):
    "3 weeks before my surgery" is counted from something else.
    """
    said = max((len(p) for p in known.ago if words[at : at + len(p)] == p), default=0)
    if not said and words[at : at + 1] == ["before"] and (at + 1 == len(words) or words[at + 1] in _CLAUSE_END):
        return 1
    return said


def _marker(known: DateWords, words: list[str], start: int) -> str | None:
    """What the word before a length says it is ("every", "for", "been", "in", "last"), past "about" & co."""
    at = start - 1
    while at >= 0 and words[at] in known.length_skip:
        at -= 1
    return known.length_marker.get(words[at]) if at >= 0 else None


def _relation(words: list[str], start: int, next_words: set[str]) -> str | None:
    before = words[start - 1] if start else ""
    if before in {"last", "past", "previous"}:
        return "last"
    if before == "this":
        return "this"
    return "next" if before in next_words else None


def _back(today: date, value: float, unit: str) -> tuple[date, str] | None:
    """``value`` units before today, at the precision the unit gives (weeks and days: a day)."""
    days = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}[unit]
    if value * days > _MAX_DAYS_BACK:
        return None
    if unit == "year" and value * 12 == int(value * 12):
        return add_months(today, -int(value * 12)), "year" if value == int(value) else "month"  # 1.5 years: a month
    if unit in {"year", "month"}:
        if value == int(value):
            return add_months(today, -int(value)), "month"
        return today - timedelta(days=round(value * days)), "month"
    return today - timedelta(days=round(value * days)), "date"


def latest(time: Time, today: date) -> tuple[date | None, bool]:
    """Where a month, holiday, season or day of the month without its year falls: its latest past occurrence.

    "last" excludes the present ("last November" said in November is a year ago), "this" keeps
    this year (in the future if not yet come), "next" is in the future.
    """
    if time.day_of_month is not None:
        month_start = today.replace(day=1)
        for back in range(0, 12):
            start = add_months(month_start, -back)
            day = calendar.safe_date(start.year, start.month, time.day_of_month)
            if day is not None and day <= today:
                return day, False
        return None, False
    assert time.in_year is not None
    if time.relation in {"this", "next"}:
        day = time.in_year(today.year)
        if day is None:
            return None, False
        return day, time.relation == "next" or day > today
    limit = today
    if time.relation == "last":
        limit = today - timedelta(days=1) if time.precision == "date" else today.replace(day=1) - timedelta(days=1)
    for year in range(today.year, today.year - 9, -1):
        day = time.in_year(year)
        if day is not None and day <= limit:
            return day, False
    return None, False


def _weekday(start: int, end: int, today: date, weekday: int, relation: str | None) -> Time:
    """A day of the week: the latest one before today; "last Tuesday" said on a Wednesday is unclear."""
    back = (today.weekday() - weekday) % 7 or 7
    day = today - timedelta(days=back)
    time = Time(start, end, day, "date")
    monday = today - timedelta(days=today.weekday())
    if relation == "this":
        time.day = monday + timedelta(days=weekday)
        time.future = time.day > today
    elif relation == "next":
        time.future = True
    elif relation == "last" and day >= monday:
        time.day = day - timedelta(days=7)
        time.roles.add("unclear")  # yesterday's Tuesday, or the one of the week before
    elif relation is None:
        time.bare = True
        if back == 7:
            time.roles.add("unclear")  # today, or a week ago
    return time


def _weekend(start: int, end: int, today: date, relation: str | None) -> Time:
    """The latest weekend: two days, so vague (its Sunday, or Saturday when said at the weekend)."""
    if today.weekday() >= 5:
        day = today - timedelta(days=today.weekday() - 5)
    else:
        day = today - timedelta(days=today.weekday() + 1)
    time = Time(start, end, day, "date", {"vague"}, future=relation == "next")
    time.bare = relation is None
    return time


def _period(start: int, end: int, today: date, unit: str, count: str) -> Time:
    """A week, month or year back: "last week" (7 days ago), "this month", "the year before last"."""
    n = int(count)
    if unit == "week":
        time = Time(start, end, today - timedelta(days=7 * n), "date")
        if n == 0:
            time.roles.add("vague")  # "this week": which day
        return time
    if unit == "month":
        return Time(start, end, add_months(today.replace(day=1), -n), "month", anchor="month")
    return Time(start, end, date(today.year - n, 1, 1), "year", anchor="year")


def _holiday(holiday: dict[str, Any]) -> Callable[[int], date | None]:
    """The holiday's day in a given year."""
    if "date" in holiday:
        month, day = (int(n) for n in holiday["date"])
        return lambda year: calendar.safe_date(year, month, day)
    if holiday.get("easter"):
        return calendar.easter
    month, weekday, nth = int(holiday["month"]), int(holiday["weekday"]), int(holiday["nth"])
    return lambda year: calendar.nth_weekday(year, month, weekday, nth)
