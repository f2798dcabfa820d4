"""Shared fixtures of the patient simulator's tests: the trial, the phrase bank, a fixed screening date."""

from __future__ import annotations

from datetime import date

import pytest

from bench.patients.bank import Bank, load_bank
from criteria import Trial, load_trial

TODAY = date(2026, 12, 5)


@pytest.fixture(scope="session")
def trial() -> Trial:
    return load_trial("NCT07193810")


@pytest.fixture(scope="session")
def bank(trial: Trial) -> Bank:
    return load_bank(trial)
