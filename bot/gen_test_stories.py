"""Generate ``bot/tests/test_stories.yml``: whole conversations for ``rasa test``.

Each scenario is screened by the real planner (``criteria.simulate``), so the number of
form turns, the outcome and its branch (result, contact details, pause) are what the bot
will really do; the story then pins the dialogue around them (rules, forms, side
questions). Run after changing the trial or the rules::

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

from criteria import Status, load_trial
from criteria.examples import IIM, SLE, SSC
from criteria.simulate import CLEAR_BY_TYPE, run_screening

OUT = Path(__file__).parent / "tests" / "test_stories.yml"
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


def main() -> int:
    """Write or check the file."""
    parser = argparse.ArgumentParser(prog="python -m bot.gen_test_stories")
    parser.add_argument("--check", action="store_true")
    text = render()
    if parser.parse_args().check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python -m bot.gen_test_stories", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(SCENARIOS) + len(BESIDE_THE_FORM)} stories)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
