"""The patients' socket.io channel without a server: the guard, session ids, and the custom-JSON output."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput

from channels.guard import TOO_LONG_REPLY
from channels.socketio import (
    GuardedSocketIOInput,
    GuardedSocketIOOutput,
    guarded,
    session_claims,
    session_token,
    valid_session_id,
)
from settings import get_settings

CREDENTIALS = Path(__file__).resolve().parents[2] / "bot" / "credentials.yml"
CARD = {"screening_result": {"status": "not_eligible", "reasons": ["This study is only for people aged 18 to 65."]}}


class FakeSio:
    """Records what the channel does with python-socketio's AsyncServer (5.9 signatures)."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str | None]] = []
        self.rooms: dict[str, set[str]] = defaultdict(set)
        self.sessions: dict[str, dict[str, Any]] = {}

    async def emit(
        self,
        event: str,
        data: Any = None,
        to: str | None = None,
        room: str | None = None,
        skip_sid: str | None = None,
        namespace: str | None = None,
        callback: Any = None,
        ignore_queue: bool = False,
    ) -> None:
        self.emitted.append((event, data, to or room))

    def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms[sid].add(room)

    def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms[sid].discard(room)

    async def get_session(self, sid: str, namespace: str | None = None) -> dict[str, Any]:
        return dict(self.sessions.get(sid, {}))

    async def save_session(self, sid: str, session: dict[str, Any], namespace: str | None = None) -> None:
        self.sessions[sid] = dict(session)


class Recorder:
    """Stands in for Rasa's on_new_message."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)


def channel_with(sio: FakeSio, *, persistence: bool = True) -> GuardedSocketIOInput:
    channel = GuardedSocketIOInput(session_persistence=persistence)
    channel.sio = sio  # type: ignore[assignment]
    return channel


def confirmed(sio: FakeSio) -> list[str]:
    return [data for event, data, _ in sio.emitted if event == "session_confirm"]


# The guard around Rasa's callback


async def test_a_command_reaches_rasa_as_plain_words() -> None:
    rasa, sio = Recorder(), FakeSio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    await guarded(rasa)(UserMessage('/inform{"age": 30}\x00', output, "s1", input_channel="socketio"))
    assert [m.text for m in rasa.messages] == ['inform{"age": 30}']
    assert sio.emitted == []


async def test_a_too_long_message_is_answered_and_not_passed_on() -> None:
    rasa, sio = Recorder(), FakeSio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    limit = get_settings().max_message_chars
    await guarded(rasa)(UserMessage("x" * limit, output, "s1"))
    assert len(rasa.messages) == 1  # at the limit it still goes through
    await guarded(rasa)(UserMessage("x" * (limit + 1), output, "s1"))
    assert len(rasa.messages) == 1
    assert sio.emitted == [("bot_uttered", {"text": TOO_LONG_REPLY}, "s1")]


# The custom-JSON output


async def test_rasas_output_cannot_send_a_custom_payload() -> None:
    # Why the override exists: Rasa passes the payload's keys as emit() arguments.
    with pytest.raises(TypeError, match="screening_result"):
        await SocketIOOutput(FakeSio(), "bot_uttered").send_custom_json("s1", dict(CARD))  # type: ignore[arg-type]


async def test_a_custom_payload_reaches_the_recipients_room_as_custom() -> None:
    sio = FakeSio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    await output.send_response("s1", {"text": "Thank you.", "custom": CARD, "timestamp": 1.0})
    assert sio.emitted == [
        ("bot_uttered", {"text": "Thank you."}, "s1"),
        ("bot_uttered", {"custom": CARD}, "s1"),
    ]
    assert output.name() == "socketio"


# Session ids


@pytest.mark.parametrize(
    "data",
    [
        None,
        "not a dict",
        {},
        {"session_id": None},
        {"session_id": 12345},
        {"session_id": {"$ne": ""}},
        {"session_id": ""},
        {"session_id": "x" * 129},
        {"session_id": "line\nbreak"},
        {"session_id": " padded"},
    ],
)
async def test_an_unusable_session_id_is_replaced_by_a_fresh_one(data: Any) -> None:
    sio = FakeSio()
    await channel_with(sio).session_request("sid-1", data)
    [session_id] = confirmed(sio)
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert sio.rooms["sid-1"] == {session_id}
    assert sio.emitted == [("session_confirm", session_id, "sid-1")]


async def test_a_reasonable_session_id_is_kept() -> None:
    sio = FakeSio()
    await channel_with(sio).session_request("sid-1", {"session_id": "x" * 128})
    assert confirmed(sio) == ["x" * 128]
    assert sio.rooms["sid-1"] == {"x" * 128}


@pytest.mark.parametrize("value", ["a", "patient-7f3a", "ünïcode id"])
def test_valid_session_ids(value: str) -> None:
    assert valid_session_id(value)


async def test_a_new_session_request_leaves_the_old_room() -> None:
    sio = FakeSio()
    channel = channel_with(sio)
    await channel.session_request("sid-1", {"session_id": "first"})
    await channel.session_request("sid-1", {"session_id": "second"})
    assert sio.rooms["sid-1"] == {"second"}


async def test_a_message_counts_for_the_confirmed_session_only() -> None:
    sio, rasa = FakeSio(), Recorder()
    channel = channel_with(sio)
    await channel.user_message("sid-1", {"message": "hi", "session_id": "patient-1"}, rasa)  # before session_request
    await channel.session_request("sid-1", {"session_id": "patient-1"})
    await channel.user_message("sid-1", {"message": "hi", "session_id": "someone-else"}, rasa)
    await channel.user_message("sid-1", {"message": "hi"}, rasa)
    assert rasa.messages == []
    await channel.user_message(
        "sid-1", {"message": "hello", "session_id": "patient-1", "metadata": {"role": "coordinator"}}, rasa
    )
    [message] = rasa.messages
    assert (message.text, message.sender_id, message.input_channel) == ("hello", "patient-1", "socketio")
    assert message.metadata is None  # client metadata is not passed on
    assert isinstance(message.output_channel, GuardedSocketIOOutput)


async def test_a_message_that_is_not_text_becomes_empty() -> None:
    sio, rasa = FakeSio(), Recorder()
    channel = channel_with(sio)
    await channel.session_request("sid-1", {"session_id": "patient-1"})
    await channel.user_message("sid-1", {"message": {"intent": "affirm"}, "session_id": "patient-1"}, rasa)
    await channel.user_message("sid-1", ["not", "a", "dict"], rasa)  # no session id: ignored
    assert [m.text for m in rasa.messages] == [""]


async def test_without_persistence_the_socket_is_the_sender() -> None:
    sio, rasa = FakeSio(), Recorder()
    channel = channel_with(sio, persistence=False)
    await channel.session_request("sid-1", {"session_id": "patient-1"})
    assert sio.rooms["sid-1"] == set()
    await channel.user_message("sid-1", {"message": "hi", "session_id": "anything"}, rasa)
    assert [m.sender_id for m in rasa.messages] == ["sid-1"]


# The blueprint and the configuration


async def test_the_server_runs_our_guarded_handlers() -> None:
    channel = GuardedSocketIOInput(session_persistence=True)
    assert channel.get_output_channel() is None  # no server yet
    rasa = Recorder()
    channel.blueprint(rasa)
    assert channel.sio is not None
    assert isinstance(channel.get_output_channel(), GuardedSocketIOOutput)
    handlers = channel.sio.handlers["/"]
    channel.sio = fake = FakeSio()  # type: ignore[assignment]
    await handlers["session_request"]("sid-1", {"session_id": "y" * 500})
    [session_id] = confirmed(fake)
    assert session_id != "y" * 500
    await handlers["user_uttered"]("sid-1", {"message": "/EXTERNAL_resume", "session_id": session_id})
    assert [(m.text, m.sender_id) for m in rasa.messages] == [("EXTERNAL_resume", session_id)]


def test_credentials_enable_the_channel_with_rasas_widget_protocol() -> None:
    credentials = yaml.safe_load(CREDENTIALS.read_text())
    assert "socketio" not in credentials  # Rasa's own, unguarded channel stays off
    channel = GuardedSocketIOInput.from_credentials(credentials["channels.socketio.GuardedSocketIOInput"])
    assert isinstance(channel, GuardedSocketIOInput)
    assert channel.name() == "socketio"
    assert (channel.user_message_evt, channel.bot_message_evt) == ("user_uttered", "bot_uttered")
    assert channel.session_persistence is True
    assert channel.socketio_path == "/socket.io"


def test_the_configured_socket_needs_a_signed_session() -> None:
    credentials = yaml.safe_load(CREDENTIALS.read_text())["channels.socketio.GuardedSocketIOInput"]
    assert (credentials["jwt_key"], credentials["jwt_method"]) == ("${SOCKET_JWT_SECRET}", "HS256")


# Session tokens: a socket joins only the session its token is for

KEY = "k" * 32


@pytest.mark.parametrize(
    ("token", "accepted"),
    [
        (session_token("abc123", KEY, days=1), True),
        (session_token("abc123", "another key of 32 characters!!!!", days=1), False),  # signed elsewhere
        (session_token("abc123", KEY, days=-1), False),  # expired
        (session_token(" spaced ", KEY, days=1), False),  # not a usable session id
        (jwt.encode({"sub": "abc123", "exp": 2_000_000_000}, KEY, algorithm="HS256"), False),  # not a chat token
        (jwt.encode({"sub": "abc123", "scope": "patient-chat"}, KEY, algorithm="HS256"), False),  # never expires
        ("", False),
        (None, False),
        ({"sub": "abc123"}, False),
    ],
)
def test_session_claims(token: object, accepted: bool) -> None:
    claims = session_claims(token, KEY)
    assert (claims is not None) is accepted
    if accepted:
        assert claims["sub"] == "abc123"


async def test_with_a_key_a_socket_connects_only_with_a_token_and_gets_its_own_session() -> None:
    sio = FakeSio()
    channel = channel_with(sio)
    channel.jwt_key, channel.jwt_algorithm = KEY, "HS256"
    assert await channel.connect("sid-0", None) is False
    assert await channel.connect("sid-0", {"token": "forged"}) is False
    assert await channel.connect("sid-1", {"token": session_token("mine", KEY, days=1)}) is True
    await channel.session_request("sid-1", {"session_id": "someone-elses"})  # asks for another's session
    assert confirmed(sio) == ["mine"]
    assert sio.rooms["sid-1"] == {"mine"}
    rasa = Recorder()
    await channel.user_message("sid-1", {"message": "hi", "session_id": "someone-elses"}, rasa)
    assert rasa.messages == []  # and cannot write there either
    await channel.user_message("sid-1", {"message": "hi", "session_id": "mine"}, rasa)
    assert [m.sender_id for m in rasa.messages] == ["mine"]


async def test_a_coordinators_message_is_marked_and_nameless() -> None:
    sio = FakeSio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    await output.send_response("room-1", {"text": "Hi, I'm Sam", "coordinator": "sam"})
    await output.send_response("room-1", {"text": "Next question?"})
    assert [data for _, data, _ in sio.emitted] == [
        {"text": "Hi, I'm Sam", "from": "coordinator"},
        {"text": "Next question?"},
    ]
