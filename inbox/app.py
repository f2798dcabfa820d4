"""The coordinator inbox: a server-rendered web app on the product's database.

Starlette in its own process (``python -m inbox serve``), in the same virtualenv as Rasa:
a coordinator's page never competes with patients' turns on Rasa's event loop, and the
in-process test client makes the auth and escaping tests fast. It talks to Rasa only
through its HTTP API (``handoff.api``: reply, settle, resume) and reads and writes the store.

Every page needs a login; every form carries the session's CSRF token and is refused from
another origin. Patient and coordinator text is escaped by Jinja2's autoescape, and the
Content-Security-Policy allows no inline script. Addresses carry handoff ids only (random,
no patient data); the access log is off.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import jinja2
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from criteria import FactError, load_trial
from handoff import api as rasa
from inbox import auth, fields, messages, views
from inbox.plain import NOT_STATED
from settings import Settings, get_settings
from store import channel_addresses, coordinators, handoffs, transcript
from store.db import engine_for, session_scope
from store.models import Handoff, utcnow

HERE = Path(__file__).parent
MAX_REPLY_CHARS = 2000
POLL_SECONDS = 3
AUDIT_PAGE = 200
DRAFTED = ("text", "note", "outcome")  # form fields a refused form keeps (the settle form keeps all of its own)
NOT_DRAFTED = {"csrf"}
T = TypeVar("T")
Method = Callable[["Inbox", Request], Awaitable[Response]]

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts.
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Adds the security headers to every response; pages are never cached (they hold patient data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def page(role: str | None = None) -> Callable[[Method], Method]:
    """Require a live login (and a role); a form must carry the session's CSRF token and come from here."""

    def wrap(method: Method) -> Method:
        async def endpoint(inbox: Inbox, request: Request) -> Response:
            token = request.cookies.get(auth.COOKIE)
            config = inbox.config
            who = await inbox.db(lambda s: auth.identify(session=s, token=token, now=utcnow(), settings=config))
            if who is None:
                if request.method == "GET":
                    target = urllib.parse.quote(request.url.path, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                return inbox.problem(request, messages.error("INBOX-002"), 401)
            request.state.who = who
            if request.method == "POST":
                form = await request.form()
                if not _same_origin(request) or not auth.same(_text(form, "csrf"), who.csrf_token):
                    return inbox.problem(request, messages.error("INBOX-003"), 403)
                request.state.form = form
            if role == "admin" and not who.admin:
                return inbox.problem(request, messages.error("INBOX-004"), 403)
            return await method(inbox, request)

        return endpoint

    return wrap


class Inbox:
    """The inbox's pages over one database."""

    def __init__(self, config: Settings) -> None:
        self.config = config
        self.engine = engine_for(config.db_url)
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every variable is escaped: patient text is untrusted
            undefined=jinja2.StrictUndefined,
        )
        environment.filters["when"] = _when
        environment.globals["not_stated"] = NOT_STATED  # one spelling for a gap, in Python and in the pages
        self.templates = Jinja2Templates(env=environment)
        self.cohorts = {key: cohort.name for key, cohort in load_trial(config.trial_id).meta.cohorts.items()}

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, off the event loop."""

        def run() -> T:
            with session_scope(self.engine) as session:
                return work(session)

        return await run_in_threadpool(run)

    def render(self, request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> Response:
        """A page from its template; every page knows who is signed in."""
        who = getattr(request.state, "who", None)
        return self.templates.TemplateResponse(
            request,
            name,
            {"who": who, "poll_seconds": POLL_SECONDS, "messages": messages, **context},
            status_code=status,
        )

    def problem(self, request: Request, text: str, status: int) -> Response:
        """An error page."""
        return self.render(request, "error.html", {"text": text}, status)

    def cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        """Set a cookie scripts cannot read, sent to this site only (and over HTTPS only, in production)."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.config.inbox_cookies_secure,
            samesite="strict",
            path="/",
        )

    # --- login -------------------------------------------------------------------------------

    async def health(self, _: Request) -> Response:
        """For scripts/run: the inbox is up."""
        return PlainTextResponse("ok")

    async def login_form(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        """The login page, with a fresh form token in the page and in a cookie."""
        token = auth.new_form_token()
        context = {"form_token": token, "error": error, "next": _next(request)}
        response = self.render(request, "login.html", context, status)
        self.cookie(response, auth.LOGIN_COOKIE, token, max_age=3600)
        return response

    async def login(self, request: Request) -> Response:
        """Show the login form, or check it and open a session."""
        if request.method == "GET":
            return await self.login_form(request)
        form = await request.form()
        echoed = auth.same(_text(form, "form_token"), request.cookies.get(auth.LOGIN_COOKIE, ""))
        if not _same_origin(request) or not echoed:
            return await self.login_form(request, messages.error("INBOX-003"), 403)
        username, password, config = _text(form, "username"), _text(form, "password"), self.config
        token = await self.db(
            lambda s: auth.log_in(session=s, username=username, password=password, now=utcnow(), settings=config)
        )
        if token is None:
            return await self.login_form(request, messages.error("INBOX-001"), 401)
        response = RedirectResponse(_next(request, form), status_code=303)
        self.cookie(response, auth.COOKIE, token, max_age=int(config.inbox_session_hours * 3600))
        response.delete_cookie(auth.LOGIN_COOKIE, path="/")
        return response

    @page()
    async def logout(self, request: Request) -> Response:
        """End this browser's session."""
        token = request.cookies.get(auth.COOKIE)
        await self.db(lambda s: auth.log_out(session=s, token=token))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    # --- queue -------------------------------------------------------------------------------

    def where(self, request: Request) -> handoffs.QueueFilter:
        """The queue filter of the address (unknown values are ignored)."""
        query = request.query_params
        status = query.get("status") if query.get("status") in handoffs.STATUSES else None
        cohort = query.get("cohort") if query.get("cohort") in self.cohorts else None
        reason = query.get("reason") if query.get("reason") in messages.REASONS else None
        order: Literal["oldest", "newest"] = "newest" if query.get("order") == "newest" else "oldest"
        return handoffs.QueueFilter(status=status, cohort=cohort, reason=reason, order=order)

    async def queue_context(self, request: Request) -> dict[str, Any]:
        """The queue's rows and counts."""
        shown = self.where(request)

        def read(session: Session) -> dict[str, Any]:
            return {
                "items": views.queue_items(session=session, where=shown),
                "counts": handoffs.counts(session=session),
                "where": shown,
                "query": urllib.parse.urlencode({k: v for k, v in request.query_params.items() if v}),
            }

        return await self.db(read)

    @page()
    async def queue(self, request: Request) -> Response:
        """The queue page."""
        context = await self.queue_context(request)
        recontact = await self.db(lambda s: views.recontact_items(session=s))
        return self.render(request, "queue.html", {**context, "cohorts": self.cohorts, "recontact": recontact})

    @page()
    async def queue_items(self, request: Request) -> Response:
        """The queue's rows and counts alone, for the page's live refresh (304 when nothing changed)."""
        shown = self.where(request)
        # A patient's message changes the queue too ("patient replied").
        tag = await self.db(lambda s: f"{handoffs.fingerprint(session=s)}-{transcript.latest_patient_event(session=s)}")
        etag = f'"{tag}-{abs(hash(shown))}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        response = self.render(request, "_queue_items.html", await self.queue_context(request))
        response.headers["etag"] = etag
        return response

    # --- one handoff -------------------------------------------------------------------------

    async def view(
        self, request: Request, *, error: str | None = None, status: int = 200, invalid: str | None = None
    ) -> Response:
        """The conversation view (opening it is audited); after a refusal, with the refused form as entered."""
        handoff_id = request.path_params["handoff_id"]
        who: auth.Identity = request.state.who
        form: FormData | None = getattr(request.state, "form", None)
        # The question of the settle form: the one refused, the one chosen (?settle=), else the one handed off.
        settle = request.query_params.get("settle")
        settle_draft = None
        if form is not None and error is not None and request.path_params.get("action") == "settle":
            settle = _text(form, "fact")
            settle_draft = {
                name: value for name, value in form.multi_items() if isinstance(value, str) and name not in NOT_DRAFTED
            }

        def read(session: Session) -> dict[str, Any] | None:
            handoff = handoffs.find_handoff(session=session, handoff_id=handoff_id)
            if handoff is None:
                return None
            if request.method == "GET":
                handoffs.audit_view(session=session, handoff=handoff, username=who.username)
            return views.handoff_page(
                session=session, handoff=handoff, settle=settle or None, draft=settle_draft, invalid=invalid
            )

        context = await self.db(read)
        if context is None:
            return self.problem(request, messages.error("INBOX-005"), 404)
        done = messages.DONE.get(request.query_params.get("done", ""))
        # A refused form comes back filled in: what the coordinator typed is never lost.
        draft = {name: _text(form, name) if form is not None and error else "" for name in DRAFTED}
        context = {**context, "error": error, "done": done, "draft": draft, "action": request.path_params.get("action")}
        return self.render(request, "handoff.html", context, status)

    @page()
    async def handoff_view(self, request: Request) -> Response:
        """GET /handoffs/{id}."""
        return await self.view(request)

    @page()
    async def handoff_live(self, request: Request) -> Response:
        """The transcript and status alone, for the view's live refresh."""

        def read(session: Session) -> dict[str, Any]:
            handoff = acting(request, lambda _, h: h)(session)
            said, status = views.live_part(session=session, handoff=handoff)
            return {"transcript": said, "status": status, "handoff": handoff}

        try:
            context = await self.db(read)
        except NoSuchHandoff:
            return self.problem(request, messages.error("INBOX-005"), 404)
        return self.render(request, "_live.html", context)

    def done(self, request: Request, code: str) -> Response:
        """Back to the view, with what was done."""
        return RedirectResponse(f"/handoffs/{request.path_params['handoff_id']}?done={code}", status_code=303)

    @page()
    async def handoff_action(self, request: Request) -> Response:
        """POST /handoffs/{id}/{action}: claim, unclaim, note, resolve, reply, settle, resume."""
        action = request.path_params["action"]
        who: auth.Identity = request.state.who
        form: FormData = request.state.form
        name = who.username
        changes: dict[str, Callable[[Session, Handoff], object]] = {
            "claim": lambda s, h: handoffs.claim(session=s, handoff=h, username=name),
            "unclaim": lambda s, h: handoffs.unclaim(session=s, handoff=h, username=name, admin=who.admin),
            "note": lambda s, h: handoffs.add_note(session=s, handoff=h, username=name, text=_text(form, "text")),
            "resolve": lambda s, h: handoffs.resolve(
                session=s, handoff=h, username=name, outcome=_text(form, "outcome")
            ),
        }
        try:
            if action in {"reply", "settle", "resume"}:
                return await self.talk(request, action, who, form)
            if action not in changes:
                return self.problem(request, messages.error("INBOX-005"), 404)
            await self.db(acting(request, changes[action]))
        except NoSuchHandoff:
            return self.problem(request, messages.error("INBOX-005"), 404)
        except handoffs.HandoffError as error:
            return await self.view(request, error=messages.error("INBOX-008", detail=error), status=409)
        codes = {"claim": "claimed", "unclaim": "unclaimed", "note": "noted", "resolve": "resolved"}
        return self.done(request, codes[action])

    async def talk(self, request: Request, action: str, who: auth.Identity, form: FormData) -> Response:
        """Reply, settle or resume: the coordinator holds the handoff (claimed if nobody did), then Rasa is asked."""

        def hold(session: Session, handoff: Handoff) -> tuple[str, str, datetime | None, str, date]:
            handoffs.hold(session=session, handoff=handoff, username=who.username, admin=who.admin)
            stopped = channel_addresses.opted_out(session=session, conversation_id=handoff.conversation_id)
            screening = handoff.screening
            screened_on = screening.screening_date.date()
            return handoff.conversation_id, handoff.channel, stopped, screening.trial_id, screened_on

        conversation_id, channel, stopped, trial_id, screened_on = await self.db(acting(request, hold))
        try:
            if action == "reply":
                text = _text(form, "text").strip()
                if not text or len(text) > MAX_REPLY_CHARS:
                    error = messages.error("INBOX-009", limit=MAX_REPLY_CHARS)
                    return await self.view(request, error=error, status=400)
                if stopped is not None:  # the channel would drop it: say so rather than "sent"
                    error = messages.error("INBOX-012", when=f"{stopped:%Y-%m-%d %H:%M} UTC")
                    return await self.view(request, error=error, status=409)
                await run_in_threadpool(lambda: rasa.reply(conversation_id, coordinator=who.username, text=text))
                await self.db(
                    acting(request, lambda s, h: handoffs.replied(session=s, handoff=h, username=who.username))
                )
                return self.done(request, "replied_rest" if channel == "rest" else "replied")
            if action == "settle":
                fact_id = _text(form, "fact")
                trial = load_trial(trial_id)
                if fact_id not in trial.facts:
                    return await self.view(request, error=messages.error("INBOX-010"), status=400)
                entered = {name: value for name, value in form.multi_items() if isinstance(value, str)}
                try:
                    # The fields, read and checked against the question before Rasa is asked.
                    value = fields.to_raw(trial.facts[fact_id], entered, today=screened_on, lexicon=trial.lexicon)
                except fields.FieldError as refused:
                    return await self.view(request, error=str(refused), status=400, invalid=refused.field)
                note = _text(form, "note").strip() or None
                await run_in_threadpool(
                    lambda: rasa.settle(
                        conversation_id, coordinator=who.username, fact_id=fact_id, value=value, note=note
                    )
                )
                detail: dict[str, object] = {"fact": fact_id}  # the value is in the answer row, with who set it
                await self.db(acting(request, lambda s, h: self.audited(s, h, who, "handoff.settled", detail)))
                return self.done(request, "settled")
            await self.db(acting(request, lambda s, h: self.audited(s, h, who, "handoff.resume_asked", None)))
            await run_in_threadpool(lambda: rasa.resume(conversation_id, coordinator=who.username))
            return self.done(request, "resumed")
        except FactError as error:
            return await self.view(request, error=messages.error("INBOX-007", detail=error), status=400)
        except rasa.ResumeError as error:
            return await self.view(request, error=messages.error("INBOX-006", detail=error), status=502)

    @staticmethod
    def audited(
        session: Session, handoff: Handoff, who: auth.Identity, action: str, detail: dict[str, object] | None
    ) -> None:
        """Log a coordinator's action on a handoff."""
        handoffs.audit_action(session=session, handoff=handoff, username=who.username, action=action, detail=detail)

    # --- admin -------------------------------------------------------------------------------

    @page(role="admin")
    async def audit_log(self, request: Request) -> Response:
        """The audit log, newest first, 200 a page."""
        before = request.query_params.get("before")
        older_than = int(before) if before and before.isdigit() else None
        trail = await self.db(lambda s: handoffs.audit_trail(session=s, limit=AUDIT_PAGE, before=older_than))
        older = trail[-1].id if len(trail) == AUDIT_PAGE else None
        return self.render(request, "audit.html", {"trail": trail, "older": older})

    @page(role="admin")
    async def accounts(self, request: Request) -> Response:
        """The coordinators' accounts; an admin adds one here."""
        error, status = None, 200
        if request.method == "POST":
            form: FormData = request.state.form
            username, password, role = _text(form, "username"), _text(form, "password"), _text(form, "role")
            actor = f"coordinator:{request.state.who.username}"
            try:
                await self.db(
                    lambda s: auth.create_account(
                        session=s, username=username, password=password, role=role, actor=actor
                    )
                )
                return RedirectResponse("/accounts?done=created", status_code=303)
            except ValueError as refused:
                error, status = messages.error("INBOX-011", detail=refused), 400
        people = await self.db(lambda s: coordinators.list_coordinators(session=s))
        context = {
            "people": people,
            "error": error,
            "done": messages.DONE.get(request.query_params.get("done", "")),
            "roles": coordinators.ROLES,
        }
        return self.render(request, "accounts.html", context, status)


def create_app(settings: Settings | None = None) -> Starlette:
    """The inbox app for these settings (the process's settings by default)."""
    inbox = Inbox(settings or get_settings())

    def bound(method: Method) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await method(inbox, request)

        return endpoint

    routes = [
        Route("/healthz", bound(Inbox.health)),
        Route("/login", bound(Inbox.login), methods=["GET", "POST"]),
        Route("/logout", bound(Inbox.logout), methods=["POST"]),
        Route("/", bound(Inbox.queue)),
        Route("/queue/items", bound(Inbox.queue_items)),
        Route("/handoffs/{handoff_id:str}", bound(Inbox.handoff_view)),
        Route("/handoffs/{handoff_id:str}/live", bound(Inbox.handoff_live)),
        Route("/handoffs/{handoff_id:str}/{action:str}", bound(Inbox.handoff_action), methods=["POST"]),
        Route("/audit", bound(Inbox.audit_log)),
        Route("/accounts", bound(Inbox.accounts), methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    return app


def acting(request: Request, change: Callable[[Session, Handoff], T]) -> Callable[[Session], T]:
    """A change to the handoff of this address (``NoSuchHandoff`` when there is none)."""
    handoff_id = request.path_params["handoff_id"]

    def work(session: Session) -> T:
        handoff = handoffs.find_handoff(session=session, handoff_id=handoff_id)
        if handoff is None:
            raise NoSuchHandoff(handoff_id)
        return change(session, handoff)

    return work


def _same_origin(request: Request) -> bool:
    """A form posted from this site: no Origin header (old browsers), or this very origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


class NoSuchHandoff(LookupError):
    """The address names no handoff."""


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _next(request: Request, form: FormData | None = None) -> str:
    """Where to go after login: a path on this site only (never another host)."""
    target = (_text(form, "next") if form is not None else "") or request.query_params.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
