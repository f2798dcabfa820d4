"""What a likely-eligible lupus patient types, question by question (the end-to-end tests and the benchmark).

Questions not listed are answered "no" (yes/no) or "never" ("when did you last ...").
"""

from __future__ import annotations

SLE_CHAT: dict[str, str] = {
    "condition": "lupus",
    "sex": "Female",
    "age": "34",
    "pregnant_or_breastfeeding": "no",
    "current_medicines": "prednisone for 2 years, cellcept for 1 year and plaquenil for 3 years",
    "past_medicines": "methotrexate for 1 year",
    "current_steroid_dose": "prednisone 20 mg a day",
    "contraception_agreement": "yes",
    "infection_now": "no",
}
CLEAR_TEXT: dict[str, str] = {"yes_no": "no", "date_or_never": "never"}
