"""store.records on both backends: what each function writes, reads and audits."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from store import records
from store.db import session_scope
from store.models import Answer, AuditEvent, Contact, Handoff, Screening

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


def start(session: Session, conversation_id: str = "conv-1") -> Screening:
    return records.start_screening(
        session=session, conversation_id=conversation_id, channel="web", trial_id="NCT07193810"
    )


def audit_rows(session: Session, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.execute(query).scalars())


def handoff(session: Session, screening: Screening, reason: str = "unclear_answer") -> Handoff:
    return records.open_handoff(
        session=session, screening=screening, reason=reason, message=None, fact_id=None, snapshot=[]
    )


def test_start_screening(engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = records.start_screening(
            session=session, conversation_id="conv-1", channel="web", trial_id="NCT07193810", screening_date=NOW
        )
    with session_scope(engine) as session:
        stored = records.find_screening(session=session, screening_id=screening.id)
        assert stored is not None
        assert len(stored.id) == 32
        assert (stored.conversation_id, stored.channel, stored.trial_id) == ("conv-1", "web", "NCT07193810")
        assert stored.state == "in_progress"
        assert stored.consent_at is None
        assert stored.screening_date == NOW
        assert stored.created_at.tzinfo is timezone.utc
        [started] = audit_rows(session)
        assert (started.action, started.actor, started.screening_id) == ("screening.started", "bot", screening.id)
    with session_scope(engine) as session:
        assert records.find_screening(session=session, screening_id="0" * 32) is None


LATEST_CASES = [
    # (screenings as (conversation, minutes ago), conversation asked, index of the expected one)
    # the newer of two, created in time order
    pytest.param([("c1", 10), ("c1", 5)], "c1", 1, id="in-order"),
    # the newer by time even when it was inserted first: created_at decides, not insertion
    pytest.param([("c1", 5), ("c1", 10)], "c1", 0, id="out-of-order"),
    # a newer screening of another conversation does not count
    pytest.param([("c1", 10), ("c2", 1)], "c1", 0, id="other-conversation"),
    # no screening for this conversation at all
    pytest.param([("c2", 1)], "c1", None, id="none"),
]


@pytest.mark.parametrize(("made", "asked", "expected"), LATEST_CASES)
def test_latest_screening_picks_the_newest(
    engine: Engine, made: list[tuple[str, int]], asked: str, expected: int | None
) -> None:
    ids = []
    with session_scope(engine) as session:
        for conversation, minutes_ago in made:
            screening = start(session, conversation)
            screening.created_at = NOW - timedelta(minutes=minutes_ago)
            ids.append(screening.id)
    with session_scope(engine) as session:
        latest = records.latest_screening(session=session, conversation_id=asked)
        assert (latest.id if latest else None) == (ids[expected] if expected is not None else None)


STATE_CASES = [
    # (new state, whether consent_at gets set)
    pytest.param("consented", True, id="consented-sets-consent_at"),
    pytest.param("declined", False, id="declined"),
    pytest.param("handoff", False, id="handoff"),
    pytest.param("completed", False, id="completed"),
    pytest.param("withdrawn", False, id="withdrawn"),
]


@pytest.mark.parametrize(("state", "consents"), STATE_CASES)
def test_set_state_audits_the_move(engine: Engine, state: str, consents: bool) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        before = datetime.now(timezone.utc)
        records.set_state(session=session, screening=screening, state=state, actor="patient")
    with session_scope(engine) as session:
        stored = records.find_screening(session=session, screening_id=screening.id)
        assert stored is not None
        assert stored.state == state
        if consents:
            assert stored.consent_at is not None
            assert stored.consent_at >= before - timedelta(seconds=1)  # aware on both backends
        else:
            assert stored.consent_at is None
        [moved] = audit_rows(session, "screening.state")
        assert (moved.actor, moved.screening_id) == ("patient", screening.id)
        assert moved.detail == {"from": "in_progress", "to": state}


def test_record_answer_keeps_history_and_current_answers_is_the_latest(engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        first = records.record_answer(
            session=session, screening_id=screening.id, fact_id="age", value=41, raw_text="41", criteria=["I1"]
        )
        other = records.record_answer(
            session=session, screening_id=screening.id, fact_id="smoker", value=False, raw_text="no", criteria=["E3"]
        )
        second = records.record_answer(
            session=session,
            screening_id=screening.id,
            fact_id="age",
            value=42,
            raw_text="sorry, 42",
            criteria=["I1"],
            confidence=0.8,
            conflicting=True,
            set_by="coordinator:ana",
        )
    with session_scope(engine) as session:
        history = session.execute(select(Answer).where(Answer.fact_id == "age").order_by(Answer.id)).scalars().all()
        assert [answer.value for answer in history] == [41, 42]  # the first answer is kept
        current = records.current_answers(session=session, screening_id=screening.id)
        assert set(current) == {"age", "smoker"}
        assert current["age"].id == second.id != first.id
        assert current["smoker"].id == other.id
        latest = current["age"]
        assert (latest.value, latest.raw_text, latest.criteria) == (42, "sorry, 42", ["I1"])
        assert (latest.confidence, latest.conflicting, latest.set_by) == (0.8, 1, "coordinator:ana")
        recorded = audit_rows(session, "answer.recorded")
        assert [(row.actor, row.detail) for row in recorded] == [
            ("patient", {"fact": "age", "answer_id": first.id}),
            ("patient", {"fact": "smoker", "answer_id": other.id}),
            ("coordinator:ana", {"fact": "age", "answer_id": second.id}),
        ]
        assert records.current_answers(session=session, screening_id="0" * 32) == {}


JSON_VALUES = [
    # nested dicts and lists, as a structured value (e.g. a medication with its dose)
    pytest.param({"drug": "metformin", "dose": {"mg": 500, "per_day": 2}, "since": [2019, 3]}, id="nested"),
    # a list of mixed scalars
    pytest.param([1, 2.5, "three", True, None], id="list"),
    # unicode beyond Latin-1, an emoji, quotes and a backslash survive unescaped
    pytest.param({"naam": "Zoë Ångström — 日本語 🙂", "quote": 'she said "no" \\ twice'}, id="unicode"),
    # scalars of every JSON type
    pytest.param(0, id="zero"),
    pytest.param(-3.25, id="float"),
    pytest.param(False, id="false"),
    pytest.param("", id="empty-string"),
    # empty containers stay containers
    pytest.param({}, id="empty-dict"),
    pytest.param([], id="empty-list"),
    # no value at all (an answer the patient could not give)
    pytest.param(None, id="none"),
]


@pytest.mark.parametrize("value", JSON_VALUES)
def test_json_values_round_trip(engine: Engine, value: Any) -> None:
    criteria_snapshot = [{"id": "I1", "state": "met", "why": value}]
    with session_scope(engine) as session:
        screening = start(session)
        answer = records.record_answer(
            session=session, screening_id=screening.id, fact_id="f", value=value, raw_text=None, criteria=["I1", "É2"]
        )
        result = records.record_result(
            session=session,
            screening=screening,
            result={"status": "unknown", "reasons": ["ü"], "site_to_verify": [], "criteria": criteria_snapshot},
        )
        opened = records.open_handoff(
            session=session, screening=screening, reason="r", message=None, fact_id="f", snapshot=criteria_snapshot
        )
    with session_scope(engine) as session:
        stored = session.get(Answer, answer.id)
        assert stored is not None
        assert stored.value == value
        assert type(stored.value) is type(value)  # 0 stays an int, False a bool
        assert stored.criteria == ["I1", "É2"]
        stored_result = records.latest_result(session=session, screening_id=screening.id)
        assert stored_result is not None
        assert stored_result.id == result.id
        assert (stored_result.reasons, stored_result.criteria) == (["ü"], criteria_snapshot)
        stored_handoff = session.get(Handoff, opened.id)
        assert stored_handoff is not None
        assert stored_handoff.criteria_snapshot == criteria_snapshot


def test_last_activity_is_the_newest_answer_or_change(engine: Engine) -> None:
    long_ago = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    with session_scope(engine) as session:
        screening = start(session)
        screening.updated_at = long_ago
        session.flush()
        assert records.last_activity(session=session, screening=screening) == long_ago  # no answers yet
        answer = records.record_answer(
            session=session, screening_id=screening.id, fact_id="age", value=41, raw_text="41", criteria=["I1"]
        )
        answer.created_at = long_ago + timedelta(days=3)
        screening.updated_at = long_ago
    with session_scope(engine) as session:
        reread = session.get(Screening, screening.id)
        assert records.last_activity(session=session, screening=reread) == long_ago + timedelta(days=3)


def test_record_result_and_latest_result(engine: Engine) -> None:
    first: records.ResultRecord = {
        "status": "unknown",
        "reasons": ["age not given"],
        "site_to_verify": [],
        "criteria": [{"id": "I1", "state": "unknown"}],
    }
    second: records.ResultRecord = {
        "status": "likely_eligible",
        "reasons": [],
        "site_to_verify": ["HbA1c within range"],
        "criteria": [{"id": "I1", "state": "met"}],
    }
    with session_scope(engine) as session:
        screening = start(session)
        without = start(session, "conv-2")
        records.record_result(session=session, screening=screening, result=first)
        records.record_result(session=session, screening=screening, result=second)
    with session_scope(engine) as session:
        latest = records.latest_result(session=session, screening_id=screening.id)
        assert latest is not None
        stored = {key: getattr(latest, key) for key in ("status", "reasons", "site_to_verify", "criteria")}
        assert stored == second
        assert latest.created_at.tzinfo is timezone.utc
        assert records.latest_result(session=session, screening_id=without.id) is None


def test_a_not_yet_verdict_dates_the_recontact(engine: Engine) -> None:
    waiting: records.ResultRecord = {
        "status": "not_yet",
        "reasons": ["You may be able to join from 6 April 2027."],
        "site_to_verify": [],
        "criteria": [],
        "recontact_after": date(2027, 4, 6),
    }
    with session_scope(engine) as session:
        later = start(session, "conv-later")
        soon = start(session, "conv-soon")
        done = start(session, "conv-done")
        records.record_result(session=session, screening=later, result=waiting)
        records.record_result(session=session, screening=soon, result={**waiting, "recontact_after": date(2027, 1, 2)})
        records.record_result(session=session, screening=done, result=waiting)
        # A later verdict that is not "not yet" clears the date: nobody waits any more.
        records.record_result(session=session, screening=done, result={**waiting, "status": "likely_eligible"})
    with session_scope(engine) as session:
        listed = records.to_recontact(session=session)
        assert [s.conversation_id for s in listed] == ["conv-soon", "conv-later"]  # the soonest first
        assert listed[1].recontact_after == date(2027, 4, 6)
        latest = records.latest_result(session=session, screening_id=listed[0].id)
        assert latest is not None and latest.recontact_after == date(2027, 1, 2)
        assert not records.has_contact(session=session, screening_id=listed[0].id)


REUSE_CASES = [
    # (status of the first handoff when the second is asked for, whether it is reused)
    pytest.param("open", True, id="open-is-reused"),
    pytest.param("claimed", True, id="claimed-is-reused"),
    pytest.param("waiting", True, id="waiting-is-reused"),
    pytest.param("resolved", False, id="resolved-opens-a-new-one"),
]


@pytest.mark.parametrize(("status", "reused"), REUSE_CASES)
def test_open_handoff_reuses_an_unresolved_one(engine: Engine, status: str, reused: bool) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        first = records.open_handoff(
            session=session,
            screening=screening,
            reason="unclear_answer",
            message="what is a biologic?",
            fact_id="biologics",
            snapshot=[{"id": "E4", "state": "unknown"}],
        )
        if status != "open":
            records.set_handoff_status(session=session, handoff=first, status=status, actor="coordinator:ana")
        second = records.open_handoff(
            session=session, screening=screening, reason="asked_for_human", message=None, fact_id=None, snapshot=[]
        )
    with session_scope(engine) as session:
        assert (second.id == first.id) is reused
        assert len(session.execute(select(Handoff)).scalars().all()) == (1 if reused else 2)
        stored = session.get(Handoff, first.id)
        assert stored is not None
        assert (stored.conversation_id, stored.channel) == ("conv-1", "web")  # copied from the screening
        assert (stored.reason, stored.fact_id, stored.message) == ("unclear_answer", "biologics", "what is a biologic?")
        assert stored.criteria_snapshot == [{"id": "E4", "state": "unknown"}]
        opened = audit_rows(session, "handoff.opened")
        repeated = audit_rows(session, "handoff.repeated")
        if reused:
            assert [row.handoff_id for row in opened] == [first.id]
            [again] = repeated
            assert (again.handoff_id, again.screening_id) == (first.id, screening.id)
            assert again.detail == {"reason": "asked_for_human", "fact": None}
        else:
            assert [row.handoff_id for row in opened] == [first.id, second.id]
            assert repeated == []


def test_set_handoff_status_audits_from_and_to(engine: Engine) -> None:
    with session_scope(engine) as session:
        opened = handoff(session, start(session))
        records.set_handoff_status(session=session, handoff=opened, status="claimed", actor="coordinator:ana")
        records.set_handoff_status(
            session=session, handoff=opened, status="resolved", actor="coordinator:ana", outcome="eligible_referred"
        )
    with session_scope(engine) as session:
        stored = session.get(Handoff, opened.id)
        assert stored is not None
        assert (stored.status, stored.outcome) == ("resolved", "eligible_referred")
        moves = audit_rows(session, "handoff.status")
        assert [(row.actor, row.handoff_id, row.screening_id) for row in moves] == [
            ("coordinator:ana", opened.id, opened.screening_id)
        ] * 2
        assert [row.detail for row in moves] == [
            {"from": "open", "to": "claimed", "outcome": None},
            {"from": "claimed", "to": "resolved", "outcome": "eligible_referred"},
        ]


def test_open_handoffs_excludes_resolved_and_is_oldest_first(engine: Engine) -> None:
    # (minutes ago, final status) per screening; the expected list is oldest first
    made = [(5, "open"), (30, "claimed"), (60, "resolved"), (10, "waiting"), (1, "resolved")]
    with session_scope(engine) as session:
        ids = {}
        for number, (minutes_ago, status) in enumerate(made):
            opened = handoff(session, start(session, f"conv-{number}"))
            opened.created_at = NOW - timedelta(minutes=minutes_ago)
            if status != "open":
                records.set_handoff_status(session=session, handoff=opened, status=status, actor="coordinator:ana")
            ids[minutes_ago] = opened.id
    with session_scope(engine) as session:
        waiting = records.open_handoffs(session=session)
        assert [row.id for row in waiting] == [ids[30], ids[10], ids[5]]
        assert [row.status for row in waiting] == ["claimed", "waiting", "open"]


def test_save_contact(engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        saved = records.save_contact(
            session=session, screening=screening, method="phone", value="+31 6 1234 5678", best_time="mornings"
        )
    with session_scope(engine) as session:
        stored = session.get(Contact, saved.id)
        assert stored is not None
        assert (stored.screening_id, stored.method, stored.value, stored.best_time) == (
            screening.id,
            "phone",
            "+31 6 1234 5678",
            "mornings",
        )
        assert stored.consent_at.tzinfo is timezone.utc
        [saved_audit] = audit_rows(session, "contact.saved")
        assert (saved_audit.actor, saved_audit.screening_id) == ("patient", screening.id)
        assert saved_audit.detail == {"method": "phone"}  # the number itself is not audited


def test_audit_never_holds_what_the_patient_typed(engine: Engine) -> None:
    typed = "I take Ozempic since my divorce"
    asked = "is my HIV status shared with anyone?"
    phone = "+44 20 7946 0000"
    with session_scope(engine) as session:
        screening = start(session)
        records.set_state(session=session, screening=screening, state="consented")
        records.record_answer(
            session=session, screening_id=screening.id, fact_id="glp1", value=True, raw_text=typed, criteria=["E7"]
        )
        opened = records.open_handoff(
            session=session, screening=screening, reason="question", message=asked, fact_id="glp1", snapshot=[]
        )
        records.open_handoff(
            session=session, screening=screening, reason="question", message=asked, fact_id="glp1", snapshot=[]
        )
        records.set_handoff_status(session=session, handoff=opened, status="resolved", actor="coordinator:ana")
        records.save_contact(session=session, screening=screening, method="phone", value=phone, best_time=None)
    with session_scope(engine) as session:
        # the text is stored where it belongs ...
        assert records.current_answers(session=session, screening_id=screening.id)["glp1"].raw_text == typed
        # ... and nowhere in the audit log, whose every column is checked
        log = session.execute(select(AuditEvent)).scalars().all()
        assert {row.action for row in log} >= {"answer.recorded", "handoff.opened", "handoff.repeated"}
        dumped = json.dumps([[row.actor, row.action, row.detail] for row in log], ensure_ascii=False)
        for secret in (typed, asked, phone, "Ozempic", "HIV"):
            assert secret not in dumped


def test_datetimes_read_back_aware_in_utc(engine: Engine) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    with session_scope(engine) as session:
        screening = records.start_screening(
            session=session,
            conversation_id="conv-1",
            channel="web",
            trial_id="NCT07193810",
            screening_date=NOW.astimezone(india),  # the same instant, written with another offset
        )
    with session_scope(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'Asia/Kolkata'"))  # PostgreSQL would answer in +05:30
        stored = records.find_screening(session=session, screening_id=screening.id)
        assert stored is not None
        for value in (stored.screening_date, stored.created_at, stored.updated_at):
            assert value.tzinfo is timezone.utc
        assert stored.screening_date == NOW
        assert stored.created_at - NOW < timedelta(days=3650)  # comparable with aware datetimes: no TypeError


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = start(session)
        screening.consent_at = datetime(2026, 11, 25, 9, 30)  # naive: the point of the test
        with pytest.raises(StatementError, match="timezone-aware"):
            session.flush()
        session.rollback()
