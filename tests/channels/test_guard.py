"""The message guard every channel applies: no "/intent" commands, no control characters, a length cap."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.guard import check_message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/affirm", "affirm"),  # an intent command becomes plain words
        ('/inform{"age": 30}', 'inform{"age": 30}'),  # a slot injection is only text now
        ("  //deny", "deny"),  # repeated slashes and leading spaces
        ("\uff0faffirm", "affirm"),  # a full-width slash is a slash after NFKC
        ("\u200b/affirm", "affirm"),  # a zero-width space in front does not hide it
        ("\u2215affirm", "affirm"),  # division slash
        ("I take 1/2 a tablet", "I take 1/2 a tablet"),  # a slash inside a message is kept
        ("hello\x00\x07", "hello"),  # control characters go
        ("line one\nline two", "line one\nline two"),  # new lines stay
        ("", ""),
        (None, ""),
    ],
)
def test_commands_and_control_characters_are_removed(text: str | None, expected: str) -> None:
    checked = check_message(text, max_chars=1000)
    assert checked.text == expected
    assert not checked.too_long


def test_length_cap() -> None:
    assert check_message("x" * 1000, max_chars=1000).text == "x" * 1000
    assert check_message("x" * 1001, max_chars=1000).too_long


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_no_message_reaches_rasa_as_a_command(text: str) -> None:
    checked = check_message(text, max_chars=10_000)
    # Rasa strips the text and treats a leading "/" as a command.
    assert not checked.text.strip().startswith("/")
