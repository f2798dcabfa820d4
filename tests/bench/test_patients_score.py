"""The scorer classifies each (truth, bot result, unclear?) case; the listener reads the bot's replies."""

from __future__ import annotations

import random

import pytest

from bench.patients.bank import Bank
from bench.patients.drive import Record
from bench.patients.generate import make_patients
from bench.patients.listen import Listener
from bench.patients.patient import Speaker
from bench.patients.score import classify, summarise
from criteria import Trial
from tests.bench.conftest import TODAY


@pytest.mark.parametrize(
    ("truth", "bot", "unclear", "outcome"),
    [
        ("likely_eligible", "likely_eligible", False, "agree"),  # right
        ("handoff", "handoff", True, "agree"),  # a truly unsure answer that needs a person, handed off: right
        ("not_yet", "not_yet", False, "agree"),  # the wait recognised
        ("not_eligible", "likely_eligible", False, "false_eligible"),  # the unforgivable error
        ("not_yet", "likely_eligible", False, "false_eligible"),  # a wait missed is also a false "likely eligible"
        ("handoff", "likely_eligible", True, "false_eligible"),  # a matter for a person waved through
        ("likely_eligible", "not_eligible", False, "wrong_exclusion"),  # an eligible patient turned away
        ("not_yet", "not_eligible", False, "wrong_exclusion"),  # a wait read as a rule-out
        ("handoff", "not_eligible", False, "wrong_exclusion"),  # a matter for a person decided by the bot
        ("likely_eligible", "handoff", False, "needless_handoff"),  # clear answers, sent to a person anyway
        ("not_eligible", "handoff", False, "needless_handoff"),  # a clear rule-out missed, sent to a person
        ("likely_eligible", "handoff", True, "unclear_handoff"),  # the patient said "not sure" somewhere
        ("not_eligible", "handoff", True, "unclear_handoff"),  # a contradiction before the knock-out
        ("likely_eligible", "not_yet", False, "other_mismatch"),  # a wait that is not there
        ("not_eligible", "not_yet", False, "other_mismatch"),  # a rule-out read as a wait
        ("likely_eligible", None, False, "no_result"),  # the bot asked the same question three times
        ("not_eligible", "incomplete", False, "no_result"),  # a status the card should never carry
    ],
)
def test_an_outcome_is_classified(truth: str, bot: str | None, unclear: bool, outcome: str) -> None:
    assert classify(truth, bot, unclear) == outcome


def _record(patient: str, truth: str, bot: str | None, questions: int, unclear: bool = False) -> Record:
    return Record(
        patient=patient, sender=f"s-{patient}", cohort="sle", truth=truth, truth_deciding=[], truth_facts=[],
        truth_recontact=None, story=[], bot=bot, questions=[f"q{i}" for i in range(questions)],
        unclear=["age"] if unclear else [], latencies=[0.01 * (i + 1) for i in range(10)], turns=10,
    )  # fmt: skip


def test_the_summary_counts_every_metric() -> None:
    records = [
        _record("p1", "likely_eligible", "likely_eligible", 20),
        _record("p2", "not_eligible", "likely_eligible", 18),
        _record("p3", "not_eligible", "not_eligible", 3),
        _record("p4", "likely_eligible", "not_eligible", 5),
        _record("p5", "not_yet", "not_yet", 15),
        _record("p6", "not_yet", "handoff", 9, unclear=True),
        _record("p7", "handoff", "handoff", 7),
        _record("p8", "likely_eligible", None, 4),
    ]
    summary = summarise(records, 10)
    assert summary.screened == 8 and summary.patients == 10
    assert summary.outcomes["false_eligible"] == 1 and [r.patient for r in summary.false_eligible] == ["p2"]
    assert summary.outcomes["wrong_exclusion"] == 1
    assert summary.outcomes["unclear_handoff"] == 1 and summary.unclear_handoffs_all == 1
    assert (summary.not_yet_truth, summary.not_yet_agree) == (2, 1)
    assert (summary.handoff_truth, summary.handoff_agree) == (1, 1)
    assert summary.questions_to_knockout == 4  # median of 3 and 5
    assert summary.questions_overall == 9  # median of 3, 5, 7, 9, 15, 18, 20 (the seven with a result)
    assert summary.latency_p50_ms == pytest.approx(60) and summary.latency_p95_ms == pytest.approx(100)
    assert summary.pct(2) == "25.0%"


def test_an_answer_that_truly_needs_a_person_justifies_a_handoff() -> None:
    # "yes" to another immune disease (a judgement), handed off before the bot reached the true knock-out
    record = _record("p1", "not_eligible", "handoff", 6)
    record.for_person = ["other_autoimmune_treated"]
    assert summarise([record], 1).outcomes["unclear_handoff"] == 1
    assert summarise([_record("p2", "not_eligible", "handoff", 6)], 1).outcomes["needless_handoff"] == 1


def test_the_listener_reads_questions_follow_ups_read_backs_and_results(trial: Trial) -> None:
    listener = Listener(trial)
    question = trial.facts["transplant"].question
    heard = listener.hear([{"text": "Thanks."}, {"text": question, "buttons": [{"title": "Yes", "payload": "yes"}]}])
    assert (heard.kind, heard.fact_id, heard.buttons[0]["payload"]) == ("question", "transplant", "yes")

    heard = listener.hear([{"text": "How long have you taken CellCept?"}])
    assert (heard.kind, heard.fact_id, heard.medicine) == ("follow_up", "current_medicines", "CellCept")
    heard = listener.hear([{"text": "How long did you take methotrexate for?"}])
    assert (heard.kind, heard.fact_id, heard.medicine) == ("follow_up", "past_medicines", "methotrexate")

    heard = listener.hear([{"text": "I understood 20 mg of prednisone a day. Is that right?"}])
    assert (heard.kind, heard.fact_id) == ("readback", None)  # about the question just answered
    other = trial.facts["other_serious_illness"].question
    heard = listener.hear(
        [{"text": f"You also told me something about this: {other} I understood yes. Is that right?"}]
    )
    assert (heard.kind, heard.fact_id) == ("readback", "other_serious_illness")  # about the question it names

    heard = listener.hear([{"text": "Sorry, I did not understand that. Could you say it another way?"}, {"text": "x."}])
    assert heard.kind == "not_understood"

    heard = listener.hear([{"text": "Do you keep a pet at home?"}])
    assert heard.kind == "unrecognised"

    card = {"screening_result": {"status": "not_eligible", "reasons": ["too old"], "site_to_verify": []}}
    heard = listener.hear([{"text": "Thank you for your answers.", "custom": card}])
    assert heard.result == card["screening_result"]

    heard = listener.hear([
        {"text": "A study coordinator will continue this chat with you. They will reply here as soon as they can."},
        {"text": "May the study team contact you about the next steps? We would only use this for the study."},
    ])  # fmt: skip
    assert heard.handoff and heard.contact_asked and heard.kind == "contact"


def test_a_read_back_is_confirmed_only_when_it_shows_the_truth(trial: Trial, bank: Bank) -> None:
    patient = next(
        p for p in make_patients(trial, 60, 3, TODAY)
        if isinstance(p.answers["current_steroid_dose"], dict) and p.answers["transplant"] is False
    )  # fmt: skip
    speaker = Speaker(patient, trial, bank, random.Random(0), TODAY)
    dose = patient.answers["current_steroid_dose"]
    mg = f"{float(dose['mg_per_day']):g}"
    assert speaker.readback(
        f"I understood {mg} mg of {dose['medicine']} a day. Is that right?", "current_steroid_dose"
    )[1]
    assert not speaker.readback("I understood 999 mg of prednisone a day. Is that right?", "current_steroid_dose")[1]
    worked_out = f"I understood 999 mg of prednisone a day (2 × {mg} mg). Is that right?"
    assert not speaker.readback(worked_out, "current_steroid_dose")[1]  # the total counts, not its arithmetic
    assert speaker.readback("I understood you have not had a transplant. Is that right?", "transplant")[1]
    assert not speaker.readback("I understood you had a transplant. Is that right?", "transplant")[1]


def test_a_patient_answers_a_follow_up_about_a_medicine_by_any_of_its_names(trial: Trial, bank: Bank) -> None:
    patient = next(
        p for p in make_patients(trial, 60, 3, TODAY)
        if isinstance(p.answers["current_medicines"], list)
        and any(i["medicine"] == "mycophenolate_mofetil" for i in p.answers["current_medicines"])
    )  # fmt: skip
    speaker = Speaker(patient, trial, bank, random.Random(0), TODAY)
    said = speaker.follow_up("current_medicines", "CellCept", attempt=2)
    assert any(ch.isdigit() for ch in said.text)  # a length, plainly
    assert speaker.follow_up("current_medicines", "Orencia").flags == {"unsure"}  # a medicine they never named
