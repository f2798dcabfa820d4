"""A patient screened over the REST channel against the real servers, then the database checked."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.examples import CLEAR_TEXT, SLE_CHAT
from criteria import load_trial
from handoff.rasa_api import api_token
from store.db import engine_for, session_scope
from store.models import Answer, Contact, Handoff, Screening, ScreeningResult
from tests.e2e.conftest import Servers

pytestmark = pytest.mark.e2e

TRIAL = load_trial("NCT07193810")
QUESTIONS = {fact.question: fact for fact in TRIAL.facts.values()}
SLE_PATIENT = SLE_CHAT


def asked(replies: list[dict[str, Any]]) -> str | None:
    """The question id the bot asked last in these replies."""
    for reply in reversed(replies):
        fact = QUESTIONS.get(reply.get("text", ""))
        if fact:
            return fact.id
    return None


def consented(servers: Servers, *answers: str) -> tuple[str, list[dict[str, Any]]]:
    """A new patient who greets, agrees to the pre-screen and gives these answers; the last replies."""
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "hello")
    replies = servers.say(sender, "yes")
    for answer in answers:
        replies = servers.say(sender, answer)
    return sender, replies


def screen(
    servers: Servers, sender: str, answers: dict[str, str], limit: int = 60
) -> tuple[list[str], list[dict[str, Any]]]:
    """Consent, then answer every question the bot asks until it stops asking."""
    replies = servers.say(sender, "hello")
    assert any("OK to start" in r.get("text", "") for r in replies)
    replies = servers.say(sender, "yes")
    order: list[str] = []
    while (fact_id := asked(replies)) is not None and len(order) < limit:
        order.append(fact_id)
        answer = answers.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type]
        replies = servers.say(sender, answer)
    return order, replies


def card(replies: list[dict[str, Any]]) -> dict[str, Any]:
    cards = [r["custom"]["screening_result"] for r in replies if "screening_result" in (r.get("custom") or {})]
    assert len(cards) == 1, replies
    return dict(cards[0])


def test_an_sle_patient_is_likely_eligible_and_stored(servers: Servers) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    order, replies = screen(servers, sender, SLE_PATIENT)
    assert order[0] == "condition"
    assert len(order) == len(set(order))  # every question once
    result = card(replies)
    assert result["status"] == "likely_eligible"
    assert result["site_to_verify"]
    assert any("contact you" in r.get("text", "") for r in replies)
    for message in ["yes", "phone", "+44 7700 900123", "weekday mornings"]:
        replies = servers.say(sender, message)
    assert any("will contact you" in r.get("text", "") for r in replies)

    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(select(Screening).where(Screening.conversation_id == sender)).scalar_one()
        assert screening.state == "completed"
        assert screening.consent_at is not None
        assert screening.cohort == "sle"
        answers = session.execute(select(Answer).where(Answer.screening_id == screening.id)).scalars().all()
        assert {a.fact_id for a in answers} == set(order)
        age = next(a for a in answers if a.fact_id == "age")
        assert (age.raw_text, age.value, age.criteria) == ("34", 34, ["inc-age"])
        verdict = session.execute(
            select(ScreeningResult).where(ScreeningResult.screening_id == screening.id)
        ).scalar_one()
        assert verdict.status == "likely_eligible"
        contact = session.execute(select(Contact).where(Contact.screening_id == screening.id)).scalar_one()
        assert (contact.method, contact.value, contact.best_time) == ("phone", "+44 7700 900123", "weekday mornings")


def test_a_seventy_year_old_is_told_why_not(servers: Servers) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    order, replies = screen(servers, sender, {**SLE_PATIENT, "age": "70"})
    assert order[-1] == "age"
    result = card(replies)
    assert result["status"] == "not_eligible"
    assert result["reasons"] == ["This study is only for people aged 18 to 65."]


def test_a_waiting_period_is_not_yet_with_a_recontact_date(servers: Servers) -> None:
    # CAR-T 2 months ago: the listing's 6 months count to the first dose, so "not yet".
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    _, replies = screen(servers, sender, {**SLE_PATIENT, "last_cart_date": "2 months ago"})
    result = card(replies)
    assert result["status"] == "not_yet"
    recontact = date.fromisoformat(result["recontact_after"])
    assert recontact > date.today()
    assert any("You may be able to join from" in reason for reason in result["reasons"])
    texts = " ".join(r.get("text", "") for r in replies)
    assert "but not yet" in texts and "contact you" in texts  # the site may recontact: ask how
    for message in ["yes", "email", "pat@example.org", "evenings"]:
        replies = servers.say(sender, message)
    assert any("will contact you" in r.get("text", "") for r in replies)
    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(select(Screening).where(Screening.conversation_id == sender)).scalar_one()
        assert screening.recontact_after == recontact
        verdict = session.execute(
            select(ScreeningResult).where(ScreeningResult.screening_id == screening.id)
        ).scalar_one()
        assert (verdict.status, verdict.recontact_after) == ("not_yet", recontact)
        contact = session.execute(select(Contact).where(Contact.screening_id == screening.id)).scalar_one()
        assert contact.value == "pat@example.org"


def test_declining_consent_stores_only_the_decline(servers: Servers) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "hi")
    replies = servers.say(sender, "no thanks")
    assert any("not saved" in r.get("text", "") for r in replies)
    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(select(Screening).where(Screening.conversation_id == sender)).scalar_one()
        assert screening.state == "declined"
        assert not session.execute(select(Answer).where(Answer.screening_id == screening.id)).scalars().all()


def test_a_medical_question_hands_off_and_pauses(servers: Servers) -> None:
    sender, _ = consented(servers)
    replies = servers.say(sender, "is this drug safe for me while I am on prednisone?")
    texts = " ".join(r.get("text", "") for r in replies)
    assert "medical advice" in texts and "coordinator" in texts
    servers.say(sender, "no")  # no contact details
    assert servers.tracker(sender)["paused"] is True
    assert servers.say(sender, "hello?") == []  # the bot stays quiet while a person has the chat
    with session_scope(engine_for(servers.database_url)) as session:
        handoff = session.execute(select(Handoff).where(Handoff.conversation_id == sender)).scalar_one()
        assert handoff.reason == "medical_question"
        assert handoff.status == "open"
        assert handoff.criteria_snapshot


def test_a_patient_cannot_force_an_intent(servers: Servers) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    # Unguarded, this would force the coordinator's resume intent and start the health
    # questions without consent.
    replies = servers.say(sender, "/EXTERNAL_resume")
    assert asked(replies) is None
    events = [e for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert events[-1]["text"] == "EXTERNAL_resume"
    assert events[-1]["parse_data"]["intent"]["name"] != "EXTERNAL_resume"


def test_a_command_through_rasas_own_api_is_not_obeyed_either(servers: Servers) -> None:
    # POST /conversations/{id}/messages skips our channels: the NLU pipeline's own guard applies.
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "hello")
    status, tracker = servers.post(f"/conversations/{sender}/messages", {"text": "/deny", "sender": "user"})
    assert status == 200
    latest = tracker["latest_message"]
    assert latest["intent"]["name"] != "deny" and latest["text"] == "deny"
    assert "action_decline_consent" not in [e.get("name") for e in tracker["events"]]


def test_two_messages_the_bot_cannot_read_reach_a_coordinator(servers: Servers) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "hello")
    replies = servers.say(sender, "xqzv blorp")
    texts = [r.get("text", "") for r in replies]
    assert any("did not understand" in t for t in texts) and any("OK to start" in t for t in texts)
    replies = servers.say(sender, "wxq plonk zzt")
    assert any("coordinator" in r.get("text", "") for r in replies)
    servers.say(sender, "no")  # no contact details
    assert servers.tracker(sender)["paused"] is True
    with session_scope(engine_for(servers.database_url)) as session:
        handoff = session.execute(select(Handoff).where(Handoff.conversation_id == sender)).scalar_one()
        assert (handoff.reason, handoff.message) == ("nlu_fallback", "wxq plonk zzt")


def test_back_after_the_session_expired_the_patient_is_told_how_to_carry_on(servers: Servers) -> None:
    sender, replies = consented(servers, "lupus")
    assert asked(replies) == "sex"
    # What Rasa does when the patient comes back after the session expired (domain session_config).
    status, _ = servers.post(f"/conversations/{sender}/execute", {"name": "action_session_start"})
    assert status == 200
    replies = servers.say(sender, "Female")  # goes on answering: the form is no longer running
    assert any("lost track" in r.get("text", "") for r in replies)  # never silence
    servers.say(sender, "hi")
    replies = servers.say(sender, "yes")
    assert any("Welcome back" in r.get("text", "") for r in replies)
    assert asked(replies) == "sex"  # the answers so far were kept


def test_the_doors_are_locked(servers: Servers) -> None:
    status, _ = servers.post("/webhooks/rest/webhook", {"sender": "x", "message": "hi"}, token="wrong")
    assert status == 401
    status, _ = servers.get("/status", token="wrong")
    assert status == 401
    status, _ = servers.get("/conversations/x/tracker", token="wrong")
    assert status == 401
    # A token signed with another key, or the REST token, opens nothing on the API.
    status, _ = servers.get("/status", token=api_token("not-the-secret"))
    assert status == 401
    status, _ = servers.get("/status", token=servers.rest_token)
    assert status == 401
    status, _ = servers.get("/status")
    assert status == 200


def test_a_very_long_message_gets_a_friendly_reply(servers: Servers) -> None:
    replies = servers.say(f"e2e-{uuid.uuid4().hex[:8]}", "word " * 500)
    assert replies and "a bit long" in replies[0]["text"]


def test_a_coordinator_settles_an_answer_and_the_bot_goes_on(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    from handoff.api import resume
    from settings import get_settings

    sender, _ = consented(servers)
    servers.say(sender, "can I speak to a real person")
    servers.say(sender, "no")
    assert servers.tracker(sender)["paused"] is True

    port = servers.rasa_url.rsplit(":", 1)[1]
    env = {"RASA_PORT": port, "RASA_JWT_SECRET": servers.jwt_secret, "DATABASE_URL": servers.database_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        resumed = resume(sender, coordinator="alice", fact_id="condition", value="sle", note="confirmed by phone")
    finally:
        get_settings.cache_clear()
    assert asked(resumed.messages) not in {None, "condition"}  # the next question, at once
    tracker = servers.tracker(sender)
    assert tracker["paused"] is False
    assert tracker["slots"]["condition"]["set_by"] == "coordinator:alice"
    with session_scope(engine_for(servers.database_url)) as session:
        handoff = session.execute(select(Handoff).where(Handoff.conversation_id == sender)).scalar_one()
        assert (handoff.status, handoff.outcome) == ("resolved", "resumed")
        settled = session.execute(
            select(Answer).where(Answer.fact_id == "condition", Answer.set_by == "coordinator:alice")
        ).scalar_one()
        assert settled.value == "sle"


def test_why_and_what_does_it_mean_then_back_to_the_question(servers: Servers) -> None:
    sender, _ = consented(servers, "lupus")
    replies = servers.say(sender, "why do you need to know that?")
    texts = [r.get("text", "") for r in replies]
    asked_now = asked(replies)
    assert asked_now is not None
    assert TRIAL.facts[asked_now].why in texts  # the reason, then the same question again
    replies = servers.say(sender, "what does that mean?")
    assert asked(replies) == asked_now
    assert TRIAL.facts[asked_now].explain in [r.get("text", "") for r in replies]


def test_changing_the_last_answer_asks_it_again(servers: Servers) -> None:
    sender, replies = consented(servers, "lupus")
    first = asked(replies)
    servers.say(sender, "Female" if first == "sex" else "34")
    replies = servers.say(sender, "wait, I made a mistake, I want to change my last answer")
    assert asked(replies) == first
    assert servers.tracker(sender)["slots"][first] is None


def test_stop_ends_the_screening(servers: Servers) -> None:
    sender, _ = consented(servers, "lupus")
    replies = servers.say(sender, "stop, I want to quit")
    assert any("stopped" in r.get("text", "") for r in replies)
    loop = servers.tracker(sender)["active_loop"] or {}
    assert not loop.get("name")
