"""Loading a trial file: schema, then every cross-reference, then an indexed ``Trial``."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from criteria.errors import Code, TrialFileError
from criteria.lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from criteria.medicine_rule import MedicineTest
from criteria.quantities import Quantity
from criteria.rules import DosePerKg, FactTest, Rule, walk
from criteria.schema import CriterionDef, FactDef, TrialFile
from criteria.values import NEVER
from criteria.yamlfile import describe_validation_error, read_yaml

TRIALS_DIR = Path(__file__).parent / "trials"


class Trial:
    """A validated trial: its facts and criteria, indexed, with the lexicon they use."""

    def __init__(self, data: TrialFile, lexicon: Lexicon, path: Path) -> None:
        self.path = path
        self.meta = data.trial
        self.lexicon = lexicon
        self.facts: dict[str, FactDef] = {f.id: f for f in data.facts}
        self.criteria: tuple[CriterionDef, ...] = data.criteria
        self.checks = data.checks
        self.implied_days: dict[str, float] = {
            f.id: Quantity.parse(f.answer.implied_min_duration).in_days()
            for f in data.facts
            if f.answer.implied_min_duration
        }
        self.ongoing: frozenset[str] = frozenset(f.id for f in data.facts if f.answer.ongoing)
        self.recontact_within: Quantity | None = (
            Quantity.parse(self.meta.recontact_within) if self.meta.recontact_within else None
        )

    @property
    def id(self) -> str:
        """The registry id, e.g. NCT07193810."""
        return self.meta.id

    @property
    def cohort_fact(self) -> FactDef:
        """The question that places a patient in a cohort."""
        return self.facts[self.meta.cohort_fact]

    def applies(self, criterion: CriterionDef, cohort: str) -> bool:
        """Whether a criterion applies to a cohort."""
        return "all" in criterion.cohorts or cohort in criterion.cohorts

    def criterion(self, criterion_id: str) -> CriterionDef:
        """A criterion by id (KeyError when absent)."""
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)

    def readers_of(self, fact_id: str) -> list[str]:
        """The ids of the criteria that read a fact (stored with each answer, for the site)."""
        return [c.id for c in self.criteria if fact_id in self.facts_of(c)]

    def facts_of(self, criterion: CriterionDef) -> tuple[str, ...]:
        """The facts a criterion needs, in the order its rule reads them."""
        gate = criterion.applies_when.fact_ids() if criterion.applies_when else ()
        rule = criterion.rule.fact_ids() if criterion.rule else ()
        return tuple(dict.fromkeys((*gate, *rule)))


def trial_path(trial_id: str) -> Path:
    """Where the file of a bundled trial lives."""
    return TRIALS_DIR / f"{trial_id.lower()}.yaml"


@cache
def load_trial(path: Path | str, lexicon_path: Path = DEFAULT_LEXICON) -> Trial:
    """Read, validate and index a trial file (cached per path).

    Raises:
        TrialFileError: the file is missing, not YAML, breaks the schema, or a reference dangles;
            the message names the file and the key.
    """
    path = Path(path)
    if not path.suffix:
        path = trial_path(str(path))
    raw = read_yaml(path)
    try:
        data = TrialFile.parse_obj(raw)
    except ValidationError as exc:
        raise TrialFileError(Code.TRIAL_FILE_INVALID, describe_validation_error(path, exc, _labels(raw))) from exc
    lexicon = load_lexicon(lexicon_path)
    problems = list(_cross_check(data, lexicon))
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise TrialFileError(Code.TRIAL_FILE_INVALID, f"{path}: {len(problems)} problem(s)\n{lines}")
    return Trial(data, lexicon, path)


def _labels(raw: Any) -> dict[tuple[Any, ...], str]:
    labels: dict[tuple[Any, ...], str] = {}
    if not isinstance(raw, dict):
        return labels
    for section in ("facts", "criteria", "checks"):
        items = raw.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and "id" in item:
                    labels[(section, i)] = f"{section}[{i}] ({item['id']})"
    return labels


def _cross_check(data: TrialFile, lexicon: Lexicon) -> Iterator[str]:
    facts = {f.id: f for f in data.facts}
    if data.trial.recontact_within is not None:
        try:
            if Quantity.parse(data.trial.recontact_within).dimension != "time":
                raise ValueError
        except Exception:
            yield f"trial.recontact_within: {data.trial.recontact_within!r} is not a length of time"
    yield from _duplicates("facts", [f.id for f in data.facts])
    yield from _duplicates("criteria", [c.id for c in data.criteria])
    yield from _duplicates("checks", [c.id for c in data.checks])

    cohort_fact = facts.get(data.trial.cohort_fact)
    if cohort_fact is None:
        yield f"trial.cohort_fact: no fact named {data.trial.cohort_fact!r}"
    elif cohort_fact.answer.type != "choice":
        yield "trial.cohort_fact: must be a choice question"
    else:
        for cohort in data.trial.cohorts:
            if cohort not in (cohort_fact.answer.choices or {}):
                yield f"trial.cohorts.{cohort}: not one of the choices of {cohort_fact.id!r}"

    for fact in data.facts:
        if fact.answer.type == "dose" and fact.answer.medicine_class not in lexicon.classes:
            yield f"facts.{fact.id}.answer.medicine_class: unknown class {fact.answer.medicine_class!r}"
        if fact.answer.type == "number":
            try:
                Quantity(0, fact.answer.unit or "").in_kg()
            except Exception:
                yield f"facts.{fact.id}.answer.unit: only body weight (kg) numbers are supported"
        if fact.answer.implied_min_duration:
            try:
                Quantity.parse(fact.answer.implied_min_duration).in_days()
            except Exception:
                yield f"facts.{fact.id}.answer.implied_min_duration: not a length of time"

    used: set[str] = {data.trial.cohort_fact}
    for crit in data.criteria:
        where = f"criteria.{crit.id}"
        for cohort in crit.cohorts:
            if cohort != "all" and cohort not in data.trial.cohorts:
                yield f"{where}.cohorts: unknown cohort {cohort!r}"
        if "all" in crit.cohorts and len(crit.cohorts) > 1:
            yield f"{where}.cohorts: 'all' stands alone"
        if crit.rule is not None:
            yield from _check_rule(crit.rule, f"{where}.rule", facts, lexicon, used)
        if crit.applies_when is not None:
            yield from _check_rule(crit.applies_when, f"{where}.applies_when", facts, lexicon, used)
    for check in data.checks:
        yield from _check_rule(check.when, f"checks.{check.id}.when", facts, lexicon, used)
    for fact_id in facts:
        if fact_id not in used:
            yield f"facts.{fact_id}: no criterion or check uses it, so it would never be asked"


def _duplicates(section: str, ids: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            yield f"{section}: id {item!r} is used twice"
        seen.add(item)


def _check_rule(rule: Rule, where: str, facts: dict[str, FactDef], lexicon: Lexicon, used: set[str]) -> Iterator[str]:
    for node in walk(rule):
        leaf_facts = node.fact_ids() if isinstance(node, FactTest | MedicineTest | DosePerKg) else ()
        for fact_id in leaf_facts:
            if fact_id not in facts:
                yield f"{where}: names unknown fact {fact_id!r}"
        if isinstance(node, FactTest) and node.fact in facts:
            used.add(node.fact)
            yield from _check_fact_test(node, facts[node.fact], where)
        elif isinstance(node, MedicineTest):
            for source in node.sources:
                used.add(source)
                if source in facts and facts[source].answer.type != "medicine_list":
                    yield f"{where}: {source!r} is not a medicine_list question"
            for cls in node.classes:
                if cls not in lexicon.classes:
                    yield f"{where}: unknown medicine class {cls!r}"
            for bound in (node.each_at_least, node.total_more_than):
                if bound is not None and bound.dimension != "time":
                    yield f"{where}: {bound} is not a length of time"
        elif isinstance(node, DosePerKg):
            used.update((node.dose, node.weight))
            if node.dose in facts and facts[node.dose].answer.type != "dose":
                yield f"{where}: {node.dose!r} is not a dose question"
            if node.weight in facts and facts[node.weight].answer.type != "number":
                yield f"{where}: {node.weight!r} is not a body-weight question"


def _check_fact_test(node: FactTest, fact: FactDef, where: str) -> Iterator[str]:
    kind = fact.answer.type
    label = f"{where} ({fact.id}, {kind})"
    bounds = [b for b in (node.min, node.max, node.above, node.below) if b is not None]
    windows = [w for w in (node.within, node.within_less_than) if w is not None]
    if kind == "medicine_list":
        yield f"{label}: test medicine lists with a 'medicines' rule"
    elif node.equals:
        allowed: set[object]
        if kind == "yes_no":
            allowed = {True, False}
        elif kind == "choice":
            allowed = set(fact.answer.choices or {})
        elif kind == "date_or_never":
            allowed = {NEVER.value}
        else:
            allowed = set()
        for value in node.equals:
            if value not in allowed:
                yield f"{label}: {value!r} is not an allowed answer (allowed: {sorted(map(str, allowed))})"
    elif windows:
        if kind not in {"date", "date_or_never"}:
            yield f"{label}: 'within' needs a date question"
        for window in windows:
            if window.dimension != "time":
                yield f"{label}: {window} is not a length of time"
    elif bounds:
        expected = {"age": "year", "dose": "mg/day"}.get(kind)
        for bound in bounds:
            if kind == "number":
                if bound.dimension != "weight":
                    yield f"{label}: {bound} must be a body weight"
            elif expected is None:
                yield f"{label}: {kind} answers cannot be compared with numbers"
            elif bound.unit != expected:
                yield f"{label}: {bound} must be in {expected}"
