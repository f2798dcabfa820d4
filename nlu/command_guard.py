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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from channels.guard import strip_command
from nlu.base import RuleComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CommandGuard(RuleComponent):
    """Reads "/affirm{...}" as the words "affirm{...}", never as a command."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Remove leading slashes (and look-alikes) from each message's text."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, strip_command(text))
        return messages
