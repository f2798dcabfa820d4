"""The trial as data: criteria files, a pure evaluator and an adaptive question planner.

This package imports no Rasa, no web framework and no database. Public API::

    from criteria import load_trial, evaluate, next_question, make_fact
"""

from criteria.coerce import coerce, make_fact, structured
from criteria.errors import CriteriaError, FactError, TrialFileError
from criteria.evaluator import CriterionResult, Result, State, Status, Unknown, evaluate
from criteria.planner import next_question, rank_questions
from criteria.trial import Trial, load_trial
from criteria.values import NEVER, UNSURE, Dose, Fact, MedicineUse

__all__ = [
    "NEVER",
    "UNSURE",
    "CriteriaError",
    "CriterionResult",
    "Dose",
    "Fact",
    "FactError",
    "MedicineUse",
    "Result",
    "State",
    "Status",
    "Trial",
    "TrialFileError",
    "Unknown",
    "coerce",
    "evaluate",
    "load_trial",
    "make_fact",
    "next_question",
    "rank_questions",
    "structured",
]
