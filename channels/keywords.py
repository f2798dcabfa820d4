"""The messaging channels' own words: SMS keywords (STOP, START, HELP) and fixed replies.

Both are data (``channels/data/messaging.yaml``), checked when loaded: a missing or unknown
key is an error, not a silent default.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

DATA = Path(__file__).resolve().parent / "data" / "messaging.yaml"
KEYWORD_GROUPS = ("stop", "start", "start_when_opted_out", "help")
REPLIES = ("stopped", "started", "help", "text_only", "edited", "failed", "coordinator_prefix")

Keyword = Literal["stop", "start", "start_when_opted_out", "help"]


class MessagingDataError(ValueError):
    """The messaging data file is malformed (the message says where)."""


@dataclass(frozen=True)
class Messaging:
    """The keywords (upper case, by group) and the replies (format strings)."""

    keywords: dict[str, frozenset[str]]
    replies: dict[str, str]

    @staticmethod
    def word(text: str) -> str:
        """A message as a keyword is matched: trimmed, without trailing punctuation, upper case."""
        return text.strip().rstrip(string.punctuation + " ").strip().upper()

    def keyword(self, text: str) -> Keyword | None:
        """The keyword group a whole message belongs to ("Stop!" is STOP), or None."""
        word = self.word(text)
        for group in KEYWORD_GROUPS:
            if word in self.keywords[group]:
                return group  # type: ignore[return-value]  # one of the Keyword literals
        return None

    def reply(self, name: str, **values: str) -> str:
        """A fixed reply, with ``{study}`` and ``{contact}`` filled in."""
        return self.replies[name].format(**values)


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise MessagingDataError(f"{where}: expected a non-empty list of words")
    return [item.strip().upper() for item in value]


def parse(data: object) -> Messaging:
    """Check and read the messaging data (the parsed YAML)."""
    if not isinstance(data, dict) or set(data) != {"keywords", "replies"}:
        raise MessagingDataError("expected exactly the keys 'keywords' and 'replies'")
    keywords, replies = data["keywords"], data["replies"]
    if not isinstance(keywords, dict) or set(keywords) != set(KEYWORD_GROUPS):
        raise MessagingDataError(f"keywords: expected exactly {', '.join(KEYWORD_GROUPS)}")
    if not isinstance(replies, dict) or set(replies) != set(REPLIES):
        raise MessagingDataError(f"replies: expected exactly {', '.join(REPLIES)}")
    groups = {group: frozenset(_strings(keywords[group], f"keywords.{group}")) for group in KEYWORD_GROUPS}
    seen: set[str] = set()
    for group, words in groups.items():
        if seen & words:
            raise MessagingDataError(f"keywords.{group}: {', '.join(sorted(seen & words))} already in another group")
        seen |= words
    texts: dict[str, str] = {}
    for name in REPLIES:
        text = replies[name]
        if not isinstance(text, str) or not text.strip():
            raise MessagingDataError(f"replies.{name}: expected text")
        try:
            text.format(study="s", contact="c")
        except (KeyError, IndexError, ValueError) as error:
            raise MessagingDataError(f"replies.{name}: only {{study}} and {{contact}} can be filled in") from error
        texts[name] = text
    return Messaging(groups, texts)


@cache
def messaging() -> Messaging:
    """The messaging data, read once."""
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")))
