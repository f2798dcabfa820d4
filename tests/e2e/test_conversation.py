"""Reading and asking on the real servers (issue "Screening that holds up against patients it has never seen").

Each test is one patient over the REST channel, in a patient's own words: silence is asked
about, side remarks do not take over answers, doubtful readings are read back, every
handoff ends with its result card, and the contact step takes several details at once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.examples import CLEAR_TEXT, SLE_CHAT
from criteria import load_trial
from store.db import engine_for, session_scope
from store.models import Contact, Screening
from tests.e2e.conftest import Servers
from tests.e2e.test_screening import asked, card

pytestmark = pytest.mark.e2e

TRIAL = load_trial("NCT07193810")


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(r.get("text", "") for r in replies)


def start(servers: Servers) -> tuple[str, list[dict[str, Any]]]:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "hello")
    return sender, servers.say(sender, "yes")


def answer_until(
    servers: Servers, sender: str, replies: list[dict[str, Any]], answers: dict[str, str], stop: str, limit: int = 40
) -> list[dict[str, Any]]:
    """Answer the bot's questions from ``answers`` (or clear answers) until it asks ``stop``."""
    for _ in range(limit):
        fact_id = asked(replies)
        if fact_id == stop or fact_id is None:
            return replies
        replies = servers.say(sender, answers.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type])
    raise AssertionError(f"{stop} was never asked")


def test_a_list_without_a_steroid_asks_about_steroids(servers: Servers) -> None:
    # "Benlysta for a year and azathioprine for 2 years": before, the steroid rules were met by silence.
    sender, replies = start(servers)
    chat = {
        **SLE_CHAT,
        "current_medicines": "Benlysta for a year and azathioprine for 2 years",
        "last_bcell_therapy_date": "3 months ago",  # Benlysta now with "never" would contradict
    }
    replies = answer_until(servers, sender, replies, chat, "current_steroid")
    replies = servers.say(sender, "yes, prednisone")
    replies = answer_until(servers, sender, replies, chat, "current_steroid_dose")  # asked now: silence was not "no"
    replies = servers.say(sender, "50 mg a day")
    result = card(replies)
    assert result["status"] == "not_eligible"
    assert any("40 mg" in reason for reason in result["reasons"])


def test_each_medicine_named_without_a_duration_is_followed_up(servers: Servers) -> None:
    sender, replies = start(servers)
    replies = answer_until(servers, sender, replies, SLE_CHAT, "current_medicines")
    replies = servers.say(sender, "methotrexate and CellCept")
    assert "How long have you taken methotrexate?" in texts(replies)
    replies = servers.say(sender, "about 2 years")
    assert "How long have you taken mycophenolate mofetil?" in texts(replies)
    replies = servers.say(sender, "since 2021")
    assert asked(replies) is not None  # on to the next question of the screening
    slot = servers.tracker(sender)["slots"]["current_medicines"]["value"]
    assert slot == [
        {"medicine": "methotrexate", "duration": "2 years"},
        {"medicine": "mycophenolate_mofetil", "duration": f"{_years_since(2021)} years"},
    ]


def _years_since(year: int) -> int:
    return date.today().year - year


def test_an_answer_with_a_question_is_kept_and_the_question_answered(servers: Servers) -> None:
    sender, replies = start(servers)
    replies = answer_until(servers, sender, replies, SLE_CHAT, "age")
    replies = servers.say(sender, "34, is this study paid?")
    assert "CC312" in texts(replies)  # the about-the-study answer
    assert asked(replies) not in {None, "age"}  # and the next question, not age again
    assert servers.tracker(sender)["slots"]["age"]["value"] == 34


def test_a_doubtful_answer_is_read_back_once(servers: Servers) -> None:
    sender, replies = start(servers)
    replies = answer_until(servers, sender, replies, SLE_CHAT, "age")
    replies = servers.say(sender, "34 i think")
    assert "I understood that you are 34 years old. Is that right?" in texts(replies)
    replies = servers.say(sender, "yes")
    assert asked(replies) not in {None, "age"}
    assert servers.tracker(sender)["slots"]["age"]["confirmed"] is True


def test_three_messages_without_an_answer_bring_a_person_with_the_result_card(servers: Servers) -> None:
    sender, replies = start(servers)
    for _ in range(2):
        replies = servers.say(sender, "what is this study about?")
        assert "CC312" in texts(replies)
    replies = servers.say(sender, "what is this study about?")
    result = card(replies)
    assert (result["status"], result["reason"]) == ("handoff", "no_answer")


def test_asking_for_a_person_ends_with_the_result_card(servers: Servers) -> None:
    sender, _ = start(servers)
    replies = servers.say(sender, "I want to talk to a person")
    result = card(replies)
    assert (result["status"], result["reason"]) == ("handoff", "patient_request")


def test_the_contact_step_takes_every_detail_in_one_message(servers: Servers) -> None:
    sender, replies = start(servers)
    replies = answer_until(servers, sender, replies, SLE_CHAT, "__never__")
    assert card(replies)["status"] == "likely_eligible"
    replies = servers.say(sender, "hi")
    assert "contact you" in texts(replies) and "Is it OK to start" not in texts(replies)  # asked again, alone
    replies = servers.say(sender, "yes, by email: pat@example.org, mornings")
    assert "will contact you" in texts(replies)
    assert "lost track" not in texts(replies)
    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(select(Screening).where(Screening.conversation_id == sender)).scalar_one()
        contact = session.execute(select(Contact).where(Contact.screening_id == screening.id)).scalar_one()
        assert (contact.method, contact.value, contact.best_time) == ("email", "pat@example.org", "mornings")


def test_a_fact_said_out_of_turn_is_confirmed_and_can_end_the_screening(servers: Servers) -> None:
    sender, replies = start(servers)
    replies = answer_until(servers, sender, replies, SLE_CHAT, "pregnant_or_breastfeeding")
    replies = servers.say(sender, "no, but I had a kidney transplant in 2019")
    said = texts(replies)
    assert "You also told me something about this" in said and TRIAL.facts["transplant"].question in said
    replies = servers.say(sender, "yes")
    result = card(replies)
    assert result["status"] == "not_eligible"
    slots = servers.tracker(sender)["slots"]
    assert slots["pregnant_or_breastfeeding"]["value"] is False
    assert slots["transplant"]["confirmed"] is True
