"""The patient-words test stories (bot/tests/test_patient_words.yml), replayed on the real servers.

``rasa test core`` (scripts/test) checks those stories' dialogue with their intents as written:
it runs no custom action and ignores the ``user:`` text. Its ``--e2e`` mode would parse the
text, but then demands every entity annotated in the story, and our answer readers put
several entities on one span, some with dict or list values, which Rasa's annotation syntax
cannot write. So here each story's words are sent over the REST channel to the real action
and Rasa servers, and the conversation they produce (the tracker) must follow the story step
by step: every intent NLU gives, every action, every form (de)activation, and every slot the
story names (a dict or list in the story is matched as a subset: the keys it names).

A story the bot does not follow yet (``mismatch`` in ``bot/gen_test_stories.py``) is a
strict expected failure: it fails the run once the bot follows it, so the mark is removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from bot.gen_test_stories import PATIENT_WORDS_OUT, patient_stories
from tests.e2e.conftest import Servers

pytestmark = pytest.mark.e2e

STORIES = {story["story"]: story for story in yaml.safe_load(PATIENT_WORDS_OUT.read_text(encoding="utf-8"))["stories"]}
SPECS = {spec.name: spec for spec in patient_stories()}
SKIPPED_ACTIONS = {"action_listen", "action_session_start"}


@dataclass
class Turn:
    """A user message or an action, and the form (de)activations and slots that follow it."""

    what: tuple[str, str]  # ("user", intent) or ("action", name)
    text: str | None = None
    loops: list[str | None] = field(default_factory=list)
    slots: list[tuple[str, Any]] = field(default_factory=list)


def story_turns(steps: list[dict[str, Any]]) -> list[Turn]:
    turns: list[Turn] = []
    for step in steps:
        if "user" in step:
            turns.append(Turn(("user", step["intent"]), text=str(step["user"]).strip()))
        elif "action" in step:
            turns.append(Turn(("action", step["action"])))
        elif "active_loop" in step:
            turns[-1].loops.append(step["active_loop"])
        else:
            turns[-1].slots += [next(iter(slot.items())) for slot in step["slot_was_set"]]
    return turns


def tracker_turns(events: list[dict[str, Any]]) -> list[Turn]:
    turns: list[Turn] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns.append(Turn(("user", event["parse_data"]["intent"]["name"]), text=event.get("text")))
        elif kind == "action" and event["name"] not in SKIPPED_ACTIONS:
            turns.append(Turn(("action", event["name"])))
        elif kind == "active_loop" and turns:
            turns[-1].loops.append(event.get("name"))
        elif kind == "slot" and turns:
            turns[-1].slots.append((event["name"], event["value"]))
    return turns


def matches(wanted: Any, got: Any) -> bool:
    """``got`` has what ``wanted`` names: a dict's named keys, a list item by item, a number by value."""
    if isinstance(wanted, dict):
        return isinstance(got, dict) and all(k in got and matches(v, got[k]) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(got, list) and len(got) == len(wanted) and all(map(matches, wanted, got))
    if isinstance(wanted, bool) or isinstance(got, bool):
        return wanted is got
    if isinstance(wanted, (int, float)) and isinstance(got, (int, float)):
        return float(wanted) == float(got)
    return bool(wanted == got)


def differences(story: list[Turn], actual: list[Turn]) -> list[str]:
    """Where the conversation left the story (empty when it followed it)."""
    found: list[str] = []
    loop: str | None = None
    for index, (want, got) in enumerate(zip(story, actual, strict=False)):
        where = f"step {index} {want.what}" + (f" {want.text!r}" if want.text else "")
        if want.what != got.what:
            return [*found, f"{where}: the bot did {got.what}" + (f" (said {got.text!r})" if got.text else "")]
        if want.text is not None and want.text != got.text:
            found.append(f"{where}: the text sent was {got.text!r}")
        if got.loops and want.loops[-1:] != got.loops[-1:]:
            found.append(f"{where}: the form became {got.loops[-1]!r}, not {want.loops[-1:] or 'unchanged'}")
        loop = got.loops[-1] if got.loops else loop
        if not got.loops and want.loops and want.loops[-1] != loop:
            found.append(f"{where}: the active form is {loop!r}, not {want.loops[-1]!r}")
        for name, value in want.slots:
            if not any(slot == name and matches(value, was) for slot, was in got.slots):
                values = [was for slot, was in got.slots if slot == name]
                found.append(f"{where}: slot {name} was not set to {value!r} (set to: {values or 'nothing'})")
    if len(actual) != len(story):
        extra = [t.what for t in actual[len(story) :]] or [t.what for t in story[len(actual) :]]
        found.append(f"the bot's conversation has {len(actual)} steps, the story {len(story)}: {extra[:6]}")
    return found


def _param(name: str) -> Any:
    mismatch = SPECS[name].mismatch
    marks = [pytest.mark.xfail(strict=True, reason=f"not yet: {mismatch}")] if mismatch else []
    return pytest.param(name, id=name, marks=marks)


def test_the_story_file_is_the_generators() -> None:
    assert list(STORIES) == list(SPECS)


@pytest.mark.parametrize("name", [_param(name) for name in SPECS])
def test_the_bot_follows_the_story(servers: Servers, name: str) -> None:
    story = story_turns(STORIES[name]["steps"])
    sender = f"e2e-words-{uuid.uuid4().hex[:8]}"
    for turn in story:
        if turn.what[0] == "user":
            servers.say(sender, str(turn.text))
    actual = tracker_turns(servers.tracker(sender)["events"])
    assert not differences(story, actual), "\n".join(differences(story, actual))


def test_a_story_the_bot_leaves_is_caught() -> None:
    # The comparison itself: a different action, a missing slot value, a wrong intent are all found.
    story = story_turns(STORIES["tablets times strength is the dose"]["steps"])
    followed = [Turn(t.what, t.text, list(t.loops), list(t.slots)) for t in story]
    assert not differences(story, followed)
    five_mg = [("current_steroid_dose", {"value": {"mg_per_day": 5}})]
    wrong_dose = [*followed[:-1], Turn(followed[-1].what, slots=five_mg)]
    assert differences(story, wrong_dose)
    handed_off = [*followed[:-1], Turn(("action", "action_handoff"))]
    assert differences(story, handed_off)
    other_intent = [*followed[:-2], Turn(("user", "medical_question"), followed[-2].text), followed[-1]]
    assert differences(story, other_intent)
    assert differences(story, followed[:-1])  # the bot stopped early
