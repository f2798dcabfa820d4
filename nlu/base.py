"""What our NLU components share: nothing to train, no configuration, and how a reading becomes an entity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self


class Found(Protocol):
    """A reader's reading: the value, how sure, why flagged, where (offsets into the prepared text)."""

    @property
    def value(self) -> Any: ...  # noqa: D102
    @property
    def confidence(self) -> float: ...  # noqa: D102
    @property
    def start(self) -> int: ...  # noqa: D102
    @property
    def end(self) -> int: ...  # noqa: D102


class RuleComponent(GraphComponent):
    """A component made of rules and data files: built without configuration, never trained.

    A reader component says what it finds in a text (``found``): (entity name, reading,
    role) triples; ``process`` adds them to each message as entities. The role is why a
    reading is flagged (or, for choices, the question answered): Rasa keeps an entity's
    role, so the reason travels with the value to the form.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """A new component (its rules and data are in the code and in ``nlu/data``)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are left as they are."""
        return training_data

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """(entity name, reading, role) for each thing read in ``text`` (a non-empty string)."""
        return ()

    def process(self, messages: list[Message]) -> list[Message]:
        """Add what ``found`` reads in each message as entities."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entities = []
            for name, reading, role in self.found(text):
                entity = {
                    "entity": name,
                    "value": reading.value,
                    "start": reading.start,
                    "end": reading.end,
                    "confidence_entity": reading.confidence,
                    "extractor": self.__class__.__name__,
                }
                if role:
                    entity["role"] = role
                group = getattr(reading, "group", None)
                if group:
                    entity["group"] = group  # e.g. a topic stated by naming a medicine
                entities.append(entity)
            if entities:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *entities], add_to_output=True)
        return messages
