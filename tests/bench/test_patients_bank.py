"""The phrase bank validates on load: unknown keys, missing keys and bad placeholders are errors naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.patients.bank import BANK_PATH, BankError, load_bank
from criteria import Trial


def _write(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(BANK_PATH.read_text())
    change(data)
    path = tmp_path / "phrases.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_bank_loads(trial: Trial) -> None:
    bank = load_bank(trial)
    assert bank.texts("yes_no.no.have")
    assert bank.choices("condition", "sle")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        # an unknown key at the top
        (lambda d: d.update(greetings=["hi"]), "unknown key 'greetings'"),
        # an unknown key deep inside (a question form that does not exist)
        (lambda d: d["yes_no"]["yes"].update(maybe=["perhaps"]), "unknown key 'yes_no.yes.maybe'"),
        # a missing section
        (lambda d: d["dates"].pop("never"), "missing key 'dates.never'"),
        # a choice question the trial does not have
        (lambda d: d["choices"].update(blood_type={"a": ["A"]}), "unknown key 'choices.blood_type'"),
        # a choice key the question does not have
        (lambda d: d["choices"]["sex"].update(other=["other"]), "unknown key 'choices.sex.other'"),
        # a placeholder the section does not fill
        (lambda d: d["dates"]["ago"].append("{n} {units} ago"), "dates.ago[4]' uses unknown placeholder"),
        # a phrasing that leaves out what it must say (the number of an age)
        (lambda d: d["age"]["years"].append("I am old"), "age.years[9]' leaves out ['age']"),
        # tablet strengths of a medicine that is not a steroid
        (lambda d: d["doses"]["strengths"].update(methotrexate=[2.5]), "unknown key 'doses.strengths.methotrexate'"),
        # an empty list
        (lambda d: d.update(unsure=[]), "'unsure' must be a non-empty list"),
    ],
)
def test_a_bad_bank_is_an_error_naming_the_key(trial: Trial, tmp_path: Path, change: Any, named: str) -> None:
    with pytest.raises(BankError, match=r"phrases\.yaml") as error:
        load_bank(trial, _write(tmp_path, change))
    assert named in str(error.value)
