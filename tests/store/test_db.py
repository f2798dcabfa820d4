"""Transactions and integrity on both backends: who commits, what rolls back, what cascades."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import records
from store.db import engine_for, session_scope
from store.migrate import migrate
from store.models import Answer, AuditEvent, Base, Contact, Handoff, Screening, ScreeningResult


def snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every store table, in primary-key order: the whole database's content."""
    session.flush()  # Core selects do not autoflush, and audit() leaves its row pending
    rows = {}
    for table in Base.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in session.execute(query)]
    return rows


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def start(session: Session, conversation_id: str = "conv-1") -> Screening:
    return records.start_screening(
        session=session, conversation_id=conversation_id, channel="web", trial_id="NCT07193810"
    )


# Every function that writes, called on a committed screening (with one open handoff).
Write = Callable[[Session, Screening, Handoff], object]
WRITES: list[object] = [
    # a new screening and its audit line
    pytest.param(lambda s, _sc, _h: start(s, "conv-2"), id="start_screening"),
    # a state change (an UPDATE, not an INSERT) and its audit line
    pytest.param(lambda s, sc, _h: records.set_state(session=s, screening=sc, state="consented"), id="set_state"),
    # an answer and its audit line
    pytest.param(
        lambda s, sc, _h: records.record_answer(
            session=s, screening_id=sc.id, fact_id="age", value=50, raw_text="50", criteria=["I1"]
        ),
        id="record_answer",
    ),
    # a verdict
    pytest.param(
        lambda s, sc, _h: records.record_result(
            session=s,
            screening=sc,
            result={"status": "unknown", "reasons": [], "site_to_verify": [], "criteria": []},
        ),
        id="record_result",
    ),
    # a repeated handoff (only an audit line)
    pytest.param(
        lambda s, sc, _h: records.open_handoff(
            session=s, screening=sc, reason="again", message=None, fact_id=None, snapshot=[]
        ),
        id="open_handoff",
    ),
    # a handoff status change and its audit line
    pytest.param(
        lambda s, _sc, h: records.set_handoff_status(session=s, handoff=h, status="claimed", actor="coordinator:x"),
        id="set_handoff_status",
    ),
    # a contact and its audit line
    pytest.param(
        lambda s, sc, _h: records.save_contact(session=s, screening=sc, method="email", value="a@b.c", best_time=None),
        id="save_contact",
    ),
    # a bare audit line
    pytest.param(lambda s, _sc, _h: records.audit(session=s, actor="bot", action="test"), id="audit"),
]


@pytest.mark.parametrize("write", WRITES)
def test_functions_never_commit(engine: Engine, write: Write) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        opened = records.open_handoff(
            session=session, screening=screening, reason="r", message=None, fact_id=None, snapshot=[]
        )
    with session_scope(engine) as session:
        before = snapshot(session)
    with session_scope(engine) as session:
        live_screening = session.get(Screening, screening.id)
        live_handoff = session.get(Handoff, opened.id)
        write(session, live_screening, live_handoff)
        assert snapshot(session) != before  # the write happened (and was flushed) in this transaction
        session.rollback()  # the caller changes its mind: nothing may have been committed
    with session_scope(engine) as session:
        assert snapshot(session) == before


def test_session_scope_commits_on_success(engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = start(session)
    assert screening.conversation_id == "conv-1"  # still readable: no expiry on commit
    with session_scope(engine) as session:
        assert records.find_screening(session=session, screening_id=screening.id) is not None
        assert count(session, AuditEvent) == 1


def test_session_scope_rolls_back_on_exception(engine: Engine) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(engine) as session:
        screening = start(session)
        records.record_answer(
            session=session, screening_id=screening.id, fact_id="age", value=1, raw_text="1", criteria=[]
        )
        assert count(session, Answer) == 1  # flushed, so really sent to the database
        raise Boom
    with session_scope(engine) as session:
        assert snapshot(session) == {table: [] for table in snapshot(session)}


def test_sqlite_connections_have_foreign_keys_on(tmp_path: Path) -> None:
    # SQLite only: the pragma is per connection and off by default; db.py turns it on
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)  # the migration turns the pragma off for itself: it must come back on
    engine = engine_for(url)
    try:
        with engine.connect() as first, engine.connect() as second:  # two pooled connections, both set up
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        with session_scope(engine) as session:
            assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Answer(screening_id="0" * 32, fact_id="age", value=1))
        session.flush()


def delete_in_core(session: Session, screening: Screening) -> None:
    session.execute(delete(Screening).where(Screening.id == screening.id))


def delete_in_orm(session: Session, screening: Screening) -> None:
    session.delete(screening)


def delete_in_orm_after_loading_children(session: Session, screening: Screening) -> None:
    assert len(screening.answers) == 2 and screening.results and screening.handoffs
    session.delete(screening)


DELETES = [
    # a plain DELETE statement: only the database's ON DELETE CASCADE removes the children
    pytest.param(delete_in_core, id="core-delete"),
    # session.delete() with the children not loaded: the ORM must leave them to the database
    pytest.param(delete_in_orm, id="orm-delete"),
    # session.delete() with the children loaded: the ORM must delete them, not orphan them
    pytest.param(delete_in_orm_after_loading_children, id="orm-delete-loaded"),
]


@pytest.mark.parametrize("remove", DELETES)
def test_deleting_a_screening_cascades(engine: Engine, remove: Callable[[Session, Screening], None]) -> None:
    with session_scope(engine) as session:
        doomed, kept = start(session), start(session, "conv-2")
        for screening in (doomed, kept):
            for value in (1, 2):
                records.record_answer(
                    session=session, screening_id=screening.id, fact_id="age", value=value, raw_text=None, criteria=[]
                )
            records.record_result(
                session=session,
                screening=screening,
                result={"status": "unknown", "reasons": [], "site_to_verify": [], "criteria": []},
            )
            records.open_handoff(
                session=session, screening=screening, reason="r", message=None, fact_id=None, snapshot=[]
            )
            records.save_contact(session=session, screening=screening, method="email", value="a@b.c", best_time=None)
    with session_scope(engine) as session:
        audit_lines = count(session, AuditEvent)
        screening = session.get(Screening, doomed.id)
        remove(session, screening)
    with session_scope(engine) as session:
        children = (Answer, ScreeningResult, Handoff, Contact)
        for model in children:
            owners = session.execute(select(model.screening_id)).scalars().all()
            assert set(owners) == {kept.id}, model.__name__  # the other screening's rows are untouched
        assert session.execute(select(Screening.id)).scalars().all() == [kept.id]
        assert count(session, AuditEvent) == audit_lines  # the audit log outlives what it talks about
