"""Dates in free-text answers: "3 weeks ago", "last March", "15.10.2026", "Thanksgiving last year", "never".

``DateReader`` is plain spaCy (a blank English tokenizer, ``PhraseMatcher``s over the words
in ``nlu/data/dates.yaml`` and the calendar's, and the numbers and lengths of time of
``nlu/numbers.py``), so it is tested on ``spacy.blank("en")``. It reads against a given
screening date, and says a time at the precision the patient gave: a day, a month or a
year; or "never". The times are found by ``nlu/dates_absolute.py`` (said with their own day,
month or year) and ``nlu/dates_relative.py`` (counted from today); this module places them
(a month in the year said beside it), joins them ("2019 or 2020") and decides.

``DateExtractor`` is the Rasa component: it adds one ``date`` entity per message naming a
time, read against ``screening_day()``. A reading that must not be taken at face value (a
hedge, two readings, a vague or unclear time) has a confidence below the form's bar and
the reason as the entity's role; one with no usable value at all ("a while ago", "as a
kid", a time in the future) has the value ``"unsure"``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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

from nlu import calendar, clock
from nlu import dates_absolute as absolute
from nlu import dates_relative as relative
from nlu.base import Found, RuleComponent
from nlu.calendar import Calendar
from nlu.date_parts import PUNCT, DateWords, Time
from nlu.numbers import UNITS, NumberReader, prepare

WORDS = Path(__file__).parent / "data" / "dates.yaml"
ENTITY = "date"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
NEVER = "never"
UNSURE = "unsure"  # a time was named, but no date can be taken from it
ROLES = ("both", "range", "unclear", "hedge", "vague")  # why a reading is flagged; the first that applies is given
CUE_KINDS = ("never", "hedged_never", "vague", "life_stages", "hedges", "approximators", "questions", "contrasts",
             "future_cues", "ongoing", "event_cues", "late_in")  # fmt: skip
KINDS = (*CUE_KINDS, "needs_context", "context_before", "fillers", "next_words", "early_in", "ago", "range_joiners",
         "period_joiners", "length_markers", "length_skip", "holidays", "days_back", "periods", "weekend",
         "future_times")  # fmt: skip
_FINER = {"date": 2, "month": 1, "year": 0}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
_KEPT = 256  # readings kept (DateReader.read)  # a day's ordinal ending (11th to 13th: "th")


@dataclass(frozen=True)
class DateReading:
    """A time an answer names: ``{"date"|"month"|"year": ...}``, ``"never"`` or ``"unsure"``; below 1.0 when flagged."""

    value: dict[str, str] | str
    confidence: float
    reason: str | None = None  # one of ROLES when flagged
    start: int = 0  # character offsets into prepare(text)
    end: int = 0


class DateReader:
    """Finds the times an answer names and decides which one it gives, and how surely."""

    def __init__(
        self, nlp: Language, words: dict[str, Any], units: dict[str, list[str]], days: Calendar | None = None
    ) -> None:
        """Build the matchers from ``nlu/data/dates.yaml``'s words, the units and the calendar (the bundled one)."""
        unknown = set(words) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)} in the date words")
        days = days or calendar.default()
        self.nlp = nlp
        self.numbers = NumberReader(nlp, {unit: list(spellings) for unit, spellings in units.items()})
        self.known = DateWords(
            month_of=days.month_of,
            ordinals=set(days.ordinals),
            unit_of=self.numbers.unit_of,
            needs_context={_fold(w) for w in words["needs_context"]},
            context_before={_fold(w) for w in words["context_before"]},
            next_words={_fold(w) for w in words["next_words"]},
            parts={_fold(w): late for late, ws in (("early", words["early_in"]), ("late", words["late_in"]))
                   for w in ws if " " not in str(w)},
            ago=[self._tokens(phrase) for phrase in words["ago"]],
            length_marker={_fold(w): kind for kind, ws in words["length_markers"].items() for w in ws},
            length_skip={_fold(w) for w in words["length_skip"]},
            seasons={name: (season.first, season.last) for name, season in days.seasons.items()},
            holidays=dict(words["holidays"]),
        )  # fmt: skip
        self.fillers = {_fold(w) for w in words["fillers"]}
        self.range_joiners = {tuple(self._tokens(p)) for p in words["range_joiners"]}
        self.period_joiners = {tuple(self._tokens(p)) for p in words["period_joiners"]}
        self.times = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add(self.times, {f"month:{m}": ws for m, ws in days.months.items()})
        self._add(self.times, {f"weekday:{d}": ws for d, ws in days.weekdays.items()})
        for name, season in days.seasons.items():
            self._add(self.times, {f"season:{name}": season.words})
        for name, holiday in words["holidays"].items():
            self._add(self.times, {f"holiday:{name}": holiday["words"]})
        self._add(self.times, {f"back:{n}": ws for n, ws in words["days_back"].items()})
        for unit, counts in words["periods"].items():
            self._add(self.times, {f"period:{unit}:{n}": ws for n, ws in counts.items()})
        self._add(self.times, {"weekend": words["weekend"], "future": words["future_times"]})
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add(self.cues, {kind: words[kind] for kind in CUE_KINDS})
        # "March the third", "the twenty-first of June": a day said as a word, beside a month name.
        self._read: dict[tuple[str, date], DateReading | None] = {}
        self.day_of = days.day_of
        spoken = "|".join(sorted((re.escape(w).replace("\\ ", "[\\s-]+") for w in self.day_of), key=len, reverse=True))
        month = "|".join(sorted((re.escape(w) for w in days.month_of), key=len, reverse=True))
        self.spoken_day = re.compile(
            rf"\b(?:(?P<month>{month})\s+(?:the\s+)?(?P<after>{spoken})|(?P<before>{spoken})\s+of\s+(?:{month}))\b",
            re.IGNORECASE,
        )

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
        """The time the answer gives, read against the screening date ``today``; None when it names none.

        One message is read by the date, duration and topic readers alike: the last readings are
        kept, so it is read once.
        """
        key = (text, today)
        if key not in self._read:
            if len(self._read) >= _KEPT:
                self._read.clear()
            self._read[key] = self._reading(text, today)
        return self._read[key]

    def _reading(self, text: str, today: date) -> DateReading | None:
        doc = self.nlp.make_doc(self.spoken_day.sub(self._day_digits, prepare(text)))
        words = [token.lower_ for token in doc]
        cues: dict[str, list[tuple[int, int]]] = {kind: [] for kind in CUE_KINDS}
        for kind, start, end in self._matches(self.cues, doc):
            cues[kind].append((start, end))
        taken = [False] * len(doc)
        times = absolute.numeric(self.known, doc, today, taken)
        times += relative.lengths(self.known, self.numbers, doc, words, today, taken=taken)
        vague_length = relative.without_value(self.known, words, taken)
        times += relative.named(self.known, self._matches(self.times, doc), words, today, taken)
        times += absolute.years(self.known, words, today, taken, cues["approximators"])
        times += absolute.days_of_month(self.known, words, taken)
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

    def _day_digits(self, match: re.Match[str]) -> str:
        """A day said in words as digits: "march the third" is "march 3rd", "third of march" "3rd of march"."""
        said = match.group("after") or match.group("before")
        day = self.day_of[" ".join(said.casefold().replace("-", " ").split())]
        digits = f"{day} {_SUFFIX.get(day % 10 if day not in (11, 12, 13) else 0, 'th')}"  # as prepare() splits "3rd"
        if match.group("month"):
            return f"{match.group('month')} {digits}"  # "march the third" as "march 3rd"
        return match.group(0).replace(said, digits)

    # --- putting them together ---------------------------------------------------------------

    def _placed(self, times: list[Time], words: list[str], today: date) -> list[Time]:
        """Months and days placed in the year or month said next to them; the rest at their latest past."""
        placed: list[Time] = []
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
                time.day, future = relative.latest(time, today)
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
    def _in(time: Time, anchor: Time) -> date | None:
        assert anchor.day is not None
        if time.in_year is not None and anchor.anchor == "year":
            return time.in_year(anchor.day.year)
        if time.day_of_month is not None and anchor.anchor == "month":
            time.precision = "date"
            return calendar.safe_date(anchor.day.year, anchor.day.month, time.day_of_month)
        return None

    def _joined(self, times: list[Time], words: list[str]) -> list[Time]:
        """Two times joined: "2019 or 2020" is two readings, "2024 to 2025" a period ending at the later."""
        joined: list[Time] = []
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
        times: list[Time],
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


def _chosen(past: list[Time]) -> Time:
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


def _clauses(words: list[str]) -> list[int]:
    """Per token index (and one past the end), how many punctuation tokens come before it."""
    counts = [0]
    for word in words:
        counts.append(counts[-1] + bool(PUNCT.match(word)))
    return counts


def _nearest_in_clause(times: list[Time], starts: list[int], clause: list[int], start: int, end: int) -> Time | None:
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
