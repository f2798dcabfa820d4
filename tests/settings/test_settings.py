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
