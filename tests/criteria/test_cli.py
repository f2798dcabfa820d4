"""``python -m criteria``: table, validate, simulate and interview."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import Trial
from criteria.cli import main
from criteria.trial import trial_path

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-25"


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _table_ids(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if set(line) == {"-"}) + 1
    return [line.split()[0] for line in lines[start:]]


# --- table --------------------------------------------------------------------------------


def test_table_lists_every_criterion_in_file_order(trial: Trial) -> None:
    code, output = _run("table")
    assert code == 0
    assert output.startswith(f"{trial.id}: {trial.meta.short_title}\n")
    assert _table_ids(output) == [c.id for c in trial.criteria]


@pytest.mark.parametrize(
    ("cohort", "present", "absent"),
    [
        ("ssc", "ssc-prior-therapy", "sle-prior-therapy"),  # another cohort's rule is left out
        ("sle", "sle-prior-therapy", "iim-prior-therapy"),
        ("iim", "exc-transplant", "exc-nonstandard-sle"),  # 'all' criteria stay in every cohort
    ],
)
def test_table_for_one_cohort(trial: Trial, cohort: str, present: str, absent: str) -> None:
    code, output = _run("table", "--cohort", cohort)
    assert code == 0
    ids = _table_ids(output)
    assert ids == [c.id for c in trial.criteria if trial.applies(c, cohort)]
    assert present in ids
    assert absent not in ids


# --- validate -------------------------------------------------------------------------------


def test_validate_the_real_file(trial: Trial, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _run("validate", str(trial_path(trial.id)))
    assert code == 0
    assert output == f"{trial.path}: OK ({len(trial.facts)} questions, {len(trial.criteria)} criteria)\n"
    assert capsys.readouterr().err == ""


def test_validate_a_broken_file_exits_2_with_the_error_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(trial_path("NCT07193810").read_text(encoding="utf-8"))
    next(c for c in data["criteria"] if c["id"] == "exc-transplant")["rule"] = {"fact": "transplants", "is": True}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, output = _run("validate", str(path))
    assert code == 2
    assert output == ""  # nothing that looks like success
    err = capsys.readouterr().err
    assert err.startswith(f"error: [CRIT-003] {path}: ")
    assert "criteria.exc-transplant.rule: names unknown fact 'transplants'" in err


def test_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("validate", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "[CRIT-001]" in capsys.readouterr().err


# --- simulate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "status", "line", "reason_of"),
    [
        # A 70-year-old with lupus: the age rule rules them out, and says so.
        ({"condition": "sle", "age": 70}, "not_eligible", "not_met        inc-age [age]", "inc-age"),
        # A knock-out answer read with low confidence never rules out on its own: a person checks.
        (
            {"condition": "sle", "transplant": {"value": "yes", "confidence": 0.5}},
            "needs_coordinator",
            "unknown        exc-transplant (low_confidence) [transplant]",
            None,
        ),
        # The same answer read with confidence does rule out (control for the case above).
        (
            {"condition": "sle", "transplant": {"value": "yes", "confidence": 0.95, "said": "a kidney"}},
            "not_eligible",
            "not_met        exc-transplant [transplant]",
            "exc-transplant",
        ),
        # A self-contradicting answer goes to a person too.
        (
            {"condition": "sle", "dialysis": {"value": "no", "conflicting": True}},
            "needs_coordinator",
            "unknown        exc-dialysis (conflict) [dialysis]",
            None,
        ),
        # Early in a screening: no verdict yet, and the next question is shown.
        ({"condition": "sle", "age": 34}, "incomplete", "met            inc-age [age]", None),
    ],
)
def test_simulate(
    tmp_path: Path, trial: Trial, answers: dict[str, Any], status: str, line: str, reason_of: str | None
) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    code, output = _run("simulate", str(path), "--today", TODAY)
    assert code == 0
    assert f"\nstatus: {status}\n" in output
    assert line in output.splitlines()
    if reason_of is not None:
        assert f"  because: {trial.criterion(reason_of).reason_not_met}" in output.splitlines()
    if status == "not_eligible":
        assert output.endswith("\nno more questions\n")  # nothing more is asked once ruled out
    else:
        assert "\nnext question (" in output


def test_simulate_reads_yaml_facts_and_counts_from_today(tmp_path: Path) -> None:
    # A birth date 18 years before the screening date: exactly 18 is old enough.
    path = tmp_path / "facts.yaml"
    path.write_text("condition: ssc\nage: {birth_date: 2008-11-25}\n", encoding="utf-8")
    code, output = _run("simulate", str(path), "--today", TODAY)
    assert code == 0
    assert "met            inc-age [age]" in output.splitlines()
    code, output = _run("simulate", str(path), "--today", "2026-11-24")  # the day before the birthday
    assert "not_met        inc-age [age]" in output.splitlines()


def test_simulate_with_a_bad_answer_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"condition": "sle", "age": 30.5}), encoding="utf-8")
    code, _ = _run("simulate", str(path), "--today", TODAY)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: [CRIT-102] ")
    assert "30.5" in err


def test_simulate_refuses_a_fact_the_trial_does_not_ask(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"condition": "sle", "favourite_colour": "blue"}), encoding="utf-8")
    with pytest.raises(SystemExit, match="'favourite_colour' is not a question of NCT07193810"):
        _run("simulate", str(path), "--today", TODAY)


# --- interview ------------------------------------------------------------------------------


def _interview(monkeypatch: pytest.MonkeyPatch, *lines: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    return _run("interview", "--today", TODAY)


def test_interview_ends_not_eligible_on_pregnancy(monkeypatch: pytest.MonkeyPatch, trial: Trial) -> None:
    code, output = _interview(monkeypatch, "sle", "1", "34", "yes")
    assert code == 0
    # The planner's order for this patient: cohort, sex (gates pregnancy), age, pregnancy.
    questions = [trial.facts[f].question for f in ("condition", "sex", "age", "pregnant_or_breastfeeding")]
    positions = [output.index(q) for q in questions]
    assert positions == sorted(positions)
    assert "\nstatus: not_eligible\n" in output
    assert f"  because: {trial.criterion('exc-pregnancy').reason_not_met}" in output.splitlines()
    assert "not_met        exc-pregnancy [sex, pregnant_or_breastfeeding]" in output.splitlines()
    assert output.endswith("\nno more questions\n")


def test_interview_why_prints_the_reason_for_the_question(monkeypatch: pytest.MonkeyPatch, trial: Trial) -> None:
    _, output = _interview(monkeypatch, "sle", "why", "1", "34", "yes")
    assert f"> {trial.facts['sex'].why}\n" in output
    assert "\nstatus: not_eligible\n" in output  # "why" is not taken as an answer


def test_interview_explain_prints_the_explanation_and_terms(monkeypatch: pytest.MonkeyPatch, trial: Trial) -> None:
    _, output = _interview(monkeypatch, "explain")
    condition = trial.facts["condition"]
    assert condition.explain in output
    for term, meaning in condition.terms.items():
        assert f"  {term}: {meaning}\n" in output


def test_interview_bad_answer_says_sorry_and_asks_again(monkeypatch: pytest.MonkeyPatch, trial: Trial) -> None:
    _, output = _interview(monkeypatch, "sle", "1", "abc", "34", "yes")
    assert output.count("Sorry, I could not use that answer") == 1
    assert output.count(trial.facts["age"].question) == 1  # the same question waits for a usable answer
    sorry = output.index("Sorry")
    assert (
        output.index(trial.facts["age"].question)
        < sorry
        < output.index(trial.facts["pregnant_or_breastfeeding"].question)
    )
    assert "\nstatus: not_eligible\n" in output  # 34 was taken after the bad answer


@pytest.mark.parametrize(
    "lines",
    [
        ("sle", "1", "quit"),  # the user stops
        ("sle", "1"),  # input ends (EOF)
    ],
)
def test_interview_stopped_early_is_incomplete(monkeypatch: pytest.MonkeyPatch, lines: tuple[str, ...]) -> None:
    code, output = _interview(monkeypatch, *lines)
    assert code == 0
    assert "\nstatus: incomplete\n" in output
    assert "\nnext question (age): " in output


# --- the module entry point -------------------------------------------------------------------


def test_python_dash_m_criteria_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "criteria", "table", "--cohort", "iim"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "iim-prior-therapy" in done.stdout
    assert "sle-prior-therapy" not in done.stdout
