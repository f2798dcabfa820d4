"""coerce(): the one door answers enter by, for every answer type of the trial file."""

from datetime import date
from typing import Any

import pytest

from criteria import NEVER, UNSURE, Dose, MedicineUse, Trial, coerce, make_fact
from criteria.errors import Code, FactError
from criteria.quantities import Quantity
from criteria.schema import FactDef

# A body-weight question: NCT07193810 no longer asks one (the site checks the steroid dose
# per kg), but the engine keeps the number type for other trials.
BODY_WEIGHT = FactDef.parse_obj(
    {
        "id": "body_weight",
        "question": "About how much do you weigh?",
        "why": "The dose that counts as high depends on your weight.",
        "explain": "Tell us your weight in kilograms or pounds.",
        "answer": {"type": "number", "unit": "kg", "min": 25, "max": 300},
    }
)

# One fact of each answer type (NCT07193810's, and the body weight above).
BY_TYPE = {
    "yes_no": "transplant",
    "choice": "condition",
    "age": "age",
    "number": "body_weight",
    "date": "ssc_diagnosis_date",
    "date_or_never": "last_cart_date",
    "dose": "current_steroid_dose",
    "medicine_list": "current_medicines",
}


@pytest.fixture
def read(trial: Trial, today: date) -> Any:
    def _read(fact_id: str, raw: object) -> object:
        fact = BODY_WEIGHT if fact_id == "body_weight" else trial.facts[fact_id]
        return coerce(fact, raw, today=today, lexicon=trial.lexicon)

    return _read


@pytest.fixture
def reject(read: Any) -> Any:
    """Coerce, expecting a FactError that carries the fact id; return the error."""

    def _reject(fact_id: str, raw: object) -> FactError:
        with pytest.raises(FactError) as caught:
            read(fact_id, raw)
        assert caught.value.fact_id == fact_id
        return caught.value

    return _reject


def test_the_table_covers_every_answer_type_of_the_trial(trial: Trial) -> None:
    assert {f.answer.type for f in trial.facts.values()} | {"number"} == set(BY_TYPE)
    facts = {**trial.facts, "body_weight": BODY_WEIGHT}
    assert all(facts[fact_id].answer.type == kind for kind, fact_id in BY_TYPE.items())


@pytest.mark.parametrize("fact_id", BY_TYPE.values())
@pytest.mark.parametrize("raw", ["unsure", "not sure", " Not Sure ", "UNSURE"])
def test_unsure_is_a_value_of_its_own_for_every_type(read: Any, fact_id: str, raw: str) -> None:
    # Never a "no" and never an error: a person settles it.
    assert read(fact_id, raw) is UNSURE


# --- yes_no -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("no", False),
        ("Yes", True),  # case
        (" no ", False),  # padding from a button payload
        ("y", True),
        ("n", False),
        ("true", True),
        ("false", False),
        (True, True),  # JSON booleans from a facts file
        (False, False),
    ],
)
def test_yes_no(read: Any, raw: object, expected: bool) -> None:
    assert read("transplant", raw) is expected


@pytest.mark.parametrize(
    "raw",
    [
        1,  # an int is not a yes: the NLU must say what it read
        0,
        None,
        "",
        "maybe",  # hedges are "unsure" only when the NLU says so
        "yes please",  # free text is the NLU's job
        ["yes"],
    ],
)
def test_yes_no_rejects(reject: Any, raw: object) -> None:
    assert reject("transplant", raw).code is Code.FACT_VALUE_INVALID


# --- choice -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact_id", "raw"),
    [
        ("condition", "sle"),
        ("condition", "other"),  # "something else" is a real answer (it rules the patient out)
        ("sex", "female"),
        ("contraception_agreement", "yes"),  # a choice key spelled "yes" stays the string, not True
        ("contraception_agreement", "not_applicable"),
    ],
)
def test_choice_keys(read: Any, fact_id: str, raw: str) -> None:
    assert read(fact_id, raw) == raw
    assert isinstance(read(fact_id, raw), str)


@pytest.mark.parametrize(
    ("fact_id", "raw"),
    [
        ("condition", "lupus"),  # a word for a choice is the NLU's job to map
        ("condition", "SLE"),  # keys are exact
        ("condition", "Lupus (SLE)"),  # the label is not the key
        ("condition", ["sle"]),
        ("condition", None),
        ("contraception_agreement", True),  # a boolean is not the "yes" key
    ],
)
def test_choice_rejects(reject: Any, fact_id: str, raw: object) -> None:
    assert reject(fact_id, raw).code is Code.FACT_VALUE_INVALID


# --- age ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (34, 34),
        (34.0, 34),  # a whole float from JSON is a whole number of years
        (0, 0),  # the plausible range is inclusive
        (120, 120),
        ("1992-05-01", date(1992, 5, 1)),  # a birth date is kept: age is counted on the screening date
        ({"birth_date": "1992-05-01"}, date(1992, 5, 1)),
        (date(1992, 5, 1), date(1992, 5, 1)),
        ("2026-11-25", date(2026, 11, 25)),  # born on the screening date: age 0, not the future
    ],
)
def test_age(read: Any, raw: object, expected: object) -> None:
    assert read("age", raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (-1, Code.FACT_VALUE_INVALID),  # below the plausible range
        (121, Code.FACT_VALUE_INVALID),  # above it
        (30.5, Code.FACT_VALUE_INVALID),  # whole years only
        (True, Code.FACT_VALUE_INVALID),  # a boolean is not a number
        (float("nan"), Code.FACT_VALUE_INVALID),
        (float("inf"), Code.FACT_VALUE_INVALID),
        ("thirty-four", Code.FACT_VALUE_INVALID),
        ("01/05/1992", Code.FACT_VALUE_INVALID),  # ambiguous date formats are not guessed
        ({"birth_date": "1992-05-01", "age": 34}, Code.FACT_VALUE_INVALID),  # extra keys are not ignored
        ("2026-11-26", Code.FACT_IN_FUTURE),  # born tomorrow
        ({"birth_date": "2030-01-01"}, Code.FACT_IN_FUTURE),
        ("1800-01-01", Code.FACT_VALUE_INVALID),  # a birth date is held to the same range as an age
        (10**400, Code.FACT_VALUE_INVALID),  # too large for a float: a re-ask, not a crash
    ],
)
def test_age_rejects(reject: Any, raw: object, code: Code) -> None:
    assert reject("age", raw).code is code


# --- number (body weight) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kg"),
    [
        (70, 70.0),  # a bare number is in the question's unit (kg)
        (70.5, 70.5),
        ("70 kg", 70.0),
        ("154 lb", 69.853),  # converted to kg, rounded to grams
        ("154 lbs", 69.853),
        ("25 kg", 25.0),  # range is inclusive
        ("300 kg", 300.0),
    ],
)
def test_body_weight_in_kg(read: Any, raw: object, kg: float) -> None:
    assert read("body_weight", raw) == Quantity(kg, "kg")


@pytest.mark.parametrize(
    "raw",
    [
        20,  # below the plausible 25-300 kg
        301,
        "700 lb",  # 317.5 kg: the range applies after conversion
        "3 weeks",  # not a weight
        "40 mg",
        True,
        None,
        float("nan"),
    ],
)
def test_body_weight_rejects(reject: Any, raw: object) -> None:
    assert reject("body_weight", raw).code is Code.FACT_VALUE_INVALID


# --- date and date_or_never -----------------------------------------------------------------


@pytest.mark.parametrize("fact_id", ["ssc_diagnosis_date", "last_cart_date"])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-31", date(2026, 1, 31)),
        (" 2026-01-31 ", date(2026, 1, 31)),
        (date(2020, 2, 29), date(2020, 2, 29)),
        ("2026-11-25", date(2026, 11, 25)),  # the screening date itself is not in the future
        ({"ago": "3 weeks"}, date(2026, 11, 4)),  # resolved against the screening date
        ({"ago": "6 months"}, date(2026, 5, 25)),  # calendar months
        ({"ago": "14 days"}, date(2026, 11, 11)),
        ({"ago": "0 days"}, date(2026, 11, 25)),
    ],
)
def test_dates(read: Any, fact_id: str, raw: object, expected: date) -> None:
    assert read(fact_id, raw) == expected


@pytest.mark.parametrize("raw", ["never", "Never", " NEVER "])
def test_never_for_date_or_never(read: Any, raw: str) -> None:
    assert read("last_cart_date", raw) is NEVER


@pytest.mark.parametrize(
    ("fact_id", "raw", "code"),
    [
        ("ssc_diagnosis_date", "never", Code.FACT_VALUE_INVALID),  # only date_or_never takes "never"
        ("last_cart_date", "2026-11-26", Code.FACT_IN_FUTURE),  # tomorrow
        ("ssc_diagnosis_date", "2027-01-01", Code.FACT_IN_FUTURE),
        ("last_cart_date", "31/01/2026", Code.FACT_VALUE_INVALID),  # ISO dates only
        ("last_cart_date", "January 2026", Code.FACT_VALUE_INVALID),
        ("last_cart_date", 20260131, Code.FACT_VALUE_INVALID),
        ("last_cart_date", {"ago": "-3 weeks"}, Code.FACT_VALUE_INVALID),  # "ago" cannot reach the future
        ("last_cart_date", {"ago": "3 mg"}, Code.FACT_VALUE_INVALID),  # not a length of time
        ("last_cart_date", {"ago": "soon"}, Code.FACT_VALUE_INVALID),
        ("last_cart_date", {"ago": "3000 years"}, Code.FACT_VALUE_INVALID),  # before year 1
        ("last_cart_date", {"ago": "3 weeks", "when": "x"}, Code.FACT_VALUE_INVALID),  # extra keys
        ("last_cart_date", None, Code.FACT_VALUE_INVALID),
    ],
)
def test_date_rejects(reject: Any, fact_id: str, raw: object, code: Code) -> None:
    assert reject(fact_id, raw).code is code


# --- dose -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("none", Dose(None, 0.0, 0.0)),  # no steroid at all
        ("None", Dose(None, 0.0, 0.0)),
        ("no", Dose(None, 0.0, 0.0)),
        (0, Dose(None, 0.0, 0.0)),
        ({"medicine": "Medrol", "mg_per_day": 32}, Dose("methylprednisolone", 32.0, 40.0)),  # brand, converted
        ({"medicine": "prednisone", "mg_per_day": 7.5}, Dose("prednisone", 7.5, 7.5)),
        ({"medicine": "dex", "mg_per_day": 6}, Dose("dexamethasone", 6.0, 40.0)),
        ({"medicine": "Cortef", "mg_per_day": 160}, Dose("hydrocortisone", 160.0, 40.0)),
        ({"medicine": "pred", "mg_per_day": 0}, Dose("prednisone", 0.0, 0.0)),  # 0 mg of a named steroid
        ({"medicine": "prednisone", "mg_per_day": 2000}, Dose("prednisone", 2000.0, 2000.0)),  # the max is inclusive
        ({"medicine": "Medrol", "mg_per_day": 1600}, Dose("methylprednisolone", 1600.0, 2000.0)),
    ],
)
def test_dose(read: Any, raw: object, expected: Dose) -> None:
    assert read("current_steroid_dose", raw) == expected


@pytest.mark.parametrize(
    ("how", "kept"),
    [
        ("2 × 5 mg", "2 × 5 mg"),  # tablets x strength, as the dose reader words it
        ("1½ × 5 mg", "1½ × 5 mg"),  # a fraction as on a label
        ("10 mg + 5 mg", "10 mg + 5 mg"),  # split doses
        ("20 mg every other day", "20 mg every other day"),
        ("  2 × 5 mg ", "2 × 5 mg"),  # trimmed
        (None, None),  # an explicit null: no arithmetic, as when the key is absent
    ],
)
def test_a_dose_keeps_how_it_was_worked_out(read: Any, how: str | None, kept: str | None) -> None:
    value = read("current_steroid_dose", {"medicine": "prednisone", "mg_per_day": 10, "how": how})
    assert (value, value.how) == (Dose("prednisone", 10.0, 10.0), kept)
    # For people only: the same dose worked out differently, or not at all, is the same dose to the rules.
    assert value == Dose("prednisone", 10.0, 10.0, "10 mg")


@pytest.mark.parametrize(
    "how",
    [
        "",  # empty: leave the key out instead
        "   ",
        5,  # words, not a number
        ["2", "5 mg"],
        "x" * 81,  # a paragraph is not arithmetic
        "2 × 5 mg\n<b>",  # one line of text
        "2 × 5 mg\x00",
    ],
)
def test_a_dose_refuses_how_that_is_not_a_few_words(reject: Any, how: object) -> None:
    raw = {"medicine": "prednisone", "mg_per_day": 10, "how": how}
    assert reject("current_steroid_dose", raw).code is Code.FACT_VALUE_INVALID


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"medicine": "CellCept", "mg_per_day": 1000}, Code.FACT_VALUE_INVALID),  # not a steroid
        ({"medicine": "Zorblax", "mg_per_day": 10}, Code.MEDICINE_UNKNOWN),  # the patient is asked again
        ({"medicine": "prednisone", "mg_per_day": -5}, Code.FACT_VALUE_INVALID),
        ({"medicine": "prednisone", "mg_per_day": 2001}, Code.FACT_VALUE_INVALID),  # beyond any real dose
        ({"medicine": "Medrol", "mg_per_day": 1700}, Code.FACT_VALUE_INVALID),  # 2125 mg prednisone
        ({"medicine": "prednisone", "mg_per_day": "40"}, Code.FACT_VALUE_INVALID),  # numbers, not strings
        ({"medicine": "prednisone", "mg_per_day": float("nan")}, Code.FACT_VALUE_INVALID),
        ({"medicine": "prednisone"}, Code.FACT_VALUE_INVALID),  # no amount
        ({"medicine": "", "mg_per_day": 10}, Code.FACT_VALUE_INVALID),
        ({"medicine": "prednisone", "mg_per_day": 10, "times": 2}, Code.FACT_VALUE_INVALID),
        ("40 mg prednisone", Code.FACT_VALUE_INVALID),  # free text is the NLU's job
        (10, Code.FACT_VALUE_INVALID),  # a number without a medicine cannot be converted
    ],
)
def test_dose_rejects(reject: Any, raw: object, code: Code) -> None:
    assert reject("current_steroid_dose", raw).code is code


# --- medicine_list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("none", ()),
        ("Nothing", ()),
        ([], ()),
        (
            ["CellCept", "PLAQUENIL®"],
            (
                MedicineUse("CellCept", "mycophenolate_mofetil"),
                MedicineUse("PLAQUENIL®", "hydroxychloroquine"),  # the patient's words are kept as said
            ),
        ),
        (
            [{"medicine": "MMF", "duration": "1 year"}, {"medicine": "Rituxan", "duration": "6 months"}],
            (
                MedicineUse("MMF", "mycophenolate_mofetil", 365.25),
                MedicineUse("Rituxan", "rituximab", 182.625),  # durations are mean-length days
            ),
        ),
        (
            [{"medicine": "Imuran"}, {"medicine": "MTX", "duration": None}],
            (MedicineUse("Imuran", "azathioprine"), MedicineUse("MTX", "methotrexate")),  # duration unknown
        ),
        (
            ["Zorblax", {"medicine": "Frobnicil", "duration": "2 years"}],
            # Names we cannot place are kept, with medicine None: the evaluator sends them to a person.
            (MedicineUse("Zorblax", None), MedicineUse("Frobnicil", None, 730.5)),
        ),
        (
            ("HCQ", "pred"),  # a tuple is as good as a list
            (MedicineUse("HCQ", "hydroxychloroquine"), MedicineUse("pred", "prednisone")),
        ),
    ],
)
def test_medicine_list(read: Any, raw: object, expected: tuple[MedicineUse, ...]) -> None:
    assert read("current_medicines", raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "CellCept",  # one name must come as a list of one
        {"medicine": "CellCept"},
        [{"medicine": "MMF", "duration": "-1 year"}],  # negative duration
        [{"medicine": "MMF", "duration": "a long time"}],  # garbage duration
        [{"medicine": "MMF", "duration": "3 mg"}],  # not a length of time
        [{"medicine": "MMF", "duration": 3}],  # a bare number has no unit
        [{"medicine": "MMF", "dose": "10 mg"}],  # unknown key
        [{"duration": "1 year"}],  # no medicine
        [""],  # an empty name
        [None],
        [{"medicine": 5}],
        None,
    ],
)
def test_medicine_list_rejects(reject: Any, raw: object) -> None:
    assert reject("current_medicines", raw).code is Code.FACT_VALUE_INVALID


def test_medicine_list_with_implied_duration_still_reads_stated_ones(read: Any, trial: Trial) -> None:
    # past_medicines implies "3 months or more" in its question; a stated duration is still kept.
    assert trial.facts["past_medicines"].answer.implied_min_duration == "3 months"
    assert read("past_medicines", [{"medicine": "Arava", "duration": "2 years"}]) == (
        MedicineUse("Arava", "leflunomide", 730.5),
    )


# --- make_fact ----------------------------------------------------------------------------


def test_make_fact_wraps_the_value_with_its_metadata(trial: Trial, today: date) -> None:
    fact = make_fact(
        trial.facts["transplant"], "yes", today=today, lexicon=trial.lexicon, said="yeah, a kidney", confidence=0.6
    )
    assert (fact.id, fact.value, fact.said, fact.confidence) == ("transplant", True, "yeah, a kidney", 0.6)
    assert fact.set_by == "patient" and not fact.conflicting and not fact.unsure


def test_make_fact_propagates_the_fact_error(trial: Trial, today: date) -> None:
    with pytest.raises(FactError) as caught:
        make_fact(trial.facts["age"], 200, today=today, lexicon=trial.lexicon, said="two hundred")
    assert caught.value.fact_id == "age"
    assert str(caught.value).startswith("[CRIT-102] ")


def test_absurd_time_ago_is_a_reask_not_a_crash(reject: Any) -> None:
    # "1000000000 weeks ago" overflows the calendar; the patient is asked again.
    assert reject("last_cart_date", {"ago": "1000000000 weeks"}).code is Code.FACT_VALUE_INVALID


def test_a_non_steroid_dose_message_reads_well(reject: Any) -> None:
    message = reject("current_steroid_dose", {"medicine": "CellCept", "mg_per_day": 1000}).message
    assert "is not a steroid medicine" in message
    assert "a a " not in message


# --- structured: the inverse of coerce, for slots and the database -------------------------


@pytest.mark.parametrize(
    ("fact_id", "raw"),
    [
        ("age", 34),
        ("age", "1990-05-01"),  # a birth date stays a birth date
        ("sex", "female"),
        ("transplant", "no"),
        ("transplant", "unsure"),
        ("body_weight", "154 lb"),
        ("last_cart_date", "never"),
        ("last_cart_date", {"ago": "3 weeks"}),
        ("current_steroid_dose", {"medicine": "Medrol", "mg_per_day": 32}),
        ("current_steroid_dose", {"medicine": "Medrol", "mg_per_day": 32, "how": "2 × 16 mg"}),  # with how
        ("current_steroid_dose", "none"),
        ("current_medicines", ["CellCept", {"medicine": "MTX", "duration": "1 year"}, "zorblax"]),
        ("current_medicines", "none"),
    ],
)
def test_structured_round_trips(read: Any, fact_id: str, raw: object) -> None:
    import json

    from criteria import structured

    value = read(fact_id, raw)
    again = read(fact_id, json.loads(json.dumps(structured(value))))
    assert again == value
    assert getattr(again, "how", None) == getattr(value, "how", None)  # not compared by ==, kept all the same
