"""The Telegram channel without a Rasa server: the secret token, updates, buttons, blocked patients.

Outbound messages go through aiogram's real ``Bot`` to the stand-in (tests/standin.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from sanic.compat import Header
from sqlalchemy import select

from channels import __main__ as command
from channels.contacts import Contacts
from channels.telegram_bot import SECRET_HEADER, TelegramChannel
from settings import get_settings
from store.db import engine_for, session_scope
from store.models import ChannelAddress
from tests.channels.conftest import Bot
from tests.standin import StandIn

SECRET = "webhook-secret_123"
CHAT = 4242001


@pytest.fixture
async def channel(api: StandIn, database_url: str) -> AsyncIterator[TelegramChannel]:
    made = TelegramChannel(
        access_token="123456:test-token",
        secret_token=SECRET,
        api_url=api.url,
        contacts=Contacts("telegram", secret="s" * 40, database_url=database_url),
    )
    yield made
    await asyncio.sleep(0)  # let a button acknowledgement finish
    if made._bot is not None:
        await made._bot.session.close()


update_ids = iter(range(1000, 100000))


def message(text: str | None, chat: int = CHAT, chat_type: str = "private", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(update_ids),
        "date": 1764115200,
        "chat": {"id": chat, "type": chat_type, "first_name": "Pat"},
        "from": {"id": chat, "is_bot": False, "first_name": "Pat", "language_code": "en"},
        **extra,
    }
    if text is not None:
        body["text"] = text
    return {"update_id": next(update_ids), "message": body}


def press(data: str, chat: int = CHAT) -> dict[str, Any]:
    return {
        "update_id": next(update_ids),
        "callback_query": {
            "id": f"cb{next(update_ids)}",
            "from": {"id": chat, "is_bot": False, "first_name": "Pat"},
            "chat_instance": "-1",
            "data": data,
            "message": {"message_id": 7, "date": 1764115200, "chat": {"id": chat, "type": "private"}, "text": "?"},
        },
    }


def request(update: Any, secret: str | None = SECRET) -> Any:
    return SimpleNamespace(headers=Header({SECRET_HEADER: secret} if secret is not None else {}), json=update)


async def post(channel: TelegramChannel, bot: Bot, update: Any, secret: str | None = SECRET) -> Any:
    hook = channel.blueprint(bot)
    [route] = [r for r in hook._future_routes if r.uri == "/webhook"]
    return await route.handler(request(update, secret))


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET + "x", SECRET[:-1]],  # missing, empty, wrong, longer, shorter
)
async def test_an_update_without_our_secret_is_refused(
    channel: TelegramChannel, bot: Bot, api: StandIn, database_url: str, secret: str | None
) -> None:
    reply = await post(channel, bot, message("yes"), secret=secret)
    assert reply.status == 403
    assert bot.heard == [] and api.attempts == 0  # and no call to Telegram to check anything
    with session_scope(engine_for(database_url)) as session:
        assert session.execute(select(ChannelAddress)).first() is None


@pytest.mark.parametrize("secret", ["", "has spaces", "x" * 257, "sémaphore"])
async def test_a_secret_telegram_would_refuse_leaves_the_channel_closed(bot: Bot, secret: str) -> None:
    channel = TelegramChannel(access_token="123456:test-token", secret_token=secret)
    reply = await post(channel, bot, message("yes"), secret=secret)
    assert reply.status == 503 and bot.heard == []


async def test_a_text_reaches_the_bot_and_buttons_come_back_as_telegram_buttons(
    channel: TelegramChannel, bot: Bot, api: StandIn
) -> None:
    reply = await post(channel, bot, message("/start"))
    assert reply.status == 200
    [heard] = bot.heard
    assert heard.text == "start"  # Telegram's /start is words, not a Rasa command
    assert heard.sender_id == channel.contacts.conversation_for(str(CHAT)) and str(CHAT) not in heard.sender_id
    [sent] = api.to(str(CHAT))
    assert sent.text == "Has a doctor ever told you that you have lupus?"
    keyboard = json.loads(sent.fields["reply_markup"])["inline_keyboard"]
    assert keyboard == [
        [{"text": "Yes", "callback_data": "yes"}],
        [{"text": "No", "callback_data": "no"}],
        [{"text": "Not sure", "callback_data": "not sure"}],
    ]


async def test_a_button_press_is_its_payload_and_is_acknowledged(
    channel: TelegramChannel, bot: Bot, api: StandIn
) -> None:
    await post(channel, bot, message("hello"))
    await post(channel, bot, press("not sure"))
    assert bot.texts() == ["hello", "not sure"]
    api.wait_for(lambda s: s.method == "answerCallbackQuery", timeout=5)


async def test_a_typed_number_picks_a_button_too(channel: TelegramChannel, bot: Bot) -> None:
    await post(channel, bot, message("hello"))
    await post(channel, bot, message("2"))
    assert bot.texts() == ["hello", "no"]


async def test_a_button_payload_cannot_be_a_command(channel: TelegramChannel, bot: Bot) -> None:
    await post(channel, bot, press('/inform{"age": 30}'))  # callback data is chosen by the client
    assert bot.texts() == ['inform{"age": 30}']


@pytest.mark.parametrize(
    ("update", "hint"),
    [
        (message(None, photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]), "type your answer"),
        (message(None, sticker={"file_id": "x"}), "type your answer"),
        ({"update_id": 5, "edited_message": message("no")["message"]}, "new message"),
    ],
)
async def test_anything_but_text_gets_a_hint_and_reaches_nobody(
    channel: TelegramChannel, bot: Bot, api: StandIn, update: dict[str, Any], hint: str
) -> None:
    await post(channel, bot, update)
    assert bot.heard == []
    [sent] = api.to(str(CHAT))
    assert hint in sent.text


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
async def test_no_screening_in_a_group(channel: TelegramChannel, bot: Bot, api: StandIn, chat_type: str) -> None:
    await post(channel, bot, message("hello", chat=-100123, chat_type=chat_type))
    assert bot.heard == [] and api.attempts == 0


@pytest.mark.parametrize("body", [None, [], "text", {"update_id": 1}, {"update_id": 2, "message": "x"}])
async def test_odd_updates_are_ignored_without_a_crash(channel: TelegramChannel, bot: Bot, body: Any) -> None:
    reply = await post(channel, bot, body)
    assert reply.status in (200, 400) and bot.heard == []


async def test_telegrams_redelivery_is_not_a_second_answer(channel: TelegramChannel, bot: Bot) -> None:
    update = message("yes")
    await post(channel, bot, update)
    await post(channel, bot, update)
    assert bot.texts() == ["yes"]


async def test_flood_control_is_waited_out(channel: TelegramChannel, bot: Bot, api: StandIn) -> None:
    api.fail_next(
        1, 429, {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 0}}
    )
    await post(channel, bot, message("hello"))
    assert len(api.to(str(CHAT))) == 1 and api.attempts == 2


async def test_a_patient_who_blocked_the_bot_gets_nothing_more_until_they_write(
    channel: TelegramChannel, bot: Bot, api: StandIn, database_url: str
) -> None:
    blocked = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    api.fail_next(1, 403, blocked)
    await post(channel, bot, message("hello"))
    assert api.attempts == 1  # not retried
    conversation = channel.contacts.conversation_for(str(CHAT))
    output = channel.get_output_channel()
    assert output is not None
    await output.send_response(conversation, {"text": "Are you still there?", "coordinator": "sam"})
    assert api.attempts == 1  # a coordinator's push is not even tried
    await post(channel, bot, message(None, sticker={"file_id": "x"}))  # anything they send undoes it
    assert "type your answer" in api.to(str(CHAT))[-1].text
    await post(channel, bot, message("sorry, I'm back"))
    assert api.to(str(CHAT))[-1].text == "Has a doctor ever told you that you have lupus?"
    with session_scope(engine_for(database_url)) as session:
        assert session.execute(select(ChannelAddress.opted_out_at)).scalar_one() is None


async def test_a_coordinators_message_is_marked_as_theirs(channel: TelegramChannel, bot: Bot, api: StandIn) -> None:
    await post(channel, bot, message("hello"))
    output = channel.get_output_channel()
    assert output is not None
    await output.send_response(
        channel.contacts.conversation_for(str(CHAT)), {"text": "Hi, Sam here", "coordinator": "sam"}
    )
    assert api.to(str(CHAT))[-1].text == "Study coordinator: Hi, Sam here"
    assert "reply_markup" not in api.to(str(CHAT))[-1].fields


def test_the_webhook_command_sends_the_secret_token(api: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "TELEGRAM_TOKEN": "123456:test-token",
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_URL": api.url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert command.main(["telegram-webhook", "--url", "https://bot.example.org/webhooks/telegram/webhook"]) == 0
    [call] = [s for s in api.sent if s.method == "setWebhook"]
    assert call.fields["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    assert call.fields["secret_token"] == SECRET
    assert json.loads(call.fields["allowed_updates"]) == ["message", "edited_message", "callback_query"]


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"TELEGRAM_SECRET_TOKEN": SECRET}, "TELEGRAM_TOKEN"),
        ({"TELEGRAM_TOKEN": "1:x", "TELEGRAM_SECRET_TOKEN": "no spaces please"}, "TELEGRAM_SECRET_TOKEN"),
        ({"TELEGRAM_TOKEN": "1:x", "TELEGRAM_SECRET_TOKEN": SECRET}, "webhook URL"),
    ],
)
def test_the_webhook_command_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], complaint: str
) -> None:
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert command.main(["telegram-webhook"]) == 2
    assert complaint in capsys.readouterr().err
