"""Dates on spaCy's blank English pipeline: days, months and years said every which way, "never", and flags."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

import pytest
import spacy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import calendar, clock
from nlu.dates import FLAGGED, ROLES, WORDS, DateExtractor, DateReader, default_reader
from nlu.numbers import UNITS, prepare
from tests.bot.test_domain import domain

READER = default_reader()
TODAY = date(2026, 11, 25)  # a Wednesday: the corpus's screening date


def value(text: str, today: date = TODAY) -> Any:
    found = READER.read(text, today)
    assert found is not None, text
    return found.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day
        ("3 weeks ago", {"date": "2026-11-04"}),  # weeks and days give the day
        ("2 wks ago, still in shock", {"date": "2026-11-11"}),  # an abbreviated unit
        ("3 weeks before", {"date": "2026-11-04"}),  # "before" ending its clause is "ago" (as written in China)
        ("half year before, in Chengdu", {"month": "2026-05"}),
        ("march the third twenty twenty four", {"date": "2024-03-03"}),  # a day and a year said in words
        ("the twenty-first of june 2023", {"date": "2023-06-21"}),
        ("diagnose in Huaxi hospital 2021.7", {"month": "2021-07"}),  # year.month, as written in China
        ("twenty nineteen", {"year": "2019"}),
        ("2024年6月", {"month": "2024-06"}),  # written in Chinese
        ("2021年3月15日", {"date": "2021-03-15"}),
        ("EIGHT DAYS AGO", {"date": "2026-11-17"}),  # spelled, any case
        ("two weeks ago today", {"date": "2026-11-11"}),  # "today" belongs to the length
        ("a fortnight ago", {"date": "2026-11-11"}),
        ("yesterday", {"date": "2026-11-24"}),
        ("yesturday, tooth infection", {"date": "2026-11-24"}),  # a misspelling
        ("the day before yesterday", {"date": "2026-11-23"}),
        ("last week", {"date": "2026-11-18"}),  # a week back: inside any limit of weeks
        ("on 4 Nov 2026", {"date": "2026-11-04"}),
        ("I had my CAR T cells on 14 May 2026", {"date": "2026-05-14"}),  # "may" next to a day is the month
        ("Oct 28", {"date": "2026-10-28"}),  # no year: its latest past occurrence
        ("gallbladder out March 3rd", {"date": "2026-03-03"}),  # an ordinal after the month
        ("the 3rd of March 2023", {"date": "2023-03-03"}),
        ("March 3, 2023", {"date": "2023-03-03"}),
        ("Benlysta on the 2nd of this month", {"date": "2026-11-02"}),  # a day placed in "this month"
        ("the 5th of last month", {"date": "2026-10-05"}),
        ("last one on the 13th", {"date": "2026-11-13"}),  # a day alone: this month's, if past
        ("last shot was Sunday", {"date": "2026-11-22"}),  # a weekday: the latest before today
        ("cellulitis on Monday", {"date": "2026-11-23"}),
        ("last Thursday had my wisdom teeth out", {"date": "2026-11-19"}),  # last week's: no doubt
        ("2026-01-31", {"date": "2026-01-31"}),  # ISO
        ("Last infusion 15.10.2026", {"date": "2026-10-15"}),  # dots: day first
        ("1/15/25", {"date": "2025-01-15"}),  # 15 cannot be a month: US order, two-digit year
        ("31/01/2026", {"date": "2026-01-31"}),  # 31 cannot be a month: day first
        ("New Year's Eve 2023 of all days", {"date": "2023-12-31"}),  # a holiday in a given year
        ("Thanksgiving last year", {"date": "2025-11-27"}),  # the 4th Thursday of November 2025
        ("Thanksgiving", {"date": "2025-11-27"}),  # this year's is tomorrow: last year's
        ("on antibiotics right now", {"date": "2026-11-25"}),  # ongoing: today
        ("still on antibiotics for a UTI", {"date": "2026-11-25"}),  # "still on": today
        ("still on them, day 5 of 7", {"date": "2026-11-25"}),
        # a month
        ("March 2023", {"month": "2023-03"}),
        ("diagnosed in Febuary 2024", {"month": "2024-02"}),  # misspelt month
        ("sept 2022", {"month": "2022-09"}),
        ("Sept '22", {"month": "2022-09"}),  # an apostrophe year
        ("Jan-2025", {"month": "2025-01"}),  # one token
        ("Diagnosed 12/2020", {"month": "2020-12"}),
        ("dx'd with lymphoma 04/2020", {"month": "2020-04"}),
        ("last March", {"month": "2026-03"}),  # the latest March
        ("last November", {"month": "2025-11"}),  # "last" is not this month
        ("in November", {"month": "2026-11"}),  # this month, said in it
        ("in October", {"month": "2026-10"}),
        ("june", {"month": "2026-06"}),  # a month alone
        ("they found a small melanoma in may", {"month": "2026-05"}),  # "in may" is the month
        ("since March 2021", {"month": "2021-03"}),
        ("around March 2023", {"month": "2023-03"}),  # a hedged month is still that month
        ("two years ago in March", {"month": "2024-03"}),  # a month placed in a year said as a length
        ("anifrolumab infusions until Feb this year", {"month": "2026-02"}),
        ("March of last year", {"month": "2025-03"}),
        ("18 months ago", {"month": "2025-05"}),  # months give the month
        ("4 monts ago", {"month": "2026-07"}),  # a misspelt unit (nlu/data/dates.yaml)
        ("a month ago", {"month": "2026-10"}),
        ("a year and a half ago", {"month": "2025-05"}),  # half a year is months
        ("last month", {"month": "2026-10"}),
        ("Easter, had my tonsils out", {"month": "2026-04"}),  # Easter 2026 was 5 April; said like a season
        # a year
        ("2021", {"year": "2021"}),
        ("c-section in 2019", {"year": "2019"}),
        ("3 years ago", {"year": "2023"}),  # years give the year
        ("its been 7 yrs", {"year": "2019"}),  # "been" a length: that long ago
        ("last year", {"year": "2025"}),
        ("last year sometime", {"year": "2025"}),
        ("just this summer 😔", {"year": "2026"}),  # this year's summer: the year is clear
        ("summer 2022", {"year": "2022"}),
        ("early 2022", {"year": "2022"}),  # read as its first day, which is near what was said
        ("Since 2018.", {"year": "2018"}),
        ("not since 2023", {"year": "2023"}),  # the last time was then
        ("I haven't had a live vaccine since 2010", {"year": "2010"}),  # not "never": since then
        ("from 2019 to 2021", {"year": "2021"}),  # a period: it ended then
        ("in '19", {"year": "2019"}),
        ("I may have had it in 2019", {"year": "2019"}),  # "may" the verb is no month
        # several times: the event's, else the latest
        ("rituximab in 2021 and again in 2022", {"year": "2022"}),
        ("knee op in 2019 and gallbladder out in March", {"month": "2026-03"}),
        ("Raynauds since 2015, the scleroderma diagnosis came in 2022", {"year": "2022"}),
        ("was on saphnelo 2024 to 2025, last dose jan 2025", {"month": "2025-01"}),  # the finer, inside
        ("had it on Monday, next one on Friday", {"date": "2026-11-23"}),  # Friday is the plan
        ("I get Rituxan every 6 months, last was in July", {"month": "2026-07"}),  # how often, not when
        ("Dec 2025, 5 days in hospital", {"month": "2025-12"}),  # how long, not when
        # never
        ("never", "never"),
        ("Never 🙏", "never"),
        ("nevr", "never"),  # misspelt
        ("not ever", "never"),
        ("haven't had one", "never"),
        ("my doctor mentioned it but i havent had it", "never"),
        ("None.", "never"),
        ("N/A", "never"),
        ("nope, this would be my first time", "never"),
    ],
)
def test_clear(text: str, expected: Any) -> None:
    found = READER.read(text, TODAY)
    assert found is not None, text
    assert (found.value, found.confidence, found.reason) == (expected, 1.0, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a while ago", "vague"),  # no value at all
        ("years back", "vague"),
        ("a few months ago", "vague"),  # "a few": no number
        ("a couple of weeks back", "vague"),
        ("the 90s", "vague"),
        ("MMR as a kid", "vague"),  # a time of life, not a date
        ("appendix out when I was 12", "vague"),  # 12 is an age
        ("last spring", "vague"),  # a season: this spring or last year's
        ("chest infection in the spring", "vague"),
        ("this winter", "unclear"),  # winter spans New Year; this one is to come
        ("over the weekend", "vague"),  # Saturday or Sunday
        ("late 2021", "vague"),  # a year is read as 1 January, far from "late"
        ("end of last year", "vague"),
        ("about 5 years ago", "hedge"),
        ("about half a year ago", "hedge"),
        ("around 2019", "hedge"),  # a hedged year may be another year
        ("not sure, maybe 2020?", "hedge"),
        ("I get UTIs all the time, last one maybe october", "hedge"),
        ("2014 i think", "hedge"),
        ("never really", "hedge"),  # a hedged never
        ("not that I know of", "hedge"),
        ("2019 or 2020", "range"),  # two readings
        ("2019-2020", "range"),
        ("2019/20", "range"),
        ("i think it was 2 or 3 months ago", "range"),
        ("a week or two ago", "range"),
        ("over ten years ago", "range"),  # a bound, not a time
        ("in the last 2 weeks", "range"),  # a window
        ("4/3/2022", "unclear"),  # 3 April or 4 March
        ("benlysta IV every 4 weeks, last one 11/02", "unclear"),  # 2 November or 11 February
        ("last tuesday", "unclear"),  # said on a Wednesday: yesterday, or the week before
        ("on Wednesday", "unclear"),  # today's weekday: today, or a week ago
        ("I've had it for two years", "unclear"),  # a length: since then, or how long on it
        ("next week is my first saphnelo infusion", "unclear"),  # only a plan
        ("I'm having surgery on Friday", "unclear"),  # a bare weekday with a plan is to come
        ("I had something done on my finger in the summer, does that count", "unclear"),  # a question back
        ("diagnosed 2018, in remission since 2019", "both"),  # the event, then a later one
        ("had covid last month but no antibiotics", "both"),  # a time, but qualified
        ("never, but a biopsy in 2019", "both"),
    ],
)
def test_flagged(text: str, reason: str) -> None:
    found = READER.read(text, TODAY)
    assert found is not None, text
    assert (found.confidence, found.reason) == (FLAGGED, reason)
    assert found.reason in ROLES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a few years ago", {"year": "2023"}),  # the best reading is kept, flagged
        ("last tuesday", {"date": "2026-11-17"}),
        ("4/3/2022", {"date": "2022-04-03"}),  # the US reading
        ("a while ago", "unsure"),  # nothing to keep
        ("getting the yellow fever shot next month", "unsure"),
        ("none as an adult", "never"),  # never, but as an adult only
    ],
)
def test_the_best_reading_of_a_flagged_answer(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2 weeks before my surgery",  # counted from something else: no date
        "",
        "   ",
        "I'm not sure",  # the polarity reader says unsure
        "I don't remember",
        "I've had rituximab but can't remember when",
        "no",  # the form reads a plain no through the polarity reader
        "nope",
        "34",
        "10 days",  # a length is not a time
        "every 4 weeks",
        "I sat down",  # "sat" is a verb here
        "I may",
        "I had a fall",
        "2000 mg",
        "what is car-t?",
        "1/2 a tablet",  # a fraction
        "29/02/2023",  # no such day
    ],
)
def test_no_time_no_reading(text: str) -> None:
    assert READER.read(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in December", {"month": "2025-12"}),  # said in November: last year's December
        ("in March", {"month": "2026-03"}),
        ("Christmas", {"date": "2025-12-25"}),
        ("12/24", {"date": "2025-12-24"}),
        ("Dec 31", {"date": "2025-12-31"}),
        ("on the 30th", {"date": "2026-10-30"}),  # this month's 30th is to come
        ("on the 31st", {"date": "2026-10-31"}),
        ("Friday", {"date": "2026-11-20"}),
    ],
)
def test_a_time_without_its_year_is_the_latest_past_one(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize("text", ["next month", "tomorrow", "in 3 weeks", "on 4 Dec 2026", "2027", "June 2027"])
def test_a_future_time_is_no_date(text: str) -> None:
    found = READER.read(text, TODAY)
    assert found is not None
    assert (found.value, found.reason) == ("unsure", "unclear")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 25), {"date": "2026-11-24"}),
        (date(2024, 3, 1), {"date": "2024-02-29"}),  # a leap day
        (date(2027, 1, 1), {"date": "2026-12-31"}),  # over New Year
    ],
)
def test_today_is_an_argument(today: date, expected: Any) -> None:
    assert value("yesterday", today) == expected


def test_february_29th_without_a_year_is_the_last_leap_day() -> None:
    assert value("Feb 29") == {"date": "2024-02-29"}


def test_offsets_are_into_the_prepared_text() -> None:
    text = "UTI  3wks ago, had antibiotics"
    found = READER.read(text, TODAY)
    assert found is not None
    assert prepare(text)[found.start : found.end] == "3 wks ago"


def test_words_are_data() -> None:
    words = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    days = calendar.default()
    spanish = replace(days, months={**days.months, 3: (*days.months[3], "marzo")})  # month names: the calendar's
    reader = DateReader(spacy.blank("en"), words, yaml.safe_load(UNITS.read_text(encoding="utf-8")), spanish)
    assert reader.read("marzo 2020", TODAY) == reader.read("March 2020", TODAY)


def test_an_unknown_key_in_the_words_is_an_error() -> None:
    words = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="unknown keys"):
        DateReader(spacy.blank("en"), {**words, "months": {}}, {})  # months moved to nlu/data/calendar.yaml


def test_the_domain_declares_every_reason_as_a_role() -> None:
    [declared] = [e["date"] for e in domain()["entities"] if isinstance(e, dict) and "date" in e]
    assert set(ROLES) <= set(declared["roles"])


def test_the_component_adds_one_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "screening_day", lambda: TODAY)  # an evaluation reads as of its own date
    component = DateExtractor.create({}, None, Resource("dates"), ExecutionContext(None))
    plain, hedged, never, none = (Message(data={TEXT: t}) for t in ("3 weeks ago", "about 5 years ago", "never", "34"))
    component.process([plain, hedged, never, none])
    [entity] = plain.get(ENTITIES)
    assert entity == {
        "entity": "date",
        "value": {"date": "2026-11-04"},
        "start": 0,
        "end": 11,
        "confidence_entity": 1.0,
        "extractor": "DateExtractor",
    }
    [entity] = hedged.get(ENTITIES)
    assert (entity["value"], entity["confidence_entity"], entity["role"]) == ({"year": "2021"}, FLAGGED, "hedge")
    assert never.get(ENTITIES)[0]["value"] == "never"
    assert not none.get(ENTITIES)


def test_the_screening_day_is_today_in_utc() -> None:
    assert clock.screening_day() == datetime.now(timezone.utc).date()


def test_many_times_in_one_message_take_linear_time() -> None:
    started = time.perf_counter()
    READER.read("will on Monday, diagnosed 2019 or 2020 " * 500, TODAY)
    assert time.perf_counter() - started < 2.0


_PIECES = st.sampled_from(
    ["1", "12", "31", "29", "0", "2026", "0000", "9999", "1900", "/", "-", ".", ",", "'", " ", "jan", "may", "last",
     "next", "the", "st", "of", "ago", "years", "a few", "or", "between", "since", "never", "?", "winter", "easter",
     "monday", "weekend", "about", "999999", "for", "been", "mid", "late", "\x00", "½", "~",
     "\uff12\uff10\uff12\uff10", "\u0660\u0661"]  # the last two: full-width and Arabic-Indic digits
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join), st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1)))
def test_dates_digits_and_slashes_are_never_read_into_the_future(text: str, today: date) -> None:
    found = READER.read(text, today)
    if found is None:
        return
    assert 0 < found.confidence <= 1.0
    assert found.reason is None or found.reason in ROLES
    if isinstance(found.value, dict):
        ((precision, said),) = found.value.items()
        assert date.fromisoformat({"date": said, "month": f"{said}-01", "year": f"{said}-01-01"}[precision]) <= today
    else:
        assert found.value in {"never", "unsure"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=3000))  # any code point, lone surrogates too (JSON "\ud800")
def test_any_text_is_read_or_not_never_a_crash(text: str) -> None:
    message = Message(data={TEXT: text})
    DateExtractor().process([message])
    for entity in message.get(ENTITIES, []):
        assert 0 <= entity["start"] <= entity["end"] <= len(prepare(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 nvoember 2025", {"date": "2025-11-27"}),  # two letters swapped (found by bench.patients)
        ("3 Setember 2025", {"date": "2025-09-03"}),  # a letter left out
        ("octobr 2024", {"month": "2024-10"}),
    ],
)
def test_slips_in_long_month_names(text: str, expected: Any) -> None:
    found = READER.read(text, today=TODAY)
    assert found is not None and (found.value, found.confidence) == (expected, 1.0)


def test_a_message_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The date, duration and topic readers all read the dates of one message: the reading is kept.
    reader = DateReader(spacy.blank("en"), yaml.safe_load(WORDS.read_text(encoding="utf-8")),
                        yaml.safe_load(UNITS.read_text(encoding="utf-8")))  # fmt: skip
    calls = []
    reading = reader._reading
    monkeypatch.setattr(reader, "_reading", lambda text, today: calls.append(text) or reading(text, today))
    first = reader.read("3 weeks ago", TODAY)
    assert reader.read("3 weeks ago", TODAY) is first and calls == ["3 weeks ago"]
    assert reader.read("3 weeks ago", date(2026, 12, 25)) != first  # another screening day is read again
