"""The queue and the conversation view: what coordinators see and do, escaped and audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from handoff import api as rasa
from store import channel_addresses, records
from store.db import session_scope
from store.models import AuditEvent, Handoff
from tests.inbox.conftest import csrf, handoff_row, log_in, make_handoff, say

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)//</textarea><script>alert(2)</script>",
]


def audit_actions(engine: Engine, handoff_id: str) -> list[str]:
    with session_scope(engine) as session:
        query = select(AuditEvent.action).where(AuditEvent.handoff_id == handoff_id).order_by(AuditEvent.id)
        return list(session.execute(query).scalars())


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="status-[a-z]+">(.*?)</tr>', html, flags=re.S)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_patient_text_is_escaped_everywhere(
    client: TestClient, accounts: dict[str, str], engine: Engine, payload: str
) -> None:
    handoff_id = make_handoff(engine, message=payload)
    say(engine, "conv-1", "patient", payload)
    say(engine, "conv-1", "bot", payload)
    log_in(client, "cole")
    client.post(f"/handoffs/{handoff_id}/note", data={"csrf": csrf(client), "text": payload})
    pages = [
        client.get("/").text,
        client.get("/queue/items").text,
        client.get(f"/handoffs/{handoff_id}").text,
        client.get(f"/handoffs/{handoff_id}/live").text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img" not in page and "<svg" not in page
    view = pages[2]
    assert view.count("&lt;") >= 4  # the message, the transcript twice, the note: shown, as text


def test_the_queue_lists_open_handoffs_with_counts_and_filters(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    first = make_handoff(engine, conversation="a", reason="unsure_answer", cohort="sle")
    second = make_handoff(engine, conversation="b", reason="medical_question", cohort="ssc", message="is it safe?")
    log_in(client, "cole")
    client.post(f"/handoffs/{second}/claim", data={"csrf": csrf(client)})
    page = client.get("/").text
    assert [first in row for row in rows(page)] == [True, False]  # oldest waiting first
    assert 'data-status="open">1<' in page and 'data-status="claimed">1<' in page
    newest = client.get("/?order=newest").text
    assert [second in row for row in rows(newest)] == [True, False]
    assert first not in client.get("/?cohort=ssc").text
    assert second not in client.get("/?reason=unsure_answer").text
    assert first not in client.get("/?status=claimed").text
    client.post(f"/handoffs/{first}/resolve", data={"csrf": csrf(client), "outcome": "patient_withdrew"})
    assert first not in client.get("/").text  # resolved ones leave the default queue ...
    assert first in client.get("/?status=resolved").text  # ... and are still found


def test_the_queue_lists_patients_to_recontact(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    with session_scope(engine) as session:
        screening = records.start_screening(
            session=session, conversation_id="conv-wait", channel="twilio", trial_id="NCT07193810"
        )
        screening.cohort = "ssc"
        reason = (
            "People who had CAR-T therapy in the last 6 months cannot join. You may be able to join from 6 April 2027."
        )
        result: records.ResultRecord = {
            "status": "not_yet",
            "reasons": [reason],
            "site_to_verify": [],
            "criteria": [],
            "recontact_after": date(2027, 4, 6),
        }
        records.record_result(session=session, screening=screening, result=result)
        records.save_contact(session=session, screening=screening, method="phone", value="+1 555 0100", best_time=None)
    log_in(client, "cole")
    page = client.get("/").text
    section = page[page.index('id="recontact"') :]
    assert "2027-04-06" in section and "SSC" in section and "given" in section
    assert "You may be able to join from 6 April 2027." in section
    assert "+1 555 0100" not in page  # the contact details themselves stay out of the list


def test_the_queue_refresh_answers_304_until_something_changes(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    log_in(client, "cole")
    first = client.get("/queue/items")
    etag = first.headers["etag"]
    assert client.get("/queue/items", headers={"If-None-Match": etag}).status_code == 304
    handoff_id = make_handoff(engine)  # the bot hands a patient over
    fresh = client.get("/queue/items", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and handoff_id in fresh.text
    etag = fresh.headers["etag"]
    say(engine, "conv-1", "patient", "hello?")  # a patient writes: "patient replied" may change
    assert client.get("/queue/items", headers={"If-None-Match": etag}).status_code == 200


def test_claiming_is_exclusive_and_audited(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    assert client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": csrf(client)}).status_code == 303
    client.cookies.clear()
    log_in(client, "cara")
    token = csrf(client)
    reply = client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": token})
    assert reply.status_code == 409 and "cole has already claimed" in reply.text
    assert client.post(f"/handoffs/{handoff_id}/unclaim", data={"csrf": token}).status_code == 409
    reply = client.post(f"/handoffs/{handoff_id}/reply", data={"csrf": token, "text": "hello"})
    assert reply.status_code == 409  # nor write to cole's patient
    client.cookies.clear()
    log_in(client, "ada")  # an admin can give it back
    assert client.post(f"/handoffs/{handoff_id}/unclaim", data={"csrf": csrf(client)}).status_code == 303
    row = handoff_row(engine, handoff_id)
    assert (row.status, row.assignee) == ("open", None)
    with session_scope(engine) as session:
        changes = session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(
                AuditEvent.handoff_id == handoff_id, AuditEvent.action == "handoff.status"
            )
        ).all()
    assert [(actor, d["to"]) for actor, d in changes] == [("coordinator:cole", "claimed"), ("coordinator:ada", "open")]


def test_viewing_a_handoff_is_audited(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cara")
    client.get(f"/handoffs/{handoff_id}")
    client.get(f"/handoffs/{handoff_id}/live")  # the live refresh is not a new view
    assert audit_actions(engine, handoff_id).count("handoff.viewed") == 1


def test_the_view_shows_the_reason_transcript_and_criteria(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)
    say(engine, "conv-1", "bot", "Have you ever had tuberculosis (TB)?", data={"buttons": [{"title": "Yes"}]})
    say(engine, "conv-1", "patient", "I'm not sure if I had TB")
    log_in(client, "cole")
    page = client.get(f"/handoffs/{handoff_id}").text
    assert "Patient not sure" in page  # the reason, in words
    assert page.index("Have you ever had tuberculosis") < page.index("not sure if I had TB</p>")  # in order
    assert "Buttons: Yes" in page
    assert "forty two" in page  # the answer text behind the age criterion ...
    assert "Inclusion: “Aged 18-65 years" in page  # ... next to its source sentence
    assert "Current verdict" in page
    # The criterion the handoff is about comes first, among those that need a decision.
    assert page.index("Needs attention") < page.index('id="criterion-exc-tuberculosis"') < page.index("Not asked yet")


def test_notes_are_kept_and_their_text_stays_out_of_the_audit_log(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    client.post(f"/handoffs/{handoff_id}/note", data={"csrf": csrf(client), "text": "called her, no answer"})
    assert "called her, no answer" in client.get(f"/handoffs/{handoff_id}").text
    with session_scope(engine) as session:
        details = session.execute(select(AuditEvent.detail).where(AuditEvent.action == "handoff.note")).scalars().all()
    assert len(details) == 1 and "called her" not in str(details)
    assert client.post(f"/handoffs/{handoff_id}/note", data={"csrf": csrf(client), "text": "  "}).status_code == 409


def test_resolving_needs_a_known_outcome_and_is_final(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    token = csrf(client)
    assert client.post(f"/handoffs/{handoff_id}/resolve", data={"csrf": token, "outcome": "made up"}).status_code == 409
    assert (
        client.post(f"/handoffs/{handoff_id}/resolve", data={"csrf": token, "outcome": "not_eligible"}).status_code
        == 303
    )
    row = handoff_row(engine, handoff_id)
    assert (row.status, row.outcome) == ("resolved", "not_eligible") and row.resolved_at is not None
    assert client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": token}).status_code == 409


def test_a_reply_goes_to_rasa_and_waits_for_the_patient(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(rasa, "reply", lambda conversation, **kw: sent.append({"to": conversation, **kw}))
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    assert "stopped messages from the study" not in client.get(f"/handoffs/{handoff_id}").text
    reply = client.post(f"/handoffs/{handoff_id}/reply", data={"csrf": csrf(client), "text": "  Hi, this is Cole.  "})
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=replied")
    assert sent == [{"to": "conv-1", "coordinator": "cole", "text": "Hi, this is Cole."}]
    row = handoff_row(engine, handoff_id)
    assert (row.status, row.assignee) == ("waiting", "cole")  # replying claims it
    assert "patient replied" not in client.get("/").text
    say(engine, "conv-1", "patient", "ok thanks")
    assert "patient replied" in client.get("/").text


def test_a_reply_to_a_patient_who_texted_stop_is_refused_and_kept(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa, "reply", lambda *a, **k: pytest.fail("the channel would drop it"))
    handoff_id = make_handoff(engine)
    with session_scope(engine) as session:
        channel_addresses.remember(session=session, conversation_id="conv-1", channel="twilio", sealed_address="x")
        channel_addresses.opt_out(session=session, conversation_id="conv-1", how="STOP")
    log_in(client, "cole")
    reply = client.post(f"/handoffs/{handoff_id}/reply", data={"csrf": csrf(client), "text": "Are you still there?"})
    assert reply.status_code == 409 and "INBOX-012" in reply.text
    assert "Are you still there?" in reply.text  # the draft comes back in its form
    assert "stopped messages from the study" in client.get(f"/handoffs/{handoff_id}").text  # said before writing


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_huge_reply_is_refused(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(rasa, "reply", lambda *a, **k: pytest.fail("nothing may be sent"))
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    reply = client.post(f"/handoffs/{handoff_id}/reply", data={"csrf": csrf(client), "text": text})
    assert reply.status_code == 400 and "INBOX-009" in reply.text


def test_when_rasa_is_down_the_coordinator_is_told_and_nothing_is_lost(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_PORT", "1")  # handoff.api reads the process settings: nothing listens on port 1
    from settings import get_settings

    get_settings.cache_clear()
    try:
        handoff_id = make_handoff(engine)
        log_in(client, "cole")
        token = csrf(client)
        for action, data in (
            ("reply", {"text": "hello"}),
            ("settle", {"fact": "tuberculosis", "value": "no"}),
            ("resume", {}),
        ):
            reply = client.post(f"/handoffs/{handoff_id}/{action}", data={"csrf": token, **data})
            assert reply.status_code == 502 and "INBOX-006" in reply.text and "not reachable" in reply.text
        row = handoff_row(engine, handoff_id)
        assert row.status == "claimed" and row.replied_at is None  # claimed by acting, nothing else changed
        # What the coordinator typed comes back in the form, to send again.
        reply = client.post(f"/handoffs/{handoff_id}/reply", data={"csrf": token, "text": "Call me at <b>9</b>"})
        assert ">Call me at &lt;b&gt;9&lt;/b&gt;</textarea>" in reply.text
    finally:
        get_settings.cache_clear()


def test_an_unknown_handoff_is_a_404(client: TestClient, accounts: dict[str, str]) -> None:
    log_in(client, "cole")
    assert client.get("/handoffs/nope").status_code == 404
    assert client.post("/handoffs/nope/claim", data={"csrf": csrf(client)}).status_code == 404


def test_the_audit_log_shows_who_did_what(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    client.get(f"/handoffs/{handoff_id}")
    client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": csrf(client)})
    client.cookies.clear()
    log_in(client, "ada")
    page = client.get("/audit").text
    for expected in ("coordinator:cole", "handoff.viewed", "handoff.status", "handoff.opened", "login"):
        assert expected in page
    with session_scope(engine) as session:
        assert session.get(Handoff, handoff_id) is not None


def test_a_patient_who_writes_after_the_handoff_was_resolved_is_back_in_the_queue(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)
    say(engine, "conv-1", "patient", "hello?")  # before the resolution: nothing to follow up
    log_in(client, "cole")
    client.post(f"/handoffs/{handoff_id}/resolve", data={"csrf": csrf(client), "outcome": "not_eligible"})
    assert handoff_id not in client.get("/").text
    say(engine, "conv-1", "patient", "wait, I have one more question")  # the bot is still paused
    [row] = [r for r in rows(client.get("/").text) if handoff_id in r]
    assert "Resolved" in row and "patient replied" in row
