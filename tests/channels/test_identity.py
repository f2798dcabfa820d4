"""Conversation ids from phone numbers and chat ids, and the sealed addresses."""

from __future__ import annotations

import pytest

from channels.identity import AddressBox, conversation_id

SECRET = "k" * 43


def test_the_same_sender_is_always_the_same_conversation() -> None:
    first = conversation_id("twilio", "+447700900123", secret=SECRET)
    assert first == conversation_id("twilio", "+447700900123", secret=SECRET)
    assert len(first) == 32 and int(first, 16) >= 0  # 128 bits, hex


@pytest.mark.parametrize(
    ("channel", "address", "secret"),
    [
        ("twilio", "+447700900124", SECRET),  # another number
        ("twilio", "whatsapp:+447700900123", SECRET),  # the same number on WhatsApp is another chat
        ("telegram", "+447700900123", SECRET),  # another channel
        ("twilio", "+447700900123", "another secret"),  # another deployment's secret
    ],
)
def test_anything_else_is_another_conversation(channel: str, address: str, secret: str) -> None:
    assert conversation_id(channel, address, secret=secret) != conversation_id("twilio", "+447700900123", secret=SECRET)


def test_the_id_says_nothing_about_the_number() -> None:
    number = "+447700900123"
    found = conversation_id("twilio", number, secret=SECRET)
    assert "7700900123" not in found
    assert not any(number[i : i + 5] in found for i in range(len(number) - 4))


def test_no_secret_no_id() -> None:
    with pytest.raises(ValueError, match="secret"):
        conversation_id("twilio", "+447700900123", secret="")


def test_a_sealed_address_opens_with_its_secret_only() -> None:
    box = AddressBox(SECRET)
    sealed = box.seal("+447700900123")
    assert "7700900123" not in sealed
    assert box.seal("+447700900123") != sealed  # fresh nonce each time: equal numbers do not look equal
    assert box.open(sealed) == "+447700900123"
    assert AddressBox("another secret").open(sealed) is None


@pytest.mark.parametrize("broken", ["", "not a token", "gAAAAA" + "x" * 80])
def test_a_damaged_address_opens_to_none(broken: str) -> None:
    assert AddressBox(SECRET).open(broken) is None


def test_a_changed_byte_is_noticed() -> None:
    box = AddressBox(SECRET)
    sealed = box.seal("4242")
    flipped = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    assert box.open(flipped) is None
