"""Times an answer names with their own day, month or year: "2026-01-31", "4/3/2022", "15 Jan", "in 2021", "the 13th".

The absolute dates of the dates reader (``nlu.dates``): dates written with digits (day and
month either way round when both could be, flagged), month names with the day before or after
them, years said alone ("2019ish", "the 2010s"), and a day of the month said alone. A month
or a day without its year is placed later (``nlu.dates``), at the year said next to it or its
latest past occurrence.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc

from nlu import calendar
from nlu.date_parts import PUNCT, DateWords, Time, point, year_time

# Numeric dates, found in the prepared text (the tokenizer splits "2026-01-31" but not "4/3/2022").
# A date written in Chinese ("2024年6月", "2021年3月15日"): a year, a month and maybe a day.
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")
_YMD = re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/]|[.,]\d)")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.,]\d)")
_YM = re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})(?![\d/]|[-.,]?\d)")  # "2021.7": written in China
_MY = re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{4})(?![\d/]|[.,]\d)")
_DM = re.compile(r"(?<![\d/.,-])(\d{1,2})/(\d{1,2})(?![\d/]|[.,]\d)")
_MONTH_YEAR = re.compile(r"(?<![\w])([A-Za-z]{3,9})[-.](\d{4})(?!\d)")  # "Jan-2025" is one token
_YEAR_PAIR = re.compile(r"(?<![\d/.-])(\d{4})/(\d{4}|\d{2})(?![\d/]|[.,]\d)")  # "2019/2020", "2019/20"
_SHORT_YEAR = re.compile(r"(?<![\w'])'(\d{2})(?![\w'])")  # "Sept '22", "in '19"
_YEAR = re.compile(r"^\d{4}$")
_DAY = re.compile(r"^\d{1,2}$")


def numeric(known: DateWords, doc: Doc, today: date, taken: list[bool]) -> list[Time]:
    """Dates written with digits: 2026-01-31, 4/3/2022, 15.10.2026, 12/2020, 11/02, Jan-2025."""
    text = doc.text
    found: list[Time] = []
    for pattern in (_CHINESE, _YMD, _DMY, _YEAR_PAIR, _YM, _MY, _MONTH_YEAR, _SHORT_YEAR, _DM):  # the first fits
        for match in pattern.finditer(text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or any(taken[span.start : span.end]):
                continue
            time = _written(known, pattern, match, today, doc[span.end].lower_ if span.end < len(doc) else "")
            if time is None:
                continue
            time.start, time.end = span.start, span.end
            taken[span.start : span.end] = [True] * (span.end - span.start)
            found.append(time)
    return found


def _written(known: DateWords, pattern: re.Pattern[str], match: re.Match[str], today: date, after: str) -> Time | None:
    """The time a numeric date says (its token span is set by the caller); None if it is no date."""
    groups = match.groups()
    if pattern is _CHINESE:
        year, month, day = int(groups[0]), int(groups[1]), groups[2]
        found = calendar.safe_date(year, month, int(day) if day else 1)
        return None if found is None else point(0, 0, found, "date" if day else "month", today)
    if pattern is _SHORT_YEAR:
        return year_time(0, 0, calendar.full_year(groups[0], today), today)
    if pattern is _YEAR_PAIR:
        first, second = int(groups[0]), int(groups[1])
        second += first - first % 100 if second < 100 else 0  # "2019/20"
        if not 0 < second - first <= 1 or (time := year_time(0, 0, second, today)) is None:
            return None  # "2019/2020" names two years that follow each other
        time.roles.add("range")
        return time
    if pattern is _YMD:
        day = calendar.safe_date(int(groups[0]), int(groups[2]), int(groups[3]))
        return None if day is None else point(0, 0, day, "date", today)
    if pattern is _MONTH_YEAR and groups[0].casefold() in known.parts:  # "mid-2023"
        time = year_time(0, 0, int(groups[1]), today)
        if time is not None and known.parts[groups[0].casefold()] == "late":
            time.roles.add("vague")
        return time
    if pattern in (_YM, _MY, _MONTH_YEAR):
        if pattern is _MONTH_YEAR:
            month, year = known.month_of.get(groups[0].casefold()), int(groups[1])
        else:
            year, month = (int(groups[0]), int(groups[2])) if pattern is _YM else (int(groups[2]), int(groups[0]))
        day = calendar.safe_date(year, month or 0, 1)
        return None if day is None else point(0, 0, day, "month", today)
    if pattern is _DMY:
        first, second, year = int(groups[0]), int(groups[2]), calendar.full_year(groups[3], today)
        # Dots are written day first (15.10.2026); slashes and hyphens either way round.
        orders = [(second, first)] if groups[1] == "." else [(first, second), (second, first)]
        readings = {d for m, dd in orders if (d := calendar.safe_date(year, m, dd)) is not None}
        past = sorted(d for d in readings if d <= today)
        if not readings:
            return None
        if not past:
            return point(0, 0, min(readings), "date", today)
        us = calendar.safe_date(year, *orders[0])
        time = point(0, 0, us if us in past else past[0], "date", today)
        if len(past) > 1:
            time.roles.add("unclear")  # 4/3/2022: 3 April or 4 March
        return time
    # A day and a month without the year (11/02): each order at its most recent past date.
    first, second = int(groups[0]), int(groups[1])
    if after in known.unit_of or after in {"a", "an", "of", "ago", "times", "x"}:
        return None  # "1/2 a year", "3/4 mg": a fraction
    orders = ((first, second), (second, first))
    recent = [d for m, dd in orders if (d := calendar.recent_day(today, m, dd)) is not None]
    if not recent:
        return None
    time = point(0, 0, recent[0], "date", today)
    time.bare = True
    if len(set(recent)) > 1:
        time.roles.add("unclear")
    return time


def month_name(
    known: DateWords, words: list[str], start: int, end: int, month: int, *, taken: list[bool]
) -> Time | None:
    """A month name, with its day before ("15 Jan", "the 3rd of March") or after ("Oct 28", "March 3rd")."""
    day = None
    at = start - 1
    if at >= 0 and words[at] == "of":
        at -= 1
    if at >= 0 and words[at] in known.ordinals:
        at -= 1
    if at >= 0 and _DAY.match(words[at]) and not taken[at] and 1 <= int(words[at]) <= 31:
        day, start = int(words[at]), at - (at > 0 and words[at - 1] == "the")
    else:
        at = end + (end < len(words) and words[end] == "the")
        if at < len(words) and _DAY.match(words[at]) and not taken[at] and 1 <= int(words[at]) <= 31:
            after = words[at + 1] if at + 1 < len(words) else ""
            if after not in known.unit_of or after in known.ordinals:
                day, end = int(words[at]), at + 1 + (after in known.ordinals)
    if day is None and not known.in_context(words, start, end):
        return None
    time = Time(start, end, precision="date" if day else "month")
    time.in_year = lambda year: calendar.safe_date(year, month, day or 1)
    return time


def years(
    known: DateWords, words: list[str], today: date, taken: list[bool], approximators: list[tuple[int, int]]
) -> list[Time]:
    """Years said alone: "in 2021", "2019ish", "the 2010s"."""
    found: list[Time] = []
    approximated = {end for _, end in approximators}
    for i, word in enumerate(words):
        if taken[i] or not _YEAR.match(word) or (time := year_time(i, i + 1, int(word), today)) is None:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if after in known.unit_of and after not in {"s", "y"}:
            continue  # "2000 mg"
        if after == "s":
            time.end += 1
            time.roles.add("vague")  # "the 2010s"
        elif after == "ish" or i in approximated:
            time.roles.add("hedge")  # "around 2019": maybe another year (a hedged month stays that month)
        taken[time.start : time.end] = [True] * (time.end - time.start)
        found.append(time)
    return found


def days_of_month(known: DateWords, words: list[str], taken: list[bool]) -> list[Time]:
    """A day of the month said alone: "on the 13th", "the 2nd of this month"."""
    found: list[Time] = []
    for i, word in enumerate(words):
        if taken[i] or not _DAY.match(word) or not 1 <= int(word) <= 31:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        if after in known.ordinals:
            end = i + 2
        elif before == "the" and (not after or after == "of" or PUNCT.match(after)):
            end = i + 1
        else:
            continue
        start = i - (before == "the")
        found.append(Time(start, end, day_of_month=int(word), bare=True))
        taken[start:end] = [True] * (end - start)
    return found
