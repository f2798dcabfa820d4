"""The patients' socket.io channel: Rasa's widget protocol, with the same guard as the REST channel.

Rasa's own ``SocketIOInput`` speaks the protocol every Rasa web widget knows: the client
emits ``session_request`` (with its own ``session_id``), the server answers
``session_confirm`` with the id it accepted, the client emits ``user_uttered``
``{"message", "session_id"}`` and receives ``bot_uttered`` messages. This subclass keeps that
protocol and closes what Rasa leaves open:

* every message goes through ``check_message`` (no "/intent" commands, no control
  characters, a length cap answered with ``TOO_LONG_REPLY``);
* a ``session_id`` that is not a reasonable id (not a string, empty, longer than 128
  characters, unprintable) is never used: the client is given a fresh one instead, as Rasa
  does when the id is missing;
* with session persistence, a message counts for the session this socket was confirmed in,
  not for whatever ``session_id`` the message names (Rasa takes the message's word for it);
* client metadata is not passed on: nothing reads it and it would bypass the length cap;
* custom payloads reach the widget as ``{"custom": payload}`` (the REST channel's shape)
  instead of crashing Rasa's ``send_custom_json``.

With session persistence on, the conversation (tracker) id is the confirmed session id and
the socket sits in a room of that name, so anything sent to that conversation through this
channel, e.g. ``POST /conversations/{id}/tracker/events?execute_side_effects=true&output_channel=latest``,
reaches every socket in that session live, whichever Rasa process holds the socket (with
``REDIS_URL`` the processes share socket.io messages through Redis). With ``jwt_key`` (on
by default: scripts/run and credentials.yml pass ``SOCKET_JWT_SECRET``) a socket connects
only with a session token (``channels.widget`` issues them) and is bound to the session the
token names; without it the session id is whatever the client asks for.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from channels.guard import TOO_LONG_REPLY, check_message
from channels.rest import MAX_SENDER_CHARS
from settings import get_settings

logger = logging.getLogger(__name__)

SESSION_KEY = "prescreen_session_id"
"""Where the session id confirmed for a socket is kept in its python-socketio session."""

TOKEN_KEY = "prescreen_token_session"
"""Where the session id a socket's token was issued for is kept in its python-socketio session."""

SOCKET_CHANNEL = "prescreen-socketio"
"""The Redis pub/sub channel the Rasa processes share socket.io messages on (with REDIS_URL)."""

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def session_token(session_id: str, key: str, *, days: float, algorithm: str = "HS256") -> str:
    """A signed token that lets its holder chat in one session (``sub``) until it expires."""
    now = int(time.time())
    return jwt.encode(
        {"sub": session_id, "iat": now, "exp": now + int(days * 86400), "scope": "patient-chat"},
        key,
        algorithm=algorithm,
    )


def session_claims(token: object, key: str, algorithm: str = "HS256") -> dict[str, Any] | None:
    """The claims of a valid, unexpired session token for a usable session id; else None."""
    if not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if claims.get("scope") != "patient-chat" or not valid_session_id(claims.get("sub")):
        return None
    return dict(claims)


def valid_session_id(value: object) -> bool:
    """Whether a client-sent session id may name a conversation: a short, printable, trimmed string."""
    return (
        isinstance(value, str) and 0 < len(value) <= MAX_SENDER_CHARS and value.isprintable() and value == value.strip()
    )


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's callback: a cleaned message goes on, a too-long one is answered here and stops."""

    async def receive(message: UserMessage) -> None:
        text = message.text if isinstance(message.text, str) else None
        checked = check_message(text, max_chars=get_settings().max_message_chars)
        if checked.too_long:
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, TOO_LONG_REPLY)
            return
        message.text = checked.text
        await on_new_message(message)

    return receive


class GuardedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom payloads sent as ``{"custom": payload}``.

    A coordinator's message (a bot event whose metadata names the coordinator, as the inbox
    sends it) goes out as ``{"text": ..., "from": "coordinator"}``, so the widget can show
    that a person has joined; the coordinator's name stays in the inbox.
    """

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Mark a coordinator's message; everything else as Rasa sends it."""
        if message.get("coordinator") and message.get("text"):
            await self._send_message(recipient_id, {"text": message["text"], "from": "coordinator"})
            return
        await super().send_response(recipient_id, message)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Emit the payload to the recipient's room (Rasa's version passes it as ``emit`` arguments)."""
        await self._send_message(recipient_id, {"custom": json_message})


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the doors closed (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """``socketio``: the name ``output_channel=latest`` looks up to push messages to the patient."""
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        """The output the HTTP API uses for this channel (``output_channel=latest``)."""
        return GuardedSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's blueprint, with the guard and our ``session_request`` and message handlers.

        python-socketio keeps one handler per event, so registering ours after Rasa's replaces
        them. Rasa's message handler would also get only the guarded callback.
        """
        receive = guarded(on_new_message)
        socket_blueprint = super().blueprint(receive)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint
        redis_url = get_settings().redis_url
        if redis_url:
            # Several Rasa processes (RASA_WORKERS, or several hosts): a message for a session is
            # published on Redis and every process emits it to the sockets it holds, so a
            # coordinator's reply handled by one process reaches a patient connected to another.
            # Rasa builds the server without this option; nothing has connected yet, so the
            # manager can still be swapped. (python-socketio pickles what it publishes: the
            # Redis server must be private, as it already must be for the conversation locks.)
            manager = AsyncRedisManager(redis_url, channel=SOCKET_CHANNEL)
            manager.set_server(sio)
            sio.manager = manager

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            return await self.connect(sid, auth)

        async def session_request(sid: str, data: Any = None) -> None:
            await self.session_request(sid, data)

        async def user_message(sid: str, data: Any = None) -> None:
            await self.user_message(sid, data, receive)

        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        return socket_blueprint

    def _server(self) -> AsyncServer:
        if self.sio is None:
            raise RuntimeError("the socket.io server exists only once the blueprint is made")
        return self.sio

    async def connect(self, sid: str, auth: Any) -> bool:
        """With ``jwt_key``: only a socket with a valid session token connects, bound to its session."""
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        claims = session_claims(token, self.jwt_key, self.jwt_algorithm)
        if claims is None:
            logger.info("socket %s refused: no valid session token", sid)
            return False
        await self._server().save_session(sid, {TOKEN_KEY: claims["sub"]}, namespace=self.namespace)
        return True

    async def session_request(self, sid: str, data: Any) -> None:
        """Confirm the session: the signed token's, else the client's if reasonable, else a fresh one; join its room.

        With ``jwt_key`` the session is the one the token was issued for, whatever the client
        asks: knowing another patient's session id is not enough to join their conversation.
        """
        sio = self._server()
        asked = data.get("session_id") if isinstance(data, dict) else None
        signed = (await sio.get_session(sid, namespace=self.namespace)).get(TOKEN_KEY) if self.jwt_key else None
        if signed is not None:
            if asked is not None and asked != signed:
                logger.warning("socket %s asked for a session its token is not for; given its own", sid)
            session_id = signed
        else:
            if asked is not None and not valid_session_id(asked):
                logger.warning("socket %s asked for an unusable session id; giving it a new one", sid)
            session_id = asked if valid_session_id(asked) else uuid.uuid4().hex
        if self.session_persistence:
            session = await sio.get_session(sid, namespace=self.namespace)
            previous = session.get(SESSION_KEY)
            if previous is not None and previous != session_id:
                sio.leave_room(sid, previous, namespace=self.namespace)
            # Synchronous in python-socketio 5.9; a coroutine from 5.10 on, which Rasa 3.6 never
            # awaits (the socket joins no room and gets no bot message): hence the < 5.10 pin.
            sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.save_session(sid, {**session, SESSION_KEY: session_id}, namespace=self.namespace)
        await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

    async def user_message(self, sid: str, data: Any, receive: OnNewMessage) -> None:
        """Pass a patient's message on as the conversation of the session this socket was confirmed in."""
        sio = self._server()
        body = data if isinstance(data, dict) else {}
        if self.session_persistence:
            session = await sio.get_session(sid, namespace=self.namespace)
            sender_id = session.get(SESSION_KEY)
            if sender_id is None or body.get("session_id") != sender_id:
                logger.warning("socket %s sent a message outside its confirmed session; ignored", sid)
                return
        else:
            sender_id = sid
        text = body.get("message")
        output = GuardedSocketIOOutput(sio, self.bot_message_evt)
        await receive(UserMessage(text if isinstance(text, str) else "", output, sender_id, input_channel=self.name()))
