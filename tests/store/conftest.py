"""Fixtures for the store tests: every test runs on SQLite and on PostgreSQL.

Each test gets an empty database of its own and the schema comes from the Alembic
migration (``store.migrate.migrate``), never from ``create_all``, so the migration is what
is tested. SQLite is a file in ``tmp_path``. PostgreSQL is the local server (127.0.0.1:5432,
user ``postgres``, trust auth), or the maintenance database URL in ``PRESCREEN_TEST_PG_URL``;
its databases are named ``prescreen_test_<random>_<n>`` and dropped after each test.

Without a PostgreSQL server the PostgreSQL cases are skipped locally, and fail when ``CI``
is set: CI must never pass by testing only SQLite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from store.db import engine_for, session_scope
from store.migrate import migrate

PG_ADMIN_URL = os.environ.get("PRESCREEN_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    """True when running in CI, where a missing PostgreSQL is an error."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass
class PostgresServer:
    """The test PostgreSQL server: makes and drops throwaway databases."""

    admin: Engine  # on the maintenance database, in autocommit (CREATE DATABASE needs it)
    prefix: str
    created: list[str] = field(default_factory=list)

    def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"{self.prefix}_{len(self.created)}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever is still connected to it."""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server, or a skip (locally) / failure (in CI) if it is not reachable."""
    admin = create_engine(PG_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except OperationalError as error:
        admin.dispose()
        detail = " ".join(str(error.orig).split())
        reason = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL)!r}: {detail}"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so PostgreSQL is required)", pytrace=False)
        pytest.skip(f"{reason}; start it (scripts/setup) or set CI=1 to make this an error")
    server = PostgresServer(admin=admin, prefix=f"prescreen_test_{uuid.uuid4().hex[:12]}")
    yield server
    for name in server.created:  # normally dropped already, test by test
        server.drop_database(name)
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'store.db'}"
        yield url
        engine_for(url).dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    engine_for(url).dispose()
    server.drop_database(make_url(url).database)


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The store's engine for a database migrated to the head revision."""
    migrate(db_url)
    return engine_for(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session in one transaction, committed when the test ends (as the bot uses it)."""
    with session_scope(engine) as session:
        yield session
