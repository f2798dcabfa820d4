"""The Alembic migrations on both backends: they build exactly the models' schema, and rerun safely."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from store import records
from store.db import engine_for, session_scope
from store.migrate import MIGRATIONS, alembic_config, migrate
from store.models import Answer, Base

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "screenings", "answers", "results", "handoffs", "contacts", "audit_log",
    "coordinators", "login_sessions", "handoff_notes", "channel_addresses",
}  # fmt: skip


def schema(engine: Engine) -> dict[str, object]:
    """What a migration can change: tables, columns, indexes, foreign keys and the revision."""
    inspector = inspect(engine)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    return {
        "revision": revision,
        **{
            name: (
                [(column["name"], str(column["type"]), column["nullable"]) for column in inspector.get_columns(name)],
                sorted((index["name"], tuple(index["column_names"])) for index in inspector.get_indexes(name)),
                [(fk["name"], fk["options"].get("ondelete")) for fk in inspector.get_foreign_keys(name)],
            )
            for name in sorted(inspector.get_table_names())
        },
    }


def test_there_is_one_head_and_it_is_applied(engine: Engine) -> None:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_migrating_twice_is_a_noop(engine: Engine, db_url: str) -> None:
    with session_scope(engine) as session:  # data already there must survive a rerun
        screening = records.start_screening(session=session, conversation_id="c", channel="web", trial_id="T")
    before = schema(engine)
    migrate(db_url)
    assert schema(engine) == before
    with session_scope(engine) as session:
        assert records.find_screening(session=session, screening_id=screening.id) is not None


def test_migration_builds_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_alembic_check_ignores_rasas_tables(engine: Engine, db_url: str) -> None:
    # Rasa's tracker store keeps its own `events` table in the same database: autogenerate
    # must neither drop it nor find the schema out of date because of it.
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))")
    command.check(alembic_config(db_url))  # raises if the models and the migrations differ


def test_constraints_are_named_and_cascade(engine: Engine) -> None:
    inspector = inspect(engine)
    for child in ("answers", "results", "handoffs", "contacts"):
        [fk] = inspector.get_foreign_keys(child)
        assert fk["name"] == f"fk_{child}_screening_id_screenings"
        assert (fk["constrained_columns"], fk["referred_table"]) == (["screening_id"], "screenings")
        assert fk["options"].get("ondelete") == "CASCADE"
    assert inspector.get_foreign_keys("audit_log") == []  # the log outlives what it talks about
    for child, parent, column in (
        ("handoff_notes", "handoffs", "handoff_id"),
        ("login_sessions", "coordinators", "coordinator_id"),
    ):
        [fk] = inspector.get_foreign_keys(child)
        assert fk["name"] == f"fk_{child}_{column}_{parent}"
        assert fk["options"].get("ondelete") == "CASCADE"
    [unique] = inspector.get_unique_constraints("coordinators")
    assert (unique["name"], unique["column_names"]) == ("uq_coordinators_username", ["username"])
    # PostgreSQL lists the index behind a unique constraint among the indexes; SQLite does not.
    indexes = {index["name"] for table in TABLES for index in inspector.get_indexes(table)} - {
        "uq_coordinators_username"
    }
    assert indexes == {
        "ix_screenings_conversation_id",
        "ix_screenings_recontact_after",
        "ix_answers_screening_fact",
        "ix_results_screening_id",
        "ix_handoffs_screening_id",
        "ix_handoffs_conversation_id",
        "ix_handoffs_status",
        "ix_contacts_screening_id",
        "ix_audit_log_at",
        "ix_audit_log_screening_id",
        "ix_audit_log_handoff_id",
        "ix_handoff_notes_handoff_id",
        "ix_login_sessions_coordinator_id",
    }


def test_downgrade_to_nothing_and_up_again(engine: Engine, db_url: str) -> None:
    before = schema(engine)
    command.downgrade(alembic_config(db_url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(db_url)
    assert schema(engine) == before


def test_cli_migrates_and_reruns(db_url: str) -> None:
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "store", "migrate", "--url", db_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "database schema is up to date" in done.stdout
    engine = engine_for(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES


BATCH_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("screenings", recreate="always") as batch:
        batch.add_column(sa.Column("note", sa.String(10)))


def downgrade():
    with op.batch_alter_table("screenings", recreate="always") as batch:
        batch.drop_column("note")
"""


def test_sqlite_batch_migration_keeps_child_rows(tmp_path: Path) -> None:
    # SQLite only: a batch migration copies `screenings` and drops the old table. With the
    # foreign_keys pragma on, that DROP would cascade-delete every answer; env.py turns it
    # off for the migration (and back on afterwards).
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    with session_scope(engine) as session:
        screening = records.start_screening(session=session, conversation_id="c", channel="web", trial_id="T")
        records.record_answer(
            session=session, screening_id=screening.id, fact_id="age", value=50, raw_text="50", criteria=[]
        )
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    (scripts / "versions" / "9999_batch.py").write_text(BATCH_REVISION.format(head=head))
    config = alembic_config(url)
    config.set_main_option("script_location", str(scripts))
    try:
        for step in ("upgrade", "downgrade"):
            getattr(command, step)(config, "9999" if step == "upgrade" else head)
            with session_scope(engine) as session:
                assert session.execute(select(Answer.value)).scalars().all() == [50], step
                connection = session.connection()
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        engine.dispose()
