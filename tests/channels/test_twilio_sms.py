"""The Twilio channel without a Rasa server: signatures, keywords, numbered choices, sends with retries.

Outbound messages go through twilio's real async client to the stand-in (tests/standin.py).
The whole channel inside the running Rasa server is tested in tests/e2e/test_messaging.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from sanic.compat import Header
from sanic.request import RequestParameters
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from channels.contacts import Contacts
from channels.twilio_sms import TwilioChannel
from store.db import engine_for, session_scope
from store.models import AuditEvent, ChannelAddress
from tests.channels.conftest import Bot
from tests.standin import StandIn

TOKEN = "twilio-auth-token"
HOOK = "https://bot.example.org/webhooks/twilio/webhook"
PHONE = "+447700900123"


@pytest.fixture
async def channel(api: StandIn, database_url: str) -> AsyncIterator[TwilioChannel]:
    made = TwilioChannel(
        account_sid="AC" + "0" * 32,
        auth_token=TOKEN,
        sms_number="+15005550006",
        whatsapp_number="+14155238886",
        webhook_url=HOOK,
        api_url=api.url,
        contacts=Contacts("twilio", secret="s" * 40, database_url=database_url),
    )
    yield made
    if made._client is not None:
        await made._client.http_client.close()


def request(fields: dict[str, str], *, signature: str | None = "sign", query: str = "") -> Any:
    """A Sanic-like request as Twilio posts it; ``signature="sign"`` signs it correctly."""
    url = f"{HOOK}?{query}" if query else HOOK
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(url, fields)
    headers = Header({"X-Twilio-Signature": signature} if signature is not None else {})
    return SimpleNamespace(
        headers=headers, form=RequestParameters({k: [v] for k, v in fields.items()}), query_string=query
    )


def sms(text: str, sender: str = PHONE, sid: str | None = None, **more: str) -> dict[str, str]:
    sms.count += 1  # type: ignore[attr-defined]
    return {
        "MessageSid": sid or f"SM{sms.count:032d}",  # type: ignore[attr-defined]
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+15005550006",
        "Body": text,
        "NumMedia": "0",
        **more,
    }


sms.count = 0  # type: ignore[attr-defined]


async def post(channel: TwilioChannel, bot: Bot, req: Any) -> Any:
    hook = channel.blueprint(bot)
    [route] = [r for r in hook._future_routes if r.uri == "/webhook"]
    return await route.handler(req)


def test_twilios_documented_signature_is_accepted() -> None:
    # The example in Twilio's webhook-security documentation: token 12345, this URL and these fields.
    channel = TwilioChannel(
        account_sid="AC1", auth_token="12345", sms_number="+1", webhook_url="https://mycompany.com/myapp.php"
    )
    fields = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    req = SimpleNamespace(
        headers=Header({"X-Twilio-Signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}),
        form=RequestParameters({k: [v] for k, v in fields.items()}),
        query_string="foo=1&bar=2",
    )
    assert channel.signed(req)  # type: ignore[arg-type]
    req.query_string = "foo=1&bar=3"  # the query is signed too
    assert not channel.signed(req)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("signature", "tamper"),
    [
        (None, None),  # no signature at all
        ("", None),  # an empty one
        ("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", None),  # someone else's
        ("sign", "Body"),  # signed, then the text changed on the way
        ("sign", "From"),  # signed, then the sender changed: someone posing as another patient
    ],
)
async def test_an_unsigned_or_altered_webhook_is_refused_and_reaches_nobody(
    channel: TwilioChannel, bot: Bot, api: StandIn, database_url: str, signature: str | None, tamper: str | None
) -> None:
    req = request(sms("yes"), signature=signature)
    if tamper:
        req.form[tamper] = ["+15550000000" if tamper == "From" else "no"]
    reply = await post(channel, bot, req)
    assert reply.status == 403
    assert bot.heard == [] and api.attempts == 0
    with session_scope(engine_for(database_url)) as session:
        assert session.execute(select(ChannelAddress)).first() is None  # not even the sender is remembered


async def test_an_unconfigured_channel_refuses_everything(bot: Bot, database_url: str) -> None:
    channel = TwilioChannel(
        account_sid="",
        auth_token="",
        webhook_url="",
        contacts=Contacts("twilio", secret="s" * 40, database_url=database_url),
    )
    reply = await post(channel, bot, request(sms("yes"), signature="anything"))
    assert reply.status == 503 and bot.heard == []
    assert channel.get_output_channel() is None  # nothing can be pushed through it either


async def test_a_signed_message_reaches_the_bot_as_the_hashed_sender(
    channel: TwilioChannel, bot: Bot, api: StandIn
) -> None:
    reply = await post(channel, bot, request(sms("Hello")))
    assert reply.status == 200 and "<Response></Response>" in reply.body.decode()  # no auto-reply from Twilio
    [heard] = bot.heard
    assert heard.text == "Hello" and heard.input_channel == "twilio"
    assert heard.sender_id == channel.contacts.conversation_for(PHONE) and PHONE not in heard.sender_id
    assert heard.metadata is None  # Twilio's fields (the phone number) are not copied into the conversation
    [sent] = api.to(PHONE)
    assert sent.fields["From"] == "+15005550006"
    assert sent.text == "Has a doctor ever told you that you have lupus?\nReply 1 for Yes, 2 for No, 3 for Not sure."


@pytest.mark.parametrize(
    ("reply", "heard"),
    [
        ("2", "no"),  # the number of a choice is that choice
        (" 3. ", "not sure"),
        ("two", "no"),
        ("4", "4"),  # no such choice: the text goes on as it is, the bot re-asks
        ("no, never", "no, never"),  # words are words
    ],
)
async def test_a_number_picks_a_choice_of_the_last_question(
    channel: TwilioChannel, bot: Bot, reply: str, heard: str
) -> None:
    await post(channel, bot, request(sms("hello")))
    await post(channel, bot, request(sms(reply)))
    assert bot.texts() == ["hello", heard]


async def test_a_number_after_a_question_without_choices_is_a_number(channel: TwilioChannel, bot: Bot) -> None:
    await post(channel, bot, request(sms("hello")))  # asked with choices
    bot.answer = {"text": "How many flares did you have last year?"}
    await post(channel, bot, request(sms("yes")))  # asked without
    await post(channel, bot, request(sms("2")))
    assert bot.texts() == ["hello", "yes", "2"]


async def test_a_too_long_message_is_answered_and_keeps_the_question(
    channel: TwilioChannel, bot: Bot, api: StandIn
) -> None:
    await post(channel, bot, request(sms("hello")))
    mark = api.mark()
    await post(channel, bot, request(sms("word " * 400)))
    [reply] = api.to(PHONE, since=mark)
    assert "a bit long" in reply.text and bot.texts() == ["hello"]
    await post(channel, bot, request(sms("2")))  # the question's choices still count
    assert bot.texts() == ["hello", "no"]


async def test_a_command_cannot_be_sent_by_sms(channel: TwilioChannel, bot: Bot) -> None:
    await post(channel, bot, request(sms('/affirm{"condition": "sle"}')))
    assert bot.texts() == ['affirm{"condition": "sle"}']  # read as words, never as an intent


async def test_stop_stops_everything_until_start(
    channel: TwilioChannel, bot: Bot, api: StandIn, database_url: str
) -> None:
    await post(channel, bot, request(sms("hello")))
    mark = api.mark()
    await post(channel, bot, request(sms("Stop!")))
    [confirmation] = api.to(PHONE, since=mark)
    assert "no more messages" in confirmation.text and "START" in confirmation.text
    assert bot.texts() == ["hello"]  # STOP is not an answer

    mark = api.mark()
    await post(channel, bot, request(sms("yes I do have lupus")))  # ignored: they opted out
    await post(channel, bot, request(sms("stop")))  # no second confirmation
    output = channel.get_output_channel()
    assert output is not None
    await output.send_response(channel.contacts.conversation_for(PHONE), {"text": "Hi, it's Sam", "coordinator": "sam"})
    assert api.to(PHONE, since=mark) == [] and bot.texts() == ["hello"]

    await post(channel, bot, request(sms("Start")))
    back = api.to(PHONE, since=mark)
    assert "Welcome back" in back[0].text
    assert back[1].text.startswith("Has a doctor ever told you that you have lupus?\nReply 1 for Yes")  # asked again
    assert bot.texts() == ["hello"]
    await post(channel, bot, request(sms("1")))  # the choices still count
    assert bot.texts() == ["hello", "yes"]
    with session_scope(engine_for(database_url)) as session:
        events = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert [(e.action, e.detail) for e in events] == [
            ("channel.opted_out", {"channel": "twilio", "how": "STOP"}),  # the keyword, not what was typed
            ("channel.opted_in", {"channel": "twilio"}),
        ]


async def test_yes_resubscribes_only_someone_who_opted_out(channel: TwilioChannel, bot: Bot, api: StandIn) -> None:
    await post(channel, bot, request(sms("hello")))
    await post(channel, bot, request(sms("YES")))
    assert bot.texts() == ["hello", "YES"]  # an answer
    await post(channel, bot, request(sms("stop")))
    mark = api.mark()
    await post(channel, bot, request(sms("yes")))
    assert "Welcome back" in api.to(PHONE, since=mark)[0].text and bot.texts() == ["hello", "YES"]


async def test_help_gives_the_study_contact_even_after_stop(
    channel: TwilioChannel, bot: Bot, api: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import get_settings

    monkeypatch.setenv("STUDY_CONTACT", "+44 20 7946 0000")
    get_settings.cache_clear()
    await post(channel, bot, request(sms("stop")))
    mark = api.mark()
    await post(channel, bot, request(sms("HELP")))
    [help_text] = api.to(PHONE, since=mark)
    assert "+44 20 7946 0000" in help_text.text and "NCT07193810" in help_text.text
    assert bot.heard == []


async def test_a_photo_without_text_gets_a_request_to_type(channel: TwilioChannel, bot: Bot, api: StandIn) -> None:
    fields = sms("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/x", MediaContentType0="image/jpeg")
    await post(channel, bot, request(fields))
    assert bot.heard == []
    assert "type your answer" in api.to(PHONE)[0].text


async def test_twilios_retry_of_the_same_message_is_not_a_second_answer(channel: TwilioChannel, bot: Bot) -> None:
    fields = sms("yes", sid="SM" + "9" * 32)
    await post(channel, bot, request(fields))
    await post(channel, bot, request(fields))
    assert bot.texts() == ["yes"]


async def test_whatsapp_answers_from_the_whatsapp_number(channel: TwilioChannel, bot: Bot, api: StandIn) -> None:
    await post(channel, bot, request(sms("hello", sender=f"whatsapp:{PHONE}")))
    [sent] = api.to(f"whatsapp:{PHONE}")
    assert sent.fields["From"] == "whatsapp:+14155238886"
    assert bot.heard[0].sender_id != channel.contacts.conversation_for(PHONE)  # not the SMS conversation


async def test_a_long_message_arrives_in_parts_between_sentences(
    channel: TwilioChannel, bot: Bot, api: StandIn
) -> None:
    sentence = "We ask this because the study medicine affects the immune system."
    bot.answer = {"text": " ".join([sentence] * 12)}
    await post(channel, bot, request(sms("why?")))
    parts = [s.text for s in api.to(PHONE)]
    assert len(parts) > 1 and all(len(part) <= 320 for part in parts)
    assert all(part.endswith(".") for part in parts)  # cut between sentences
    assert " ".join(parts) == bot.answer["text"]


async def test_the_result_card_becomes_text(channel: TwilioChannel, bot: Bot, api: StandIn) -> None:
    result = {
        "status": "not_eligible",
        "reasons": ["This study is only for people aged 18 to 65."],
        "site_to_verify": [],
    }
    bot.answer = {"custom": {"screening_result": result}}
    await post(channel, bot, request(sms("70")))
    [sent] = api.to(PHONE)
    assert sent.text.startswith("Result: this study is not a fit for you.")
    assert "18 to 65" in sent.text and "not a medical decision" in sent.text
    assert "{" not in sent.text  # no JSON on a phone


async def test_a_busy_twilio_is_retried(channel: TwilioChannel, bot: Bot, api: StandIn) -> None:
    api.fail_next(2, 503, {"code": 20503, "message": "Service unavailable", "status": 503})
    await post(channel, bot, request(sms("hello")))
    assert len(api.to(PHONE)) == 1 and api.attempts == 3


async def test_a_refusal_is_not_retried_and_the_patient_is_told_when_possible(
    channel: TwilioChannel, bot: Bot, api: StandIn
) -> None:
    api.fail_next(1, 400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
    reply = await post(channel, bot, request(sms("hello")))
    assert reply.status == 200  # Twilio must not post the same message again
    assert api.attempts == 2  # the question (refused, once), then the apology
    assert "something went wrong" in api.to(PHONE)[0].text


async def test_an_opt_out_reported_by_twilio_is_recorded(
    channel: TwilioChannel, bot: Bot, api: StandIn, database_url: str
) -> None:
    api.fail_next(1, 400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
    await post(channel, bot, request(sms("hello")))
    with session_scope(engine_for(database_url)) as session:
        row = session.execute(select(ChannelAddress)).scalar_one()
        assert row.opted_out_at is not None
        [event] = session.execute(select(AuditEvent)).scalars().all()
        assert event.detail == {"channel": "twilio", "how": "twilio"}
    assert api.attempts == 1  # and nothing more is tried


async def test_the_number_is_stored_only_sealed(channel: TwilioChannel, bot: Bot, database_url: str) -> None:
    await post(channel, bot, request(sms("hello")))
    with session_scope(engine_for(database_url)) as session:
        row = session.execute(select(ChannelAddress)).scalar_one()
        stored = json.dumps([row.conversation_id, row.sealed_address, row.last_prompt])
    assert "7700900123" not in stored
    contact = await channel.contacts.find(row.conversation_id)
    assert contact is not None and contact.address == PHONE
