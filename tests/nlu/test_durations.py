"""nlu/durations.py: how long one medicine was taken, said on its own (a follow-up's answer)."""

from __future__ import annotations

from datetime import date

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.durations import FLAGGED, DurationExtractor, read


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("for about 2 years", "2 years"),  # "about" with a round number: as said
        ("10 weeks", "10 weeks"),
        ("18mths", "18 months"),  # a unit run into the number
        ("about a year and a half", "18 months"),
        ("year and a half", "18 months"),  # no number before it
        ("1 yr 3 mo", "15 months"),  # years then months: one length
        ("1 year and 2 months", "14 months"),
        ("two years, no wait, three", "3 years"),  # corrected: the length after the correction
        ("2 years, no wait, 3 years", "3 years"),
        ("since october last year", "13 months"),  # a month of last year, to the screening day
        ("from 2018 to now", "8 years"),
        ("just started last week", "1 week"),
        ("from November 2025", "12 months"),  # a start without an end: to today (found by bench.patients)
        ("from march", "8 months"),
        ("about 28 monhts.", "28 months"),  # a unit misspelt (found by bench.patients)
        ("sence 2023", "3 years"),  # "since" misspelt
        ("eighteen months, is that long enough?", "18 months"),  # a question after the length
        ("6 infusions, one a month", "6 months"),  # a course: doses times how often
        ("since 06/2025", "17 months"),  # a start the dates reader reads, to the screening day
        ("from may 2022 until feb 2023", "9 months"),  # from one time to another
        ("since I was diagnosed, 2015", "11 years"),  # a start the dates reader reads: to the screening day
        ("first infusion was 2 years ago", "2 years"),
        ("started this year in march", "8 months"),
        ("since chinese new year 2024", "33 months"),  # a holiday and its year (the lunar new year: February)
        ("almost 2 years", "2 years"),  # short of a length past any cut-off: as said
    ],
)
def test_one_clear_length(text: str, value: str) -> None:
    found = read(text, today=date(2026, 11, 25))
    assert found is not None and (found.value, found.confidence, found.reason) == (value, 1.0, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a few months", "vague"),
        ("2-3 years", "range"),
        ("5yrs, maybe longer", "hedge"),  # a hedge is not a length to count on
        ("2 years, maybe 3 years", "both"),  # two different lengths, neither a correction
        ("6 months?", "hedge"),  # said as a guess
        ("almost 3 months", "vague"),  # short of it by how much? (the trial asks for 3 months or more)
        ("nearly 11 weeks", "vague"),
    ],
)
def test_unclear_lengths_are_flagged(text: str, reason: str) -> None:
    found = read(text, today=date(2026, 11, 25))
    assert found is not None and (found.confidence, found.reason) == (FLAGGED, reason)


@pytest.mark.parametrize(
    "text",
    [
        "not sure",  # the polarity reader's unsure
        "yes",
        "6 infusions",  # how many, but not how often: no length said
        "stopped in 2020",  # a date said as the end: no length from it
        "I had 2 infusions 2 weeks apart in 2023",  # a course counted: its year is not where a length starts
        "only once, one infusion in june",
    ],
)
def test_no_length_said(text: str) -> None:
    found = read(text, today=date(2026, 11, 25))
    assert found is None or found.confidence < 1.0


def test_the_component_adds_one_entity() -> None:
    message = Message(data={TEXT: "for 2 years"})
    DurationExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [("duration", "2 years")]
