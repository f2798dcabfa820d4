"""Example patients of NCT07193810, one likely-eligible patient per cohort, as structured answers.

Used by the tests (each knock-out changes one answer), the test-story generator and the
benchmarks' documentation. Answers are in the forms ``criteria.coerce`` accepts; questions
not listed are answered "no" / "never" (``criteria.simulate.CLEAR_BY_TYPE``).
"""

from __future__ import annotations

from typing import Any

SLE: dict[str, Any] = {
    "condition": "sle",
    "age": 34,
    "sex": "female",
    "contraception_agreement": "yes",
    "infection_now": "no",
    "current_medicines": [
        {"medicine": "prednisone", "duration": "2 years"},
        {"medicine": "CellCept", "duration": "1 year"},
        {"medicine": "Plaquenil", "duration": "3 years"},
    ],
    "past_medicines": ["methotrexate"],
    "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 20},
}

IIM: dict[str, Any] = {
    "condition": "iim",
    "myositis_type": "dermatomyositis",
    "age": 45,
    "sex": "male",
    "contraception_agreement": "yes",
    "infection_now": "no",
    "current_medicines": [
        {"medicine": "prednisone", "duration": "1 year"},
        {"medicine": "methotrexate", "duration": "8 months"},
    ],
    "past_medicines": ["azathioprine"],
    "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 15},
}

SSC: dict[str, Any] = {
    "condition": "ssc",
    "ssc_type": "diffuse",
    "ssc_diagnosis_date": {"ago": "2 years"},
    "age": 52,
    "sex": "female",
    "contraception_agreement": "not_applicable",
    "infection_now": "no",
    "current_medicines": [
        {"medicine": "prednisone", "duration": "1 year"},
        {"medicine": "mycophenolate", "duration": "10 months"},
    ],
    "past_medicines": "none",
    "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 5},
}

PATIENTS: dict[str, dict[str, Any]] = {"sle": SLE, "iim": IIM, "ssc": SSC}
