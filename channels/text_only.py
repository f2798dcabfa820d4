"""Bot messages for channels without buttons or cards (SMS, WhatsApp text, Telegram fallback).

Pure functions, no Rasa: buttons become numbered choices ("Reply 1 for Yes, 2 for No") and a
reply of just that number is mapped back to the button's payload; long messages are split
at sentence boundaries within the channel's limit; the result card becomes a short text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def numbered(text: str, buttons: Sequence[Mapping[str, Any]]) -> str:
    """The message with its buttons as numbered choices: "... Reply 1 for Yes, 2 for No."."""
    titles = [str(button.get("title", "")).strip() for button in buttons]
    titles = [title for title in titles if title]
    if not titles:
        return text
    # A title with a comma ("Yes, let's start") would run into the next choice: semicolons then.
    separator = "; " if any("," in title for title in titles) else ", "
    choices = separator.join(f"{number} for {title}" for number, title in enumerate(titles, start=1))
    return f"{text.rstrip()}\nReply {choices}."


def choice_for(reply: str, buttons: Sequence[Mapping[str, Any]]) -> str | None:
    """The payload of the button a reply picks by its number ("2", "#2", "2.", "two"); else None.

    Anything else (words, a number out of range, "2 or 3") is not a choice: the text goes to
    the bot as the patient wrote it.
    """
    said = reply.strip().casefold()
    found = _NUMBER.match(said)
    number = int(found.group(1)) if found else _WORDS.get(said.rstrip(".!"))
    if number is None or not 1 <= number <= len(buttons):
        return None
    payload = buttons[number - 1].get("payload") or buttons[number - 1].get("title")
    return str(payload) if payload else None


def split(text: str, limit: int) -> list[str]:
    """The text in parts of at most ``limit`` characters, broken between sentences where possible.

    Line breaks are kept inside a part (a list stays a list); a sentence longer than the
    limit is broken between words; a word longer than the limit (a long link) is cut. No
    part is empty; the words and their order are kept.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[tuple[str, str]] = []  # (what joins it to the piece before, the piece)
    for line in text.split("\n"):
        joiner = "\n"
        for sentence in _SENTENCE_END.split(line):
            for piece in _fit(sentence.strip(), limit) if sentence.strip() else []:
                pieces.append((joiner, piece))
                joiner = " "
    return _pack(pieces, limit)


def _fit(sentence: str, limit: int) -> list[str]:
    """One sentence in pieces no longer than ``limit``: between words, a too-long word cut."""
    if len(sentence) <= limit:
        return [sentence]
    words = (word[i : i + limit] for word in sentence.split() for i in range(0, len(word), limit))
    return _pack([(" ", word) for word in words], limit)


def _pack(pieces: Iterable[tuple[str, str]], limit: int) -> list[str]:
    """Join pieces (each at most ``limit`` long) with their joiners into as few parts as fit the limit."""
    parts: list[str] = []
    current = ""
    for joiner, piece in pieces:
        joined = f"{current}{joiner}{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


RESULT_HEADINGS = {
    "likely_eligible": "Result: you may be able to join this study.",
    "not_eligible": "Result: this study is not a fit for you.",
    "not_yet": "Result: you may be able to join this study, but not yet.",
    "handoff": "Result: a study coordinator will help with your answers.",
}


def result_text(result: Mapping[str, Any]) -> str:
    """The result card as a short text: the verdict, the reasons, and that it is a pre-screen."""
    status = str(result.get("status", ""))
    lines = [RESULT_HEADINGS.get(status, "Result: a study coordinator will be in touch.")]
    lines += [f"- {reason}" for reason in result.get("reasons") or []]
    if status == "likely_eligible" and result.get("site_to_verify"):
        lines.append("The study team will still check some things before you can join.")
    if status == "not_yet":
        # The reasons say from which day; the payload's recontact_after is for the site.
        lines.append("The study team can contact you when that time has passed.")
    lines.append("This is a pre-screen, not a medical decision.")
    return "\n".join(lines)
