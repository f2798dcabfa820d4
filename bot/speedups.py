"""Measured fixes to Rasa 3.6's hot path, installed by ``python -m bot.serve`` before Rasa starts.

Each was found with py-spy on screenings over the REST channel (``python -m bench.load``);
DEVELOPERS.md keeps the figures. None changes what Rasa decides:

- ``RemoteAction._validate_action_result``: 61 % of the server's time was ``jsonschema``
  re-checking the action-response *schema* on every action-server reply. The schema never
  changes, so its validator is built once; every reply is still validated, with the same
  error message on a bad one.
- ``Event.resolve_by_type``: rebuilding a tracker walks every ``Event`` subclass (with
  ``inspect.isabstract``) once per stored event, about 10 % of the server's time. The
  name → class table is built once; an unknown name falls back to Rasa's own lookup, which
  also sees subclasses imported later.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_INSTALLED = False


@cache
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # once, not per reply
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_rasa_resolve_by_type = Event.resolve_by_type
_EVENT_TYPES: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    cls = _EVENT_TYPES.get(type_name)
    if cls is not None:
        return cls
    if not _EVENT_TYPES:
        for subclass in all_subclasses(Event):
            _EVENT_TYPES.setdefault(subclass.type_name, subclass)  # Rasa's lookup keeps the first match too
        if type_name in _EVENT_TYPES:
            return _EVENT_TYPES[type_name]
    return _rasa_resolve_by_type(type_name, default)


def install() -> None:
    """Patch Rasa in this process (idempotent)."""
    global _INSTALLED  # noqa: PLW0603 - a one-time process-wide switch
    if _INSTALLED:
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    _INSTALLED = True
