"""A patient on the socket.io channel (Rasa's widget protocol) against the real servers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from bot.examples import CLEAR_TEXT
from channels.guard import TOO_LONG_REPLY
from channels.socketio import session_token
from settings import get_settings
from tests.e2e.conftest import Servers, SocketPatient, new_chat_session
from tests.e2e.test_screening import QUESTIONS, SLE_PATIENT, TRIAL

pytestmark = pytest.mark.e2e

Patients = Callable[..., SocketPatient]


def consent_question(message: dict[str, Any]) -> bool:
    return "OK to start" in message.get("text", "")


def question_or_card(message: dict[str, Any]) -> bool:
    return message.get("text") in QUESTIONS or "screening_result" in (message.get("custom") or {})


def user_events(servers: Servers, conversation_id: str) -> list[dict[str, Any]]:
    return [e for e in servers.tracker(conversation_id)["events"] if e["event"] == "user"]


def push(servers: Servers, conversation_id: str, text: str) -> None:
    """What the coordinator inbox does to reply: a bot event, executed on the patient's latest channel."""
    status, _ = servers.post(
        f"/conversations/{conversation_id}/tracker/events?execute_side_effects=true&output_channel=latest",
        {"event": "bot", "text": text, "metadata": {"coordinator": "e2e"}},
    )
    assert status == 200


def test_a_patient_is_greeted_and_asked_for_consent(socket_patients: Patients, servers: Servers) -> None:
    patient = socket_patients()
    assert patient.session_id == patient.asked  # a reasonable id is kept
    patient.say("hello")
    patient.wait_for(consent_question)
    # The conversation is named by the session id, and Rasa knows it came in over socket.io.
    [event] = user_events(servers, patient.session_id)
    assert (event["text"], event["input_channel"]) == ("hello", "socketio")


def test_a_socket_joins_only_the_session_its_token_is_for(socket_patients: Patients, servers: Servers) -> None:
    victim = socket_patients()
    victim.say("hello")
    victim.wait_for(consent_question)
    # Knowing the victim's session id is not enough: the server confirms the token's own session.
    intruder = socket_patients(victim.session_id, token=new_chat_session(servers.rasa_url)["token"])
    assert intruder.session_id != victim.session_id
    assert re.fullmatch(r"[0-9a-f]{32}", intruder.session_id)
    mark = len(intruder.messages)
    push(servers, victim.session_id, "Only for the victim.")
    victim.wait_for(lambda m: m.get("text") == "Only for the victim.", since=0)
    time.sleep(1)
    assert intruder.messages[mark:] == []


@pytest.mark.parametrize("token", [None, "", "not a jwt", "FORGED"])
def test_a_socket_without_a_valid_token_is_refused(servers: Servers, token: str | None) -> None:
    if token == "FORGED":  # the right shape, signed with another key
        token = session_token("e2e-forged", "another key", days=1)
    client = socketio.Client(reconnection=False, handle_sigint=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            servers.rasa_url,
            socketio_path="/socket.io",
            transports=["polling"],
            wait_timeout=10,
            auth=None if token is None else {"token": token},
        )
    client.disconnect()


def test_a_command_is_not_obeyed_over_socketio(socket_patients: Patients, servers: Servers) -> None:
    patient = socket_patients()
    # Unguarded, this would force the coordinator's resume intent and start the health
    # questions without consent.
    patient.say("/EXTERNAL_resume")
    [event] = user_events(servers, patient.session_id)
    assert event["text"] == "EXTERNAL_resume"
    assert event["parse_data"]["intent"]["name"] != "EXTERNAL_resume"
    bot_texts = [e.get("text") for e in servers.tracker(patient.session_id)["events"] if e["event"] == "bot"]
    assert not set(bot_texts) & set(QUESTIONS)


def test_a_too_long_message_is_answered_and_not_passed_on(socket_patients: Patients, servers: Servers) -> None:
    patient = socket_patients()
    patient.say("hello")
    patient.wait_for(consent_question)
    patient.say("x" * (get_settings().max_message_chars + 1))
    patient.wait_for(lambda m: m.get("text") == TOO_LONG_REPLY)
    assert [e["text"] for e in user_events(servers, patient.session_id)] == ["hello"]


def test_a_coordinators_message_reaches_the_patient_live(socket_patients: Patients, servers: Servers) -> None:
    patient, bystander = socket_patients(), socket_patients()
    for someone in (patient, bystander):
        someone.say("hello")
        someone.wait_for(consent_question)
    mark = len(patient.messages)
    push(servers, patient.session_id, "Hello, this is Sam from the study team.")
    # Marked as a person's message; the coordinator's name stays in the inbox.
    assert patient.wait_for(lambda m: "Sam" in m.get("text", ""), since=mark) == {
        "text": "Hello, this is Sam from the study team.",
        "from": "coordinator",
    }
    # The same patient reconnecting with the same session id still gets the next one.
    patient.close()
    again = socket_patients(patient.session_id, token=patient.token)
    assert again.session_id == patient.session_id
    push(servers, patient.session_id, "Are you still there?")
    again.wait_for(lambda m: m.get("text") == "Are you still there?", since=0)
    time.sleep(1)  # give a misdelivered message time to arrive
    assert not [t for t in bystander.texts() if "Sam" in t or "still there" in t]


def test_the_screening_result_arrives_as_a_custom_payload(socket_patients: Patients) -> None:
    patient = socket_patients()
    patient.say("hello")
    patient.wait_for(consent_question)
    answers = {**SLE_PATIENT, "age": "70"}  # ends at the age question (see test_screening)
    patient.say("yes")
    order: list[str] = []
    while (reply := patient.wait_for(question_or_card)).get("text") in QUESTIONS and len(order) < 60:
        fact_id = QUESTIONS[reply["text"]].id
        order.append(fact_id)
        patient.say(answers.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type])
    assert order[-1] == "age"
    assert set(reply) == {"custom"}
    assert set(reply["custom"]) == {"screening_result"}
    result = reply["custom"]["screening_result"]
    assert result["status"] == "not_eligible"
    assert result["reasons"] == ["This study is only for people aged 18 to 65."]
