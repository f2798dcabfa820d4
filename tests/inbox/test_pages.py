"""The queue and the conversation view: what coordinators see and do, escaped and audited."""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from criteria import load_trial
from criteria.schema import FactDef
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
            ("settle", {"fact": "tuberculosis", "answer": "no", "note": "said no on the phone"}),
            ("resume", {}),
        ):
            reply = client.post(f"/handoffs/{handoff_id}/{action}", data={"csrf": token, **data})
            assert reply.status_code == 502 and "INBOX-006" in reply.text and "not reachable" in reply.text
            if action == "settle":  # the answer chosen comes back chosen, with its note
                assert re.search(r'value="no" required checked', reply.text)
                assert 'value="said no on the phone"' in reply.text
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


# --- answers in plain words, settled with fields that fit them ------------------------------

TRIAL = load_trial("NCT07193810")
TYPES = sorted({fact.answer.type for fact in TRIAL.facts.values()})


def fact_of(kind: str) -> FactDef:
    """The trial's first question of an answer type (the tests name no question: the trial file changes)."""
    found = next((fact for fact in TRIAL.facts.values() if fact.answer.type == kind), None)
    if found is None:
        pytest.skip(f"the trial has no {kind} question")
    return found


def answer(engine: Engine, handoff_id: str, fact_id: str, value: object, said: str | None = None) -> None:
    """Store a patient's answer in the handoff's screening."""
    row = handoff_row(engine, handoff_id)
    with session_scope(engine) as session:
        records.record_answer(
            session=session, screening_id=row.screening_id, fact_id=fact_id, value=value, raw_text=said, criteria=[]
        )


def screened_on(engine: Engine, handoff_id: str) -> date:
    """The screening date of the handoff's screening."""
    row = handoff_row(engine, handoff_id)
    with session_scope(engine) as session:
        screening = records.find_screening(session=session, screening_id=row.screening_id)
        assert screening is not None
        return screening.screening_date.date()


def settled_to(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the inbox asks Rasa to settle (nothing reaches Rasa in these tests)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(rasa, "settle", lambda conversation, **kw: calls.append({"to": conversation, **kw}))
    return calls


def test_answers_are_shown_in_plain_words_never_json(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)
    medicines, dose = fact_of("medicine_list"), fact_of("dose")
    stored = [{"medicine": "CellCept", "duration": "730.5 days"}, "prednisone", "zorblax"]
    answer(engine, handoff_id, medicines.id, stored, said="cellcept for 2 years, prednisone and zorblax")
    answer(engine, handoff_id, dose.id, {"medicine": "prednisone", "mg_per_day": 10.0, "how": "2 × 5 mg"})
    log_in(client, "cole")
    page = client.get(f"/handoffs/{handoff_id}").text
    words = (
        "mycophenolate mofetil (CellCept), 2 years; prednisone, duration not stated; zorblax (not a medicine we know)"
    )
    assert f"<b>{words}</b>" in page  # the criteria rows
    assert "<b>prednisone 10 mg/day (from 2 × 5 mg)</b>" in page and "<b>42 years</b>" in page
    assert "&#34;medicine" not in page and '{"' not in page and "730.5" not in page  # never JSON
    # The settle form shows the current answer in the same words, and fills its fields from it.
    chosen = client.get(f"/handoffs/{handoff_id}?settle={medicines.id}").text
    current = chosen[chosen.index("Current answer:") :]
    assert current.index(words) < current.index("</p>") and "(patient)" in current
    assert re.search(r'id="s-medicine_1".*?<option value="mycophenolate_mofetil" selected>', chosen, flags=re.S)
    assert 'id="s-duration_1" name="duration_1" step="any" min="0" value="2"' in chosen
    assert 'id="s-name_3" name="name_3" maxlength="100" value="zorblax"' in chosen


def criterion_row(page: str, criterion_id: str) -> str:
    found = re.search(rf'<tr class="state-[a-z_]+" id="criterion-{criterion_id}">(.*?)</tr>', page, flags=re.S)
    assert found, f"no row for {criterion_id}"
    return found.group(1)


def test_what_the_patient_has_not_said_reads_not_stated(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine)  # handed off over tuberculosis, not answered
    answer(engine, handoff_id, "condition", "sle")
    answer(engine, handoff_id, "current_medicines", ["prednisone", "CellCept"], said="prednisone and cellcept")
    log_in(client, "cole")
    page = client.get(f"/handoffs/{handoff_id}").text
    trial = load_trial("NCT07193810")
    # An unknown criterion names the question it waits on, with "not stated" where the answer would be.
    tb = criterion_row(page, "exc-tuberculosis")
    assert "<td>Unknown</td>" in tb  # the engine's decision is untouched: unknown, never met for want of a "no"
    assert escape(trial.facts["tuberculosis"].question, quote=False) in tb and "<b>not stated</b>" in tb
    assert "(patient" not in tb  # nobody set it
    # Stated answers and the gap side by side; a medicine without a duration says which part is missing.
    steroid = criterion_row(page, "sle-steroid-max")
    assert "<b>prednisone, duration not stated; mycophenolate mofetil (CellCept), duration not stated</b>" in steroid
    assert escape(trial.facts["current_steroid_dose"].question, quote=False) in steroid
    assert steroid.count("<b>not stated</b>") == 1
    # A criterion decided by what was said lists no unasked follow-ups: they did not count.
    assert "not stated" not in criterion_row(page, "inc-age")
    alone = criterion_row(page, "sle-steroid-alone-min")
    assert "<td>Met</td>" in alone and "<b>not stated</b>" not in alone
    # The settle form of the question handed off says the same.
    current = page[page.index("Current answer:") :]
    assert current.index("not stated") < current.index("</p>")
    answers_shown = re.findall(r"<b>(.*?)</b>", page[page.index('id="c-title"') :])
    assert not {"None", "No answer", "unknown", ""} & set(answers_shown)  # never blank, "None" or "unknown"


def expected_fields(kind: str, fact: FactDef, day: str) -> list[str]:
    """Markup the settle form of a question of this type must have."""
    radios = [
        f'type="radio" id="s-answer-{key}" name="answer" value="{key}" required' for key in ("yes", "no", "unsure")
    ]
    return {
        "yes_no": ["<fieldset>", "<legend>Answer</legend>", *radios],
        "choice": [
            '<label for="s-answer">Answer</label>',
            '<select id="s-answer" name="answer" required>',
            *(f'<option value="{key}">{escape(label)}</option>' for key, label in (fact.answer.choices or {}).items()),
            '<option value="unsure">Not sure</option>',
        ],
        "age": [
            '<input type="number" id="s-years" name="years"',
            f'id="s-birth_date" name="birth_date" max="{day}"',
        ],
        "number": ['id="s-number" name="number"', '<select id="s-unit" name="unit">'],
        "date": [f'<input type="date" id="s-date" name="date" max="{day}"', 'name="unsure"'],
        "date_or_never": [
            f'<input type="date" id="s-date" name="date" max="{day}"',
            'name="never"',
            'name="unsure"',
        ],
        "dose": [
            '<select id="s-medicine" name="medicine">',
            '<option value="methylprednisolone">methylprednisolone (Medrol',
            'id="s-mg_per_day" name="mg_per_day"',
            'name="none"',
        ],
        "medicine_list": [
            "<legend>Medicine 1</legend>",
            '<select id="s-medicine_6" name="medicine_6">',
            "<optgroup label=",
            '<option value="mycophenolate_mofetil">mycophenolate mofetil (CellCept',
            'id="s-name_6" name="name_6"',
            '<option value="months">months</option>',
            'name="none"',
        ],
    }[kind]


@pytest.mark.parametrize("kind", TYPES)
def test_the_settle_form_has_fields_that_fit_the_answer_type(
    client: TestClient, accounts: dict[str, str], engine: Engine, kind: str
) -> None:
    fact = fact_of(kind)
    handoff_id = make_handoff(engine, fact_id=fact.id)  # the question handed off is the one shown
    log_in(client, "cole")
    page = client.get(f"/handoffs/{handoff_id}").text
    day = screened_on(engine, handoff_id).isoformat()
    form = page[page.index('<section class="settle"') : page.index("</section>", page.index('<section class="settle"'))]
    assert f'<option value="{fact.id}" selected>' in form and f'name="fact" value="{fact.id}"' in form
    for markup in expected_fields(kind, fact, day):
        assert markup in form, markup
    assert 'name="value"' not in form and "JSON" not in form  # no typed JSON any more
    assert 'name="medicine_7"' not in form  # six medicine rows


def test_a_question_is_chosen_before_its_fields_are_shown(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    handoff_id = make_handoff(engine, fact_id=None, reason="patient_request")
    log_in(client, "cole")
    page = client.get(f"/handoffs/{handoff_id}").text
    assert '<option value="">Choose a question</option>' in page and "settle-form" not in page
    assert "settle-form" not in client.get(f"/handoffs/{handoff_id}?settle=no_such_question").text
    dose = fact_of("dose")
    assert 'id="s-mg_per_day"' in client.get(f"/handoffs/{handoff_id}?settle={dose.id}").text


@pytest.mark.parametrize(
    ("kind", "form", "value"),
    [
        # each type's fields reach Rasa as the structured value criteria.coerce accepts
        ("yes_no", {"answer": "no"}, False),
        ("choice", {"answer": "unsure"}, "unsure"),
        ("age", {"years": "44"}, 44),
        ("date_or_never", {"never": "yes"}, "never"),
        (
            "dose",
            {"medicine": "methylprednisolone", "mg_per_day": "8"},
            {"medicine": "methylprednisolone", "mg_per_day": 8.0},
        ),
        (
            "medicine_list",
            {
                "medicine_1": "mycophenolate_mofetil",
                "duration_1": "2",
                "duration_unit_1": "years",
                "name_2": "zorblax",
                "duration_unit_2": "years",
            },
            [{"medicine": "mycophenolate mofetil", "duration": "2 years"}, "zorblax"],
        ),
    ],
)
def test_settling_sends_the_structured_value_and_is_audited(
    client: TestClient,
    accounts: dict[str, str],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    form: dict[str, str],
    value: object,
) -> None:
    calls = settled_to(monkeypatch)
    fact = fact_of(kind)
    handoff_id = make_handoff(engine, fact_id=fact.id)
    log_in(client, "cole")
    data = {"csrf": csrf(client), "fact": fact.id, "note": "checked with the patient", **form}
    reply = client.post(f"/handoffs/{handoff_id}/settle", data=data)
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=settled")
    assert calls == [
        {"to": "conv-1", "coordinator": "cole", "fact_id": fact.id, "value": value, "note": "checked with the patient"}
    ]
    assert "handoff.settled" in audit_actions(engine, handoff_id)


def test_a_refused_answer_comes_back_in_its_fields_as_entered(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = settled_to(monkeypatch)
    fact = fact_of("medicine_list")
    handoff_id = make_handoff(engine, fact_id=fact.id)
    log_in(client, "cole")
    data = {
        "csrf": csrf(client),
        "fact": fact.id,
        "medicine_1": "mycophenolate_mofetil",
        "duration_1": "18",
        "duration_unit_1": "months",
        "name_2": PAYLOADS[1],
        "duration_unit_2": "years",
        "duration_3": "5",  # a duration without a medicine
        "duration_unit_3": "weeks",
        "unsure": "",
        "note": PAYLOADS[0],
    }
    reply = client.post(f"/handoffs/{handoff_id}/settle", data=data)
    assert reply.status_code == 400 and "Medicine 3: a duration needs a medicine. (INBOX-019)" in reply.text
    page = reply.text
    assert re.search(r'id="s-medicine_1".*?<option value="mycophenolate_mofetil" selected>', page, flags=re.S)
    assert re.search(r'id="s-duration_unit_1".*?<option value="months" selected>', page, flags=re.S)
    assert 'name="duration_1" step="any" min="0" value="18"' in page
    assert 'name="name_2" maxlength="100" value="&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"' in page  # escaped
    # The field at fault says so, and points at the message.
    assert 'name="duration_3" step="any" min="0" value="5" aria-invalid="true" aria-describedby="page-error"' in page
    assert re.search(r'id="s-duration_unit_3".*?<option value="weeks" selected>', page, flags=re.S)
    assert 'value="&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"' in page  # the note, escaped
    assert "<script>alert" not in page and "<img" not in page
    assert calls == [] and "handoff.settled" not in audit_actions(engine, handoff_id)


def test_an_answer_that_does_not_fit_the_question_is_refused_before_rasa(
    client: TestClient, accounts: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = settled_to(monkeypatch)
    fact = fact_of("date_or_never")
    handoff_id = make_handoff(engine, fact_id=fact.id)
    today = screened_on(engine, handoff_id)
    later = date.fromordinal(today.toordinal() + 1).isoformat()
    log_in(client, "cole")
    token = csrf(client)
    reply = client.post(f"/handoffs/{handoff_id}/settle", data={"csrf": token, "fact": fact.id, "date": later})
    assert reply.status_code == 400 and "INBOX-007" in reply.text and "after the screening date" in reply.text
    assert f'name="date" max="{today.isoformat()}" value="{later}" aria-invalid="true"' in reply.text
    both = {"csrf": token, "fact": fact.id, "date": later, "never": "yes"}
    reply = client.post(f"/handoffs/{handoff_id}/settle", data=both)
    assert reply.status_code == 400 and "Give one answer only: a date and Never. (INBOX-014)" in reply.text
    assert 'name="never" value="yes" checked' in reply.text
    reply = client.post(f"/handoffs/{handoff_id}/settle", data={"csrf": token, "fact": "no_such_question"})
    assert reply.status_code == 400 and "INBOX-010" in reply.text
    assert calls == []
