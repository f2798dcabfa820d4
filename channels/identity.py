"""Who a messaging-app patient is, without keeping their phone number in clear.

A conversation id is a keyed hash (HMAC-SHA256) of the channel and the sender's address
(``whatsapp:+4479…``, a Telegram chat id): the same phone always lands in the same
conversation, and the id in Rasa's events, our tables, the logs and the inbox's URLs says
nothing about the number. The address itself is needed only to send to the patient (the
bot's answers, a coordinator's reply), so it is stored encrypted (Fernet, a key derived from
the same secret) next to the id. Changing ``CHANNEL_SECRET`` starts every messaging-app
conversation afresh and makes stored addresses unreadable: keep it with the database backup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def _derive(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose, so the id key and the encryption key are never the same."""
    return hmac.new(secret.encode(), f"prescreen-channel:{purpose}".encode(), hashlib.sha256).digest()


def conversation_id(channel: str, address: str, *, secret: str) -> str:
    """The conversation id for a sender on a channel: 32 hex characters, the same every time."""
    if not secret:
        raise ValueError("a channel secret is needed to derive conversation ids")
    digest = hmac.new(_derive(secret, "id"), f"{channel}\x00{address}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


class AddressBox:
    """Encrypts and decrypts stored addresses (phone numbers, chat ids) with a key from the secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a channel secret is needed to store addresses")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, "address")))

    def seal(self, address: str) -> str:
        """The address encrypted (and authenticated): safe to store."""
        return self._fernet.encrypt(address.encode()).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The address back, or None if it was sealed with another secret or altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            return None
