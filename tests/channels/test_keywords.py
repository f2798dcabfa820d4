"""SMS keywords and the channels' fixed replies, read from channels/data/messaging.yaml."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from channels.keywords import DATA, MessagingDataError, messaging, parse


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("STOP", "stop"),  # the carrier keyword
        ("stop", "stop"),  # any case
        (" Stop! ", "stop"),  # trailing punctuation and spaces
        ("unsubscribe", "stop"),  # a synonym carriers honour
        ("cancel", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("yes", "start_when_opted_out"),  # resubscribes only someone who opted out
        ("HELP", "help"),
        ("info?", "help"),
        ("please stop", None),  # a sentence is an answer for the bot
        ("stop it", None),
        ("non-stop", None),
        ("", None),
        ("2", None),
    ],
)
def test_a_whole_message_is_a_keyword(text: str, group: str | None) -> None:
    assert messaging().keyword(text) == group


def test_the_replies_fill_in_the_study_and_the_contact() -> None:
    text = messaging().reply("help", study="NCT0000", contact="+44 20 7946 0000")
    assert "NCT0000" in text and "+44 20 7946 0000" in text and "STOP" in text


def raw() -> dict[str, Any]:
    return dict(yaml.safe_load(DATA.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.update(extra=1), "exactly the keys"),  # an unknown top-level key
        (lambda d: d["keywords"].update(quit=["QUIT"]), "keywords: expected exactly"),  # an unknown group
        (lambda d: d["keywords"].pop("help"), "keywords: expected exactly"),  # a missing group
        (lambda d: d["keywords"].update(help=[]), "keywords.help"),  # an empty group
        (lambda d: d["keywords"].update(help=["STOP"]), "already in another group"),  # one word, two meanings
        (lambda d: d["replies"].pop("stopped"), "replies: expected exactly"),  # a missing reply
        (lambda d: d["replies"].update(help="call {phone}"), "replies.help"),  # an unknown placeholder
        (lambda d: d["replies"].update(failed="  "), "replies.failed"),  # an empty reply
    ],
)
def test_a_malformed_file_is_refused(change: Any, complaint: str) -> None:
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(MessagingDataError, match=complaint):
        parse(data)


def test_the_shipped_file_is_valid() -> None:
    assert parse(raw()) == messaging()
