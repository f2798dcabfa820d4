"""Measured fixes to Rasa 3.6's hot path, installed by ``python -m bot.serve`` before Rasa starts.

Each was found with py-spy on screenings over the REST channel (``python -m bench.load``);
DEVELOPERS.md keeps the figures. None changes what Rasa decides:

- ``RemoteAction._validate_action_result``: 61 % of the server's time was ``jsonschema``
  re-checking the action-response *schema* on every action-server reply. The schema never
  changes, so its validator is built once; every reply is still validated, with the same
  error message on a bad one.
  Each event is also checked only against the schema of its own type (the others cannot
  match it), so a valid reply costs about a tenth; an invalid one gets Rasa's full check.
- ``Event.resolve_by_type``: rebuilding a tracker walks every ``Event`` subclass (with
  ``inspect.isabstract``) once per stored event, about 10 % of the server's time. The
  name → class table is built once; an unknown name falls back to Rasa's own lookup, which
  also sees subclasses imported later.
- ``DialogueStateTracker.applied_events``: recomputed from the whole conversation many times
  per turn (session check, last-message lookup, each policy's featurisation), about 13 %.
  The result is remembered on the tracker for as long as its event list is the same list
  with the same length and the same first and last event (events are only ever appended;
  a rebuilt tracker gets a new list). Callers get a fresh copy of the list each time.
- ``EndpointConfig.session``: every action-server call sends the whole conversation as JSON,
  encoded by the standard library (about 4 %). The same session is made with ``ujson``
  (already a dependency of Rasa and Sanic) as its JSON encoder: the same JSON, about three
  times faster.
- ``LogisticRegressionClassifier._create_X``: the classifier reads only the sentence
  features, but asked the message for all of them, so every turn also glued together the
  per-token (sequence) matrices of every featuriser, about 5 %. Only the sentence features
  are combined now, the same way.
- Garbage collection: once the model is loaded, each Rasa worker holds millions of
  long-lived objects (TensorFlow, the graph, the domain), and every full collection walked
  them all: 350-400 ms pauses, several a minute under load. ``gc.freeze()`` after loading
  moves them out of the collector's way; new objects are collected as before.
"""

from __future__ import annotations

import gc
from functools import cache
from typing import Any

import aiohttp
import jsonschema
import rasa.core.run
import ujson
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from scipy.sparse import csr_matrix, hstack, vstack

_INSTALLED = False


@cache
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # once, not per reply
    return cls(schema)


@cache
def _discriminated_validators() -> tuple[Any, dict[str, Any]]:
    """The response schema without the events' ``oneOf``, and one validator per event type.

    Each ``oneOf`` branch of Rasa's event schema pins ``event`` to its own constant, and
    ``event`` is required: an event can only ever pass the branch named by its ``event``.
    So "the branch named by ``event`` accepts it" is exactly "exactly one branch accepts it",
    without trying all 23 branches for every event.
    """
    schema = RemoteAction.action_response_format_spec()
    event_schema = schema["properties"]["events"]["items"]
    base = {
        **schema,
        "properties": {
            **schema["properties"],
            "events": {"type": "array", "items": {k: v for k, v in event_schema.items() if k != "oneOf"}},
        },
    }
    cls = jsonschema.validators.validator_for(schema)
    branches: dict[str, Any] = {}
    for branch in event_schema["oneOf"]:
        name = branch["properties"]["event"]["const"]
        if name in branches:  # two branches for one event: the shortcut would not be exact
            raise ValueError(f"Rasa's event schema has two branches for {name!r}")
        branches[name] = cls(branch)
    return cls(base), branches


def _quickly_valid(result: Any) -> bool:
    """True only if Rasa's full schema accepts the reply; False means: ask the full schema."""
    base, branches = _discriminated_validators()
    if not base.is_valid(result):
        return False
    for event in result.get("events") or ():
        branch = branches.get(event["event"])
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    if _quickly_valid(result):
        return True
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


_rasa_applied_events = DialogueStateTracker.applied_events
_APPLIED = "_prescreen_applied_events"


def _applied_events(self: DialogueStateTracker) -> list[Event]:
    events = self.events
    if not events:
        return []
    # The cached list holds the first and last events, so their ids cannot be reused meanwhile.
    key = (id(events), len(events), id(events[0]), id(events[-1]))
    cached = self.__dict__.get(_APPLIED)
    if cached is None or cached[0] != key:
        cached = (key, _rasa_applied_events(self))
        self.__dict__[_APPLIED] = cached
    return list(cached[1])


def _json_dumps(value: Any) -> str:
    return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    # Rasa's EndpointConfig.session, with a faster JSON encoder.
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=_json_dumps,
    )


def _create_x(self: LogisticRegressionClassifier, messages: list[Message]) -> csr_matrix:
    # Rasa's _create_X, combining only the sentence features it uses.
    rows = []
    for message in messages:
        _, sentence = message._filter_sparse_features(TEXT, [])
        sparse = Message._combine_features(sentence, [])
        dense = message.get_dense_features(attribute=TEXT)[1]
        rows.append(
            hstack([csr_matrix(sparse.features if sparse else []), csr_matrix(dense.features if dense else [])])
        )
    return vstack(rows)


_rasa_create_x = LogisticRegressionClassifier._create_X


_rasa_load_agent_on_start = rasa.core.run.load_agent_on_start
GC_THRESHOLDS = (700, 10, 1000)  # Python's defaults: (700, 10, 10)


async def _load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
    agent = await _rasa_load_agent_on_start(*args, **kwargs)
    gc.collect()
    gc.freeze()  # what is alive now (the model) stays; full collections no longer walk it
    # The conversations kept in memory are long-lived too: collect the old generations rarely.
    gc.set_threshold(GC_THRESHOLDS[0], GC_THRESHOLDS[1], GC_THRESHOLDS[2])
    return agent


def install() -> None:
    """Patch Rasa in this process (idempotent)."""
    global _INSTALLED  # noqa: PLW0603 - a one-time process-wide switch
    if _INSTALLED:
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
    EndpointConfig.session = _session  # type: ignore[method-assign]
    LogisticRegressionClassifier._create_X = _create_x  # type: ignore[method-assign]
    rasa.core.run.load_agent_on_start = _load_agent_then_freeze
    _INSTALLED = True
