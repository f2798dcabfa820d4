"""Every error the criteria package raises, with a stable code.

Codes are part of the contract: actions and the inbox map them to what a patient or
coordinator sees, so a code is never renamed or reused.
"""

from __future__ import annotations

from enum import Enum


class Code(str, Enum):
    """Stable error codes."""

    TRIAL_FILE_MISSING = "CRIT-001"
    TRIAL_FILE_SYNTAX = "CRIT-002"
    TRIAL_FILE_INVALID = "CRIT-003"
    LEXICON_INVALID = "CRIT-004"
    FACT_UNKNOWN = "CRIT-101"
    FACT_VALUE_INVALID = "CRIT-102"
    FACT_IN_FUTURE = "CRIT-103"
    MEDICINE_UNKNOWN = "CRIT-104"
    QUANTITY_INVALID = "CRIT-105"


class CriteriaError(Exception):
    """Base class: carries a stable code and a message fit for a log or a coordinator."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"[{code.value}] {message}")
        self.code = code
        self.message = message


class TrialFileError(CriteriaError):
    """A trial or lexicon file is missing, not YAML, or breaks the schema."""


class FactError(CriteriaError):
    """A fact value does not fit its question's answer type; the patient is asked again."""

    def __init__(self, code: Code, message: str, *, fact_id: str | None = None) -> None:
        super().__init__(code, message)
        self.fact_id = fact_id


class QuantityError(CriteriaError):
    """A quantity string such as ``"40 mg/day"`` could not be read."""

    def __init__(self, message: str) -> None:
        super().__init__(Code.QUANTITY_INVALID, message)
