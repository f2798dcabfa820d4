"""Loading trial files: every way a file can be wrong is a TrialFileError naming file and key.

Broken files are built from the real one (safe_load, change one thing, dump), so each
case proves the loader catches that one mistake and nothing else.
"""

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import Trial, load_trial
from criteria.errors import Code, TrialFileError
from criteria.trial import trial_path

REAL_FILE = trial_path("NCT07193810")
# The test's own reading and writing use libyaml when present (the pure-Python loader takes
# a third of a second per copy of the file); load_trial itself always uses its strict loader.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_REAL_DATA = yaml.load(REAL_FILE.read_text(encoding="utf-8"), Loader=_LOADER)


def _real_data() -> dict[str, Any]:
    return copy.deepcopy(_REAL_DATA)


def _write(tmp_path: Path, data: Any) -> Path:
    # load_trial is cached per path: tmp_path is unique to each test.
    path = tmp_path / "trial.yaml"
    path.write_text(yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _load_error(path: Path) -> TrialFileError:
    with pytest.raises(TrialFileError) as caught:
        load_trial(path)
    return caught.value


def _criterion(data: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    return next(c for c in data["criteria"] if c["id"] == criterion_id)


def _fact(data: dict[str, Any], fact_id: str) -> dict[str, Any]:
    return next(f for f in data["facts"] if f["id"] == fact_id)


def _check(data: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in data["checks"] if c["id"] == check_id)


def _unknown_top_level_key(data: dict[str, Any]) -> None:
    data["sponsor"] = "Someone"


def _unknown_criterion_key(data: dict[str, Any]) -> None:
    _criterion(data, "inc-age")["rule_out_chance"] = 0.1


def _wrong_type(data: dict[str, Any]) -> None:
    _criterion(data, "inc-age")["rule_out_rate"] = "high"


def _duplicate_criterion(data: dict[str, Any]) -> None:
    data["criteria"].append(copy.deepcopy(_criterion(data, "inc-age")))


def _duplicate_fact(data: dict[str, Any]) -> None:
    data["facts"].append(copy.deepcopy(_fact(data, "age")))


def _dangling_fact(data: dict[str, Any]) -> None:
    _criterion(data, "exc-transplant")["rule"] = {"fact": "transplants", "is": True}


def _dangling_fact_in_check(data: dict[str, Any]) -> None:
    _check(data, "pregnant-but-male")["when"]["all"][0]["fact"] = "gender"


def _choice_not_offered(data: dict[str, Any]) -> None:
    _criterion(data, "sle-diagnosis")["rule"] = {"fact": "condition", "is": "lupus"}


def _unknown_medicine_class(data: dict[str, Any]) -> None:
    _criterion(data, "sle-prior-therapy")["rule"]["medicines"]["classes"] = ["immunosupressant", "biologic"]


def _medicines_from_a_non_list(data: dict[str, Any]) -> None:
    _criterion(data, "sle-background-therapy")["rule"]["medicines"]["from"] = ["age"]


def _site_with_rule(data: dict[str, Any]) -> None:
    _criterion(data, "inc-consent")["rule"] = {"fact": "age", "min": "18 years"}


def _both_without_site_check(data: dict[str, Any]) -> None:
    del _criterion(data, "sle-diagnosis")["site_check"]


def _if_unsure_on_a_patient_criterion(data: dict[str, Any]) -> None:
    _criterion(data, "inc-age")["if_unsure"] = "coordinator"


def _unused_fact(data: dict[str, Any]) -> None:
    data["facts"].append(
        {
            "id": "smoker",
            "question": "Do you smoke cigarettes now?",
            "why": "We would like to know about smoking.",
            "explain": "Count any cigarettes in the last month.",
            "answer": {"type": "yes_no"},
        }
    )


def _within_on_yes_no(data: dict[str, Any]) -> None:
    _criterion(data, "exc-transplant")["rule"] = {"fact": "transplant", "within": "6 months"}


def _dose_bound_wrong_unit(data: dict[str, Any]) -> None:
    _criterion(data, "sle-steroid-max")["rule"]["any"][1]["max"] = "40 mg"


def _age_bound_without_unit(data: dict[str, Any]) -> None:
    _criterion(data, "inc-age")["rule"] = {"fact": "age", "min": 18, "max": 65}


def _unparseable_rule_key(data: dict[str, Any]) -> None:
    _criterion(data, "inc-age")["rule"] = {"fact": "age", "minimum": "18 years"}


def _volunteered_on_a_dose(data: dict[str, Any]) -> None:
    next(f for f in data["facts"] if f["id"] == "current_steroid_dose")["answer"]["volunteered"] = False


def _unknown_cohort(data: dict[str, Any]) -> None:
    _criterion(data, "sle-prior-therapy")["cohorts"] = ["lupus"]


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        # schema (pydantic): unknown keys are errors, so a typo never silently drops a setting
        pytest.param(_unknown_top_level_key, ["sponsor", "extra fields not permitted"], id="unknown-top-level-key"),
        pytest.param(_unknown_criterion_key, ["inc-age", "rule_out_chance"], id="unknown-criterion-key"),
        pytest.param(_wrong_type, ["inc-age", "rule_out_rate", "float"], id="wrong-type"),
        pytest.param(_unparseable_rule_key, ["inc-age", "rule", "'minimum'"], id="unparseable-rule-key"),
        pytest.param(_site_with_rule, ["inc-consent", "site-assessed"], id="site-criterion-with-rule"),
        pytest.param(_both_without_site_check, ["sle-diagnosis", "site_check"], id="both-without-site-check"),
        pytest.param(_if_unsure_on_a_patient_criterion, ["inc-age", "if_unsure"], id="if-unsure-not-both"),
        # cross-references (criteria.trial): ids, facts, choices, classes, units
        pytest.param(_duplicate_criterion, ["criteria", "'inc-age'", "twice"], id="duplicate-criterion-id"),
        pytest.param(_duplicate_fact, ["facts", "'age'", "twice"], id="duplicate-fact-id"),
        pytest.param(_dangling_fact, ["exc-transplant", "'transplants'"], id="dangling-fact"),
        pytest.param(_dangling_fact_in_check, ["pregnant-but-male", "'gender'"], id="dangling-fact-in-check"),
        pytest.param(_choice_not_offered, ["sle-diagnosis", "condition", "'lupus'"], id="choice-not-offered"),
        pytest.param(_unknown_medicine_class, ["sle-prior-therapy", "'immunosupressant'"], id="unknown-class"),
        pytest.param(_medicines_from_a_non_list, ["sle-background-therapy", "'age'"], id="medicines-from-non-list"),
        pytest.param(_unused_fact, ["smoker", "never be asked"], id="unused-fact"),
        pytest.param(_within_on_yes_no, ["exc-transplant", "transplant", "within"], id="within-on-yes-no"),
        pytest.param(_dose_bound_wrong_unit, ["sle-steroid-max", "current_steroid_dose", "mg/day"], id="dose-unit"),
        pytest.param(_age_bound_without_unit, ["inc-age", "age", "year"], id="age-without-unit"),
        pytest.param(_unknown_cohort, ["sle-prior-therapy", "'lupus'"], id="unknown-cohort"),
        # "volunteered: false" is for yes/no answers only
        pytest.param(_volunteered_on_a_dose, ["current_steroid_dose", "volunteered"], id="volunteered-on-a-dose"),
    ],
)
def test_invalid_trial_file(tmp_path: Path, mutate: Callable[[dict[str, Any]], None], fragments: list[str]) -> None:
    data = _real_data()
    mutate(data)
    path = _write(tmp_path, data)
    error = _load_error(path)
    assert error.code is Code.TRIAL_FILE_INVALID
    assert error.message.startswith(f"{path}: ")
    # The criterion or fact at fault and the key are named on one line, not scattered.
    assert any(all(f in line for f in fragments) for line in error.message.splitlines()), error.message


def test_every_cross_reference_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    # A site fixes a file in one pass instead of one error per run.
    data = _real_data()
    for mutate in (_dangling_fact, _unknown_medicine_class, _unused_fact, _dose_bound_wrong_unit):
        mutate(data)
    message = _load_error(_write(tmp_path, data)).message
    assert "5 problem(s)" in message
    for expected in (
        "criteria.exc-transplant.rule: names unknown fact 'transplants'",
        "facts.transplant: no criterion or check uses it",  # the dangling rule also orphaned the real fact
        "criteria.sle-prior-therapy.rule: unknown medicine class 'immunosupressant'",
        "facts.smoker: no criterion or check uses it",
        "criteria.sle-steroid-max.rule (current_steroid_dose, dose): 40 mg must be in mg/day",
    ):
        assert any(line.startswith(f"  - {expected}") for line in message.splitlines()), message


def test_the_unchanged_file_round_trips(tmp_path: Path, trial: Trial) -> None:
    # Control for the table above: loading and dumping alone breaks nothing.
    loaded = load_trial(_write(tmp_path, _real_data()))
    assert [c.id for c in loaded.criteria] == [c.id for c in trial.criteria]
    assert list(loaded.facts) == list(trial.facts)


_INC_AGE_RULE = "    rule: {fact: age, min: 18 years, max: 65 years}\n"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        # A second rule_out_rate in one criterion: PyYAML would keep the last one silently.
        (_INC_AGE_RULE, _INC_AGE_RULE + "    rule_out_rate: 0.5\n", "rule_out_rate"),
        # Inside a flow mapping: the first bound would be dropped and the rule widened.
        (_INC_AGE_RULE, "    rule: {fact: age, min: 18 years, min: 16 years, max: 65 years}\n", "min"),
    ],
)
def test_duplicate_mapping_keys_are_errors(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = REAL_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    broken = text.replace(old, new)
    yaml.load(broken, Loader=_LOADER)  # plain PyYAML accepts it: the strict loader is what catches it
    path = tmp_path / "trial.yaml"
    path.write_text(broken, encoding="utf-8")
    error = _load_error(path)
    assert error.code is Code.TRIAL_FILE_SYNTAX
    assert str(path) in error.message
    assert f"duplicate key {key!r}" in error.message
    line = text[: text.index(old)].count("\n") + 1 + (1 if new.startswith(old) else 0)
    assert f"line {line}," in error.message  # points at the second occurrence


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("trial: [unclosed\n  - {\n", Code.TRIAL_FILE_SYNTAX),  # not YAML at all
        ("trial:\n\tid: NCT07193810\n", Code.TRIAL_FILE_SYNTAX),  # a tab indent is not YAML
        ("", Code.TRIAL_FILE_INVALID),  # empty: YAML null, not a trial
        ("just some words\n", Code.TRIAL_FILE_INVALID),  # a YAML string, not a mapping
        ("- a\n- b\n", Code.TRIAL_FILE_INVALID),  # a YAML list, not a mapping
    ],
)
def test_files_that_are_not_a_trial_mapping(tmp_path: Path, text: str, code: Code) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(text, encoding="utf-8")
    error = _load_error(path)
    assert error.code is code
    assert str(path) in error.message


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nct00000000.yaml"
    error = _load_error(path)
    assert error.code is Code.TRIAL_FILE_MISSING
    assert str(path) in error.message
    assert str(error).startswith("[CRIT-001] ")  # the stable code leads the text a log shows


# --- the real file ----------------------------------------------------------------------


def test_the_real_file_loads(trial: Trial) -> None:
    assert trial.id == "NCT07193810"
    assert trial.path == REAL_FILE
    assert set(trial.meta.cohorts) == {"sle", "iim", "ssc"}
    assert trial.cohort_fact.id == "condition"


def test_ids_are_unique(trial: Trial) -> None:
    criterion_ids = [c.id for c in trial.criteria]
    assert len(criterion_ids) == len(set(criterion_ids))
    # trial.facts is a dict, so count the ids in the file itself.
    fact_ids = [f["id"] for f in _real_data()["facts"]]
    assert len(fact_ids) == len(set(fact_ids)) == len(trial.facts)
    check_ids = [c.id for c in trial.checks]
    assert len(check_ids) == len(set(check_ids))


def test_every_patient_facing_fact_has_question_why_and_explain(trial: Trial) -> None:
    asked = {f for c in trial.criteria if c.assessed_by != "site" for f in trial.facts_of(c)}
    asked.add(trial.meta.cohort_fact)
    assert asked == set(trial.facts)  # every fact is asked of the patient by some criterion
    for fact in trial.facts.values():
        assert "?" in fact.question, fact.id
        for text in (fact.question, fact.why, fact.explain):
            assert text.strip() == text and re.search(r"[.?!]$", text), (fact.id, text)


def test_every_non_site_criterion_says_why_it_rules_out(trial: Trial) -> None:
    for crit in trial.criteria:
        if crit.assessed_by == "site":
            assert crit.rule is None and crit.site_check, crit.id
        else:
            assert crit.rule is not None and crit.reason_not_met, crit.id


def test_a_binary_file_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "picture.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    error = _load_error(path)
    assert error.code is Code.TRIAL_FILE_SYNTAX
    assert str(path) in error.message


def test_a_complex_mapping_key_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "complex-key.yaml"
    path.write_text("? [a, b]\n: 1\n", encoding="utf-8")
    error = _load_error(path)
    assert error.code is Code.TRIAL_FILE_SYNTAX
    assert "plain value" in error.message
