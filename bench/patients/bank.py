"""Loading the phrase bank (``phrases.yaml``) and checking it against its schema and the trial.

Unknown keys, missing sections, empty lists, placeholders a section does not fill (or leaves
out), choice keys the trial does not have and tablet strengths of medicines that are not
steroids are all errors naming the key, so a typo in the bank cannot silently change what the
patients say.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from criteria import Trial

BANK_PATH = Path(__file__).with_name("phrases.yaml")
FORMS = ("any", "do", "have", "are", "did", "was", "will", "told")


class BankError(ValueError):
    """The phrase bank does not fit its schema."""


@dataclass(frozen=True)
class Texts:
    """A list of phrasings, each filling exactly these placeholders."""

    placeholders: frozenset[str] = frozenset()
    empty_ok: bool = False  # an empty string is a phrasing (a lead-in that says nothing)


def _texts(*names: str, empty_ok: bool = False) -> Texts:
    return Texts(frozenset(names), empty_ok)


CHOICES = "choices"  # checked against the trial's choice questions
STRENGTHS = "strengths"  # medicine id -> tablet strengths
MISSPELLINGS = "misspellings"  # word -> mistypings
FORMATS = "formats"  # strftime patterns of whole dates
WORDS = "words"  # plain words, no placeholders

SCHEMA: dict[str, Any] = {
    "yes_no": {answer: {form: _texts() for form in FORMS} for answer in ("yes", "no")},
    "unsure": _texts(),
    "readback": {"yes": _texts(), "no": _texts()},
    "contact_no": _texts(),
    "choices": CHOICES,
    "age": {
        "years": _texts("age"),
        "words": _texts("words"),
        "birth_date": _texts("date"),
        "birth_year": _texts("year"),
    },
    "dates": {
        "formats": FORMATS,
        "exact": _texts("date"),
        "ago": _texts("n", "unit"),
        "about_ago": _texts("n", "unit"),
        "month_year": _texts("month", "year"),
        "last_month": _texts("month"),
        "year": _texts("year"),
        "today": _texts(),
        "never": _texts(),
    },
    "durations": {
        "length": _texts("n", "unit"),
        "about": _texts("n", "unit"),
        "since_year": _texts("year"),
        "since_month": _texts("month", "year"),
    },
    "numbers": {"ones": WORDS, "tens": WORDS, "halves": WORDS},
    "doses": {
        "plain": _texts("mg", "medicine"),
        "tablets": _texts("count", "strength", "medicine"),
        "split": _texts("am", "pm", "medicine"),
        "alternate": _texts("mg2", "medicine"),
        "fraction": _texts("count_words", "strength", "medicine", "tablets"),
        "none": _texts(),
        "strengths": STRENGTHS,
    },
    "medicines": {
        "none_now": _texts(),
        "none_past": _texts(),
        "lead_now": _texts(empty_ok=True),
        "lead_past": _texts(empty_ok=True),
        "item": _texts("medicine", "duration"),
        "follow_up": _texts("duration"),
    },
    "remarks": {
        "side": _texts(),
        "volunteer": {
            "transplant": _texts("organ", "year"),
            "dialysis": _texts(),
            "last_cancer_date": _texts("year"),
        },
    },
    "contradictions": {"age": _texts("age", "year"), "yes_no": _texts("yes", "no"), "date": _texts("date")},
    "misspellings": MISSPELLINGS,
}
NUMBER_WORDS = {"ones": 20, "tens": 8, "halves": 4}


class Bank:
    """The validated phrase bank: ``bank.texts("dates.ago")`` and a few tables."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def texts(self, path: str) -> list[str]:
        """The phrasings at a dotted path (``yes_no.no.have``)."""
        node: Any = self.data
        for part in path.split("."):
            node = node[part]
        return list(node)

    def choices(self, fact_id: str, key: str) -> list[str]:
        """What patients type for one choice (empty when the bank has none for it)."""
        return list(self.data["choices"].get(fact_id, {}).get(key, []))

    @property
    def strengths(self) -> dict[str, list[float]]:
        """Tablet strengths (mg) by steroid medicine id."""
        return {k: [float(v) for v in vs] for k, vs in self.data["doses"]["strengths"].items()}

    @property
    def misspellings(self) -> dict[str, list[str]]:
        """Meaning-keeping mistypings of words."""
        return dict(self.data["misspellings"])


def load_bank(trial: Trial, path: Path = BANK_PATH) -> Bank:
    """Read and check the phrase bank.

    Raises:
        BankError: the first problem, naming the file and the key.
    """
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise BankError(f"{path.name}: cannot read: {exc}") from exc
    problems = list(check(data, trial))
    if problems:
        raise BankError(f"{path.name}: " + "; ".join(problems))
    return Bank(data)


def check(data: Any, trial: Trial) -> list[str]:
    """Every problem of a phrase bank's data, each naming its key."""
    problems: list[str] = []
    _check_node(data, SCHEMA, "", trial, problems)
    return problems


def _check_node(node: Any, schema: Any, where: str, trial: Trial, problems: list[str]) -> None:
    if isinstance(schema, dict):
        if not isinstance(node, dict):
            problems.append(f"{where or 'the file'} must be a mapping")
            return
        for key in node:
            if str(key) not in schema:
                problems.append(f"unknown key {_join(where, str(key))!r}")
        for key, sub in schema.items():
            if key not in node:
                problems.append(f"missing key {_join(where, key)!r}")
            else:
                _check_node(node[key], sub, _join(where, key), trial, problems)
    elif isinstance(schema, Texts):
        _check_texts(node, schema, where, problems)
    elif schema == CHOICES:
        _check_choices(node, where, trial, problems)
    elif schema == STRENGTHS:
        _check_strengths(node, where, trial, problems)
    elif schema == MISSPELLINGS:
        if not isinstance(node, dict) or not all(isinstance(v, list) and v for v in node.values()):
            problems.append(f"{where!r} must map each word to a list of mistypings")
    elif schema == FORMATS:
        _check_formats(node, where, problems)
    elif schema == WORDS:
        wanted = NUMBER_WORDS[where.rsplit(".", 1)[-1]]
        if not isinstance(node, list) or len(node) != wanted:
            problems.append(f"{where!r} must list {wanted} words")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _check_texts(node: Any, schema: Texts, where: str, problems: list[str]) -> None:
    if not isinstance(node, list) or not node:
        problems.append(f"{where!r} must be a non-empty list of phrasings")
        return
    for index, text in enumerate(node):
        if not isinstance(text, str) or (not text.strip() and not schema.empty_ok):
            problems.append(f"'{where}[{index}]' must be a non-empty string")
            continue
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        if used - schema.placeholders:
            problems.append(f"'{where}[{index}]' uses unknown placeholder(s) {sorted(used - schema.placeholders)}")
        if schema.placeholders - used:
            problems.append(f"'{where}[{index}]' leaves out {sorted(schema.placeholders - used)}")


def _check_choices(node: Any, where: str, trial: Trial, problems: list[str]) -> None:
    if not isinstance(node, dict):
        problems.append(f"{where!r} must be a mapping of fact ids")
        return
    for fact_id, keys in node.items():
        fact = trial.facts.get(fact_id)
        if fact is None or fact.answer.type != "choice":
            problems.append(f"unknown key '{where}.{fact_id}': not a choice question of {trial.id}")
            continue
        if not isinstance(keys, dict):
            problems.append(f"'{where}.{fact_id}' must map choice keys to phrasings")
            continue
        for key, texts in keys.items():
            if str(key) not in (fact.answer.choices or {}):
                problems.append(f"unknown key '{where}.{fact_id}.{key}': not a choice of {fact_id}")
            else:
                _check_texts(texts, Texts(), f"{where}.{fact_id}.{key}", problems)


def _check_strengths(node: Any, where: str, trial: Trial, problems: list[str]) -> None:
    if not isinstance(node, dict):
        problems.append(f"{where!r} must map medicine ids to tablet strengths")
        return
    for medicine, strengths in node.items():
        found = trial.lexicon.medicines.get(str(medicine))
        if found is None or found.prednisone_factor() is None:
            problems.append(f"unknown key '{where}.{medicine}': not a steroid medicine id")
        elif not isinstance(strengths, list) or not all(isinstance(s, int | float) and s > 0 for s in strengths):
            problems.append(f"'{where}.{medicine}' must list positive strengths in mg")


def _check_formats(node: Any, where: str, problems: list[str]) -> None:
    if not isinstance(node, list) or not node:
        problems.append(f"{where!r} must be a non-empty list of date formats")
        return
    for index, pattern in enumerate(node):
        whole = isinstance(pattern, str) and "%Y" in pattern and "%d" in pattern
        named_month = isinstance(pattern, str) and ("%B" in pattern or "%b" in pattern or pattern.startswith("%Y-%m"))
        if not (whole and named_month):
            problems.append(f"'{where}[{index}]' must be a whole date with a named month, or %Y-%m-%d")
