"""Messages for text-only channels: numbered choices and back, splitting, the result as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.text_only import choice_for, numbered, result_text, split

BUTTONS = [
    {"title": "Yes", "payload": "yes"},
    {"title": "No", "payload": "no"},
    {"title": "Not sure", "payload": "not sure"},
]


def test_buttons_become_numbered_choices() -> None:
    assert numbered("Do you need dialysis?", BUTTONS) == (
        "Do you need dialysis?\nReply 1 for Yes, 2 for No, 3 for Not sure."
    )
    assert numbered("Tell me your age.", []) == "Tell me your age."


def test_choices_with_commas_are_kept_apart() -> None:
    buttons = [{"title": "Yes, let's start", "payload": "yes"}, {"title": "No, thanks", "payload": "no"}]
    assert (
        numbered("Is it OK to start?", buttons) == "Is it OK to start?\nReply 1 for Yes, let's start; 2 for No, thanks."
    )


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "yes"),  # the number alone
        (" 2 ", "no"),  # with spaces
        ("3.", "not sure"),  # with a full stop
        ("#2", "no"),
        ("two", "no"),  # as a word
        ("Three!", "not sure"),
        ("4", None),  # out of range
        ("0", None),
        ("2 or 3", None),  # not one choice: the bot reads the words
        ("yes", None),  # words go to the bot as written
        ("I'm 42", None),  # a number inside an answer is an answer, not a choice
        ("", None),
    ],
)
def test_a_number_reply_picks_its_button(reply: str, payload: str | None) -> None:
    assert choice_for(reply, BUTTONS) == payload


def test_a_long_message_is_split_between_sentences() -> None:
    text = "First sentence here. Second one is a bit longer! Third? Fourth."
    assert split(text, 30) == ["First sentence here.", "Second one is a bit longer!", "Third? Fourth."]
    assert split("Short.", 160) == ["Short."]


def test_line_breaks_are_kept_within_a_part() -> None:
    text = "The team will check:\n- a blood test\n- your scans.\nThat is all."
    assert split(text, 160) == [text]
    assert split(text, 40) == ["The team will check:\n- a blood test", "- your scans.\nThat is all."]
    assert split("One.\n\n\nTwo.", 160) == ["One.\nTwo."]  # blank lines are not kept


def test_a_sentence_longer_than_the_limit_is_split_between_words_and_a_long_word_cut() -> None:
    assert split("aaa bbb ccc ddd", 7) == ["aaa bbb", "ccc ddd"]
    assert split("https://example.org/very/long", 10) == ["https://ex", "ample.org/", "very/long"]


@settings(max_examples=200)
@given(st.text(max_size=2000), st.integers(min_value=1, max_value=400))
def test_split_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    parts = split(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_split_refuses_a_limit_below_one() -> None:
    with pytest.raises(ValueError):
        split("text", 0)


def test_the_result_card_as_text() -> None:
    text = result_text(
        {"status": "not_eligible", "reasons": ["This study is only for people aged 18 to 65."], "site_to_verify": []}
    )
    assert text.splitlines() == [
        "Result: this study is not a fit for you.",
        "- This study is only for people aged 18 to 65.",
        "This is a pre-screen, not a medical decision.",
    ]
    likely = result_text({"status": "likely_eligible", "reasons": [], "site_to_verify": ["a", "b"]})
    assert "may be able to join" in likely and "still check some things" in likely


def test_a_not_yet_card_as_text() -> None:
    reason = "People who had CAR-T therapy in the last 6 months cannot join. You may be able to join from 6 April 2027."
    text = result_text({"status": "not_yet", "reasons": [reason], "recontact_after": "2027-04-06"})
    assert text.splitlines() == [
        "Result: you may be able to join this study, but not yet.",
        f"- {reason}",
        "The study team can contact you when that time has passed.",
        "This is a pre-screen, not a medical decision.",
    ]
