"""Slips that keep meaning: lower case, no final punctuation, dropped apostrophes, misspellings.

Numbers and the words a caller protects (medicine names) are never touched; a random typo
only swaps two inner letters of a long word, as fast typing does.
"""

from __future__ import annotations

import random
import re

from bench.patients.bank import Bank

_WORD = re.compile(r"[A-Za-z']+")
RATES = {"lower": 0.35, "no_final_stop": 0.4, "no_apostrophe": 0.25, "misspell": 0.2, "swap": 0.06}


def roughen(text: str, rng: random.Random, bank: Bank, protect: frozenset[str] = frozenset()) -> str:
    """The text as typed in a hurry (the same meaning)."""
    protected = {word.casefold() for name in protect for word in _WORD.findall(name)}
    misspellings = {word.casefold(): typed for word, typed in bank.misspellings.items()}

    def slip(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = word.casefold()
        if folded in protected:
            return word
        if folded in misspellings and rng.random() < RATES["misspell"]:
            return rng.choice(misspellings[folded])
        if "'" in word and rng.random() < RATES["no_apostrophe"]:
            return word.replace("'", "")
        if len(word) >= 6 and word.isalpha() and rng.random() < RATES["swap"]:
            at = rng.randint(1, len(word) - 3)
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        return word

    text = _WORD.sub(slip, text)
    if rng.random() < RATES["lower"]:
        text = _lower_keeping(text, protected)
    if rng.random() < RATES["no_final_stop"]:
        text = text.rstrip(".!")
    return text


def _lower_keeping(text: str, protected: set[str]) -> str:
    """Lower case, except protected words (a brand's capitals do not matter, but keep them tidy)."""
    return _WORD.sub(lambda m: m.group(0) if m.group(0).casefold() in protected else m.group(0).lower(), text)
