"""Shared fixtures for the criteria engine tests.

Session-scoped: the trial and its lexicon are immutable once loaded (``load_trial`` is
cached anyway), and hypothesis refuses function-scoped fixtures in ``@given`` tests.
"""

from datetime import date

import pytest

from criteria import Trial, load_trial
from criteria.lexicon import Lexicon


@pytest.fixture(scope="session")
def trial() -> Trial:
    return load_trial("NCT07193810")


@pytest.fixture(scope="session")
def lexicon(trial: Trial) -> Lexicon:
    return trial.lexicon


@pytest.fixture(scope="session")
def today() -> date:
    """The screening date every test counts from (never the real clock)."""
    return date(2026, 11, 25)
