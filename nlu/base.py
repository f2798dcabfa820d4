"""What our NLU components share: nothing to train and no configuration."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self


class RuleComponent(GraphComponent):
    """A component made of rules and data files: built without configuration, never trained."""

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
