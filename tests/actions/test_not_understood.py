"""Outside a form, a message nobody could read is asked again once; the next one reaches a person."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionNotUnderstood, times_not_understood
from store import records
from tests.actions.conftest import golden

# The patient at the consent question: "xqzv blorp" was not understood, then "/deny" (which
# the channel passes on as the word "deny", which the model does not know either).
GOLDEN = "consent_not_understood_again"


def until(index: int) -> Tracker:
    """The golden conversation cut after its ``index``-th patient message."""
    data = copy.deepcopy(golden(GOLDEN))
    users = [i for i, e in enumerate(data["events"]) if e["event"] == "user"]
    data["events"] = data["events"][: users[index] + 1]
    last = data["events"][-1]
    data["latest_message"] = {**last["parse_data"], "text": last["text"], "entities": []}
    return Tracker.from_dict(data)


@pytest.mark.parametrize(
    ("message", "before"),
    [
        (0, 0),  # "hi": nothing misunderstood yet
        (1, 0),  # "xqzv blorp": the first time
        (2, 1),  # "deny": the bot already asked to rephrase once, just before
    ],
)
def test_misunderstandings_are_counted_in_a_row(message: int, before: int) -> None:
    assert times_not_understood(until(message)) == before


def test_an_understood_message_in_between_starts_the_count_again() -> None:
    data = copy.deepcopy(golden(GOLDEN))
    # The patient asked what the study is between the two misunderstandings.
    data["events"][-1:-1] = [
        {"event": "user", "text": "what study?", "parse_data": {"intent": {"name": "about_study", "confidence": 0.9}}},
        {"event": "action", "name": "utter_about_study"},
        {"event": "action", "name": "action_listen"},
    ]
    assert times_not_understood(Tracker.from_dict(data)) == 0


async def test_the_first_time_the_patient_is_asked_to_rephrase(database: str, session: Any) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(dispatcher, until(1), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_not_understood"]
    assert records.open_handoffs(session=session) == []


async def test_the_second_time_in_a_row_a_coordinator_takes_over(database: str, session: Any) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(dispatcher, until(2), {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert (slots["outcome"], slots["handoff_reason"]) == ("handoff", "nlu_fallback")
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff"]
    [handoff] = records.open_handoffs(session=session)
    assert (handoff.reason, handoff.message) == ("nlu_fallback", "deny")
    screening = records.find_screening(session=session, screening_id=slots["screening_id"])
    assert screening is not None and screening.consent_at is None and not screening.answers
