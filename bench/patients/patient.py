"""One simulated patient in a conversation: answers each question from their true facts.

The first answer to a question may be noisy (typos, brands, composite doses, vague dates,
omissions, side remarks, volunteered facts, rarely a contradiction); when the bot asks again,
the patient answers plainly. A phrasing less exact than the truth is used only when the engine
says every reading of it keeps every criterion as the truth has it. What the patient said and
which answers were truly unclear (not sure, contradictory) are kept for the report.
"""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any

from bench.patients import speak, speak_medicines, speak_time
from bench.patients.bank import Bank
from bench.patients.noise import roughen
from bench.patients.speak import Said
from bench.patients.truth import Patient, keeps_meaning
from criteria import Trial
from criteria.quantities import age_on

RATES = {
    "button": 0.5,
    "contradiction": 0.02,
    "side_remark": 0.03,
    "volunteer": 0.05,
    "no_durations": 0.2,
    "no_steroid": 0.15,
    "no_past_durations": 0.3,
}
VOLUNTEERED = ("transplant", "dialysis", "last_cancer_date")
_NEGATION = re.compile(r"\b(no|not|never|none|nothing)\b|n't\b")


class Speaker:
    """A patient's side of the conversation."""

    def __init__(self, patient: Patient, trial: Trial, bank: Bank, rng: random.Random, today: date) -> None:
        self.patient = patient
        self.trial = trial
        self.bank = bank
        self.rng = rng
        self.today = today
        self.unclear: list[str] = []  # facts answered "not sure" or with a contradiction
        self.person_facts: set[str] = set()  # facts whose true answer is for a person (the truth's judgement)
        self.for_person: list[str] = []  # those of them the patient answered
        self.flags: dict[str, int] = {}
        self.names: dict[str, dict[str, str]] = {}  # list fact -> medicine id -> name used
        self.volunteered: set[str] = set()
        self.contradicted = False

    # ------------------------------------------------------------------ answers
    def answer(self, fact_id: str, attempt: int = 1, buttons: list[dict[str, Any]] | None = None) -> Said:
        """The answer to a question of the trial (``attempt`` 2+: plainly)."""
        clear = attempt > 1
        fact = self.trial.facts[fact_id]
        raw = self.patient.answers.get(fact_id)
        if fact_id in self.person_facts and fact_id not in self.for_person:
            self.for_person.append(fact_id)
        if fact_id == self.patient.unsure or raw == "unsure" or raw is None:
            said = speak.unsure(self.bank, self.rng, clear)
            self._unclear(fact_id)
            return self._done(said, clear)
        kind = fact.answer.type
        contradict = not clear and not self.contradicted and self.rng.random() < RATES["contradiction"]
        if kind == "yes_no":
            said = self._yes_no(fact_id, bool(raw), fact.question, clear, contradict)
        elif kind == "choice":
            said = self._choice(fact_id, str(raw), clear, buttons or [])
        elif kind == "age":
            said = self._age(fact_id, raw, clear, contradict)
        elif kind in {"date", "date_or_never"}:
            said = self._date(fact_id, raw, clear, contradict and raw != "never")
        elif kind == "dose":
            said = speak_medicines.dose(self.bank, self.trial.lexicon, self.rng, raw, clear)
        elif kind == "medicine_list":
            said = self._medicines(fact_id, raw, clear)
        else:
            said = Said(str(raw))
        if "contradiction" in said.flags:
            self.contradicted = True
            self._unclear(fact_id)
        elif not clear and "button" not in said.flags and self.rng.random() < RATES["side_remark"]:
            said = speak.side_remark(self.bank, self.rng, said)
        return self._done(said, clear)

    def follow_up(self, list_fact: str, medicine_text: str, attempt: int = 1) -> Said:
        """How long the patient took the medicine the bot names (a follow-up of a medicine list)."""
        clear = attempt > 1
        raw = self.patient.answers.get(list_fact)
        items = raw if isinstance(raw, list) else []
        index = self._find(items, medicine_text)
        if index is None or not items[index].get("duration"):
            self._flag("follow_up_unknown_medicine")
            return self._done(speak.unsure(self.bank, self.rng, True), True)
        text = speak_time.length(
            self.bank,
            self.rng,
            items[index]["duration"],
            self.today,
            current=list_fact in self.trial.ongoing,
            clear=clear,
            fits=lambda readings: self._item_fits(list_fact, index, readings),
        )
        said = Said(speak.pick(self.rng, self.bank.texts("medicines.follow_up"), clear).format(duration=text))
        return self._done(said, clear)

    def readback(self, text: str, fact_id: str | None) -> tuple[Said, bool]:
        """Yes when a read-back shows the true key value (a number, a medicine, yes or no); else no."""
        right = fact_id is None or self.matches(text, fact_id)
        said = Said(speak.pick(self.rng, self.bank.texts("readback.yes" if right else "readback.no"), False))
        return said, right

    def unrecognised(self) -> Said:
        """The answer to a question the simulator does not know: not sure."""
        return Said(self.bank.texts("unsure")[0], flags={"unsure"})

    def contact_no(self) -> Said:
        """No, the study team may not contact me (the conversation ends)."""
        return Said(self.rng.choice(self.bank.texts("contact_no")))

    # ------------------------------------------------------------------ by answer type
    def _yes_no(self, fact_id: str, value: bool, question: str, clear: bool, contradict: bool) -> Said:
        if contradict:
            return speak.contradict_yes_no(self.bank, self.rng)
        said = speak.yes_no(self.bank, self.rng, value, speak.question_form(question), clear)
        if not value and not clear and self.rng.random() < RATES["volunteer"]:
            for other in VOLUNTEERED:
                detail = self._volunteerable(other)
                if other != fact_id and other not in self.volunteered and detail is not None:
                    self.volunteered.add(other)
                    return speak.volunteer(self.bank, self.rng, said, other, detail)
        return said

    def _volunteerable(self, fact_id: str) -> dict[str, Any] | None:
        value = self.patient.answers.get(fact_id)
        if fact_id == "transplant" and value is True:
            return dict(self.patient.details.get("transplant", {"organ": "kidney", "year": self.today.year - 5}))
        if fact_id == "dialysis" and value is True:
            return {}
        if fact_id == "last_cancer_date" and isinstance(value, str) and value not in {"never", "unsure"}:
            return {"year": date.fromisoformat(value).year}
        return None

    def _choice(self, fact_id: str, key: str, clear: bool, buttons: list[dict[str, Any]]) -> Said:
        label = (self.trial.facts[fact_id].answer.choices or {}).get(key, key)
        wanted = label.casefold()
        for button in buttons:
            title, payload = str(button.get("title", "")), str(button.get("payload", ""))
            if wanted in {title.casefold(), payload.casefold()} and self.rng.random() < RATES["button"]:
                return Said(payload, flags={"button"})
        return speak.choice(self.bank, self.rng, fact_id, key, label=label, clear=clear)

    def _age(self, fact_id: str, raw: Any, clear: bool, contradict: bool) -> Said:
        born = date.fromisoformat(raw) if isinstance(raw, str) else None
        if born is None:
            return Said(str(raw))
        if contradict:
            return speak.contradict_age(self.bank, self.rng, born, self.today)
        said = speak.age(self.bank, self.rng, born, self.today, formats=self.bank.texts("dates.formats"), clear=clear)
        if said.changes and not self._keeps(said.changes):
            said = speak.age(self.bank, self.rng, born, self.today, formats=[], clear=True)
        return said

    def _date(self, fact_id: str, raw: Any, clear: bool, contradict: bool) -> Said:
        detail = self.patient.details.get(fact_id)
        if contradict:
            exact = speak_time.when(self.bank, self.rng, fact_id, raw, detail=detail, today=self.today, clear=True)
            text = self.rng.choice(self.bank.texts("contradictions.date")).format(date=exact.text)
            return Said(text, flags={"contradiction"})
        return speak_time.when(
            self.bank, self.rng, fact_id, raw, detail=detail, today=self.today, clear=clear, fits=self._keeps
        )

    def _medicines(self, fact_id: str, raw: Any, clear: bool) -> Said:
        current = fact_id in self.trial.ongoing
        items = raw if isinstance(raw, list) else []
        durations, leave_out = True, frozenset[str]()
        if not clear and items:
            if current and self.rng.random() < RATES["no_durations"]:
                durations = False
                self._flag("omitted_durations")
            elif not current and self.rng.random() < RATES["no_past_durations"]:
                bare = [{"medicine": item["medicine"]} for item in items]
                if self._keeps([{fact_id: bare}]):
                    durations = False
                    self._flag("omitted_durations")
            steroids = [item["medicine"] for item in items if self._is_steroid(item["medicine"])]
            if current and steroids and len(items) > 1 and self.rng.random() < RATES["no_steroid"]:
                rest = [item for item in items if item["medicine"] not in steroids]
                if self._keeps([{fact_id: rest}]):
                    leave_out = frozenset(steroids)
                    self._flag("omitted_steroid")
        said, names = speak_medicines.medicine_list(
            self.bank,
            self.trial.lexicon,
            self.rng,
            raw,
            self.today,
            current=current,
            durations=durations,
            leave_out=leave_out,
            clear=clear,
            fits=lambda index, readings: self._item_fits(fact_id, index, readings),
        )
        self.names.setdefault(fact_id, {}).update(names)
        return said

    # ------------------------------------------------------------------ helpers
    def _is_steroid(self, medicine_id: str) -> bool:
        found = self.trial.lexicon.find(medicine_id)
        return found is not None and "glucocorticoid" in found.classes

    def _keeps(self, changes: list[dict[str, Any]]) -> bool:
        return keeps_meaning(self.trial, self.patient.answers, self.today, changes)

    def _item_fits(self, fact_id: str, index: int, readings: list[str]) -> bool:
        items = self.patient.answers.get(fact_id)
        if not isinstance(items, list):
            return True
        changes = [{fact_id: [{**item, "duration": r} if i == index else item for i, item in enumerate(items)]}
                   for r in readings]  # fmt: skip
        return self._keeps(changes)

    def _find(self, items: list[dict[str, Any]], medicine_text: str) -> int | None:
        """The item of the list the bot's words name (by the engine's names, or by any of its names in the text)."""
        lexicon = self.trial.lexicon
        found = lexicon.find(medicine_text.strip())
        folded = medicine_text.casefold()
        for index, item in enumerate(items):
            medicine = lexicon.medicines.get(item["medicine"])
            if found is not None and medicine is not None and found.id == medicine.id:
                return index
            names = list(medicine.names()) if medicine else [item["medicine"]]
            if any(re.search(rf"\b{re.escape(n.casefold())}\b", folded) for n in names):
                return index
        return None

    def matches(self, text: str, fact_id: str) -> bool:
        """Whether a read-back names the true key value of a fact."""
        raw = self.patient.answers.get(fact_id)
        folded = text.casefold()
        fact = self.trial.facts.get(fact_id)
        if fact is None or raw is None:
            return True
        kind = fact.answer.type
        if raw == "unsure":
            return "not sure" in folded or "unsure" in folded
        if kind == "yes_no":
            return bool(_NEGATION.search(folded)) != bool(raw)
        if kind == "choice":
            label = (fact.answer.choices or {}).get(str(raw), str(raw)).casefold()
            return label in folded or any(p.casefold() in folded for p in self.bank.choices(fact_id, str(raw)))
        if kind == "age" and isinstance(raw, str):
            born = date.fromisoformat(raw)
            return str(age_on(born, self.today)) in folded or str(born.year) in folded
        if kind in {"date", "date_or_never"}:
            if raw == "never":
                return "never" in folded
            day = date.fromisoformat(raw)
            ago = (self.patient.details.get(fact_id) or {}).get("ago", "")
            return str(day.year) in folded or (bool(ago) and ago.split()[0] in folded.split())
        if kind == "dose":
            if not isinstance(raw, dict):
                return bool(_NEGATION.search(folded)) or "0 mg" in folded
            # The total comes first; the numbers of its arithmetic after it ("10 mg ... (2 × 5 mg)") are not it.
            told = folded.partition("understood")[2] or folded
            return speak.num(float(raw["mg_per_day"])) in re.findall(r"\d+(?:\.\d+)?", told)[:1]
        if kind == "medicine_list":
            if not isinstance(raw, list):
                return bool(_NEGATION.search(folded))
            lexicon = self.trial.lexicon
            return any(
                n.casefold() in folded
                for item in raw
                for n in (lexicon.medicines[item["medicine"]].names() if item["medicine"] in lexicon.medicines else [])
            )
        return str(raw).casefold() in folded

    def _unclear(self, fact_id: str) -> None:
        if fact_id not in self.unclear:
            self.unclear.append(fact_id)

    def _flag(self, name: str) -> None:
        self.flags[name] = self.flags.get(name, 0) + 1

    def _done(self, said: Said, clear: bool) -> Said:
        for flag in said.flags:
            self._flag(flag)
        if clear or "button" in said.flags:
            return said
        text = roughen(said.text, self.rng, self.bank, said.protect)
        return Said(text, said.changes, said.flags, said.protect)
