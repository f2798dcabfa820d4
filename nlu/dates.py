"""Dates in free-text answers: "3 weeks ago", "last March", "15.10.2026", "Thanksgiving last year", "never".

``DateReader`` is plain spaCy (a blank English tokenizer, ``PhraseMatcher``s over the words
in ``nlu/data/dates.yaml``, and the numbers and lengths of time of ``nlu/numbers.py``), so it
is tested on ``spacy.blank("en")``. It reads against a given screening date, and says a time
at the precision the patient gave: a day, a month or a year; or "never".

``DateExtractor`` is the Rasa component: it adds one ``date`` entity per message naming a
time, read against ``screening_day()``. A reading that must not be taken at face value (a
hedge, two readings, a vague or unclear time) has a confidence below the form's bar and
the reason as the entity's role; one with no usable value at all ("a while ago", "as a
kid", a time in the future) has the value ``"unsure"``.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from criteria.quantities import add_months
from nlu import clock
from nlu.base import Found, RuleComponent
from nlu.numbers import UNITS, NumberReader, prepare

WORDS = Path(__file__).parent / "data" / "dates.yaml"
ENTITY = "date"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
NEVER = "never"
UNSURE = "unsure"  # a time was named, but no date can be taken from it
ROLES = ("both", "range", "unclear", "hedge", "vague")  # why a reading is flagged; the first that applies is given
CUE_KINDS = ("never", "hedged_never", "vague", "life_stages", "hedges", "approximators", "questions", "contrasts",
             "future_cues", "ongoing", "event_cues", "late_in")  # fmt: skip
_TIME_UNITS = {"day", "week", "month", "year"}
_MAX_DAYS_BACK = 150 * 365  # "999999 years ago" is no date (and would leave the calendar)
_FINER = {"date": 2, "month": 1, "year": 0}
_PUNCT = re.compile(r"^[^\w\s']+$")

# Numeric dates, found in the prepared text (the tokenizer splits "2026-01-31" but not "4/3/2022").
_YMD = re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/]|[.,]\d)")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.,]\d)")
_YM = re.compile(r"(?<![\d/.-])(\d{4})([-/])(\d{1,2})(?![\d/]|[-.,]?\d)")
_MY = re.compile(r"(?<![\d/.-])(\d{1,2})([-/.])(\d{4})(?![\d/]|[.,]\d)")
_DM = re.compile(r"(?<![\d/.,-])(\d{1,2})/(\d{1,2})(?![\d/]|[.,]\d)")


def slips(spellings: list[Any]) -> list[str]:
    """Typing slips of the long month names: two letters swapped or one left out ("nvoember", "Setember").

    Only names of 6 letters or more, where a slip cannot be another word of the calendar.
    """
    slips = set()
    for word in (str(w) for w in spellings if len(str(w)) >= 6 and str(w).isalpha()):
        slips |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
        slips |= {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    return sorted(slips - {str(w) for w in spellings})


_MONTH_YEAR = re.compile(r"(?<![\w])([A-Za-z]{3,9})[-.](\d{4})(?!\d)")  # "Jan-2025" is one token
_YEAR_PAIR = re.compile(r"(?<![\d/.-])(\d{4})/(\d{4}|\d{2})(?![\d/]|[.,]\d)")  # "2019/2020", "2019/20"
_SHORT_YEAR = re.compile(r"(?<![\w'])'(\d{2})(?![\w'])")  # "Sept '22", "in '19"
_DECADE = re.compile(r"^[1-9]0$")  # "the 90s" (prepared as "90 s"); "in my 20s" is a time of life
_DECADE_BEFORE = {"the", "'", "early", "late", "mid"}
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone one (JSON "\\ud800") would break spaCy's tokenizer
_YEAR = re.compile(r"^\d{4}$")
_DAY = re.compile(r"^\d{1,2}$")


@dataclass(frozen=True)
class DateReading:
    """A time an answer names: ``{"date"|"month"|"year": ...}``, ``"never"`` or ``"unsure"``; below 1.0 when flagged."""

    value: dict[str, str] | str
    confidence: float
    reason: str | None = None  # one of ROLES when flagged
    start: int = 0  # character offsets into prepare(text)
    end: int = 0


@dataclass
class _Time:
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
            return self.day.replace(day=calendar.monthrange(self.day.year, self.day.month)[1])
        return self.day


class DateReader:
    """Finds the times an answer names and decides which one it gives, and how surely."""

    def __init__(self, nlp: Language, words: dict[str, Any], units: dict[str, list[str]]) -> None:
        """Build the matchers from the words of ``nlu/data/dates.yaml`` and the units of ``nlu/data/units.yaml``."""
        self.nlp = nlp
        merged = {unit: list(spellings) for unit, spellings in units.items()}
        for unit, spellings in (words.get("time_units") or {}).items():
            merged.setdefault(unit, []).extend(spellings)
        self.numbers = NumberReader(nlp, merged)
        self.unit_of = self.numbers.unit_of
        months = {m: [*spellings, *slips(spellings)] for m, spellings in words["months"].items()}
        self.month_of = {_fold(w): int(m) for m, spellings in months.items() for w in spellings}
        self.needs_context = {_fold(w) for w in words["needs_context"]}
        self.context_before = {_fold(w) for w in words["context_before"]}
        self.ordinals = {_fold(w) for w in words["ordinals"]}
        self.fillers = {_fold(w) for w in words["fillers"]}
        self.next_words = {_fold(w) for w in words["next_words"]}
        self.parts = {_fold(w): late for late, ws in (("early", words["early_in"]), ("late", words["late_in"]))
                      for w in ws if " " not in str(w)}  # fmt: skip
        self.ago = [self._tokens(phrase) for phrase in words["ago"]]
        self.range_joiners = {tuple(self._tokens(p)) for p in words["range_joiners"]}
        self.period_joiners = {tuple(self._tokens(p)) for p in words["period_joiners"]}
        self.length_marker = {_fold(w): kind for kind, ws in words["length_markers"].items() for w in ws}
        self.length_skip = {_fold(w) for w in words["length_skip"]}
        self.seasons: dict[str, tuple[int, int]] = {}
        self.holidays: dict[str, dict[str, Any]] = {}
        self.times = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add(self.times, {f"month:{m}": ws for m, ws in months.items()})
        self._add(self.times, {f"weekday:{d}": ws for d, ws in words["weekdays"].items()})
        for name, season in words["seasons"].items():
            self.seasons[name] = (int(season["months"][0]), int(season["months"][1]))
            self._add(self.times, {f"season:{name}": season["words"]})
        for name, holiday in words["holidays"].items():
            self.holidays[name] = holiday
            self._add(self.times, {f"holiday:{name}": holiday["words"]})
        self._add(self.times, {f"back:{n}": ws for n, ws in words["days_back"].items()})
        for unit, counts in words["periods"].items():
            self._add(self.times, {f"period:{unit}:{n}": ws for n, ws in counts.items()})
        self._add(self.times, {"weekend": words["weekend"], "future": words["future_times"]})
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add(self.cues, {kind: words[kind] for kind in CUE_KINDS})

    def _tokens(self, phrase: object) -> list[str]:
        return [token.lower_ for token in self.nlp.make_doc(prepare(str(phrase)))]

    def _add(self, matcher: PhraseMatcher, phrases: dict[str, Iterable[object]]) -> None:
        for key, spellings in phrases.items():
            matcher.add(key, [self.nlp.make_doc(prepare(str(s))) for s in spellings])

    def _matches(self, matcher: PhraseMatcher, doc: Doc) -> list[tuple[str, int, int]]:
        """(label, start, end) of each match, left to right; where matches overlap the longest wins."""
        matches = matcher(doc)
        label_of = {(start, end): match_id for match_id, start, end in reversed(matches)}
        spans = filter_spans([doc[start:end] for _, start, end in matches])
        return [(self.nlp.vocab.strings[label_of[(s.start, s.end)]], s.start, s.end) for s in spans]

    def read(self, text: str, today: date) -> DateReading | None:
        """The time the answer gives, read against the screening date ``today``; None when it names none."""
        doc = self.nlp.make_doc(_SURROGATE.sub("\ufffd", prepare(text)))  # one for one: offsets still hold
        words = [token.lower_ for token in doc]
        cues: dict[str, list[tuple[int, int]]] = {kind: [] for kind in CUE_KINDS}
        for kind, start, end in self._matches(self.cues, doc):
            cues[kind].append((start, end))
        taken = [False] * len(doc)
        times = self._numeric(doc, today, taken)
        times += self._lengths(doc, words, today, taken)
        vague_length = self._without_value(words, taken)
        times += self._named(doc, words, today, taken)
        times += self._years(words, today, taken, cues["approximators"])
        times += self._days_of_month(words, taken)
        times.sort(key=lambda t: t.start)
        times = self._placed(times, words, today)
        times = self._joined(times, words)
        clause = _clauses(words)
        event_ends = {end for _, end in cues["event_cues"]}
        for time in times:  # an event cue at most 3 words before the time, in its clause
            near = range(time.start - 3, time.start + 1)
            time.cued = any(e in event_ends and clause[e] == clause[time.start] for e in near)
        starts = [time.start for time in times]
        for start, end in cues["future_cues"]:
            planned = _nearest_in_clause(times, starts, clause, start, end)
            if planned is not None and planned.bare:
                planned.future = True  # "having surgery on Friday": a bare day read as past would be wrong
        return self._decide(doc, times, cues, vague_length, today)

    # --- finding the times -------------------------------------------------------------------

    def _numeric(self, doc: Doc, today: date, taken: list[bool]) -> list[_Time]:
        """Dates written with digits: 2026-01-31, 4/3/2022, 15.10.2026, 12/2020, 11/02, Jan-2025."""
        text = doc.text
        found: list[_Time] = []
        for pattern in (_YMD, _DMY, _YEAR_PAIR, _YM, _MY, _MONTH_YEAR, _SHORT_YEAR, _DM):  # the first that fits wins
            for match in pattern.finditer(text):
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is None or any(taken[span.start : span.end]):
                    continue
                time = self._written(pattern, match, today, doc[span.end].lower_ if span.end < len(doc) else "")
                if time is None:
                    continue
                time.start, time.end = span.start, span.end
                taken[span.start : span.end] = [True] * (span.end - span.start)
                found.append(time)
        return found

    def _written(self, pattern: re.Pattern[str], match: re.Match[str], today: date, after: str) -> _Time | None:
        """The time a numeric date says (its token span is set by the caller); None if it is no date."""
        groups = match.groups()
        if pattern is _SHORT_YEAR:
            return _year(0, 0, _full_year(groups[0], today), today)
        if pattern is _YEAR_PAIR:
            first, second = int(groups[0]), int(groups[1])
            second += first - first % 100 if second < 100 else 0  # "2019/20"
            if not 0 < second - first <= 1 or (time := _year(0, 0, second, today)) is None:
                return None  # "2019/2020" names two years that follow each other
            time.roles.add("range")
            return time
        if pattern is _YMD:
            day = _safe_date(int(groups[0]), int(groups[2]), int(groups[3]))
            return None if day is None else _point(0, 0, day, "date", today)
        if pattern is _MONTH_YEAR and groups[0].casefold() in self.parts:  # "mid-2023"
            time = _year(0, 0, int(groups[1]), today)
            if time is not None and self.parts[groups[0].casefold()] == "late":
                time.roles.add("vague")
            return time
        if pattern in (_YM, _MY, _MONTH_YEAR):
            if pattern is _MONTH_YEAR:
                month, year = self.month_of.get(groups[0].casefold()), int(groups[1])
            else:
                year, month = (int(groups[0]), int(groups[2])) if pattern is _YM else (int(groups[2]), int(groups[0]))
            day = _safe_date(year, month or 0, 1)
            return None if day is None else _point(0, 0, day, "month", today)
        if pattern is _DMY:
            first, second, year = int(groups[0]), int(groups[2]), _full_year(groups[3], today)
            # Dots are written day first (15.10.2026); slashes and hyphens either way round.
            orders = [(second, first)] if groups[1] == "." else [(first, second), (second, first)]
            readings = {d for m, dd in orders if (d := _safe_date(year, m, dd)) is not None}
            past = sorted(d for d in readings if d <= today)
            if not readings:
                return None
            if not past:
                return _point(0, 0, min(readings), "date", today)
            us = _safe_date(year, *orders[0])
            time = _point(0, 0, us if us in past else past[0], "date", today)
            if len(past) > 1:
                time.roles.add("unclear")  # 4/3/2022: 3 April or 4 March
            return time
        # A day and a month without the year (11/02): each order at its most recent past date.
        first, second = int(groups[0]), int(groups[1])
        if after in self.unit_of or after in {"a", "an", "of", "ago", "times", "x"}:
            return None  # "1/2 a year", "3/4 mg": a fraction
        recent = [d for m, dd in ((first, second), (second, first)) if (d := _recent_day(today, m, dd)) is not None]
        if not recent:
            return None
        time = _point(0, 0, recent[0], "date", today)
        time.bare = True
        if len(set(recent)) > 1:
            time.roles.add("unclear")
        return time

    def _lengths(self, doc: Doc, words: list[str], today: date, taken: list[bool]) -> list[_Time]:
        """Lengths of time read as a time: "3 weeks ago", "its been 7 yrs", "for about two years", "in 2 weeks"."""
        found: list[_Time] = []
        numbers = self.numbers.numbers(doc)
        starting = {number.start: number for number in numbers}
        for amount in self.numbers.amounts(doc, numbers):
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
            ago = self._ago_at(words, end)
            if ago:
                kind, end = "ago", end + ago
                if end < len(words) and words[end] == "today":
                    end += 1  # "two weeks ago today"
            else:
                kind = self._marker(words, number.start) or ""
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
            while number.approximate | bool(number.bound) and start and words[start - 1] in self.length_skip - {"the"}:
                start -= 1  # the entity covers "about" / "over"
            time = _Time(start, end, day, precision, roles, future=kind == "future")
            time.anchor = precision if precision != "date" else None
            taken[start:end] = [True] * (end - start)
            found.append(time)
        return found

    def _without_value(self, words: list[str], taken: list[bool]) -> tuple[int, int] | None:
        """A time without a usable value: "years ago", "months back", "the 90s"."""
        for i, word in enumerate(words):
            if taken[i]:
                continue
            if self.unit_of.get(word) in _TIME_UNITS and (ago := self._ago_at(words, i + 1)):
                return i, i + 1 + ago
            if _DECADE.match(word) and words[i + 1 : i + 2] == ["s"] and i and words[i - 1] in _DECADE_BEFORE:
                return i - 1, i + 2
        return None

    def _named(self, doc: Doc, words: list[str], today: date, taken: list[bool]) -> list[_Time]:
        """Times named with words: months, weekdays, holidays, seasons, "yesterday", "last week", "next month"."""
        found: list[_Time] = []
        for label, start, end in self._matches(self.times, doc):
            if any(taken[start:end]):
                continue
            kind, _, key = label.partition(":")
            relation = _relation(words, start, self.next_words)
            time: _Time | None
            if kind == "month":
                time = self._month(words, start, end, int(key), taken)
            elif kind == "weekday":
                if not self._in_context(words, start, end):
                    continue
                time = _weekday(start, end, today, int(key), relation)
            elif kind == "holiday":
                time = _Time(start, end, precision=str(self.holidays[key].get("precision", "date")))
                time.in_year = _holiday(self.holidays[key])
            elif kind == "season":
                if not self._in_context(words, start, end):
                    continue
                time = _Time(start, end, precision="year", season=self.seasons[key])
                first, _ = self.seasons[key]
                time.in_year = lambda year, first=first: date(year, first, 1)
            elif kind == "back":
                time = _point(start, end, today - timedelta(days=int(key)), "date", today)
            elif kind == "period":
                time = _period(start, end, today, *key.split(":"))
            elif kind == "weekend":
                time = _weekend(start, end, today, relation)
            else:
                time = _Time(start, end, today, future=True)  # "next month": its day is never used
            if time is None:
                continue
            if relation and kind in {"month", "weekday", "holiday", "season", "weekend"}:
                time.relation = relation
                time.start = start - 1
                time.future |= relation == "next"
            taken[time.start : time.end] = [True] * (time.end - time.start)
            found.append(time)
        return found

    def _in_context(self, words: list[str], start: int, end: int) -> bool:
        """A word that is also ordinary English ("may", "fall", "sat") is a time only where a time fits."""
        if end - start > 1 or words[start] not in self.needs_context:
            return True
        before = words[start - 1] if start else ""
        after = words[end] if end < len(words) else ""
        if before in self.context_before or after.isdigit():
            return True
        if before in {"and", "or"} and start > 1 and words[start - 2] in self.month_of:
            return True  # "March or May"
        return (not before or bool(_PUNCT.match(before))) and (not after or bool(_PUNCT.match(after)))

    def _month(self, words: list[str], start: int, end: int, month: int, taken: list[bool]) -> _Time | None:
        """A month name, with its day before ("15 Jan", "the 3rd of March") or after ("Oct 28", "March 3rd")."""
        day = None
        at = start - 1
        if at >= 0 and words[at] == "of":
            at -= 1
        if at >= 0 and words[at] in self.ordinals:
            at -= 1
        if at >= 0 and _DAY.match(words[at]) and not taken[at] and 1 <= int(words[at]) <= 31:
            day, start = int(words[at]), at - (at > 0 and words[at - 1] == "the")
        else:
            at = end + (end < len(words) and words[end] == "the")
            if at < len(words) and _DAY.match(words[at]) and not taken[at] and 1 <= int(words[at]) <= 31:
                after = words[at + 1] if at + 1 < len(words) else ""
                if after not in self.unit_of or after in self.ordinals:
                    day, end = int(words[at]), at + 1 + (after in self.ordinals)
        if day is None and not self._in_context(words, start, end):
            return None
        time = _Time(start, end, precision="date" if day else "month")
        time.in_year = lambda year: _safe_date(year, month, day or 1)
        return time

    def _years(
        self, words: list[str], today: date, taken: list[bool], approximators: list[tuple[int, int]]
    ) -> list[_Time]:
        """Years said alone: "in 2021", "2019ish", "the 2010s"."""
        found: list[_Time] = []
        approximated = {end for _, end in approximators}
        for i, word in enumerate(words):
            if taken[i] or not _YEAR.match(word) or (time := _year(i, i + 1, int(word), today)) is None:
                continue
            after = words[i + 1] if i + 1 < len(words) else ""
            if after in self.unit_of and after not in {"s", "y"}:
                continue  # "2000 mg"
            if after == "s":
                time.end += 1
                time.roles.add("vague")  # "the 2010s"
            elif after == "ish" or i in approximated:
                time.roles.add("hedge")  # "around 2019": maybe another year (a hedged month stays that month)
            taken[time.start : time.end] = [True] * (time.end - time.start)
            found.append(time)
        return found

    def _days_of_month(self, words: list[str], taken: list[bool]) -> list[_Time]:
        """A day of the month said alone: "on the 13th", "the 2nd of this month"."""
        found: list[_Time] = []
        for i, word in enumerate(words):
            if taken[i] or not _DAY.match(word) or not 1 <= int(word) <= 31:
                continue
            after = words[i + 1] if i + 1 < len(words) else ""
            before = words[i - 1] if i else ""
            if after in self.ordinals:
                end = i + 2
            elif before == "the" and (not after or after == "of" or _PUNCT.match(after)):
                end = i + 1
            else:
                continue
            start = i - (before == "the")
            found.append(_Time(start, end, day_of_month=int(word), bare=True))
            taken[start:end] = [True] * (end - start)
        return found

    def _ago_at(self, words: list[str], at: int) -> int:
        """How many tokens of "ago" (or "back", ...) start at ``at``; 0 when none."""
        return max((len(p) for p in self.ago if words[at : at + len(p)] == p), default=0)

    def _marker(self, words: list[str], start: int) -> str | None:
        """What the word before a length says it is ("every", "for", "been", "in", "last"), past "about" & co."""
        at = start - 1
        while at >= 0 and words[at] in self.length_skip:
            at -= 1
        return self.length_marker.get(words[at]) if at >= 0 else None

    # --- putting them together ---------------------------------------------------------------

    def _placed(self, times: list[_Time], words: list[str], today: date) -> list[_Time]:
        """Months and days placed in the year or month said next to them; the rest at their latest past."""
        placed: list[_Time] = []
        used: set[int] = set()
        for index, time in enumerate(times):
            if index in used or (time.in_year is None and time.day_of_month is None):
                continue
            for other in (index + 1, index - 1):
                if not 0 <= other < len(times) or other in used:
                    continue
                anchor = times[other]
                low, high = sorted((time, anchor), key=lambda t: t.start)
                if anchor.day is None or not all(w in self.fillers for w in words[low.end : high.start]):
                    continue
                day = self._in(time, anchor)
                if day is not None:
                    time.day, time.start, time.end = day, low.start, high.end
                    time.roles |= anchor.roles
                    time.future |= anchor.future or day > today
                    time.relation = time.relation or "anchored"
                    used.add(other)
                    break
        for index, time in enumerate(times):
            if index in used:
                continue
            if time.day is None:
                time.day, future = _latest(time, today)
                time.future |= future
                time.bare |= time.relation is None
                if time.day is None:
                    continue
            if time.season is not None:
                first, last = time.season
                if time.relation not in {"this", "anchored"} or first > last:
                    time.roles.add("vague")  # "last spring", "in the summer", any winter: which year, or when
            placed.append(time)
        return placed

    @staticmethod
    def _in(time: _Time, anchor: _Time) -> date | None:
        assert anchor.day is not None
        if time.in_year is not None and anchor.anchor == "year":
            return time.in_year(anchor.day.year)
        if time.day_of_month is not None and anchor.anchor == "month":
            time.precision = "date"
            return _safe_date(anchor.day.year, anchor.day.month, time.day_of_month)
        return None

    def _joined(self, times: list[_Time], words: list[str]) -> list[_Time]:
        """Two times joined: "2019 or 2020" is two readings, "2024 to 2025" a period ending at the later."""
        joined: list[_Time] = []
        for time in times:
            if joined:
                prior = joined[-1]
                between = tuple(words[prior.end : time.start])
                between_and = between == ("and",) and prior.start > 0 and words[prior.start - 1] == "between"
                if between in self.range_joiners or between in self.period_joiners or between_and:
                    assert prior.day is not None and time.day is not None
                    past = [t for t in (prior, time) if not t.future] or [prior, time]  # a reading, never a plan
                    later = max(past, key=lambda t: t.last_day)
                    earlier = time if later is prior else prior
                    later.roles |= earlier.roles
                    if between not in self.period_joiners and (earlier.day, earlier.precision) != (
                        later.day,
                        later.precision,
                    ):
                        later.roles.add("range")
                    later.start, later.end = prior.start, time.end
                    later.future = prior.future and time.future
                    joined[-1] = later
                    continue
            joined.append(time)
        return joined

    def _decide(
        self,
        doc: Doc,
        times: list[_Time],
        cues: dict[str, list[tuple[int, int]]],
        vague_length: tuple[int, int] | None,
        today: date,
    ) -> DateReading | None:
        """The one reading of the answer: its time (the event's, or the latest), "never", or unsure."""
        roles: set[str] = set()
        if cues["hedges"]:
            roles.add("hedge")
        if cues["questions"]:
            roles.add("unclear")
        never = cues["never"]
        past = [t for t in times if not t.future and t.day is not None and t.day <= today]
        if past:
            chosen = _chosen(past)
            roles |= chosen.roles
            if chosen.precision != "date" and any(e == chosen.start for _, e in cues["late_in"]):
                roles.add("vague")  # "late 2021": a year or month is read as its first day, far from what was said
            since = chosen.start > 0 and doc[chosen.start - 1].lower_ == "since"  # "haven't had one since 2019"
            if ((never or cues["hedged_never"]) and not since) or cues["contrasts"]:
                roles.add("both")  # a time, and that it never happened or did not count
            assert chosen.day is not None
            value = {
                "date": chosen.day.isoformat(),
                "month": chosen.day.isoformat()[:7],
                "year": str(chosen.day.year),
            }[chosen.precision]
            return _reading(doc, {chosen.precision: value}, roles, chosen.start, chosen.end)
        if times:  # only future times: a plan, not a date; "never had it, starting next month" is never
            if never:
                return _reading(doc, NEVER, roles | {"unclear"}, *never[0])
            return _reading(doc, UNSURE, roles | {"unclear"}, times[0].start, times[0].end)
        if cues["hedged_never"]:
            return _reading(doc, NEVER, roles | {"hedge"}, *cues["hedged_never"][0])
        if never:
            if cues["life_stages"]:
                roles.add("vague")  # "none as an adult"
            return _reading(doc, NEVER, roles, *never[0])
        vague = cues["vague"] + cues["life_stages"] + ([vague_length] if vague_length else [])
        if vague:
            return _reading(doc, UNSURE, roles | {"vague"}, *min(vague))
        if cues["ongoing"]:
            start, end = cues["ongoing"][0]
            return _reading(doc, {"date": today.isoformat()}, roles, start, end)  # "on antibiotics right now"
        return None


def _chosen(past: list[_Time]) -> _Time:
    """The time the answer gives: the one said as the event, else the latest; a finer one inside it wins."""
    cued = [t for t in past if t.cued]
    chosen = max(cued or past, key=lambda t: (t.last_day, _FINER[t.precision]))
    assert chosen.day is not None
    inside = [
        t
        for t in past
        if _FINER[t.precision] > _FINER[chosen.precision]
        and t.day is not None
        and chosen.day <= t.day
        and t.last_day <= chosen.last_day
    ]
    if inside:
        chosen = max(inside, key=lambda t: (t.last_day, _FINER[t.precision]))  # "2025, last dose jan 2025"
    if cued and any(t.day is not None and t.day > chosen.last_day for t in past):
        chosen.roles.add("both")  # "diagnosed 2018, in remission since 2019": the event, then a later one
    return chosen


def _reading(doc: Doc, value: dict[str, str] | str, roles: set[str], start: int, end: int) -> DateReading:
    reason = next((role for role in ROLES if role in roles), None)
    span = doc[start:end]
    return DateReading(value, FLAGGED if reason else 1.0, reason, span.start_char, span.end_char)


def _year(start: int, end: int, year: int, today: date) -> _Time | None:
    """A year said with digits (one a patient could mean: 1900 to 2100)."""
    if not 1900 <= year <= 2100:
        return None
    time = _point(start, end, date(year, 1, 1), "year", today)
    time.anchor = "year"
    return time


def _point(start: int, end: int, day: date, precision: str, today: date) -> _Time:
    """A time whose day is known; in the future if it starts after today."""
    return _Time(start, end, day, precision, future=day > today)


def _relation(words: list[str], start: int, next_words: set[str]) -> str | None:
    before = words[start - 1] if start else ""
    if before in {"last", "past", "previous"}:
        return "last"
    if before == "this":
        return "this"
    return "next" if before in next_words else None


def _clauses(words: list[str]) -> list[int]:
    """Per token index (and one past the end), how many punctuation tokens come before it."""
    counts = [0]
    for word in words:
        counts.append(counts[-1] + bool(_PUNCT.match(word)))
    return counts


def _nearest_in_clause(times: list[_Time], starts: list[int], clause: list[int], start: int, end: int) -> _Time | None:
    """The time a cue phrase goes with: the first after it in its clause, else the last before it."""
    at = bisect_left(starts, end)
    if at < len(times) and clause[times[at].start] == clause[end]:
        return times[at]
    before = bisect_left(starts, start) - 1  # times do not overlap: the one starting last before the cue
    if before >= 0 and times[before].end <= start and clause[times[before].end] == clause[start]:
        return times[before]
    return None


def _fold(word: object) -> str:
    return str(word).casefold()


def _safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None if there is no such day (31 April, month 13)."""
    if not (1 <= month <= 12 and 1 <= year <= 9999 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return date(year, month, day)


def _full_year(digits: str, today: date) -> int:
    """A two-digit year as the latest year it can be that is not after today's."""
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= today.year else year - 100


def _recent_day(today: date, month: int, day: int) -> date | None:
    """The most recent past (or today's) date with this month and day."""
    for year in range(today.year, today.year - 8, -1):  # 29 February: back to a leap year
        found = _safe_date(year, month, day)
        if found is not None and found <= today:
            return found
    return None


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


def _latest(time: _Time, today: date) -> tuple[date | None, bool]:
    """Where a month, holiday, season or day of the month without its year falls: its latest past occurrence.

    "last" excludes the present ("last November" said in November is a year ago), "this" keeps
    this year (in the future if not yet come), "next" is in the future.
    """
    if time.day_of_month is not None:
        month_start = today.replace(day=1)
        for back in range(0, 12):
            start = add_months(month_start, -back)
            day = _safe_date(start.year, start.month, time.day_of_month)
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


def _weekday(start: int, end: int, today: date, weekday: int, relation: str | None) -> _Time:
    """A day of the week: the latest one before today; "last Tuesday" said on a Wednesday is unclear."""
    back = (today.weekday() - weekday) % 7 or 7
    day = today - timedelta(days=back)
    time = _Time(start, end, day, "date")
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


def _weekend(start: int, end: int, today: date, relation: str | None) -> _Time:
    """The latest weekend: two days, so vague (its Sunday, or Saturday when said at the weekend)."""
    if today.weekday() >= 5:
        day = today - timedelta(days=today.weekday() - 5)
    else:
        day = today - timedelta(days=today.weekday() + 1)
    time = _Time(start, end, day, "date", {"vague"}, future=relation == "next")
    time.bare = relation is None
    return time


def _period(start: int, end: int, today: date, unit: str, count: str) -> _Time:
    """A week, month or year back: "last week" (7 days ago), "this month", "the year before last"."""
    n = int(count)
    if unit == "week":
        time = _Time(start, end, today - timedelta(days=7 * n), "date")
        if n == 0:
            time.roles.add("vague")  # "this week": which day
        return time
    if unit == "month":
        return _Time(start, end, add_months(today.replace(day=1), -n), "month", anchor="month")
    return _Time(start, end, date(today.year - n, 1, 1), "year", anchor="year")


def _holiday(holiday: dict[str, Any]) -> Callable[[int], date | None]:
    """The holiday's day in a given year."""
    if "date" in holiday:
        month, day = (int(n) for n in holiday["date"])
        return lambda year: _safe_date(year, month, day)
    if holiday.get("easter"):
        return _easter
    month, weekday, nth = int(holiday["month"]), int(holiday["weekday"]), int(holiday["nth"])

    def nth_weekday(year: int) -> date | None:
        if nth > 0:
            first = date(year, month, 1)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)

    return nth_weekday


def _easter(year: int) -> date:
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


@cache
def default_reader() -> DateReader:
    """The reader over the bundled words and units, on a blank English pipeline."""
    words = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    units = yaml.safe_load(UNITS.read_text(encoding="utf-8"))
    return DateReader(spacy.blank("en"), words, units)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DateExtractor(RuleComponent):
    """Adds a ``date`` entity (the time named, its confidence, and why it is flagged)."""

    def __init__(self, reader: DateReader | None = None) -> None:
        """Use this reader (the bundled words by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The time named, or "never", read against the screening day."""
        found = self.reader.read(text, clock.screening_day())
        return [] if found is None else [(ENTITY, found, found.reason)]
