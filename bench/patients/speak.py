"""Phrasing simple answers: yes/no, choices, ages, "not sure", number words, remarks.

Each function returns a ``Said``: the text, and the readings it could have (``changes``: the
answers it could stand for, one dict per reading) when it is less exact than the truth, so the
caller can check with the engine that every reading keeps the truth (``truth.keeps_meaning``).
``clear`` asks for the plainest phrasing (a second try after the bot did not understand).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.patients.bank import FORMS, Bank
from criteria.quantities import age_on


@dataclass
class Said:
    """What the patient types, and what it could mean."""

    text: str
    changes: list[dict[str, Any]] = field(default_factory=list)  # readings to check; empty: exact
    flags: set[str] = field(default_factory=set)  # unsure, contradiction, button, side_remark, ...
    protect: frozenset[str] = frozenset()  # words noise must not touch (medicine names)


def pick(rng: random.Random, texts: list[str], clear: bool) -> str:
    """A phrasing: any of them, or one of the first two when it must be clear."""
    return rng.choice(texts[:2] if clear else texts)


def number_words(bank: Bank, n: int) -> str:
    """A whole number from 0 to 99 in words (``fifty two``); other numbers as digits."""
    ones, tens = bank.texts("numbers.ones"), bank.texts("numbers.tens")
    if 0 <= n < 20:
        return ones[n]
    if 20 <= n < 100:
        ten, one = divmod(n, 10)
        return tens[ten - 2] + (f" {ones[one]}" if one else "")
    return str(n)


def num(value: float) -> str:
    """A number as patients write it: ``10``, ``7.5``."""
    return f"{value:g}"


def question_form(question: str) -> str:
    """The form of a yes/no question (do, have, are, did, was, will), read from its first verb."""
    if re.match(r"(has|have) (a|your|the) doctor (told|said)", question.casefold()):
        return "told"
    aliases = {"does": "do", "has": "have", "is": "are", "were": "was"}
    for found in re.findall(r"[a-z]+", question.casefold()):
        word: str = aliases.get(found, found)
        if word in FORMS:
            return word
    return "any"


def yes_no(bank: Bank, rng: random.Random, value: bool, form: str, clear: bool = False) -> Said:
    """Yes or no, in words that fit the question's form."""
    answer = "yes" if value else "no"
    texts = bank.texts(f"yes_no.{answer}.any")
    if form in FORMS and form != "any" and not clear and rng.random() < 0.5:
        texts = bank.texts(f"yes_no.{answer}.{form}")
    return Said(pick(rng, texts, clear))


def choice(bank: Bank, rng: random.Random, fact_id: str, key: str, *, label: str, clear: bool = False) -> Said:
    """A choice in the patient's words (the choice's label when the bank has none for it)."""
    texts = bank.choices(fact_id, key) or [label]
    return Said(pick(rng, texts, clear))


def unsure(bank: Bank, rng: random.Random, clear: bool = False) -> Said:
    """The patient does not know."""
    return Said(pick(rng, bank.texts("unsure"), clear), flags={"unsure"})


def age(bank: Bank, rng: random.Random, born: date, today: date, *, formats: list[str], clear: bool = False) -> Said:
    """An age in years or words, a birth date, or a birth year (a reading of the whole year)."""
    years = age_on(born, today)
    kind = "years" if clear else rng.choices(["years", "words", "birth_date", "birth_year"], [58, 10, 26, 6])[0]
    if kind == "years":
        return Said(pick(rng, bank.texts("age.years"), clear).format(age=years), [{"age": years}])
    if kind == "words":
        return Said(rng.choice(bank.texts("age.words")).format(words=number_words(bank, years)), [{"age": years}])
    if kind == "birth_date":
        text = rng.choice(bank.texts("age.birth_date")).format(date=born.strftime(rng.choice(formats)))
        return Said(text, [{"age": born.isoformat()}])
    first, last = date(born.year, 1, 1), min(date(born.year, 12, 31), today)
    text = rng.choice(bank.texts("age.birth_year")).format(year=born.year)
    return Said(text, [{"age": first.isoformat()}, {"age": last.isoformat()}])


def side_remark(bank: Bank, rng: random.Random, said: Said) -> Said:
    """The answer, then a remark or a question that is not an answer ("no. is this study paid?")."""
    text = f"{said.text.rstrip('.')}. {rng.choice(bank.texts('remarks.side'))}"
    return Said(text, said.changes, said.flags | {"side_remark"}, said.protect)


def volunteer(bank: Bank, rng: random.Random, said: Said, fact_id: str, detail: dict[str, Any]) -> Said:
    """A "no", then a true fact about another question ("no, but I had a kidney transplant in 2019")."""
    extra = rng.choice(bank.texts(f"remarks.volunteer.{fact_id}")).format(**detail)
    return Said(f"{said.text.rstrip('.')}, {extra}", said.changes, said.flags | {"volunteered"}, said.protect)


def contradict_yes_no(bank: Bank, rng: random.Random) -> Said:
    """An answer that says both yes and no (the patient still means the truth; a person must ask)."""
    template = rng.choice(bank.texts("contradictions.yes_no"))
    text = template.format(yes=rng.choice(bank.texts("yes_no.yes.any")), no=rng.choice(bank.texts("yes_no.no.any")))
    return Said(text, flags={"contradiction"})


def contradict_age(bank: Bank, rng: random.Random, born: date, today: date) -> Said:
    """An age with a birth year that does not fit it ("I am 52, born 1990")."""
    years = age_on(born, today)
    wrong = born.year + rng.choice([-20, -12, 11, 19])
    text = rng.choice(bank.texts("contradictions.age")).format(age=years, year=wrong)
    return Said(text, flags={"contradiction"})
