"""Which of the answers a message names count: those not denied, and the latest of two.

The choice reader (``nlu.choices``) finds every phrase naming an answer; here the words
around them decide which still stand: a negation before one denies it ("not lupus,
myositis"), and of two answers the one said after "now" (or after an ``earlier`` cue for the
other) is what the patient has ("it started limited, now it's diffuse").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

NEAR = 3  # how many words after a negation cue a phrase may start ("not lupus", "don't have lupus")
CLAUSE_END = re.compile(r"[,;.!?]|\b(?:but|and|then)\b", re.IGNORECASE)
UNSURE = "unsure"  # not a choice: the patient cannot name the answer


@dataclass(frozen=True)
class Named:
    """A phrase naming an answer: its choice key, its mark (choices.yaml) and where it is."""

    key: str
    mark: str  # "", CHECK, DECIDE or DESCRIBED
    start: int
    end: int


def denied_spans(doc: Doc, matches: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Character spans a negation cue denies: from the cue to ``NEAR`` words on, within its clause.

    "not lupus, myositis": lupus is denied, myositis is the answer; "not sure, lupus?" is
    no negation (a ``pseudo`` cue), and a comma or "but" ends the cue's reach. ``matches``:
    (kind, start, end) of the ``before`` and ``pseudo`` negation cues (choices.yaml).
    """
    pseudo = [(s, e) for kind, s, e in matches if kind == "pseudo"]
    spans = []
    for kind, start, end in matches:
        if kind != "before" or any(s <= start and end <= e for s, e in pseudo):
            continue
        last = end
        while last < min(len(doc), end + NEAR) and not CLAUSE_END.fullmatch(doc[last].lower_):
            last += 1
        if last > end:  # from the word after the cue: "no periods for 12 years" is a phrase of its own
            spans.append((doc[end].idx, doc[last - 1].idx))
    return spans


def latest(parts: list[Named], nows: list[tuple[int, int]], earlier: list[tuple[int, int]], text: str) -> list[Named]:
    """Of two answers, the one said after a "now" that opens its clause ("it started limited, now it's diffuse").

    "Lupus now, myositis before" is not one: its "now" closes the first answer's clause. The
    first answer said after an ``earlier`` cue ("started limited now its diffuse") is what it was.
    """
    keys = {p.key for p in parts} - {UNSURE}
    if len(keys) != 2 or not (nows or earlier):
        return parts
    last = max(parts, key=lambda p: p.start)
    earlier_end = max(p.end for p in parts if p.key != last.key)
    first_of_last = min(p.start for p in parts if p.key == last.key)
    first = min(p.start for p in parts if p.key != last.key)
    if any(end <= first and not text[end:first].strip(" ") for _, end in earlier) and any(
        earlier_end <= start and end <= first_of_last for start, end in nows
    ):
        return [p for p in parts if p.key == last.key]  # "started limited now its diffuse"
    for start, end in nows:
        if earlier_end <= start and end <= first_of_last and CLAUSE_END.search(text[earlier_end:start]) \
                and not CLAUSE_END.search(text[end:first_of_last]):  # fmt: skip
            return [p for p in parts if p.key == last.key]
    return parts


def undenied(parts: list[Named], denied: list[tuple[int, int]]) -> list[Named]:
    """The parts no negation denies: a cue denies the first answer named in its reach, no more.

    "its not scleroderma its myositis": scleroderma is denied, myositis is the answer.
    """
    out = set()
    for start, end in denied:
        reached = [p for p in parts if start <= p.start <= end]
        if reached:
            first = min(p.start for p in reached)
            out |= {id(p) for p in reached if p.start == first}
    return [p for p in parts if id(p) not in out]
