"""Ages in free text: "I'm 34", "born 3/2/1984", "late 30s", "I turn 66 in March", "born in the 70s".

``AgeReader`` reads what a message says as an age, on the words ``nlu.measures`` prepared:
numbers said as ages (and how they relate to today: "turned", "nearly", "I was 45 in
January"), birth dates and years, and decades; then settles them into one age (whole years,
or ``{"birth_date": ...}``). Month and day names are the calendar's (``nlu.calendar``).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import replace
from datetime import date
from typing import Any

from criteria.quantities import age_on
from nlu import calendar
from nlu.calendar import Calendar
from nlu.measure_parts import STOPS, Measure, Reading, Said, agreed, kept, measure, words_of
from nlu.numbers import Number

_SHORT_DIGITS = re.compile(r"^[0-9]{1,2}$")
_YEAR = re.compile(r"^[0-9]{4}$")


class AgeReader:
    """Reads ages, birth dates and decades, and settles them into one age."""

    def __init__(self, cues: dict[str, Any], days: Calendar) -> None:
        """The age cues of ``nlu/data/measures.yaml`` and the calendar's month and day names."""
        self.month_of = days.month_of  # with their typing slips ("Sepetmber"), as the dates reader reads them
        self.weekdays = days.weekday_words
        self.decades = {str(w).casefold(): int(v) for w, v in cues["decades"].items()}
        self.decade_suffixes = words_of(cues["decade_suffixes"])
        self.decade_parts = {str(w).casefold(): (int(lo), int(hi)) for w, (lo, hi) in cues["decade_parts"].items()}
        self.duration_before = words_of(cues["durations"]["before"])
        self.duration_after = words_of(cues["durations"]["after"])
        self.age_years = (int(cues["age_years"][0]), int(cues["age_years"][1]))
        self.dates = _date_patterns(list(self.month_of), list(days.ordinals))

    def birth_dates(self, said: Said, text: str) -> tuple[list[Reading], set[int]]:
        """Birth dates ("3/2/1984", "21st June 1969") and months ("born may 1990"), and the words they take."""
        found = [(m.start(), m.end(), kind, m) for kind, pattern in self.dates for m in pattern.finditer(text)]
        found.sort(key=lambda f: (f[0], f[0] - f[1]))  # the longest first where two start together
        starts = [span[0] for span in said.spans]
        readings: list[Reading] = []
        taken: set[int] = set()
        reach = -1
        for start, end, kind, match in found:
            if start < reach:
                continue  # inside a date already read
            reach = end
            first, last = max(0, bisect.bisect_right(starts, start) - 1), bisect.bisect_left(starts, end)
            taken.update(range(first, last))
            reading = self._birth(kind, match, said.today)
            if reading is not None:
                readings.append(replace(reading, start=first, end=last, said_born=said.born(first)))
        return readings, taken

    def _birth(self, kind: str, match: re.Match[str], today: date) -> Reading | None:
        """The ages a date of birth allows; None when it cannot be one (after today)."""
        year = _full_year(match.group("year"), today)
        if year is None:
            return None
        month = self.month_of[match.group("month").casefold()] if "month" in match.groupdict() else 0
        if kind == "month":
            first, last = date(year, month, 1), date(year, month, calendar.days_in_month(year, month))
            return None if first > today else _birth_span(age_on(last, today), age_on(first, today), "vague")
        if kind == "numeric":
            a, b = int(match.group("a")), int(match.group("b"))
            orders = [(a, b), (b, a)] if match.group("sep") == "." else [(b, a), (a, b)]  # (day, month): US m/d/y
            said = list(dict.fromkeys(calendar.safe_date(year, m, d) for d, m in orders))
        else:  # iso, compact, day_month, month_day
            said = [calendar.safe_date(year, month or int(match.group("m")), int(match.group("day")))]
        days = [d for d in said if d is not None and d <= today]
        if not days:  # "31/02/1980": no such day; the year alone
            return _birth_span(today.year - year - 1, today.year - year, "unclear", reason="unclear")
        ages = [age_on(d, today) for d in days]
        # "3/2/1984": day and month could be swapped (an age said beside it settles it: settle_age)
        unclear = len(days) > 1 or (kind == "id_number" and not _id_checks(match.group(0)))
        reason = "unclear" if unclear else None
        return Reading(min(ages), max(ages), days[0], 0, 0, wide="unclear", reason=reason, birth=True)

    def birth_year(self, said: Said, number: Number) -> Reading | None:
        """A year of birth: "born 1960", "born in '84", or a bare "1962"."""
        word = said.words[number.start]
        quoted = said.word(number.start - 1) == "'" and _SHORT_DIGITS.match(word)
        # "born in 95", "born 95" (not "my birthday today, 30!")
        after_born = said.word(number.start - 1) in {"born", "in"} and said.born(number.start)
        short = bool(_SHORT_DIGITS.match(word)) and after_born
        if number.end - number.start != 1 or not (_YEAR.match(word) or quoted or short):
            return None
        year = _full_year(word, said.today)
        if year is None:
            return None
        reading = _birth_span(said.today.year - year - 1, said.today.year - year, "vague")
        return replace(reading, start=number.start, end=number.end, said_born=said.born(number.start))

    def decade(self, said: Said, number: Number) -> Reading | None:
        """A decade: "late 30s", "60 something", "born in the 70s", "1970s"."""
        at = number.end + (said.word(number.end) == "-")
        if said.word(at) not in self.decade_suffixes or number.low != number.high or number.bound:
            return None
        decade = int(number.value)
        if decade != number.value or decade % 10 or not (10 <= decade <= 90 or 1900 <= decade <= said.today.year):
            return None
        start, part = self._decade_part(said, number.start)
        return self._decade_reading(said, decade, part, (start, at + 1), born=said.born(start) or decade >= 1900)

    def decade_words(self, said: Said, taken: set[int]) -> list[Reading]:
        """Decades in words: "in my forties", "mid-fifties"."""
        readings = []
        for at, word in enumerate(said.words):
            if word in self.decades and at not in taken:
                start, part = self._decade_part(said, at)
                readings.append(
                    self._decade_reading(said, self.decades[word], part, (start, at + 1), born=said.born(start))
                )
        return readings

    def _decade_part(self, said: Said, at: int) -> tuple[int, tuple[int, int]]:
        """Where the decade starts, and the years into it ("early", "mid", "late"; the whole decade if none)."""
        before = at - 1 - (said.word(at - 1) == "-")
        if said.word(before) in self.decade_parts:
            return before, self.decade_parts[said.words[before]]
        return at, (0, 9)

    def _decade_reading(
        self, said: Said, decade: int, part: tuple[int, int], where: tuple[int, int], *, born: bool
    ) -> Reading:
        (low, high), middle = part, (part[0] + part[1]) // 2
        if not born:
            return Reading(decade + low, decade + high, decade + middle, *where, wide="vague")
        year = _full_year(str(decade), said.today) or decade  # "the 70s": the 1970s
        this = said.today.year
        return Reading(this - (year + high) - 1, this - (year + low), this - (year + middle), *where,
                        wide="vague", birth=True, said_born=True)  # fmt: skip

    def age(self, said: Said, number: Number, unit: str | None, end: int) -> list[Reading]:
        """A number said as an age ("I'm 34", "34 years old", "I turn 66 in March", "40-45", "over 60")."""
        if unit == "year" and (
            said.word(number.start - 1) in self.duration_before or said.word(end) in self.duration_after
        ):
            return []  # "for 5 years", "5 years ago": how long, not how old
        if said.before(("weight_words",), number.start, reach=2):
            return []
        low, high, value = math.floor(number.low), math.floor(number.high), math.floor(number.value)
        if not (self.age_years[0] <= low and high <= self.age_years[1]) or number.value * 2 != int(number.value * 2):
            return []  # not an age in whole (or half) years
        reading = Reading(low, high, value, number.start, end, other=said.before(("others",), number.start, reach=2))
        if low != high:
            return [reading]  # a range: "40-45", "50 or 51"
        if number.bound == "over":
            return [replace(reading, low=value + 1, high=self.age_years[1], wide="vague")]
        if number.bound == "under":
            return [replace(reading, low=self.age_years[0], high=value - 1, wide="vague")]
        when = self._when(said, number.start, end)
        if when in {"future", "nearly"}:  # "I turn 66 in March", "nearly 66": 65 now
            return [replace(reading, low=value - 1, high=value - 1, value=value - 1)]
        if when == "this month":  # "66 in November", said in November: the birthday may have passed
            return [replace(reading, low=value - 1, value=value - 1, wide="unclear")]
        if when == "then":  # "I was 45 in January": 46 now if the birthday has come since
            return [replace(reading, high=value + 1, wide="unclear")]
        return [replace(reading, reason="hedge")] if number.approximate else [reading]

    def _when(self, said: Said, start: int, end: int) -> str | None:
        """How an age said relates to today: past, now, future, nearly, then ("was"), "this month", or None."""
        if said.before(("was",), start):
            return "then"
        if said.before(("turned",), start):
            return "past"
        if said.before(("nearly",), start, reach=0):
            return "nearly"
        future = said.before(("future_before",), start)
        for at in range(end, min(len(said.words), end + 5)):
            word, nxt = said.words[at], said.word(at + 1)
            if word in STOPS:
                break
            if at in said.starts["now_after"]:
                return "now"
            if at in said.starts["past_after"]:
                return "past"
            if at in said.starts["future_after"]:
                return "future"
            if at in said.starts["this_after"]:
                return "future" if future else "this month"  # "turning 66 this year": not yet
            if word in {"in", "next", "this", "by", "on", "come"} and nxt in self.month_of:
                same = self.month_of[nxt] == said.today.month and word != "next"
                return "this month" if same and not future else "future"
            if word in {"in", "next", "this", "on"} and (nxt in self.weekdays or (word == "in" and nxt.isdigit())):
                return "future"  # "on friday", "in 2 weeks"
        return "future" if future else None

    def settle_age(self, said: Said, readings: list[Reading]) -> Measure | None:
        """The age: what the readings agree on, or a flagged reading saying why they cannot be taken."""
        readings = [r for r in readings if r.low <= self.age_years[1]]  # "born 1850": not a birth date
        stated = any(not r.birth for r in readings)
        readings = kept(said, [r for r in readings if not r.birth or r.said_born or not stated])
        if not readings:
            return None  # a date not said as a birth ("I'm 45, diagnosed 3/2/2019") is not an age
        low, high, reason = agreed(readings, 0)
        plain = [r for r in readings if not r.birth and r.reason is None and r.low == r.high]
        settled = reason == "unclear" and low == high and plain and all(r.birth or r in plain for r in readings)
        if settled:
            reason = None  # "37 (DOB 4/5/89)": the age said settles a birth date read either way round
        first = readings[0]
        days = [r.value for r in readings if isinstance(r.value, date)]
        if settled:
            value: Any = low  # the age, not a birth date that may be either one
        elif reason is None and days and low == high:
            value = days[0]
        elif reason == "both" or isinstance(first.value, date):
            value = first.value
        else:
            value = min(max(first.value, low), high)
        if reason is None and said.starts["hedges"]:
            reason = "hedge"
        value = {"birth_date": value.isoformat()} if isinstance(value, date) else int(value)
        return measure(said, "age", value, reason, readings)


def _id_checks(number: str) -> bool:
    """The check character of an 18-character Chinese resident ID fits its first 17 digits (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _birth_span(low: int, high: int, wide: str, reason: str | None = None) -> Reading:
    low, high = max(0, low), max(0, high)  # born this year, or this month
    return Reading(low, high, high, 0, 0, wide=wide, reason=reason, birth=True)


def _full_year(said: str, today: date) -> int | None:
    """A year of birth: "1984", "'84", "84" (two digits: this century unless that is after today)."""
    digits = said.strip("' ")
    if not digits.isascii() or not digits.isdigit() or len(digits) not in {2, 4}:
        return None
    year = calendar.full_year(digits, today)
    return year if 1900 <= year <= today.year else None


def _date_patterns(months: list[str], ordinals: list[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Dates as patients type them, by kind (numeric, iso, id_number, compact, year_month_day, ...; month: no day)."""
    month = "|".join(re.escape(m) for m in sorted(months, key=len, reverse=True))
    month = rf"(?<![^\W\d_])(?P<month>{month})\.?(?![^\W\d_])"
    ordinal = "|".join(re.escape(o) for o in ordinals)
    day = rf"(?P<day>[0-9]{{1,2}})(?![0-9])(?:\s?(?:{ordinal})(?![^\W\d_]))?"
    year = r"(?P<year>'\s?[0-9]{2}|[0-9]{4}|[0-9]{2})(?![0-9])"
    alone = r"(?![0-9]|[/.\-][0-9])"  # not part of a longer run of numbers
    return [
        ("numeric", re.compile(
            rf"(?<![0-9/.\-])(?P<a>[0-9]{{1,2}})\s?(?P<sep>[/.\-])\s?(?P<b>[0-9]{{1,2}})\s?(?P=sep)\s?"
            rf"(?P<year>[0-9]{{4}}|[0-9]{{2}}){alone}")),
        ("iso", re.compile(
            rf"(?<![0-9/.\-])(?P<year>[0-9]{{4}})(?P<sep>[/.\-])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<day>[0-9]{{1,2}}){alone}")),
        ("compact", re.compile(
            r"(?<![0-9])(?P<year>(?:19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])(?P<day>0[1-9]|[12][0-9]|3[01])(?![0-9])")),
        ("id_number", re.compile(  # a Chinese resident ID: region, birth date, sequence, check character
            r"(?<![0-9])[1-9][0-9]{5}(?P<year>(?:19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])(?P<day>0[1-9]|[12][0-9]|3[01])"
            r"[0-9]{3}[0-9Xx](?![0-9])")),
        ("year_month_day", re.compile(
            rf"(?<![0-9])(?P<year>[0-9]{{4}})\s?,?\s?{month}\s?(?:the\s)?{day}", re.IGNORECASE)),
        ("day_month", re.compile(rf"(?<![0-9]){day}\s?(?:of\s)?{month}\s?,?\s?{year}", re.IGNORECASE)),
        ("month_day", re.compile(rf"{month}\s?(?:the\s)?{day}\s?,?\s?{year}", re.IGNORECASE)),
        ("month", re.compile(rf"{month}\s?,?\s?(?:of\s)?(?P<year>'\s?[0-9]{{2}}|[0-9]{{4}})(?![0-9])", re.IGNORECASE)),
    ]  # fmt: skip
