"""Answers: one rasa-free contract for a patient's answer, used by actions, handoff, inbox and tools.

- ``reading``: a free-text answer, read from the NLU pipeline's entities for the question asked,
  as the structured form ``criteria.coerce`` takes (``Reading``, ``read``);
- ``course``: a steroid course described instead of a yes or no, weighed against the question;
- ``slots``: what a question's slot holds (``AnswerSlot``: value, said, confidence,
  conflicting, set_by, and the read-back state) and the fact it stands for.

Nothing here imports Rasa, a web framework or a database.
"""

from answers.reading import ENTITY_OF, FLAGGED, INTENT_CONFIDENCE, NO_MEANS, Reading, read, read_duration
from answers.slots import AnswerSlot, fact_from_slot, slot_value

__all__ = [
    "ENTITY_OF",
    "FLAGGED",
    "INTENT_CONFIDENCE",
    "NO_MEANS",
    "AnswerSlot",
    "Reading",
    "fact_from_slot",
    "read",
    "read_duration",
    "slot_value",
]
