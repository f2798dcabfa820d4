"""Checks every channel applies to a patient's message before Rasa sees it.

Rasa reads a message starting with "/" as a command (``/intent{"slot": "value"}``) that
sets intents and slots directly. A patient must never be able to do that, on any channel,
so leading slashes are removed and the words are read as ordinary text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Slash look-alikes a client might send to slip past a plain "/" check.
_SLASHES = "/\u2044\u2215\u29f8\uff0f"


@dataclass(frozen=True)
class Checked:
    """A message after the guard: the text to pass on, or why it was refused."""

    text: str
    too_long: bool = False


def check_message(text: str | None, *, max_chars: int) -> Checked:
    """Clean a patient's message: no command prefix, no control characters, a length cap."""
    cleaned = "".join(ch for ch in (text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    cleaned = unicodedata.normalize("NFKC", cleaned).strip()
    if len(cleaned) > max_chars:
        return Checked("", too_long=True)
    return Checked(strip_command(cleaned))


def strip_command(text: str) -> str:
    """The text without leading slashes (or look-alikes), so Rasa cannot read it as a command."""
    cleaned = text.strip()
    while cleaned and (cleaned[0] in _SLASHES or unicodedata.normalize("NFKC", cleaned[0]) in _SLASHES):
        cleaned = cleaned[1:].lstrip()
    return cleaned


TOO_LONG_REPLY = "That message is a bit long for me. Could you answer in one or two short sentences?"
