"""The settle form's fields: read into the structured value coerce accepts, refused with a clear code.

The questions are the ones of tests/inbox/test_plain.py (one per answer type, made there),
so the tables do not move when the trial file changes; medicines come from the real lexicon.
"""

from __future__ import annotations

from datetime import date

import pytest

from criteria import coerce, structured
from criteria.lexicon import Lexicon, load_lexicon
from inbox import fields
from inbox.fields import FieldError, from_raw, to_raw
from tests.inbox.test_plain import FACTS, TODAY


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_every_answer_type_of_the_schema_has_its_fields() -> None:
    from typing import get_args

    from criteria.schema import AnswerType

    assert set(get_args(AnswerType)) == set(FACTS)


@pytest.mark.parametrize(
    ("kind", "form", "raw"),
    [
        # yes / no / not sure radios
        ("yes_no", {"answer": "yes"}, True),
        ("yes_no", {"answer": "no"}, False),
        ("yes_no", {"answer": "unsure"}, "unsure"),
        # a choice key from the select, or not sure; a key that looks like yes stays a key
        ("choice", {"answer": "sle"}, "sle"),
        ("choice", {"answer": "yes"}, "yes"),
        ("choice", {"answer": "unsure"}, "unsure"),
        # age: whole years or a birth date, or not sure
        ("age", {"years": "34"}, 34),
        ("age", {"years": " 40 ", "birth_date": ""}, 40),  # empty fields are not given
        ("age", {"birth_date": "1990-05-01"}, {"birth_date": "1990-05-01"}),
        ("age", {"unsure": "yes"}, "unsure"),
        # a number in the question's unit, or another weight unit
        ("number", {"number": "70", "unit": "kg"}, 70.0),
        ("number", {"number": "70,5", "unit": "kg"}, 70.5),  # a decimal comma
        ("number", {"number": "154", "unit": "lb"}, "154 lb"),
        ("number", {"number": "70"}, 70.0),  # no unit posted: the question's
        ("number", {"unsure": "yes"}, "unsure"),
        # a date, never (date_or_never only), not sure
        ("date", {"date": "2026-03-01"}, "2026-03-01"),
        ("date", {"date": "2026-05-02"}, "2026-05-02"),  # the screening date itself
        ("date", {"unsure": "yes"}, "unsure"),
        ("date_or_never", {"date": "2025-12-24"}, "2025-12-24"),
        ("date_or_never", {"never": "yes"}, "never"),
        ("date_or_never", {"unsure": "yes"}, "unsure"),
        # a dose: the steroid and mg a day, none, not sure
        ("dose", {"medicine": "prednisone", "mg_per_day": "10"}, {"medicine": "prednisone", "mg_per_day": 10.0}),
        (
            "dose",
            {"medicine": "methylprednisolone", "mg_per_day": "2.5"},
            {"medicine": "methylprednisolone", "mg_per_day": 2.5},
        ),
        ("dose", {"none": "yes", "medicine": "", "mg_per_day": ""}, "none"),
        ("dose", {"unsure": "yes"}, "unsure"),
        # a list: medicines from the list or by name, with how long or without
        (
            "medicine_list",
            {
                "medicine_1": "mycophenolate_mofetil",
                "duration_1": "2",
                "duration_unit_1": "years",
                "medicine_2": "prednisone",
                "duration_2": "",
                "duration_unit_2": "years",  # a unit alone is no duration
                "name_3": "zorblax",
                "medicine_4": "",
                "name_4": "",
                "duration_unit_4": "months",  # an empty row is skipped
                "name_5": "Plaquenil",
                "duration_5": "10",
                "duration_unit_5": "weeks",
            },
            [
                {"medicine": "mycophenolate mofetil", "duration": "2 years"},
                "prednisone",
                "zorblax",
                {"medicine": "Plaquenil", "duration": "10 weeks"},
            ],
        ),
        (
            "medicine_list",
            {"medicine_12": "rituximab", "duration_12": "1.5", "duration_unit_12": "months"},
            [{"medicine": "rituximab", "duration": "1.5 months"}],
        ),  # any row number, a decimal length
        ("medicine_list", {"none": "yes", "medicine_1": "", "duration_unit_1": "years"}, "none"),
        ("medicine_list", {"unsure": "yes"}, "unsure"),
    ],
)
def test_fields_give_the_structured_value(lexicon: Lexicon, kind: str, form: dict[str, str], raw: object) -> None:
    assert to_raw(FACTS[kind], form, today=TODAY, lexicon=lexicon) == raw


@pytest.mark.parametrize(
    ("kind", "form", "code", "field"),
    [
        # nothing given: say what would do
        ("yes_no", {}, "INBOX-013", "answer"),
        ("choice", {"answer": ""}, "INBOX-013", "answer"),
        ("age", {"years": "", "birth_date": ""}, "INBOX-013", "years"),
        ("number", {"unit": "kg"}, "INBOX-013", "number"),
        ("date", {}, "INBOX-013", "date"),
        ("date_or_never", {"date": ""}, "INBOX-013", "date"),
        ("dose", {"medicine": "", "mg_per_day": ""}, "INBOX-013", "mg_per_day"),
        ("medicine_list", {"medicine_1": "", "name_1": " ", "duration_unit_1": "years"}, "INBOX-013", "medicine_1"),
        # two answers at once
        ("age", {"years": "34", "birth_date": "1990-05-01"}, "INBOX-014", "years"),
        ("age", {"years": "34", "unsure": "yes"}, "INBOX-014", "years"),
        ("number", {"number": "70", "unsure": "yes"}, "INBOX-014", "number"),
        ("date_or_never", {"date": "2025-01-01", "never": "yes"}, "INBOX-014", "date"),
        ("date_or_never", {"never": "yes", "unsure": "yes"}, "INBOX-014", "never"),
        ("dose", {"medicine": "prednisone", "mg_per_day": "10", "none": "yes"}, "INBOX-014", "medicine"),
        ("dose", {"none": "yes", "unsure": "yes"}, "INBOX-014", "none"),
        ("medicine_list", {"medicine_1": "prednisone", "none": "yes"}, "INBOX-014", "medicine_1"),
        # what is not a number or a date
        ("age", {"years": "thirty"}, "INBOX-015", "years"),
        ("number", {"number": "nan"}, "INBOX-015", "number"),
        ("number", {"number": "1e999"}, "INBOX-015", "number"),  # infinite
        ("dose", {"medicine": "prednisone", "mg_per_day": "ten"}, "INBOX-015", "mg_per_day"),
        ("medicine_list", {"medicine_1": "prednisone", "duration_1": "long"}, "INBOX-015", "duration_1"),
        ("age", {"birth_date": "01/05/1990"}, "INBOX-016", "birth_date"),
        ("date", {"date": "last spring"}, "INBOX-016", "date"),
        # what is not in the lists the form offers
        ("yes_no", {"answer": "maybe"}, "INBOX-017", "answer"),
        ("choice", {"answer": "lupus"}, "INBOX-017", "answer"),
        ("number", {"number": "70", "unit": "stone"}, "INBOX-017", "unit"),
        ("dose", {"medicine": "mycophenolate_mofetil", "mg_per_day": "1000"}, "INBOX-017", "medicine"),  # no steroid
        ("medicine_list", {"medicine_1": "zorblax"}, "INBOX-017", "medicine_1"),  # not a lexicon id
        (
            "medicine_list",
            {"medicine_1": "prednisone", "duration_1": "2", "duration_unit_1": "decades"},
            "INBOX-017",
            "duration_unit_1",
        ),
        # a medicine row that makes no sense
        ("medicine_list", {"medicine_2": "prednisone", "name_2": "Deltasone"}, "INBOX-018", "name_2"),
        ("medicine_list", {"medicine_1": "prednisone", "duration_3": "2"}, "INBOX-019", "duration_3"),
        ("medicine_list", {"medicine_1": "prednisone", "duration_1": "0"}, "INBOX-020", "duration_1"),
        ("medicine_list", {"medicine_1": "prednisone", "duration_1": "-2"}, "INBOX-020", "duration_1"),
        (
            "medicine_list",
            {"medicine_1": "prednisone", "duration_1": "200", "duration_unit_1": "years"},
            "INBOX-020",
            "duration_1",
        ),
        ("medicine_list", {"name_1": "x" * 101}, "INBOX-020", "name_1"),
        # half a dose; an age in part-years
        ("dose", {"medicine": "prednisone", "mg_per_day": ""}, "INBOX-020", "mg_per_day"),
        ("dose", {"mg_per_day": "10"}, "INBOX-020", "medicine"),
        ("age", {"years": "34.5"}, "INBOX-020", "years"),
        # read, but it does not fit the question: the criteria's reason (INBOX-007)
        ("age", {"years": "12"}, "INBOX-007", "years"),  # below the question's minimum
        ("age", {"birth_date": "2027-01-01"}, "INBOX-007", "birth_date"),  # born after the screening date
        ("number", {"number": "700", "unit": "lb"}, "INBOX-007", "number"),  # 317 kg: beyond the maximum
        ("date", {"date": "2026-05-03"}, "INBOX-007", "date"),  # after the screening date
        ("dose", {"medicine": "prednisone", "mg_per_day": "5000"}, "INBOX-007", "mg_per_day"),
        ("dose", {"medicine": "prednisone", "mg_per_day": "-1"}, "INBOX-007", "mg_per_day"),
    ],
)
def test_fields_that_do_not_make_an_answer_are_refused(
    lexicon: Lexicon, kind: str, form: dict[str, str], code: str, field: str
) -> None:
    with pytest.raises(FieldError) as refused:
        to_raw(FACTS[kind], form, today=TODAY, lexicon=lexicon)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert str(refused.value).endswith(f"({code})")  # the message carries its code, as every inbox error does
    assert "{" not in str(refused.value)  # every placeholder filled


@pytest.mark.parametrize(
    ("kind", "form", "message"),
    [
        # the messages say what to do, in words
        ("yes_no", {}, "Give an answer: yes, no or not sure. (INBOX-013)"),
        (
            "date_or_never",
            {"date": "2025-01-01", "never": "yes"},
            "Give one answer only: a date and Never. (INBOX-014)",
        ),
        ("dose", {"mg_per_day": "10"}, "Dose: give both the steroid and its mg a day, or tick None. (INBOX-020)"),
        ("medicine_list", {"duration_3": "2"}, "Medicine 3: a duration needs a medicine. (INBOX-019)"),
        (
            "age",
            {"birth_date": "1 May 1990"},
            "Birth date: enter a date as year-month-day, such as 2026-05-02. (INBOX-016)",
        ),
    ],
)
def test_refusals_read_well(lexicon: Lexicon, kind: str, form: dict[str, str], message: str) -> None:
    with pytest.raises(FieldError) as refused:
        to_raw(FACTS[kind], form, today=TODAY, lexicon=lexicon)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("kind", "stored", "form"),
    [
        # a stored answer fills its fields
        ("yes_no", True, {"answer": "yes"}),
        ("yes_no", False, {"answer": "no"}),
        ("choice", "sle", {"answer": "sle"}),
        ("age", 34, {"years": "34"}),
        ("age", "1990-05-01", {"birth_date": "1990-05-01"}),
        ("number", "69.853 kg", {"number": "69.853", "unit": "kg"}),
        ("date", "2026-03-01", {"date": "2026-03-01"}),
        ("date_or_never", "never", {"never": "yes"}),
        (
            "dose",
            {"medicine": "methylprednisolone", "mg_per_day": 8.0},
            {"medicine": "methylprednisolone", "mg_per_day": "8"},
        ),
        ("dose", "none", {"none": "yes"}),
        # a brand is found in the list; an unknown name stays a name; durations in the unit said
        (
            "medicine_list",
            [
                {"medicine": "CellCept", "duration": "730.5 days"},
                "zorblax",
                {"medicine": "prednisone", "duration": "70 days"},
                {"medicine": "hcq", "duration": "400.3 days"},
            ],
            {
                "medicine_1": "mycophenolate_mofetil",
                "duration_1": "2",
                "duration_unit_1": "years",
                "name_2": "zorblax",
                "medicine_3": "prednisone",
                "duration_3": "10",
                "duration_unit_3": "weeks",
                "medicine_4": "hydroxychloroquine",
                "duration_4": "400.3",
                "duration_unit_4": "days",
            },
        ),
        ("medicine_list", [], {"none": "yes"}),
        # "not sure" leaves the fields empty: settling it means choosing what it is
        ("yes_no", "unsure", {}),
        ("medicine_list", "unsure", {}),
        # no answer, or one of an unknown shape: empty fields, never an error
        ("dose", None, {}),
        ("dose", {"medicine": "prednisone"}, {}),
        ("age", "not a date", {}),
        ("choice", "old_key", {}),
        ("number", "12 parsecs", {}),
        ("medicine_list", [{"medicine": "x", "duration": "forever"}], {}),
    ],
)
def test_a_stored_answer_fills_the_fields(lexicon: Lexicon, kind: str, stored: object, form: dict[str, str]) -> None:
    assert from_raw(FACTS[kind], stored, lexicon) == form


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        # what the engine stores reads back from its fields to the same answer
        ("yes_no", True),
        ("choice", "yes"),
        ("age", 34),
        ("age", {"birth_date": "1990-05-01"}),
        ("number", "154 lb"),
        ("date", {"ago": "3 weeks"}),
        ("date_or_never", "never"),
        ("dose", {"medicine": "Medrol", "mg_per_day": 32}),
        ("dose", "none"),
        ("medicine_list", [{"medicine": "MMF", "duration": "18 months"}, "zorblax", "prednisone"]),
        ("medicine_list", [{"medicine": "rituximab", "duration": "400.3 days"}]),
        ("medicine_list", "none"),
    ],
)
def test_fields_round_trip_a_stored_answer(lexicon: Lexicon, kind: str, raw: object) -> None:
    fact = FACTS[kind]
    stored = structured(coerce(fact, raw, today=TODAY, lexicon=lexicon))
    again = to_raw(fact, from_raw(fact, stored, lexicon), today=TODAY, lexicon=lexicon)
    first, second = (coerce(fact, value, today=TODAY, lexicon=lexicon) for value in (stored, again))
    if kind == "medicine_list" and isinstance(first, tuple) and isinstance(second, tuple):
        # The medicine and how long are kept; a brand picked from the list reads as its generic name.
        assert [(u.medicine, u.duration_days) for u in first] == [(u.medicine, u.duration_days) for u in second]
    else:
        assert first == second


def test_the_options_come_from_the_trial_and_the_lexicon(lexicon: Lexicon) -> None:
    choices = fields.choice_options(FACTS["choice"])
    assert choices[-1] == ("unsure", "Not sure") and ("sle", "Lupus (SLE)") in choices
    steroids = dict(fields.dose_options(FACTS["dose"], lexicon))
    assert "prednisone" in steroids and "mycophenolate_mofetil" not in steroids
    assert steroids["methylprednisolone"].startswith("methylprednisolone (Medrol")  # brands in the label
    groups = fields.medicine_groups(lexicon)
    listed = [key for _, options in groups for key, _ in options]
    assert sorted(listed) == sorted(lexicon.medicines)  # every medicine, once
    assert fields.number_units(FACTS["number"]) == ("kg", "lb")


def test_the_form_shows_six_rows_or_more_when_a_list_is_longer(lexicon: Lexicon) -> None:
    fact = FACTS["medicine_list"]
    assert fields.settle_form(fact, lexicon, today=TODAY, values={}).rows == (1, 2, 3, 4, 5, 6)
    long_list = {f"name_{row}": f"med {row}" for row in range(1, 9)}
    form = fields.settle_form(fact, lexicon, today=TODAY, values=long_list)
    assert form.rows == tuple(range(1, 10))  # every row entered, and one more
    posted = {f"duration_unit_{row}": "years" for row in range(1, 7)} | {"name_2": "zorblax"}
    assert fields.settle_form(fact, lexicon, today=TODAY, values=posted).rows == (1, 2, 3, 4, 5, 6)  # units alone
    assert form.max_date == date(2026, 5, 2).isoformat()
