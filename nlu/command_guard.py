"""``CommandGuard``: the first step of the NLU pipeline; a leading "/" is never a command.

Rasa ends every NLU pipeline with its ``RegexMessageHandler``, which obeys a message that
starts with "/" (``/intent{"slot": "value"}``): it replaces the intent and entities with
whatever the sender typed. Our channels already strip the slash (``channels.guard``); this
component applies the same rule inside Rasa, so a channel we do not own (or Rasa's own
``POST /conversations/{id}/messages``) cannot be used to force an intent either. Rasa's own
internal intents (``trigger_intent`` from the coordinator API, reminders) do not pass
through NLU and are unaffected.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from channels.guard import strip_command


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CommandGuard(GraphComponent):
    """Reads "/affirm{...}" as the words "affirm{...}", never as a command."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CommandGuard:
        """No configuration, nothing trained."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Remove leading slashes (and look-alikes) from each message's text."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, strip_command(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are ours and carry no commands: unchanged."""
        return training_data
