"""Numbers and amounts in free text: "42", "forty-two", "7 and a half mg", "about 40-45", "a couple of years".

The shared layer under the answer readers (ages and weights, dates and durations, doses):
plain spaCy on a blank English tokenizer, no Rasa. ``prepare`` builds on the one normalisation
(``nlu.text.normalise``) for every reader that reads numbers (so character offsets agree),
splitting digits from letters; ``NumberReader.numbers`` finds the
numbers with how exact they are (a range, "about", "a few"), and ``NumberReader.amounts``
the numbers followed by a unit from ``nlu/data/units.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc

from nlu.text import QUESTION_MARK, normalise

UNITS = Path(__file__).parent / "data" / "units.yaml"

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "none": 0,
}  # fmt: skip
_SMALL.pop("none")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "fivety": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
_CENTURIES = {"nineteen": 19, "twenty": 20}  # "twenty nineteen", "nineteen eighty five": a year said
_SCALES = {"hundred": 100, "thousand": 1000}


def _slips(words: list[str]) -> dict[str, str]:
    """Slips of long number words: two neighbours swapped, one left out, one doubled (not the first letter).

    Only words of 5 letters or more, and never a real word a slip could be ("fifth", "eighth").
    """
    slips: dict[str, str] = {}
    for word in words:
        if len(word) < 5:
            continue
        found = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
        found |= {word[:i] + word[i + 1 :] for i in range(1, len(word))}
        found |= {word[:i] + word[i] + word[i:] for i in range(1, len(word))}
        for slip in found - set(words) - _NOT_SLIPS:
            slips[slip] = word if slip not in slips else ""  # a slip of two words is neither
    return {slip: word for slip, word in slips.items() if word and len(slip) >= 5}


# Words one slip from a number word that are words of their own.
_NOT_SLIPS = {"fifth", "eighth", "sixth", "tenth", "seventh", "ninth", "twelfth", "fourth", "three", "there",
              "sevens", "elevens", "fifths", "fourty", "fivety"}  # fmt: skip
_VAGUE = {"few": 3.0, "several": 4.0, "couple": 2.0}  # "a couple of": two, give or take
_BEFORE = {"about", "around", "approx", "approximately", "roughly", "nearly", "almost", "circa", "ca", "maybe",
           "probably", "like", "abt", "apx", "arround", "aprox", "roughtly", "some"}  # fmt: skip
_AFTER = {"ish", "-ish", "odd"}
_BOUND = {"over": "over", "above": "over", "more": "over", "under": "under", "below": "under", "less": "under",
          "least": "over", "most": "under", "upto": "under", "plus": "over", "+": "over"}  # fmt: skip
_SLIPS = _slips([*_SMALL, *_TENS])
_PARTS = (
    (["and", "a", "half"], 0.5), (["and", "half"], 0.5), (["and", "a", "quarter"], 0.25), (["and", "quarter"], 0.25),
    (["and", "three", "quarters"], 0.75),
)  # fmt: skip
_TEENS = {word: value for word, value in _SMALL.items() if value >= 10}
_SPOKEN_YEAR = re.compile(
    rf"\b({'|'.join(_CENTURIES)})[\s-]+(?:({'|'.join(_TEENS)})|({'|'.join(_TENS)})(?:[\s-]+"
    rf"({'|'.join(w for w, v in _SMALL.items() if 0 < v < 10)}))?)\b",
    re.IGNORECASE,
)
_RANGE = {"-", "to", "or", "\u2013", "\u2014", "/", "till", "until"}  # en and em dashes too
_DIGITS = re.compile(r"^\d{1,6}(?:[.,]\d+)?$")
_FRACTION = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_GLYPHS = {"\u00bd": " 1/2", "\u00bc": " 1/4", "\u00be": " 3/4"}
_SPLIT = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_UNIT_SLASH = re.compile(r"(?<=[^\W\d_])/(?=\d)")  # "15mg/5ml": the unit apart from the volume


def prepare(text: str, *, surrogate: str = QUESTION_MARK) -> str:
    """The text the number readers read: ``normalise``d, "~" as "about", digits apart from letters, one space.

    ``surrogate``: what a lone surrogate becomes (see ``nlu.text.normalise``).
    """
    for glyph, spelled in _GLYPHS.items():
        text = text.replace(glyph, spelled)  # before NFKC, which would make "7½" read "71/2"
    text = normalise(text, surrogate=surrogate).replace("\u2044", "/").replace("~", " about ")
    text = _UNIT_SLASH.sub(" / ", _SPLIT.sub(" ", _SPOKEN_YEAR.sub(_year_digits, text)))
    return " ".join(text.split())


def _year_digits(match: re.Match[str]) -> str:
    """A year said in words as digits: "twenty twenty-four" is "2024", "nineteen eighty five" "1985"."""
    century, teen, tens, unit = (part.lower() if part else part for part in match.groups())
    rest = _TEENS[teen] if teen else _TENS[tens] + (_SMALL[unit] if unit else 0)
    return str(_CENTURIES[century] * 100 + rest)


@dataclass(frozen=True)
class Number:
    """A number as said: its value (a range's middle), bounds, and how exact it is."""

    value: float
    low: float
    high: float
    start: int  # token index of the first token
    end: int  # token index after the last token
    approximate: bool = False  # "about 40", "40ish", a range
    vague: bool = False  # "a few", "several": no usable number at all
    bound: str | None = None  # "over" / "under": "over 40", "less than 5"

    @property
    def exact(self) -> bool:
        """Said as one plain number."""
        return not (self.approximate or self.vague or self.bound) and self.low == self.high


@dataclass(frozen=True)
class Amount:
    """A number with a canonical unit ("day", "week", "month", "year", "mg", "g", "mcg", "kg", "lb", "stone")."""

    number: Number
    unit: str
    start: int  # token indexes, the unit included
    end: int


class NumberReader:
    """Finds numbers and amounts in a prepared ``Doc``."""

    def __init__(self, nlp: Language, units: dict[str, list[str]]) -> None:
        """Units per canonical unit (see ``nlu/data/units.yaml``)."""
        self.nlp = nlp
        self.unit_of = {str(spelling).casefold(): unit for unit, spellings in units.items() for spelling in spellings}

    def doc(self, text: str) -> Doc:
        """The prepared text, tokenised."""
        return self.nlp.make_doc(prepare(text))

    def numbers(self, doc: Doc) -> list[Number]:
        """Every number in the text, left to right; ranges and "and a half" as one number.

        A number word typed with a slip ("twleve", "eleevn", "twnety") is read as that number.
        """
        words = [_SLIPS.get(token.lower_, token.lower_) for token in doc]
        found: list[Number] = []
        i = 0
        while i < len(words):
            parsed = _value(words, i, self.unit_of)
            if parsed is None:
                i += 1
                continue
            value, end, vague = parsed
            number = Number(value, value, value, i, end, approximate=vague, vague=vague)
            number = _ranged(words, number, self.unit_of)
            found.append(_hedged(words, number))
            i = number.end
        return found

    def amounts(self, doc: Doc, numbers: list[Number] | None = None) -> list[Amount]:
        """The numbers followed by a unit ("20 mg", "3 weeks", "a year and a half", "5-year")."""
        words = [token.lower_ for token in doc]
        found = []
        for number in self.numbers(doc) if numbers is None else numbers:
            at = number.end
            joined = at < len(words) and words[at] in {"-", "of", "+"}
            if joined and at + 1 < len(words) and words[at + 1] in self.unit_of:
                at += 1  # "5-year", "a couple of years", "10+ years"
            unit = self.unit_of.get(words[at]) if at < len(words) else None
            if unit is None:
                continue
            end = at + 1
            said = number
            if words[end : end + 3] == ["and", "a", "half"] or words[end : end + 2] == ["and", "half"]:
                end += 3 if words[end + 1] == "a" else 2
                said = _plus_half(number, end)  # "a year and a half"
            found.append(Amount(said, unit, number.start, end))
        return found


def _number_word(words: list[str], i: int) -> tuple[float, int] | None:
    """A spelled number starting at ``i``: "forty-two", "two hundred and ten"; (value, end)."""
    total = 0.0
    value: float | None = None
    at = i
    while at < len(words):
        word = words[at]
        if word in _TENS:
            value = (value or 0) + _TENS[word]
            at += 1
            if at + 1 < len(words) and words[at] == "-" and words[at + 1] in _SMALL:
                at += 1
            if at < len(words) and words[at] in _SMALL and 0 < _SMALL[words[at]] < 10:
                value += _SMALL[words[at]]
                at += 1
        elif word in _SMALL and value is None:
            value = _SMALL[word]
            at += 1
        elif word in _SCALES and (value is not None or (at > 0 and words[at - 1] in {"a", "an"})):
            total += (value or 1) * _SCALES[word]
            value = None
            at += 1
            if at + 1 < len(words) and words[at] == "and" and (words[at + 1] in _SMALL or words[at + 1] in _TENS):
                at += 1
            continue
        else:
            break
        if value is not None and at < len(words) and words[at] in _SCALES:
            continue
        break
    if value is None and total == 0:
        return None
    return total + (value or 0), at


def _value(words: list[str], i: int, unit_of: dict[str, str]) -> tuple[float, int, bool] | None:
    """The number starting at token ``i``: (value, end, vague)."""
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in {"a", "an"}:
        if nxt in _SCALES:
            parsed = _number_word(words, i + 1)
            return (parsed[0], parsed[1], False) if parsed else None
        if nxt in {"few", "couple"}:
            return _VAGUE[nxt], i + 2, True
        if nxt == "half" and i > 0 and words[i - 1] == "and":
            return None
        if nxt == "half" or (nxt in unit_of and unit_of[nxt] in {"day", "week", "month", "year"}):
            return (0.5, i + 2, False) if nxt == "half" else (1.0, i + 1, False)
        return None
    if word in _VAGUE:
        return _VAGUE[word], i + 1, True
    if word == "half":
        after_and = 3 if words[max(0, i - 2) : i] == ["and", "a"] else 2 if i > 0 and words[i - 1] == "and" else 0
        if after_and and (i < after_and or _counted_before(words[i - after_and], unit_of)):
            return None  # the half of "a year and a half", read with the year ("morning and half": a half)
        return 0.5, i + (2 if nxt in {"a", "an"} else 1), False  # "half a year": the unit follows
    if word == "dozen":
        return 12.0, i + 1, False
    value: float
    if _DIGITS.match(word):
        if "," in word:
            whole, _, tail = word.partition(",")
            value = float(whole + tail) if len(tail) == 3 else float(f"{whole}.{tail}")  # 1,000 / 2,5
        else:
            value = float(word)
        end = i + 1
        if end < len(words) and (fraction := _FRACTION.match(words[end])):
            top, bottom = int(fraction.group(1)), int(fraction.group(2))
            if 0 < top < bottom:
                value += top / bottom  # "7 1/2"
                end += 1
    elif fraction := _FRACTION.match(word):
        top, bottom = int(fraction.group(1)), int(fraction.group(2))
        if not 0 < top < bottom:
            return None
        value, end = top / bottom, i + 1
    else:
        parsed = _number_word(words, i)
        if parsed is None:
            return None
        value, end = parsed
    added, end = _added(words, end, whole=value == int(value))
    return value + added, end, False


def _added(words: list[str], end: int, *, whole: bool) -> tuple[float, int]:
    """What a number's words after it add (and their end): "and a half", "and a quarter", "and 1/2", "point five"."""
    for said, part in _PARTS:
        if words[end : end + len(said)] == said:
            return part, end + len(said)  # "one and a quarter tablet"
    if words[end : end + 1] == ["and"] and (fraction := _FRACTION.match(" ".join(words[end + 1 : end + 2]))):
        top, bottom = int(fraction.group(1)), int(fraction.group(2))
        if 0 < top < bottom:
            return top / bottom, end + 2  # "1 and 1/2"
    elif words[end : end + 1] == ["point"] and end + 1 < len(words) and whole:
        tenths = _SMALL.get(words[end + 1], float(words[end + 1]) if words[end + 1].isdigit() else None)
        if tenths is not None and 0 <= tenths < 10:
            return tenths / 10, end + 2  # "seven point five"
    return 0.0, end


def _value_at(words: list[str], i: int) -> bool:
    """A number (digits or a number word) at token ``i``."""
    return i < len(words) and (bool(_DIGITS.match(words[i])) or words[i] in _SMALL or words[i] in _TENS)


def _counted_before(word: str, unit_of: dict[str, str]) -> bool:
    """A number or a unit: what "and a half" after it adds to ("2 and a half", "a year and a half")."""
    return bool(_DIGITS.match(word)) or word in _SMALL or word in _TENS or word in unit_of


def _plus_half(number: Number, end: int) -> Number:
    return Number(number.value + 0.5, number.low + 0.5, number.high + 0.5, number.start, end,
                  number.approximate, number.vague, number.bound)  # fmt: skip


def _ranged(words: list[str], number: Number, unit_of: dict[str, str]) -> Number:
    """Join "40-45", "40 to 45", "5 or 6", "40 kg - 45 kg" into one approximate number."""
    at = number.end
    if at < len(words) and words[at] in unit_of and at + 1 < len(words) and words[at + 1] in _RANGE:
        unit_first = at + 1  # "40 kg to 45 kg": the unit is repeated
    else:
        unit_first = at
    joiners = _RANGE | ({"and"} if number.start > 0 and words[number.start - 1] == "between" else set())
    if unit_first >= len(words) or words[unit_first] not in joiners or unit_first + 1 >= len(words):
        return number
    if words[unit_first] == "/" and unit_first == at:
        return number  # "3/4": not a range (dates and fractions are read elsewhere)
    other = _value(words, unit_first + 1, unit_of)
    if other is None or other[2]:
        return number
    high, end, _ = other
    if words[unit_first] == "or" and high <= number.value:
        return number
    low, high = min(number.value, high), max(number.value, high)
    if unit_first != at and (end >= len(words) or words[end] != words[at]):
        return number
    return Number((low + high) / 2, low, high, number.start, end, approximate=True)


def _hedged(words: list[str], number: Number) -> Number:
    """Mark "about 40", "40ish", "40 or so", "over 40", "between 40 and 45"."""
    before = words[number.start - 1] if number.start > 0 else ""
    before2 = words[number.start - 2] if number.start > 1 else ""
    after = words[number.end] if number.end < len(words) else ""
    approximate = number.approximate or before in _BEFORE or after in _AFTER
    approximate |= words[number.end : number.end + 2] in (["or", "so"], ["give", "or"], ["-", "ish"])
    bound = number.bound
    if before == "than" and before2 in _BOUND:
        bound = _BOUND[before2]
    elif (before in _BOUND and before not in {"more", "less", "least", "most", "plus", "+"}) or (
        before in {"least", "most"} and before2 == "at"
    ):
        bound = _BOUND[before]
    elif after in {"+", "plus"} and not _value_at(words, number.end + 1):
        bound = "over"  # "60+", not "10+5"
    if before == "between" and number.low != number.high:
        approximate = True
    if (approximate, bound) == (number.approximate, number.bound):
        return number
    return Number(number.value, number.low, number.high, number.start, number.end, approximate, number.vague, bound)


@cache
def default_reader() -> NumberReader:
    """The reader over the bundled units, on a blank English pipeline."""
    return NumberReader(spacy.blank("en"), yaml.safe_load(UNITS.read_text(encoding="utf-8")))
