"""Measured fixes to Rasa 3.6's hot path, installed by ``python -m bot.serve`` before Rasa starts.

Profiled with py-spy on a screening over the REST channel: 61 % of the Rasa server's time was
``jsonschema.validate`` re-checking the action-response *schema* on every action-server reply
(``RemoteAction._validate_action_result``). The schema never changes, so its validator is
built once; every reply is still validated, with the same error message on a bad one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

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


def install() -> None:
    """Patch Rasa in this process (idempotent)."""
    global _INSTALLED  # noqa: PLW0603 - a one-time process-wide switch
    if _INSTALLED:
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _INSTALLED = True
