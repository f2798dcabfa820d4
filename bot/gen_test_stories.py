"""Generate the test stories for ``rasa test``: ``bot/tests/test_stories.yml`` and ``test_patient_words.yml``.

``test_stories.yml``: each scenario is screened by the real planner (``criteria.simulate``),
so the number of form turns, the outcome and its branch (result, contact details, pause)
are what the bot will really do; the story then pins the dialogue around them (rules,
forms, side questions), with intents only.

``test_patient_words.yml``: the issue's examples in a patient's own words (``user:`` text and
the intent NLU gives it), with what the form must do with each (the question it asks next,
the answer it keeps, the read-back it asks, the outcome). ``rasa test core`` checks the
dialogue around them; ``tests/e2e/test_patient_words.py`` sends the same words to the real
servers and checks the conversation they produce step by step against the story. Run
after changing the trial or the rules::

    python -m bot.gen_test_stories            # writes the file
    python -m bot.gen_test_stories --check    # exits 1 when it is out of date
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.examples import CLEAR_TEXT, SLE_CHAT
from criteria import Status, load_trial
from criteria.examples import IIM, SLE, SSC
from criteria.simulate import CLEAR_BY_TYPE, run_screening

OUT = Path(__file__).parent / "tests" / "test_stories.yml"
PATIENT_WORDS_OUT = Path(__file__).parent / "tests" / "test_patient_words.yml"
TODAY = date(2026, 11, 25)


@dataclass
class Scenario:
    """One conversation: a patient, and what they say besides answers (after which answer)."""

    name: str
    patient: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    aside: tuple[int, str] | None = None  # (after this many answers, intent)
    contact: bool = True
    unreadable_at: int | None = None  # this answer cannot be read, nor its repetition


SCENARIOS = [
    Scenario("lupus patient, likely eligible, leaves a phone number", SLE),
    Scenario("myositis patient, likely eligible, leaves an e-mail", IIM),
    Scenario("scleroderma patient, likely eligible, declines contact", SSC, contact=False),
    Scenario("too old", SLE, {"age": 70}),
    Scenario("too young", SLE, {"age": 17}),
    Scenario("another condition", SLE, {"condition": "other", "condition_other": "something_else"}),
    Scenario(
        "a condition close to the study's goes to a coordinator",
        SLE,
        {"condition": "other", "condition_other": "overlap"},
    ),
    Scenario("pregnant", SLE, {"pregnant_or_breastfeeding": "yes"}),
    Scenario(
        "lupus steroid dose above 40 mg", SLE, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 50}}
    ),
    Scenario("lupus, only one immune medicine", SLE, {"past_medicines": "none"}),
    Scenario("lupus, Saphnelo in the last 3 months", SLE, {"last_nonstandard_sle_date": {"ago": "1 month"}}),
    Scenario("lupus kidney flare", SLE, {"recent_kidney_flare": "yes"}),
    Scenario("on dialysis", SLE, {"dialysis": "yes"}),
    Scenario("inclusion body myositis", IIM, {"myositis_type": "inclusion_body"}),
    Scenario(
        "myositis, never had steroids",
        IIM,
        {"current_medicines": [{"medicine": "methotrexate", "duration": "1 year"}], "ever_steroids": "no"},
    ),
    Scenario(
        "myositis steroid dose above 60 mg", IIM, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 70}}
    ),
    Scenario("limited scleroderma", SSC, {"ssc_type": "limited"}),
    Scenario("scleroderma for more than 5 years", SSC, {"ssc_diagnosis_date": {"ago": "7 years"}}),
    Scenario(
        "scleroderma steroid dose above 10 mg",
        SSC,
        {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 15}},
    ),
    Scenario("scleroderma lung pressure treated", SSC, {"ssc_pah_treated": "yes"}),
    Scenario("transplant", SSC, {"transplant": "yes"}),
    Scenario("CAR-T 2 months ago", SSC, {"last_cart_date": {"ago": "2 months"}}),
    Scenario("rituximab 2 weeks ago", SSC, {"last_bcell_therapy_date": {"ago": "2 weeks"}, "bcell_recovered": "no"}),
    Scenario("live vaccine 2 weeks ago", SSC, {"last_live_vaccine_date": {"ago": "2 weeks"}}),
    Scenario("serious infection last week", SSC, {"last_serious_infection_date": {"ago": "1 week"}}),
    Scenario("major surgery 3 weeks ago", SSC, {"last_surgery_date": {"ago": "3 weeks"}, "last_surgery_major": "yes"}),
    Scenario("cancer 2 years ago", SSC, {"last_cancer_date": {"ago": "2 years"}}),
    Scenario("HIV or hepatitis now", SSC, {"infection_now": "yes"}),
    Scenario("hepatitis B in the past goes to a coordinator", SSC, {"infection_now": "past"}),
    Scenario(
        "on mycophenolate for 10 weeks: not yet",
        SLE,
        {
            "current_medicines": [
                {"medicine": "prednisone", "duration": "2 years"},
                {"medicine": "CellCept", "duration": "10 weeks"},
                {"medicine": "Plaquenil", "duration": "3 years"},
            ]
        },
    ),
    Scenario("tuberculosis", SSC, {"tuberculosis": "yes"}),
    Scenario("recent heart attack", IIM, {"recent_heart_event": "yes"}),
    Scenario("recent seizure", IIM, {"recent_brain_event": "yes"}),
    Scenario("other drug study last week", IIM, {"last_trial_date": {"ago": "1 week"}}),
    Scenario("no birth control", IIM, {"contraception_agreement": "no"}),
    Scenario("not sure of age goes to a coordinator", SLE, {"age": "unsure"}),
    Scenario("another autoimmune disease goes to a coordinator", SSC, {"other_autoimmune_treated": "yes"}),
    Scenario("antibody allergy goes to a coordinator", IIM, {"antibody_allergy": "yes"}, contact=False),
    Scenario("an answer the bot cannot read twice goes to a coordinator", IIM, unreadable_at=4),
    Scenario("asks for a person mid-way", SLE, aside=(3, "human")),
    Scenario("asks a medical question mid-way", SSC, aside=(2, "medical_question")),
    Scenario("asks why a question is asked", SLE, aside=(2, "why_ask")),
    Scenario("asks what a word means", IIM, aside=(4, "explain")),
    Scenario("asks about the study mid-way", SSC, aside=(1, "about_study")),
    Scenario("asks if it is a bot mid-way", SLE, aside=(5, "bot_challenge")),
    Scenario("changes an answer", SLE, aside=(3, "change_answer")),
    Scenario("stops mid-way", IIM, aside=(3, "stop")),
    Scenario("starts over mid-way", SSC, aside=(2, "start_over")),
]

_ANSWER_INTENT = {"yes": "affirm", "no": "deny", "unsure": "unsure", "never": "deny", "none": "deny"}
_ASIDE_STEPS = {
    "why_ask": ["action_explain"],
    "explain": ["action_explain"],
    "about_study": ["utter_about_study"],
    "bot_challenge": ["utter_bot_challenge"],
    "change_answer": ["action_change_answer"],
}


def _user(intent: str) -> dict[str, Any]:
    return {"intent": intent}


def _answer_intent(raw: object) -> str:
    return _ANSWER_INTENT.get(raw, "inform") if isinstance(raw, str) else "inform"


def _contact(steps: list[dict[str, Any]], *, give: bool, email: bool) -> None:
    steps += [{"action": "contact_form"}, {"active_loop": "contact_form"}]
    if not give:
        steps += [_user("deny"), {"action": "contact_form"}, {"active_loop": None}]
        return
    for intent in ("affirm", "inform", "inform", "inform"):  # yes, phone/e-mail, the number or address, a time
        steps += [_user(intent), {"action": "contact_form"}]
    steps.append({"active_loop": None})


def story(scenario: Scenario) -> dict[str, Any]:
    """The test story for one scenario."""
    trial = load_trial("NCT07193810")
    answers = {**scenario.patient, **scenario.changes}
    run = run_screening(trial, answers, TODAY, defaults=CLEAR_BY_TYPE, stop_for_coordinator=True)
    asked, status = run.asked, run.result.status
    if scenario.unreadable_at is not None:
        asked, status = asked[: scenario.unreadable_at], Status.NEEDS_COORDINATOR
    steps: list[dict[str, Any]] = [
        _user("greet"),
        {"action": "utter_greet"},
        {"action": "utter_ask_consent"},
        _user("affirm"),
        {"action": "action_start_screening"},
        {"action": "screening_form"},
        {"active_loop": "screening_form"},
    ]
    for index, fact_id in enumerate(asked):
        if scenario.aside and scenario.aside[0] == index:
            intent = scenario.aside[1]
            steps.append(_user(intent))
            if intent in {"human", "medical_question"}:
                steps += [
                    {"action": "action_handoff"},
                    {"active_loop": None},
                    {"slot_was_set": [{"outcome": "handoff"}]},
                ]
                _contact(steps, give=False, email=False)
                steps.append({"action": "action_pause"})
                return {"story": scenario.name, "steps": steps}
            if intent == "stop":
                steps += [{"action": "action_stop"}, {"active_loop": None}]
                return {"story": scenario.name, "steps": steps}
            if intent == "start_over":
                steps += [
                    {"action": "action_restart_screening"},
                    {"active_loop": None},
                    {"action": "utter_ask_consent"},
                ]
                return {"story": scenario.name, "steps": steps}
            steps += [{"action": a} for a in _ASIDE_STEPS[intent]]
            steps += [{"action": "screening_form"}, {"active_loop": "screening_form"}]
        steps += [
            _user(_answer_intent(answers.get(fact_id, CLEAR_BY_TYPE.get(trial.facts[fact_id].answer.type)))),
            {"action": "screening_form"},
        ]
    if scenario.unreadable_at is not None:
        # Asked once more (the form stays on the question), then handed to a person.
        steps += [_user("inform"), {"action": "screening_form"}, _user("inform"), {"action": "screening_form"}]
    outcome = {
        Status.NOT_ELIGIBLE: "not_eligible",
        Status.LIKELY_ELIGIBLE: "likely_eligible",
        Status.NOT_YET: "not_yet",
    }.get(status, "handoff")
    steps += [
        {"active_loop": None},
        {"slot_was_set": [{"requested_slot": None}]},
        {"action": "action_screening_outcome"},
        {"slot_was_set": [{"outcome": outcome}]},
    ]
    if outcome == "not_eligible":
        return {"story": scenario.name, "steps": steps}
    _contact(steps, give=scenario.contact, email=scenario.patient is IIM)
    if outcome == "handoff":
        steps.append({"action": "action_pause"})
    return {"story": scenario.name, "steps": steps}


_OPENING = [_user("greet"), {"action": "utter_greet"}, {"action": "utter_ask_consent"}]
_NOT_UNDERSTOOD = [
    _user("nlu_fallback"),
    {"action": "action_not_understood"},
    {"action": "utter_ask_consent"},
]

# Conversations around the screening form, written out step by step.
BESIDE_THE_FORM = [
    {"story": "consent declined", "steps": [*_OPENING, _user("deny"), {"action": "action_decline_consent"}]},
    {
        # "/deny" would be obeyed by Rasa as the intent deny (declining consent); it is read as
        # the word "deny", which the bot does not understand, so it asks again.
        "story": "a typed command is read as words, never obeyed",
        "steps": [
            *_OPENING,
            {"user": "/deny", "intent": "nlu_fallback"},
            {"action": "action_not_understood"},
            {"action": "utter_ask_consent"},
            _user("affirm"),
            {"action": "action_start_screening"},
            {"action": "screening_form"},
            {"active_loop": "screening_form"},
        ],
    },
    {
        "story": "not understood twice goes to a coordinator",
        "steps": [
            *_OPENING,
            *_NOT_UNDERSTOOD,
            _user("nlu_fallback"),
            {"action": "action_not_understood"},
            {"active_loop": None},
            {"slot_was_set": [{"outcome": "handoff"}]},
            {"action": "contact_form"},
            {"active_loop": "contact_form"},
            _user("deny"),
            {"action": "contact_form"},
            {"active_loop": None},
            {"action": "action_pause"},
        ],
    },
]


def render() -> str:
    """The whole test-story file."""
    body = {"version": "3.1", "stories": [story(s) for s in SCENARIOS] + BESIDE_THE_FORM}
    header = "# Generated by `python -m bot.gen_test_stories` (scenarios are listed there). Do not edit by hand.\n"
    return header + yaml.safe_dump(body, sort_keys=False, width=120)


# --- the issue's examples, in a patient's own words -------------------------------------------

Step = dict[str, Any]


@dataclass
class Said:
    """One message of the patient: the words, the intent NLU gives them, and what the bot does next."""

    text: str
    intent: str
    then: list[Step]


@dataclass
class PatientStory:
    """A conversation around one of the issue's examples.

    The patient answers every question before ``at`` in the words of ``bot.examples``
    (``SLE_CHAT``, "no", "never"; a scleroderma patient says "scleroderma"), then says
    ``turns``. ``at="__end__"``: every question is answered, the likely-eligible result is
    given, and ``turns`` are said at the contact step. ``mismatch``: the bot does not do
    this yet (the story is what the issue describes; its replay on the real servers is an
    expected failure, and the reason says what the bot does instead).
    """

    name: str
    bullet: str  # the part of the issue it covers
    cohort: str  # "sle" or "ssc"
    at: str
    turns: list[Said]
    mismatch: str | None = None


# Structured answers with the same meaning as the words said, for the planner's question order.
_SAID = {
    "sle": ({**SLE, "past_medicines": [{"medicine": "methotrexate", "duration": "1 year"}]}, dict(SLE_CHAT)),
    "ssc": (SSC, {"condition": "scleroderma"}),
}
_INTENT_OF_WORDS = {"no": "deny", "never": "deny", "yes": "affirm"}


def _form(asks: str | None = None, **slots: Any) -> list[Step]:
    """The form reads the message; ``asks``: the question (or "followup") it asks next; ``slots``: what it keeps."""
    kept = [{name: value} for name, value in slots.items()]
    if asks is not None:
        kept.append({"requested_slot": asks})
    return [{"action": "screening_form"}, *([{"slot_was_set": kept}] if kept else [])]


def _outcome(status: str, **slots: Any) -> list[Step]:
    """The form is done (``slots``: what the last message set): the result, then the contact step if it has one."""
    steps: list[Step] = [
        *_form(**slots),
        {"active_loop": None},
        {"slot_was_set": [{"requested_slot": None}]},
        {"action": "action_screening_outcome"},
        {"slot_was_set": [{"outcome": status}]},
    ]
    if status != "not_eligible":
        steps += [{"action": "contact_form"}, {"active_loop": "contact_form"}]
    return steps


def _handed_off(reason: str) -> list[Step]:
    """A rule hands the chat to a person (a request, a medical question): the result card, then the contact step."""
    return [
        {"action": "action_handoff"},
        {"active_loop": None},
        {"slot_was_set": [{"outcome": "handoff"}, {"handoff_reason": reason}]},
        {"action": "contact_form"},
        {"active_loop": "contact_form"},
    ]


_NO_CONTACT = Said("no thanks", "deny", [{"action": "contact_form"}, {"active_loop": None}, {"action": "action_pause"}])
_READ_BACK = "I understood that you are {} years old. Is that right?"
_READ_BACK_CHOICE = "I understood your answer as \u201c{}\u201d. Is that right?"


def _confirm(fact: str, **more: Any) -> dict[str, Any]:
    return {"kind": "confirm", "fact": fact, **more}


def _dose(mg: float, medicine: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"mg_per_day": mg}
    if medicine:
        value["medicine"] = medicine
    return {"value": value}


_TRANSPLANT = "You also told me something about this: {} I understood your answer as yes. Is that right?"


def _transplant_read_back() -> dict[str, Any]:
    question = load_trial("NCT07193810").facts["transplant"].question
    return _confirm("transplant", text=_TRANSPLANT.format(question))


def _contact_given(method: str, value: str, time: str) -> list[Step]:
    return [
        {"action": "contact_form"},
        {
            "slot_was_set": [
                {"contact_ok": True},
                {"contact_method": method},
                {"contact_value": value},
                {"contact_time": time},
            ]
        },
        {"active_loop": None},
    ]


_UNREADABLE_ONCE = _form("age", reask_count=1)
_UNREADABLE_TWICE = _form("age", reask_count=2)


def patient_stories() -> list[PatientStory]:
    """The issue's examples; ``tests/e2e/test_patient_words.py`` replays each on the real servers."""
    return [
        # 1. Answer first, then side intents.
        PatientStory(
            "a no that asks a medical question is the answer, then the question goes to a person",
            "1: a yes/no at the start is an answer; the question is handed off after it",
            "sle",
            "tuberculosis",
            [
                Said(
                    "no, is the drug safe for me?",
                    "medical_question",
                    _outcome("handoff", tuberculosis={"value": False}, handoff_reason="medical_question"),
                ),
                _NO_CONTACT,
            ],
        ),
        PatientStory(
            "a treatment named with a worry is the answer, then the worry goes to a person",
            "1: an answer that mentions a treatment and a worry is read as the answer, then handed off",
            "sle",
            "current_medicines",
            [
                Said(
                    "yes, I had rituximab, is that a problem?",
                    "medical_question",
                    _outcome("handoff", current_medicines={"value": ["rituximab"]}, handoff_reason="medical_question"),
                ),
            ],
        ),
        PatientStory(
            "where the skin is thick, said with the type, is the answer to the skin-type question",
            "1: a skin-type answer that says where the skin is thick is an answer, not a medical question",
            "ssc",
            "ssc_type",
            [
                Said(
                    "diffuse, it's thick on my chest and arms",
                    "medical_question",
                    _form("ssc_diagnosis_date", ssc_type={"value": "diffuse"}),
                )
            ],
        ),
        PatientStory(
            "where the skin is thick, said without the type, is still an answer",
            "1: a skin-type answer that says where the skin is thick is an answer, not a medical question",
            "ssc",
            "ssc_type",
            [
                Said(  # the question's own explanation; a description, not the type named: read back once
                    "my skin is thick on my arms and chest",
                    "medical_question",
                    _form("followup", pending=_confirm("ssc_type", text=_READ_BACK_CHOICE.format("Diffuse"))),
                ),
                Said(
                    "yes",
                    "affirm",
                    _form("ssc_diagnosis_date", ssc_type={"value": "diffuse", "confirmed": True}),
                ),
            ],
        ),
        PatientStory(
            "three messages in a row without an answer bring a person",
            "1: a patient who repeats a non-answer three times is offered a person",
            "sle",
            "age",
            [
                Said(
                    "why do you ask?",
                    "why_ask",
                    [{"action": "action_explain"}, *_form("age", side_turns=1), {"active_loop": "screening_form"}],
                ),
                Said(
                    "what is this study about?",
                    "about_study",
                    [{"action": "utter_about_study"}, *_form("age", side_turns=2), {"active_loop": "screening_form"}],
                ),
                Said("are you a bot?", "bot_challenge", _outcome("handoff", handoff_reason="no_answer")),
                _NO_CONTACT,
            ],
        ),
        # 2. Never decide from silence.
        PatientStory(
            "a medicine list that names no steroid asks about steroids",
            "2: 'Benlysta for a year and azathioprine for 2 years' asks the steroid question",
            "sle",
            "current_medicines",
            [
                Said(
                    "Benlysta for a year and azathioprine for 2 years",
                    "inform",
                    _form(
                        "current_steroid",
                        current_medicines={"value": [{"medicine": "belimumab"}, {"medicine": "azathioprine"}]},
                    ),
                ),
                Said("yes, prednisone", "affirm", _form(current_steroid={"value": True})),
            ],
        ),
        PatientStory(
            "each medicine named without how long is followed up",
            "2: 'methotrexate and CellCept' asks how long for each",
            "sle",
            "current_medicines",
            [
                Said(
                    "methotrexate and CellCept",
                    "inform",
                    _form("followup", pending={"kind": "duration", "text": "How long have you taken methotrexate?"}),
                ),
                Said(
                    "about 2 years",
                    "inform",
                    _form(
                        "followup",
                        pending={"kind": "duration", "text": "How long have you taken mycophenolate mofetil?"},
                    ),
                ),
                Said("since 2021", "inform", _form("current_steroid", pending=None)),
            ],
        ),
        # 3. Confirm before relying.
        PatientStory(
            "a contradictory age is read back, a no asks again, still unclear goes to a person",
            "3: 'I am 52, born 1990' is read back once; no asks again; still unclear, a person",
            "sle",
            "age",
            [
                Said(
                    "I am 52, born 1990",
                    "inform",
                    _form("followup", pending=_confirm("age", text=_READ_BACK.format(52))),
                ),
                Said("no", "deny", _form("age", pending=None)),
                Said("I am 52, born 1990", "inform", _outcome("handoff", handoff_reason="low_confidence")),
                _NO_CONTACT,
            ],
        ),
        PatientStory(
            "a hedged age is read back and counts once confirmed",
            "3: a doubtful value is read back; yes confirms it",
            "sle",
            "age",
            [
                Said("34 i think", "inform", _form("followup", pending=_confirm("age", text=_READ_BACK.format(34)))),
                Said("yes", "affirm", _form("pregnant_or_breastfeeding", age={"value": 34, "confirmed": True})),
            ],
        ),
        # 4. Composite answers.
        PatientStory(
            "a dose with how long it was taken is a dose a day",
            "4: 'prednisone 70 mg a day for 3 months' is 70 mg a day",
            "sle",
            "current_steroid_dose",
            [
                Said(
                    "prednisone 70 mg a day for 3 months",
                    "inform",
                    _outcome("not_eligible", current_steroid_dose=_dose(70, "prednisone")),
                )
            ],
        ),
        PatientStory(
            "a medicine taken 'a day for 3 months' was taken for 3 months, not for a day",
            "4: 'prednisone 70 mg a day for 3 months' is not prednisone for 1 day",
            "sle",
            "current_medicines",
            [
                Said(
                    "prednisone 70 mg a day for 3 months",
                    "inform",
                    # 3 months, as the slot keeps it (in days); "a day" is how often, not how long.
                    _form(
                        "past_medicines",
                        current_medicines={"value": [{"medicine": "prednisone", "duration": "91.3125 days"}]},
                    ),
                )
            ],
        ),
        PatientStory(
            "tablets times strength is the dose",
            "4: '3 tablets of 5 mg' is 15 mg a day",
            "sle",
            "current_steroid_dose",
            [Said("3 tablets of 5 mg", "inform", _form("infection_now", current_steroid_dose=_dose(15)))],
        ),
        PatientStory(
            "one and a half tablets is one and a half times the strength",
            "4: 'one and a half' tablets of 10 mg is 15 mg a day",
            "sle",
            "current_steroid_dose",
            [Said("one and a half tablets of 10 mg", "inform", _form("infection_now", current_steroid_dose=_dose(15)))],
        ),
        PatientStory(
            "a dose every other day is half of it a day",
            "4: alternate-day doses",
            "sle",
            "current_steroid_dose",
            [Said("40 mg every other day", "inform", _form("infection_now", current_steroid_dose=_dose(20)))],
        ),
        PatientStory(
            "Medrol is counted as prednisone",
            "4: Medrol (40 mg of methylprednisolone is 50 mg of prednisone, above lupus's 40)",
            "sle",
            "current_steroid_dose",
            [
                Said(
                    "Medrol 40 mg a day",
                    "inform",
                    _outcome("not_eligible", current_steroid_dose=_dose(40, "methylprednisolone")),
                )
            ],
        ),
        PatientStory(
            "a misspelt no is a no",
            "4: 'i dint have it' is a no",
            "sle",
            "tuberculosis",
            [Said("i dint have it", "nlu_fallback", _form("dialysis", tuberculosis={"value": False}))],
        ),
        # 5. Facts said out of turn.
        PatientStory(
            "a transplant said beside another answer is read back at once and ends the screening",
            "5: 'I had a kidney transplant in 2019' said while answering another question",
            "sle",
            "pregnant_or_breastfeeding",
            [
                Said(
                    "no, but I had a kidney transplant in 2019",
                    "inform",
                    _form("followup", pregnant_or_breastfeeding={"value": False}, pending=_transplant_read_back()),
                ),
                Said("yes", "affirm", _outcome("not_eligible", transplant={"value": "yes", "confirmed": True})),
            ],
        ),
        PatientStory(
            "a transplant said beside an age that is read back is not lost",
            "5: 'I had a kidney transplant in 2019' said while answering another question",
            "sle",
            "age",
            [
                Said("34, I had a kidney transplant in 2019", "inform", _form("followup", pending=_confirm("age"))),
                Said("yes", "affirm", _form("followup", age={"value": 34}, pending=_transplant_read_back())),
                Said("yes", "affirm", _outcome("not_eligible", transplant={"value": "yes", "confirmed": True})),
            ],
        ),
        PatientStory(
            "a transplant said beside the medicine list is not lost",
            "5: 'I had a kidney transplant in 2019' said while answering another question",
            "sle",
            "current_medicines",
            [
                Said(
                    f"{SLE_CHAT['current_medicines']}. I had a kidney transplant in 2019",
                    "inform",
                    _form("followup", pending=_transplant_read_back()),
                ),
                Said("yes", "affirm", _outcome("not_eligible", transplant={"value": "yes", "confirmed": True})),
            ],
        ),
        # 6. Every handoff ends with its result card; the contact step.
        PatientStory(
            "asking for a person hands off",
            "6: a request for a person ends with the handoff card",
            "sle",
            "age",
            [Said("can I talk to a real person please?", "human", _handed_off("patient_request")), _NO_CONTACT],
        ),
        PatientStory(
            "a medical question hands off",
            "6: a medical question ends with the handoff card",
            "sle",
            "age",
            [
                Said(
                    "is this drug safe for me while I am on prednisone?",
                    "medical_question",
                    _handed_off("medical_question"),
                ),
                _NO_CONTACT,
            ],
        ),
        PatientStory(
            "an answer that cannot be read three times goes to a person",
            "6: an unreadable answer ends with the handoff card",
            "sle",
            "age",
            [
                Said("purple", "nlu_fallback", _UNREADABLE_ONCE),
                Said("purple cow", "nlu_fallback", _UNREADABLE_TWICE),
                Said("banana bread", "nlu_fallback", _outcome("handoff", handoff_reason="unplaceable_answer")),
                _NO_CONTACT,
            ],
        ),
        PatientStory(
            "an unreadable answer with 'one' in it is not an age of 1",
            "6: an unreadable answer ends with the handoff card",
            "sle",
            "age",
            [
                Said("purple", "nlu_fallback", _UNREADABLE_ONCE),
                Said("purple cow", "nlu_fallback", _UNREADABLE_TWICE),
                Said("the purple one", "nlu_fallback", _outcome("handoff", handoff_reason="unplaceable_answer")),
            ],
        ),
        PatientStory(
            "hi at the contact step asks the contact question again, then one message gives every detail",
            "6: 'sure, email me at a@b.org, evenings' after 'hi' at the contact step",
            "sle",
            "__end__",
            [
                Said("hi", "greet", [{"action": "contact_form"}, {"slot_was_set": [{"requested_slot": "contact_ok"}]}]),
                Said(
                    "sure, email me at a@b.org, evenings",
                    "nlu_fallback",
                    _contact_given("email", "a@b.org", "evenings"),
                ),
            ],
        ),
        PatientStory(
            "one message gives consent, e-mail and a time",
            "6: 'yes, by email: x@y.org, mornings' at the contact step",
            "sle",
            "__end__",
            [Said("yes, by email: x@y.org, mornings", "nlu_fallback", _contact_given("email", "x@y.org", "mornings"))],
        ),
    ]


def _said(text: str, intent: str) -> Step:
    return {"user": text, "intent": intent}


def patient_story(spec: PatientStory) -> dict[str, Any]:
    """The test story of one example: the answers before it, in words, then its turns."""
    trial = load_trial("NCT07193810")
    answers, words = _SAID[spec.cohort]
    asked = list(run_screening(trial, answers, TODAY, defaults=CLEAR_BY_TYPE).asked)
    before = asked if spec.at == "__end__" else asked[: asked.index(spec.at)]
    steps: list[Step] = [
        _said("hello", "greet"),
        {"action": "utter_greet"},
        {"action": "utter_ask_consent"},
        _said("yes", "affirm"),
        {"action": "action_start_screening"},
        {"action": "screening_form"},
        {"active_loop": "screening_form"},
        {"slot_was_set": [{"requested_slot": asked[0]}]},
    ]
    for index, fact_id in enumerate(before):
        text = words.get(fact_id) or CLEAR_TEXT[trial.facts[fact_id].answer.type]
        steps.append(_said(text, _INTENT_OF_WORDS.get(text, "inform")))
        if index + 1 < len(asked):
            steps += _form(asked[index + 1])
        else:
            steps += _outcome("likely_eligible")
            steps.append({"slot_was_set": [{"requested_slot": "contact_ok"}]})
    for turn in spec.turns:
        steps += [_said(turn.text, turn.intent), *turn.then]
    return {"story": spec.name, "steps": steps}


def render_patient_words() -> str:
    """The whole patient-words test-story file."""
    body = {"version": "3.1", "stories": [patient_story(s) for s in patient_stories()]}
    header = (
        "# Generated by `python -m bot.gen_test_stories` (patient_stories there). Do not edit by hand.\n"
        "# The issue's examples in a patient's words; tests/e2e/test_patient_words.py replays them on real servers.\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False, width=120, allow_unicode=True)


def main() -> int:
    """Write or check the files."""
    parser = argparse.ArgumentParser(prog="python -m bot.gen_test_stories")
    parser.add_argument("--check", action="store_true")
    files = {OUT: render(), PATIENT_WORDS_OUT: render_patient_words()}
    if parser.parse_args().check:
        stale = [path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is out of date: run python -m bot.gen_test_stories", file=sys.stderr)
        return 1 if stale else 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(SCENARIOS) + len(BESIDE_THE_FORM)} stories)")
    print(f"wrote {PATIENT_WORDS_OUT} ({len(patient_stories())} stories)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
