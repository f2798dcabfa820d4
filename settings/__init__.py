"""One settings module: environment variables with defaults for local use.

Production switches by environment only (``DATABASE_URL`` for PostgreSQL, ``REDIS_URL``
for the lock store, tokens and webhook secrets). Locally, secrets that are not given are
generated once and kept in ``data/secrets.json`` (mode 0600), so a restart keeps them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from functools import cache
from pathlib import Path

from pydantic import BaseSettings, Field, root_validator

ROOT = Path(__file__).resolve().parent.parent

# What Telegram's setWebhook accepts as secret_token, and how to say it.
TELEGRAM_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TELEGRAM_SECRET_RULE = "TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and -"


def twilio_ready(*, account_sid: str, auth_token: str, webhook_url: str, sms_number: str, whatsapp_number: str) -> bool:
    """Whether the Twilio channel can check signatures and answer: otherwise it refuses every webhook."""
    return bool(account_sid and auth_token and webhook_url and (sms_number or whatsapp_number))


def telegram_ready(*, token: str, secret_token: str) -> bool:
    """Whether the Telegram channel can check updates and answer: otherwise it refuses every update."""
    return bool(token and TELEGRAM_SECRET_TOKEN.match(secret_token))


class Settings(BaseSettings):
    """Every setting of the product; each can be overridden by the environment variable of its name."""

    data_dir: Path = Field(ROOT / "data", env="PRESCREEN_DATA_DIR")
    database_url: str = Field("", env="DATABASE_URL")
    redis_url: str = Field("", env="REDIS_URL")
    trial_id: str = Field("NCT07193810", env="TRIAL_ID")

    rasa_host: str = Field("127.0.0.1", env="RASA_HOST")
    rasa_port: int = Field(5005, env="RASA_PORT")
    rest_token: str = Field("", env="REST_TOKEN")
    jwt_secret: str = Field("", env="RASA_JWT_SECRET")
    # Signs the web chat's session tokens (socket.io jwt_key): a socket joins only its own session.
    socket_jwt_secret: str = Field("", env="SOCKET_JWT_SECRET")
    # Web pages on other sites allowed to embed the chat widget (comma-separated origins).
    widget_origins: str = Field("", env="WIDGET_ORIGINS")
    action_host: str = Field("127.0.0.1", env="ACTION_HOST")
    action_port: int = Field(5055, env="ACTION_PORT")

    max_message_chars: int = Field(1000, env="MAX_MESSAGE_CHARS")
    # A patient who comes back within this many days continues their screening; later, it starts afresh.
    resume_within_days: int = Field(7, env="RESUME_WITHIN_DAYS", ge=0)
    # Conversations kept in memory by the Rasa server's tracker store (0: rebuild every turn).
    tracker_cache_size: int = Field(1000, env="TRACKER_CACHE_SIZE", ge=0)
    # Rasa server processes (Sanic workers). More than one needs the shared lock store (REDIS_URL).
    rasa_workers: int = Field(1, env="RASA_WORKERS", ge=1)

    # The coordinator inbox (inbox/): where it listens, and how long a login lasts.
    inbox_host: str = Field("127.0.0.1", env="INBOX_HOST")
    inbox_port: int = Field(5010, env="INBOX_PORT")
    # Cookies only over HTTPS. Unset: on, unless the inbox listens on loopback only (local use).
    inbox_secure_cookies: bool | None = Field(None, env="INBOX_SECURE_COOKIES")
    inbox_session_hours: float = Field(8, env="INBOX_SESSION_HOURS", gt=0)
    inbox_idle_minutes: float = Field(60, env="INBOX_IDLE_MINUTES", gt=0)
    inbox_max_failed_logins: int = Field(5, env="INBOX_MAX_FAILED_LOGINS", ge=1)
    inbox_lockout_minutes: float = Field(15, env="INBOX_LOCKOUT_MINUTES", gt=0)

    # Messaging apps (channels/twilio_sms.py, channels/telegram_bot.py). A channel without its
    # credentials refuses every webhook (503): it is never open without a signature check.
    # Derives conversation ids from phone numbers and chat ids, and encrypts the stored addresses.
    channel_secret: str = Field("", env="CHANNEL_SECRET")
    # Who the patient can reach about the study (the SMS HELP reply): a phone, e-mail or web page.
    study_contact: str = Field("", env="STUDY_CONTACT")
    twilio_account_sid: str = Field("", env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("", env="TWILIO_AUTH_TOKEN")
    twilio_sms_number: str = Field("", env="TWILIO_SMS_NUMBER")  # +15551234567
    twilio_whatsapp_number: str = Field("", env="TWILIO_WHATSAPP_NUMBER")  # +15551234567 (no "whatsapp:")
    # The public URL Twilio posts to, exactly as set in the Twilio console: signatures cover it.
    twilio_webhook_url: str = Field("", env="TWILIO_WEBHOOK_URL")
    twilio_api_url: str = Field("https://api.twilio.com", env="TWILIO_API_URL")  # tests: a local stand-in
    telegram_token: str = Field("", env="TELEGRAM_TOKEN")
    # Sent by Telegram with every update (set with setWebhook by `python -m channels telegram-webhook`).
    telegram_secret_token: str = Field("", env="TELEGRAM_SECRET_TOKEN")
    telegram_webhook_url: str = Field("", env="TELEGRAM_WEBHOOK_URL")
    telegram_api_url: str = Field("https://api.telegram.org", env="TELEGRAM_API_URL")  # tests: a local stand-in
    # Attempts per outbound message (the first one included) when the provider is busy or unreachable.
    send_attempts: int = Field(4, env="SEND_ATTEMPTS", ge=1, le=10)
    send_backoff_seconds: float = Field(1.0, env="SEND_BACKOFF_SECONDS", ge=0, le=30)  # doubles per attempt

    class Config:
        """Environment names are matched without case."""

        case_sensitive = False

    @root_validator(skip_on_failure=True)
    def _workers_share_a_lock(cls, values: dict[str, object]) -> dict[str, object]:
        workers = values.get("rasa_workers")
        if isinstance(workers, int) and workers > 1 and not values.get("redis_url"):
            raise ValueError(
                f"RASA_WORKERS={workers} needs REDIS_URL: several Rasa workers must share one conversation lock"
            )
        return values

    @property
    def db_url(self) -> str:
        """The database URL: ``DATABASE_URL`` or a SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'prescreen.db'}"

    @property
    def rasa_url(self) -> str:
        """Where the Rasa server listens."""
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def inbox_cookies_secure(self) -> bool:
        """Whether the inbox's cookies are sent over HTTPS only."""
        if self.inbox_secure_cookies is not None:
            return self.inbox_secure_cookies
        return self.inbox_host not in {"127.0.0.1", "localhost", "::1"}

    @property
    def socket_secret(self) -> str:
        """The key that signs web chat session tokens: ``SOCKET_JWT_SECRET`` or a generated local secret."""
        return self.socket_jwt_secret or local_secret(self.data_dir, "socket_jwt_secret")

    @property
    def widget_allowed_origins(self) -> set[str]:
        """Origins of pages that may embed the widget (besides the Rasa server's own)."""
        return {origin.strip().rstrip("/") for origin in self.widget_origins.split(",") if origin.strip()}

    @property
    def twilio_configured(self) -> bool:
        """Whether the Twilio channel is on (the same rule the channel applies)."""
        return twilio_ready(
            account_sid=self.twilio_account_sid,
            auth_token=self.twilio_auth_token,
            webhook_url=self.twilio_webhook_url,
            sms_number=self.twilio_sms_number,
            whatsapp_number=self.twilio_whatsapp_number,
        )

    @property
    def telegram_configured(self) -> bool:
        """Whether the Telegram channel is on (the same rule the channel applies)."""
        return telegram_ready(token=self.telegram_token, secret_token=self.telegram_secret_token)

    @property
    def channel_key(self) -> str:
        """The key behind messaging-app conversation ids and stored addresses: ``CHANNEL_SECRET`` or a local one."""
        return self.channel_secret or local_secret(self.data_dir, "channel_secret")

    @property
    def help_contact(self) -> str:
        """Who to contact about the study: ``STUDY_CONTACT``, else the trial's public page."""
        return self.study_contact or f"https://clinicaltrials.gov/study/{self.trial_id}"

    @property
    def rest_secret(self) -> str:
        """The REST channel's bearer token: ``REST_TOKEN`` or a generated local secret."""
        return self.rest_token or local_secret(self.data_dir, "rest_token")

    @property
    def api_secret(self) -> str:
        """The key that signs Rasa HTTP API tokens (JWT): ``RASA_JWT_SECRET`` or a generated local secret."""
        return self.jwt_secret or local_secret(self.data_dir, "rasa_jwt_secret")


def local_secret(data_dir: Path, name: str) -> str:
    """A secret generated once for this machine and kept in ``data/secrets.json``."""
    path = data_dir / "secrets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(32)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    return stored[name]


def redacted(url: str) -> str:
    """A URL fit to print: its password replaced by ``***``."""
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


@cache
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()  # type: ignore[call-arg]  # BaseSettings fills fields from the environment
