"""Our NLU components in pipeline order, and the entities they add to a message.

``config.yml`` lists the same components in the same order (a test keeps them together).
``entities`` runs them outside Rasa: the action tests build the patient's message the way
the pipeline would, and the property tests feed them arbitrary text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.base import RuleComponent
from nlu.choices import ChoiceExtractor
from nlu.dates import DateExtractor
from nlu.doses import DoseExtractor
from nlu.durations import DurationExtractor
from nlu.measures import MeasureExtractor
from nlu.medicines import MedicineExtractor
from nlu.polarity import PolarityExtractor
from nlu.topics import TopicExtractor

# After Rasa's EntitySynonymMapper, which would rewrite their values ("sle" -> "SLE").
EXTRACTORS: tuple[type[RuleComponent], ...] = (
    PolarityExtractor,
    TopicExtractor,
    ChoiceExtractor,
    MeasureExtractor,
    DateExtractor,
    DoseExtractor,
    MedicineExtractor,
    DurationExtractor,
)


@cache
def _components() -> tuple[RuleComponent, ...]:
    return tuple(cls() for cls in EXTRACTORS)  # type: ignore[call-arg]


def entities(text: str) -> list[dict[str, Any]]:
    """The entities our extractors add to a message with this text."""
    messages = [Message(data={TEXT: text})]
    for component in _components():
        messages = component.process(messages)  # type: ignore[attr-defined]
    return list(messages[0].get(ENTITIES, []))
