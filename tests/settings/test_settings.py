"""Settings come from the environment, with local defaults, and refuse unsafe combinations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings, redacted

ROOT = Path(__file__).resolve().parents[2]


def test_local_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "RASA_WORKERS", "TRACKER_CACHE_SIZE"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    assert s.db_url == f"sqlite:///{tmp_path / 'prescreen.db'}"
    assert (s.redis_url, s.rasa_workers, s.tracker_cache_size) == ("", 1, 1000)


def test_several_workers_need_a_shared_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_WORKERS", "2")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ValidationError, match="RASA_WORKERS=2 needs REDIS_URL"):
        Settings()  # type: ignore[call-arg]
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    assert Settings().rasa_workers == 2  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RASA_WORKERS", "0"),  # at least one process
        ("TRACKER_CACHE_SIZE", "-1"),  # 0 turns the cache off; below is a mistake
        ("RASA_WORKERS", "two"),
    ],
)
def test_bad_numbers_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg2://app:s3cret@db:5432/prescreen", "postgresql+psycopg2://app:***@db:5432/prescreen"),
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("sqlite:////work/data/prescreen.db", "sqlite:////work/data/prescreen.db"),  # nothing to hide
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
    ],
)
def test_printed_urls_hide_passwords(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_the_run_script_gets_a_clear_error(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "RASA_WORKERS": "3", "PRESCREEN_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "settings", "env"]
    run = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert "RASA_WORKERS=3 needs REDIS_URL" in run.stderr and "Traceback" not in run.stderr


TWILIO = {
    "twilio_account_sid": "AC1",
    "twilio_auth_token": "t",
    "twilio_webhook_url": "https://x/webhooks/twilio/webhook",
    "twilio_sms_number": "+1555",
}


@pytest.mark.parametrize(
    ("missing", "on"),
    [
        (None, True),  # everything the channel needs
        ("twilio_account_sid", False),
        ("twilio_auth_token", False),  # no token: no signature can be checked
        ("twilio_webhook_url", False),  # the URL Twilio signs
        ("twilio_sms_number", False),  # nothing to answer from (no WhatsApp number either)
    ],
)
def test_the_twilio_channel_is_on_only_with_everything_it_needs(missing: str | None, on: bool) -> None:
    values = {key: value for key, value in TWILIO.items() if key != missing}
    assert Settings(**values).twilio_configured is on  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "secret", "on"),
    [
        ("1:x", "a-secret_1", True),
        ("", "a-secret_1", False),
        ("1:x", "", False),
        ("1:x", "has spaces", False),  # Telegram's setWebhook would refuse it
    ],
)
def test_the_telegram_channel_is_on_only_with_a_token_and_a_usable_secret(token: str, secret: str, on: bool) -> None:
    assert Settings(telegram_token=token, telegram_secret_token=secret).telegram_configured is on  # type: ignore[call-arg]
