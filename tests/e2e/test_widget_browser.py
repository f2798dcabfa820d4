"""The web chat widget in a real browser (Debian's chromium) against the real Rasa and action servers.

The demo trial page at ``/webhooks/widget/`` embeds the widget as a trial site would (one
script tag and a config object). Screenshots at 360 px and desktop width go to
``data/test-artifacts/widget/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.examples import CLEAR_TEXT, SLE_CHAT
from channels.widget import BUNDLE
from criteria import load_trial
from settings import get_settings
from tests.e2e.conftest import ROOT, Servers, shot

pytestmark = pytest.mark.e2e

TRIAL = load_trial("NCT07193810")
QUESTIONS = {fact.question: fact for fact in TRIAL.facts.values()}
CONDITION = TRIAL.facts["condition"].question  # the first question after consent
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def demo(servers: Servers) -> str:
    if not BUNDLE.exists():
        pytest.fail(f"no widget bundle at {BUNDLE}: scripts/test builds it (npm ci && npm run build in widget/)")
    return f"{servers.rasa_url}/webhooks/widget/"


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    viewport = getattr(request, "param", DESKTOP)
    # axe-core is injected as a script; the demo page's CSP (tested elsewhere) would refuse it.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    opened = context.new_page()
    opened.errors = []
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


def start(page: Any, demo: str) -> None:
    """Open the demo page, open the chat, accept the privacy notice; the bot greets."""
    page.goto(demo)
    page.click(".pc-launcher")
    page.locator(".pc-notice").wait_for()
    page.click(".pc-start")
    page.locator(".pc-msg.pc-bot", has_text="OK to start").wait_for(timeout=WAIT_MS)


def bot_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".pc-msg.pc-bot").all_inner_texts()]


def last_question(page: Any, after: int = 0) -> str | None:
    """The id of the last question the bot asked after its first ``after`` messages."""
    for text in reversed(bot_texts(page)[after:]):
        for question, fact in QUESTIONS.items():
            if question in text:
                return fact.id
    return None


def type_answer(page: Any, text: str) -> None:
    page.fill("#pc-input", text)
    page.keyboard.press("Enter")


def wait_for_next(page: Any, seen: int) -> None:
    """Until the bot asks a question after its first ``seen`` messages, or the result card is shown."""
    page.wait_for_function(
        """([seen, questions]) => !!document.querySelector('.pc-card') ||
            [...document.querySelectorAll('.pc-msg.pc-bot')].slice(seen)
                .some(m => questions.some(q => m.textContent.includes(q)))""",
        arg=[seen, list(QUESTIONS)],
        timeout=WAIT_MS,
    )


def stored(page: Any, servers: Servers) -> dict[str, Any]:
    raw = page.evaluate(f"sessionStorage.getItem({json.dumps('prescreen-chat:' + servers.rasa_url)})")
    assert raw, "the widget keeps its session in sessionStorage"
    return dict(json.loads(raw))


def axe_problems(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_full_screening_by_clicking_buttons(page: Any, demo: str) -> None:
    start(page, demo)
    page.click(".pc-replies button:has-text('Yes')")
    page.locator(".pc-replies button", has_text="Something else").click(timeout=WAIT_MS)
    # "Something else" is followed by one question naming close conditions; none of them.
    page.get_by_text(TRIAL.facts["condition_other"].question).wait_for(timeout=WAIT_MS)
    page.locator(".pc-replies button", has_text="Something else").last.click(timeout=WAIT_MS)
    card = page.locator(".pc-card")
    card.wait_for(timeout=WAIT_MS)
    assert card.get_attribute("data-status") == "not_eligible"
    assert "not a fit" in card.inner_text()
    assert page.errors == []
    shot(page, "widget/desktop-buttons")


@pytest.mark.parametrize("page", [PHONE], indirect=True)
@pytest.mark.parametrize(
    ("answers", "status"),
    [
        (SLE_CHAT, "likely_eligible"),
        # CAR-T 2 months ago: a waiting period, shown with the day the patient may qualify.
        ({**SLE_CHAT, "last_cart_date": "2 months ago"}, "not_yet"),
    ],
)
def test_a_full_screening_by_typing_on_a_phone(page: Any, demo: str, answers: dict[str, str], status: str) -> None:
    start(page, demo)
    seen = len(bot_texts(page))
    type_answer(page, "yes")
    wait_for_next(page, seen)
    asked: list[str] = []
    while not page.locator(".pc-card").count() and len(asked) < 60:
        fact_id = last_question(page)
        assert fact_id is not None and fact_id not in asked, (fact_id, bot_texts(page)[-3:])
        asked.append(fact_id)
        seen = len(bot_texts(page))
        type_answer(page, answers.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type])
        wait_for_next(page, seen)
    card = page.locator(".pc-card")
    assert card.get_attribute("data-status") == status
    if status == "not_yet":
        assert "but not yet" in card.inner_text()
        assert "You may be able to join from" in card.inner_text()  # the reason says from which day
        recontact = card.locator(".pc-recontact")
        assert recontact.inner_text() == "The study team can contact you when that time has passed."
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", recontact.get_attribute("data-date") or "")
    assert asked[0] == "condition"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    shot(page, f"widget/phone-typed-{status}")


def test_a_reload_keeps_the_history_and_the_place(page: Any, demo: str, servers: Servers) -> None:
    start(page, demo)
    type_answer(page, "yes")
    page.locator(".pc-msg.pc-bot", has_text=CONDITION).wait_for(timeout=WAIT_MS)
    seen = len(bot_texts(page))
    type_answer(page, "lupus")
    wait_for_next(page, seen)
    page.wait_for_timeout(500)  # any message after the question
    before = page.locator("#pc-log").inner_text()
    session = stored(page, servers)["session_id"]
    page.reload()
    page.click(".pc-launcher")
    assert page.locator("#pc-log").inner_text() == before  # the same history, in order
    assert page.locator(".pc-notice").count() == 0 or not page.locator(".pc-notice").is_visible()
    assert stored(page, servers)["session_id"] == session
    # ... and the bot carries on from the same question.
    question = last_question(page)
    seen = len(bot_texts(page))
    type_answer(page, SLE_CHAT.get(question or "", "no"))
    wait_for_next(page, seen)
    tracker = servers.tracker(session)
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"][-2:] == [
        "lupus",
        SLE_CHAT.get(question or "", "no"),
    ]


def test_a_message_typed_while_the_network_is_down_is_sent_when_it_is_back(page: Any, demo: str) -> None:
    sockets: list[Any] = []
    cut = {"now": False}

    def route(ws: Any) -> None:
        if cut["now"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    start(page, demo)
    cut["now"] = True
    for ws in sockets:
        ws.close()
    page.locator(".pc-status", has_text="Reconnecting").wait_for(timeout=WAIT_MS)
    seen = len(bot_texts(page))
    type_answer(page, "yes")
    unsent = page.locator(".pc-msg.pc-user.pc-unsent", has_text="yes")
    unsent.locator(".pc-unsent-mark").wait_for()
    assert "Not sent yet" in unsent.inner_text()
    page.wait_for_timeout(1500)
    assert len(bot_texts(page)) == seen  # nothing could reach the bot
    cut["now"] = False
    page.locator(".pc-msg.pc-user.pc-unsent").wait_for(state="detached", timeout=WAIT_MS)
    wait_for_next(page, seen)
    assert last_question(page, seen) == "condition"  # the bot got the "yes", once
    assert page.locator(".pc-msg.pc-user", has_text="yes").count() == 1


def test_a_coordinators_reply_appears_live_with_a_banner(
    page: Any, demo: str, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(page, demo)
    session = stored(page, servers)["session_id"]
    monkeypatch.setenv("RASA_PORT", servers.rasa_url.rsplit(":", 1)[1])
    monkeypatch.setenv("RASA_JWT_SECRET", servers.jwt_secret)
    get_settings.cache_clear()
    try:
        from handoff import api  # the inbox's own call, with these settings

        api.reply(session, coordinator="sam", text="Hello, this is Sam from the study team. <b>hi</b>")
    finally:
        get_settings.cache_clear()
    message = page.locator(".pc-msg.pc-coordinator")
    message.wait_for(timeout=WAIT_MS)
    assert "Hello, this is Sam from the study team. <b>hi</b>" in message.inner_text()  # as text
    assert page.locator(".pc-msg.pc-coordinator b").count() == 0
    assert "coordinator" in page.locator(".pc-banner").inner_text().lower()
    assert "sam" not in page.locator(".pc-banner").inner_text().lower()


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_no_serious_accessibility_problems(page: Any, demo: str) -> None:
    page.goto(demo)
    assert axe_problems(page) == []  # the page with the launcher
    for _ in range(20):  # the chat is reachable with the keyboard alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pc-launcher')"):
            break
    else:
        pytest.fail("Tab never reaches the chat launcher")
    page.keyboard.press("Enter")
    page.locator(".pc-notice").wait_for()
    assert page.evaluate("!!document.activeElement.closest('#pc-panel')")  # focus moved into the chat
    assert axe_problems(page) == []
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('pc-launcher')")
    page.keyboard.press("Enter")
    page.click(".pc-start")
    page.locator(".pc-replies button").first.wait_for(timeout=WAIT_MS)
    page.locator(".pc-replies button").first.focus()
    page.keyboard.press("Enter")  # answers by keyboard
    page.locator(".pc-msg.pc-bot", has_text=CONDITION).wait_for(timeout=WAIT_MS)
    assert axe_problems(page) == []  # with messages, buttons and the typing indicator gone
    width = page.viewport_size["width"]
    shot(page, f"widget/{'phone' if width < 500 else 'desktop'}-open")


def test_start_over_begins_a_new_session(page: Any, demo: str, servers: Servers) -> None:
    start(page, demo)
    first = stored(page, servers)["session_id"]
    page.click(".pc-restart")
    page.click(".pc-confirm-yes")
    page.locator(".pc-notice").wait_for()
    assert page.locator(".pc-msg").count() == 0
    page.click(".pc-start")
    page.locator(".pc-msg.pc-bot", has_text="OK to start").wait_for(timeout=WAIT_MS)
    assert stored(page, servers)["session_id"] != first


# 200 % zoom of a 1280 x 860 window: the page is laid out in half as many CSS pixels.
ZOOMED = {"width": 640, "height": 430}


@pytest.mark.parametrize("page", [ZOOMED], indirect=True)
def test_at_200_percent_zoom_everything_stays_reachable(page: Any, demo: str) -> None:
    start(page, demo)
    page.locator(".pc-replies button").first.wait_for(timeout=WAIT_MS)
    for selector in ("#pc-input", ".pc-send", ".pc-close", ".pc-replies button"):
        element = page.locator(selector).first
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= ZOOMED["width"], selector
    assert page.evaluate("document.documentElement.scrollWidth") <= ZOOMED["width"]
    shot(page, "widget/zoom-200")
