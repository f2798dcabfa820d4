"""plain(): every stored answer in the words a coordinator reads, never JSON.

The questions are made here, one per answer type, so the tables do not move when the
trial file changes; the medicines come from the real lexicon.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from answers.durations import duration_words, exact_duration
from criteria import coerce, structured
from criteria.lexicon import Lexicon, load_lexicon
from criteria.schema import FactDef
from inbox.plain import NOT_STATED, compact, plain

TODAY = date(2026, 5, 2)
ANSWERS: dict[str, dict[str, Any]] = {
    "yes_no": {"type": "yes_no"},
    "choice": {"type": "choice", "choices": {"sle": "Lupus (SLE)", "yes": "Yes, I have one now", "no": "No"}},
    "age": {"type": "age", "min": 18, "max": 65},
    "number": {"type": "number", "unit": "kg", "min": 25, "max": 300},
    "date": {"type": "date"},
    "date_or_never": {"type": "date_or_never"},
    "dose": {"type": "dose", "medicine_class": "glucocorticoid", "max": 2000},
    "medicine_list": {"type": "medicine_list", "ongoing": True},
}
FACTS = {
    kind: FactDef.parse_obj(
        {
            "id": f"a_{kind}",
            "question": f"A question taking {kind}?",
            "why": "Because the tests need one.",
            "explain": "Any answer of the type.",
            "answer": answer,
        }
    )
    for kind, answer in ANSWERS.items()
}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        # yes/no, as stored (booleans) and as older rows have it (words)
        ("yes_no", True, "Yes"),
        ("yes_no", False, "No"),
        ("yes_no", "no", "No"),
        # "not sure" reads the same for every type
        ("yes_no", "unsure", "Not sure"),
        ("dose", "unsure", "Not sure"),
        ("medicine_list", "Not Sure", "Not sure"),
        # a choice is its label from the trial file, even when its key looks like yes/no
        ("choice", "sle", "Lupus (SLE)"),
        ("choice", "yes", "Yes, I have one now"),
        ("choice", "unsure", "Not sure"),
        # a choice the trial file no longer has: the key, said to be stale
        ("choice", "old_key", "old key (not one of this question's choices)"),
        # age: whole years, or a birth date with the age on the screening date
        ("age", 34, "34 years"),
        ("age", 1, "1 year"),
        ("age", "1990-05-01", "born 1 May 1990 (36 years)"),
        ("age", "1990-05-03", "born 3 May 1990 (35 years)"),  # the birthday is tomorrow
        ("age", {"birth_date": "1990-05-01"}, "born 1 May 1990 (36 years)"),
        # a number in its unit, rounded to a tenth
        ("number", "70 kg", "70 kg"),
        ("number", "69.853 kg", "69.9 kg"),
        ("number", 70, "70 kg"),
        # dates in words; never
        ("date", "2026-11-04", "4 November 2026"),
        ("date_or_never", "never", "Never"),
        ("date_or_never", "2025-01-31", "31 January 2025"),
        ("date", {"ago": "3 weeks"}, "3 weeks before the screening"),
        # a dose: the generic name and mg a day; another steroid also as prednisone
        ("dose", {"medicine": "prednisone", "mg_per_day": 10.0}, "prednisone 10 mg/day"),
        (
            "dose",
            {"medicine": "methylprednisolone", "mg_per_day": 8},
            "methylprednisolone 8 mg/day (like prednisone 10 mg/day)",
        ),
        # the brand the patient named, when it was kept
        (
            "dose",
            {"medicine": "Medrol", "mg_per_day": 32},
            "methylprednisolone (Medrol) 32 mg/day (like prednisone 40 mg/day)",
        ),
        # how the patient's words were worked out to a daily amount, as the dose reader words it
        (
            "dose",
            {"medicine": "prednisone", "mg_per_day": 10, "how": "2 × 5 mg"},
            "prednisone 10 mg/day (from 2 × 5 mg)",
        ),
        (
            "dose",
            {"medicine": "prednisone", "mg_per_day": 7.5, "how": "1½ × 5 mg"},
            "prednisone 7.5 mg/day (from 1½ × 5 mg)",
        ),
        (
            "dose",
            {"medicine": "prednisone", "mg_per_day": 10, "how": "20 mg every other day"},
            "prednisone 10 mg/day (from 20 mg every other day)",
        ),
        # the arithmetic and the prednisone equivalent in one bracket
        (
            "dose",
            {"medicine": "Medrol", "mg_per_day": 16, "how": "2 × 4 mg twice a day"},
            "methylprednisolone (Medrol) 16 mg/day (from 2 × 4 mg twice a day; like prednisone 20 mg/day)",
        ),
        # no derivation (an older row, or one amount said): just the amount
        ("dose", {"medicine": "prednisone", "mg_per_day": 10, "how": None}, "prednisone 10 mg/day"),
        ("dose", "none", "None"),
        ("dose", 0, "None"),
        # a name the lexicon does not know
        ("dose", {"medicine": "zorblax", "mg_per_day": 5}, "zorblax (not a medicine we know) 5 mg/day"),
        # a list of medicines: name, how long; unknown ones said so
        (
            "medicine_list",
            [{"medicine": "mycophenolate mofetil", "duration": "730.5 days"}, "prednisone", "zorblax"],
            "mycophenolate mofetil, 2 years; prednisone, duration not stated; zorblax (not a medicine we know)",
        ),
        # a brand is kept next to the generic name
        (
            "medicine_list",
            [{"medicine": "CellCept", "duration": "91.3125 days"}],
            "mycophenolate mofetil (CellCept), 3 months",
        ),
        # an id (as the settle form's list gives it) reads as the generic name
        ("medicine_list", ["mycophenolate_mofetil"], "mycophenolate mofetil, duration not stated"),
        (
            "medicine_list",
            [{"medicine": "zorblax", "duration": "70 days"}],
            "zorblax (not a medicine we know), 10 weeks",
        ),
        ("medicine_list", [], "None"),
        ("medicine_list", "none", "None"),
        # no answer at all
        ("yes_no", None, "not stated"),
    ],
)
def test_values_in_plain_words(lexicon: Lexicon, kind: str, value: object, words: str) -> None:
    assert plain(FACTS[kind], value, lexicon, today=TODAY) == words


@pytest.mark.parametrize(
    ("kind", "value", "gap"),
    [
        # no answer recorded, whatever the question
        ("yes_no", None, NOT_STATED),
        ("dose", None, NOT_STATED),
        ("medicine_list", None, NOT_STATED),
        # a medicine named without how long: the duration is the gap, where "2 years" would be
        ("medicine_list", ["prednisone"], "prednisone, duration not stated"),
        ("medicine_list", [{"medicine": "prednisone", "duration": None}], "prednisone, duration not stated"),
        # one item stated, one not: only the missing part says so
        (
            "medicine_list",
            [{"medicine": "MMF", "duration": "730.5 days"}, "azathioprine"],
            "mycophenolate mofetil, 2 years; azathioprine, duration not stated",
        ),
    ],
)
def test_what_was_not_said_reads_not_stated(lexicon: Lexicon, kind: str, value: object, gap: str) -> None:
    words = plain(FACTS[kind], value, lexicon, today=TODAY)
    assert words == gap
    assert "None" not in words and "unknown" not in words.casefold()  # "None" means no medicines


def test_without_the_screening_date_a_birth_date_is_only_a_date(lexicon: Lexicon) -> None:
    assert plain(FACTS["age"], "1990-05-01", lexicon) == "born 1 May 1990"


@pytest.mark.parametrize("kind", sorted(FACTS))
@pytest.mark.parametrize(
    "value",
    [
        {"medicine": "prednisone", "dose": "10 mg"},  # a dict of an old shape
        {"nested": {"deeper": [1, 2]}},  # nested
        [{"odd": True}, 3.5, None],  # a list of odd things
        "2026-13-45",  # a date that is not one
        "12 parsecs",  # a quantity of no known unit
        17.25,  # a bare number
        ["x", {"medicine": "prednisone", "duration": "forever"}],  # a duration that does not parse
    ],
)
def test_unknown_shapes_never_crash_and_never_show_json(lexicon: Lexicon, kind: str, value: object) -> None:
    words = plain(FACTS[kind], value, lexicon, today=TODAY)
    assert words and not any(mark in words for mark in '{}"[]')


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"medicine": "x", "mg_per_day": 10}, "medicine: x, mg per day: 10"),  # keys in words
        ([1, "two", None], "1; two; not stated"),  # a gap inside an odd shape is a gap too
        ({"a": {"b": 1}}, "a: (b: 1)"),  # nesting in brackets, not braces
        ([], "None"),
        (2.50, "2.5"),
        (True, "Yes"),
    ],
)
def test_the_fallback_is_compact_readable_text(value: object, words: str) -> None:
    assert compact(value) == words


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (730.5, "2 years"),  # "2 years", as stored
        (365.25, "1 year"),
        (91.3125, "3 months"),  # 3 * 365.25 / 12
        (547.875, "18 months"),  # 1.5 years reads as 18 months
        (913.125, "2.5 years"),  # 30 months reads as 2.5 years
        (70, "10 weeks"),
        (14, "2 weeks"),
        (18, "18 days"),
        (45, "45 days"),  # days as said, up to about two months
        (90, "about 3 months"),  # 90 days is not a whole number of months
        (365, "about 1 year"),
        (400.3, "about 13 months"),
        (1000, "about 2.5 years"),
        (3000, "about 8 years"),
        (0.5, "less than a day"),
        (0, "0 days"),
    ],
)
def test_durations_are_rounded_as_people_say_them(days: float, words: str) -> None:
    assert duration_words(days) == words


@pytest.mark.parametrize(
    ("days", "exact"),
    [
        (730.5, (2, "year")),
        (547.875, (18, "month")),
        (70, (10, "week")),
        (18, (18, "day")),
        (400.3, None),  # not a whole number of anything
        (0, None),
    ],
)
def test_exact_durations(days: float, exact: tuple[float, str] | None) -> None:
    assert exact_duration(days) == exact


@pytest.mark.parametrize(
    ("kind", "raw", "words"),
    [
        # what the engine stores for an answer reads back as plain words (coerce, then structured)
        ("medicine_list", [{"medicine": "MMF", "duration": "2 years"}], "mycophenolate mofetil, 2 years"),
        (
            "medicine_list",
            [{"medicine": "Plaquenil", "duration": "6 weeks"}],
            "hydroxychloroquine (Plaquenil), 6 weeks",
        ),
        ("number", "154 lb", "69.9 kg"),
        ("date", {"ago": "2 months"}, "2 March 2026"),
        ("dose", {"medicine": "Medrol", "mg_per_day": 8}, "methylprednisolone 8 mg/day (like prednisone 10 mg/day)"),
        # the derivation survives the engine and the store's structured form
        ("dose", {"medicine": "pred", "mg_per_day": 10, "how": "2 × 5 mg"}, "prednisone 10 mg/day (from 2 × 5 mg)"),
    ],
)
def test_stored_structured_values_read_well(lexicon: Lexicon, kind: str, raw: object, words: str) -> None:
    stored = structured(coerce(FACTS[kind], raw, today=TODAY, lexicon=lexicon))
    assert plain(FACTS[kind], stored, lexicon, today=TODAY) == words
