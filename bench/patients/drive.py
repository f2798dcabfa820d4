"""Screening the patients over the REST channel of a running bot, a few at a time (aiohttp).

Each patient says "hello", then "yes" to the consent question, then answers every question
the bot asks until a ``screening_result`` card (or a handoff), then "no" to the contact
question. A patient stops when the bot asks the same question a third time, after
``MAX_TURNS`` messages, or when the run's time is up.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import aiohttp

from bench.patients.bank import Bank
from bench.patients.listen import Heard, Listener
from bench.patients.patient import Speaker
from bench.patients.truth import Patient, Truth
from criteria import Trial
from handoff.rasa_api import api_token

MAX_TURNS = 80
REPEAT_LIMIT = 3  # the same question asked this many times ends the patient's screening


class Unreachable(RuntimeError):
    """The bot cannot be reached, or refuses the token."""


@dataclass
class Record:
    """One patient's screening: the truth, what the bot said, and how the conversation went."""

    patient: str
    sender: str
    cohort: str
    truth: str  # in the bot's words: likely_eligible, not_eligible, not_yet, handoff
    truth_deciding: list[str]
    truth_facts: list[str]
    truth_recontact: str | None
    story: list[str]
    bot: str | None = None  # the card's status, "handoff" for a coordinator, None when no result
    bot_card: dict[str, Any] | None = None
    end: str = ""  # result, handoff, repeated, turns, time, stalled, error
    turns: int = 0
    questions: list[str] = field(default_factory=list)  # questions asked, in order, each once
    unrecognised: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)  # facts answered "not sure" or contradictorily
    for_person: list[str] = field(default_factory=list)  # facts answered that truly need a person (judgement)
    flags: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    said: dict[str, list[str]] = field(default_factory=dict)  # fact -> the patient's words
    transcript: list[list[str]] = field(default_factory=list)
    error: str | None = None
    bot_slots: dict[str, Any] | None = None  # fetched for a false "likely eligible" when the API allows


@dataclass
class Run:
    """What the driver needs for every patient."""

    trial: Trial
    bank: Bank
    today: date
    url: str
    token: str
    seed: int
    deadline: float
    jwt_secret: str | None = None
    listener: Listener = field(init=False)

    def __post_init__(self) -> None:
        self.listener = Listener(self.trial)


def base_url(url: str) -> str:
    """The Rasa server's address from the REST webhook's."""
    return url.split("/webhooks/", 1)[0]


async def check_reachable(session: aiohttp.ClientSession, url: str) -> None:
    """Raise ``Unreachable`` unless the Rasa server answers at the webhook's address."""
    try:
        async with session.get(base_url(url) + "/", timeout=aiohttp.ClientTimeout(total=10)) as reply:
            await reply.read()
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        raise Unreachable(f"the bot is not reachable at {base_url(url)}: {exc or type(exc).__name__}") from exc


async def screen_all(
    run: Run, patients: list[tuple[Patient, Truth]], concurrency: int, session: aiohttp.ClientSession
) -> list[Record]:
    """Screen every patient (``concurrency`` at a time) until done or the deadline; records in patient order."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(patients)):
        queue.put_nowait(index)
    records: dict[int, Record] = {}

    async def worker() -> None:
        while time.monotonic() < run.deadline:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            patient, truth = patients[index]
            records[index] = await screen(run, patient, truth, session)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return [records[i] for i in sorted(records)]


async def screen(run: Run, patient: Patient, truth: Truth, session: aiohttp.ClientSession) -> Record:
    """One patient's whole conversation."""
    record = Record(
        patient=patient.id,
        sender=f"bench-patient-{patient.id}-{uuid.uuid4().hex[:8]}",
        cohort=patient.cohort,
        truth=truth.bot_status,
        truth_deciding=list(truth.deciding),
        truth_facts=list(truth.facts),
        truth_recontact=truth.recontact_after.isoformat() if truth.recontact_after else None,
        story=list(patient.story),
    )
    speaker = Speaker(patient, run.trial, run.bank, random.Random(f"{run.seed}:talk:{patient.id}"), run.today)
    speaker.person_facts = set(truth.person_facts)
    asking = Asking()
    try:
        await _say(run, session, record, "hello")
        replies = await _say(run, session, record, "yes")
        while record.turns < MAX_TURNS:
            if time.monotonic() >= run.deadline:
                record.end = "time"
                break
            heard = run.listener.hear(replies)
            if heard.result is not None or heard.handoff:
                await _finish(run, session, record, speaker, heard)
                break
            message = _reply(heard, speaker, record, asking)
            if message is None:
                break
            replies = await _say(run, session, record, message, asking.current)
        else:
            record.end = "turns"
    except Unreachable as exc:
        record.end, record.error = "error", str(exc)
    record.unclear = list(speaker.unclear)
    record.for_person = list(speaker.for_person)
    record.flags = dict(speaker.flags)
    if record.bot == "likely_eligible" and record.truth != "likely_eligible" and run.jwt_secret:
        record.bot_slots = await _slots(run, session, record.sender)
    return record


@dataclass
class Asking:
    """Which questions the bot asked how often, and which one the patient is answering."""

    asked: dict[str, int] = field(default_factory=dict)
    plain: set[str] = field(default_factory=set)  # answer plainly next time (a read-back was wrong)
    current: str | None = None  # the question being answered (for read-backs and "say it another way")

    def ask(self, key: str) -> int:
        """Count one more asking of a question; the attempt to answer it (2 and more: plainly)."""
        self.asked[key] = self.asked.get(key, 0) + 1
        return max(self.asked[key], 2 if key in self.plain else 1)


def _reply(heard: Heard, speaker: Speaker, record: Record, asking: Asking) -> str | None:
    """The patient's next message (None: stop); ``asking.current`` is the question it answers."""
    if heard.kind in {"question", "follow_up", "not_understood"}:
        if heard.kind == "not_understood" and asking.current is None:
            record.end = "stalled"
            return None
        key = asking.current if heard.kind == "not_understood" else _key(heard)
        assert key is not None
        asking.current = key
        attempt = asking.ask(key)
        if asking.asked[key] >= REPEAT_LIMIT:
            record.end = "repeated"
            return None
        if asking.asked[key] == 1:
            record.questions.append(key)
        if key.startswith("follow_up:"):
            fact_id, _, medicine = key.partition(":")[2].partition(":")
            return speaker.follow_up(fact_id, heard.medicine or medicine, attempt).text
        return speaker.answer(key, attempt, heard.buttons).text
    if heard.kind == "readback":
        about = heard.fact_id or asking.current
        fact = about if about and not about.startswith("follow_up:") else None
        said, right = speaker.readback(heard.text, fact)
        if not right and about:
            asking.plain.add(about)
        asking.current = about
        return said.text
    if heard.kind == "contact":
        asking.current = None
        return speaker.contact_no().text
    if heard.kind == "unrecognised":
        record.unrecognised.append(heard.text)
        asking.current = None
        if asking.ask(f"unrecognised:{heard.text}") >= REPEAT_LIMIT:
            record.end = "repeated"
            return None
        return speaker.unrecognised().text
    record.end = "stalled"
    return None


def _key(heard: Heard) -> str | None:
    if heard.kind == "follow_up":
        return f"follow_up:{heard.fact_id}:{(heard.medicine or '').casefold()}"
    return heard.fact_id


async def _finish(run: Run, session: aiohttp.ClientSession, record: Record, speaker: Speaker, heard: Heard) -> None:
    """Note the result; say no to being contacted so the conversation ends."""
    if heard.result is not None:
        record.bot_card = heard.result
        record.bot = str(heard.result.get("status"))
        record.end = "handoff" if record.bot == "handoff" else "result"
    else:
        record.bot, record.end = "handoff", "handoff"
    if heard.contact_asked and record.turns < MAX_TURNS:
        replies = await _say(run, session, record, speaker.contact_no().text)
        later = run.listener.hear(replies)
        if record.bot_card is None and later.result is not None:
            record.bot_card = later.result
            record.bot = str(later.result.get("status"))


async def _say(
    run: Run, session: aiohttp.ClientSession, record: Record, message: str, fact: str | None = None
) -> list[dict[str, Any]]:
    """Send one message; the bot's replies."""
    record.transcript.append(["patient", message])
    if fact:
        record.said.setdefault(fact, []).append(message)
    started = time.perf_counter()
    body = json.dumps({"sender": record.sender, "message": message})
    try:
        async with session.post(run.url, data=body, timeout=aiohttp.ClientTimeout(total=60)) as reply:
            if reply.status in {401, 403}:
                raise Unreachable(f"the bot refused the REST token ({reply.status}) at {run.url}")
            if reply.status != 200:
                raise Unreachable(f"the bot answered {reply.status} at {run.url}")
            replies = await reply.json()
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise Unreachable(f"no answer from {run.url}: {exc or type(exc).__name__}") from exc
    record.latencies.append(time.perf_counter() - started)
    record.turns += 1
    for item in replies or []:
        if item.get("text"):
            record.transcript.append(["bot", str(item["text"])])
        if item.get("custom"):
            record.transcript.append(["bot", json.dumps(item["custom"])])
    return list(replies or [])


async def _slots(run: Run, session: aiohttp.ClientSession, sender: str) -> dict[str, Any] | None:
    """The bot's slots for a conversation (Rasa's HTTP API, signed with the JWT secret), or None."""
    headers = {"Authorization": f"Bearer {api_token(run.jwt_secret)}"}
    try:
        url = f"{base_url(run.url)}/conversations/{sender}/tracker"
        async with session.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as reply:
            if reply.status != 200:
                return None
            tracker = await reply.json()
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None
    slots = tracker.get("slots") or {}
    return {key: value for key, value in slots.items() if key in run.trial.facts and value is not None}
