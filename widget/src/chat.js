// The conversation: the session, the socket and the messages waiting to be sent. Speaks the Rasa
// socket.io protocol of channels/socketio.py (session_request -> session_confirm, user_uttered
// with an acknowledgement, bot_uttered) with the token from POST /webhooks/widget/session.
import { io } from 'socket.io-client';
import * as store from './store.js';
import { T } from './strings.js';

const HELLO = 'hello'; // sent after "Start": the bot greets and asks its own consent question
const TYPING_MS = 15000;
const STATUSES = ['likely_eligible', 'not_eligible', 'not_yet', 'handoff'];

export class Chat {
  constructor(cfg, view) {
    this.cfg = cfg;
    this.view = view;
    this.key = store.storageKey(cfg.serverUrl);
    this.state = store.load(this.key);
    this.socket = null;
    this.els = []; // the log element of each state.messages entry
    this.confirmed = false; // session_confirm received on the current connection
    this.sending = null; // id of the pending message emitted and not yet acknowledged
    this.freshTried = false; // a refused connection already got one new session
    this.gen = 0; // bumped by "Start over": late answers to the old conversation are ignored
    this.sessionFetch = null;
    this.typingTimer = null;
  }

  init() {
    this.renderAll();
    // A conversation already under way (a reload) carries on at once, so unsent messages go
    // out and a coordinator's reply arrives even before the panel is opened again.
    if (this.state.started) this.connect();
  }

  // --- Patient actions --------------------------------------------------------------------
  start() {
    this.state.started = true;
    this.queue(HELLO, null, false);
    this.view.showNotice(false);
    this.view.focusComposer();
    this.connect();
  }

  send(text) {
    this.queue(text, text, true);
  }

  pick(choice) {
    this.queue(choice.payload, choice.title, false);
    this.view.focusComposer();
  }

  restart() {
    this.gen += 1;
    if (this.socket) {
      this.socket.disconnect();
      this.socket.sendBuffer = []; // nothing of the old conversation may go out later
    }
    this.confirmed = false;
    this.view.setOnline(false);
    this.sending = null;
    this.freshTried = false;
    this.sessionFetch = null;
    store.clear(this.key);
    this.state = store.fresh();
    this.setTyping(false);
    this.view.setStatus('');
    this.renderAll();
    this.view.focusStart();
    // The new session is fetched now, so it is ready when the patient presses Start (if it
    // fails, Start tries again).
    this.ensureSession();
  }

  // --- Messages ---------------------------------------------------------------------------

  // A patient's message: shown at once (unless `shown` is null), kept as pending until the
  // server acknowledges it, so a reload or a lost connection never drops it. `typed`: written by
  // the patient, so given back to them if it can no longer be sent (see newConversation).
  queue(text, shown, typed) {
    const id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    if (shown !== null) {
      const msg = { kind: 'user', id, text: shown };
      this.state.messages.push(msg);
      const el = this.view.addItem(msg);
      this.els.push(el);
      this.view.markUnsent(el);
    }
    this.state.pending.push({ id, text, typed });
    this.save();
    this.refresh();
    this.flush();
  }

  // One message at a time, in order: the next goes out when the server has handled the last.
  flush() {
    if (!this.confirmed || this.sending || !this.state.pending.length) return;
    const item = this.state.pending[0];
    const gen = this.gen;
    this.sending = item.id;
    this.socket.emit('user_uttered', { message: item.text, session_id: this.state.session_id }, () => {
      if (gen !== this.gen || this.sending !== item.id) return;
      this.sending = null;
      this.state.pending = this.state.pending.filter((p) => p.id !== item.id);
      this.save();
      const i = this.state.messages.findIndex((m) => m.id === item.id);
      if (i >= 0) this.view.markSent(this.els[i]);
      this.flush();
    });
    // While a coordinator has the chat, the assistant is not the one who answers.
    if (this.bannerText() !== T.joined) this.setTyping(true);
  }

  onBot(data) {
    const item = toItem(data);
    if (!item) return; // other shapes (images, attachments...) are not part of this chat
    this.setTyping(false);
    this.add(item);
    this.view.setUnread();
  }

  add(item) {
    this.state.messages.push(item);
    this.els.push(this.view.addItem(item));
    this.save();
    this.refresh();
  }

  // The server can no longer carry on the stored conversation. The patient is told first; the
  // messages still waiting are not sent into the new one (they answered other questions), and
  // what the patient typed goes back into the answer box.
  newConversation() {
    const lost = this.state.pending;
    this.state.pending = [];
    this.sending = null;
    for (const p of lost) {
      const i = this.state.messages.findIndex((m) => m.id === p.id);
      if (i < 0) continue;
      this.state.messages[i].lost = true;
      this.view.markLost(this.els[i]);
    }
    const typed = lost.filter((p) => p.typed).map((p) => p.text);
    if (typed.length) this.view.giveBack(typed.join('\n'));
    this.add({ kind: 'note', text: typed.length ? `${T.startedOver}\n${T.givenBack}` : T.startedOver });
    this.view.setUnread();
    this.queue(HELLO, null, false);
  }

  // --- Connection -------------------------------------------------------------------------
  async connect() {
    const gen = this.gen;
    this.view.setStatus(T.status.connecting);
    if (!(await this.ensureSession()) || gen !== this.gen) return;
    if (!this.socket) this.openSocket();
    else if (!this.socket.connected) {
      this.socket.auth = { token: this.state.token };
      this.socket.connect();
    }
  }

  openSocket() {
    const s = io(this.cfg.serverUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: this.state.token },
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      // An attempt that neither opens nor fails (a dropped mobile network, a proxy closing the
      // socket during the handshake) is given up after 8 s instead of socket.io's 20 s, so the
      // next try, and the unsent messages, come sooner.
      timeout: 8000,
    });
    s.on('connect', () => {
      this.view.setStatus('');
      s.emit('session_request', { session_id: this.state.session_id });
    });
    s.on('session_confirm', (data) => this.onConfirm(data));
    s.on('bot_uttered', (data) => this.onBot(data));
    s.on('disconnect', (reason) => {
      this.confirmed = false;
      this.view.setOnline(false);
      this.sending = null; // re-sent after the reconnect, in order
      s.sendBuffer = []; // ...by us: socket.io must not replay it as well
      this.setTyping(false);
      if (reason === 'io client disconnect') return; // "Start over"
      this.view.setStatus(T.status.reconnecting);
      // The server closed this socket on purpose: socket.io does not come back by itself. Try
      // again; a token it no longer takes ends in connect_error below.
      const gen = this.gen;
      if (reason === 'io server disconnect') setTimeout(() => gen === this.gen && !s.active && this.connect(), 3000);
    });
    s.on('connect_error', () => {
      if (s.active) this.view.setStatus(T.status.reconnecting); // socket.io retries by itself
      else this.refused();
    });
    this.socket = s;
  }

  onConfirm(data) {
    const id = typeof data === 'string' ? data : data && data.session_id;
    if (typeof id !== 'string' || !id) return;
    if (id !== this.state.session_id) {
      // The server put this socket in another conversation: say so before carrying on there.
      this.state.session_id = id;
      this.newConversation();
    }
    this.confirmed = true;
    this.view.setOnline(true);
    this.freshTried = false;
    this.save();
    this.flush();
  }

  // The server refused the connection (e.g. an expired token): a new session, once.
  refused() {
    if (this.freshTried) {
      this.view.setStatus(T.status.unavailable);
      return;
    }
    this.freshTried = true;
    this.state.session_id = null;
    this.state.token = null;
    this.newConversation();
    this.connect();
  }

  ensureSession() {
    if (this.state.token) return Promise.resolve(true);
    if (!this.sessionFetch) this.sessionFetch = this.fetchSession(this.gen);
    return this.sessionFetch;
  }

  // POST /webhooks/widget/session. Once the patient has pressed Start: until it answers (with a
  // growing pause) or "Start over"; before that (the fetch ahead of time), one try.
  async fetchSession(gen) {
    for (let pause = 1000; ; pause = Math.min(pause * 2, 10000)) {
      try {
        const res = await fetch(this.cfg.serverUrl + '/webhooks/widget/session', {
          method: 'POST',
          credentials: 'omit',
          cache: 'no-store',
        });
        const body = res.ok ? await res.json() : null;
        if (!body || typeof body.session_id !== 'string' || typeof body.token !== 'string') throw new Error('no session');
        if (gen !== this.gen) return false;
        this.state.session_id = body.session_id;
        this.state.token = body.token;
        this.sessionFetch = null;
        this.save();
        return true;
      } catch (e) {
        if (gen !== this.gen) return false;
        if (!this.state.started) {
          this.sessionFetch = null;
          return false;
        }
        this.view.setStatus(T.status.unreachable);
        await new Promise((resolve) => setTimeout(resolve, pause));
        if (gen !== this.gen) return false;
      }
    }
  }

  // --- Derived view state -----------------------------------------------------------------
  renderAll() {
    this.view.clearLog();
    const pending = new Set(this.state.pending.map((p) => p.id));
    this.els = this.state.messages.map((m) => {
      const el = this.view.addItem(m);
      if (m.lost) this.view.markLost(el);
      else if (pending.has(m.id)) this.view.markUnsent(el);
      return el;
    });
    this.view.showNotice(!this.state.started);
    this.refresh();
  }

  // Answer buttons and the coordinator banner follow from the transcript, so a reload shows
  // them exactly as before.
  refresh() {
    const msgs = this.state.messages;
    // Buttons belong to the latest open question: once the patient answers (by button or by
    // typing) or the conversation starts over, older buttons would answer the wrong question.
    let at = -1;
    for (let i = msgs.length - 1; i >= 0 && msgs[i].kind !== 'user' && msgs[i].kind !== 'note'; i--) {
      if (msgs[i].kind === 'bot' && msgs[i].replies && msgs[i].replies.length) {
        at = i;
        break;
      }
    }
    this.view.setReplies(at >= 0 ? this.els[at] : null, at >= 0 ? msgs[at].replies : null);
    this.view.setBanner(this.bannerText());
  }

  bannerText() {
    const msgs = this.state.messages;
    for (let i = msgs.length - 1; i >= 0 && msgs[i].kind !== 'note'; i--) {
      if (msgs[i].kind === 'coordinator') {
        const assistantSince = msgs.slice(i + 1).some((m) => m.kind === 'bot' || m.kind === 'card');
        return assistantSince ? T.continuing : T.joined;
      }
    }
    return '';
  }

  setTyping(on) {
    clearTimeout(this.typingTimer);
    this.view.setTyping(on);
    if (on) this.typingTimer = setTimeout(() => this.view.setTyping(false), TYPING_MS);
  }

  save() {
    store.save(this.key, this.state);
  }
}

// A bot_uttered payload as a log item, or null for shapes this chat does not show.
function toItem(data) {
  if (!data || typeof data !== 'object') return null;
  const text = typeof data.text === 'string' && data.text.trim() ? data.text : null;
  if (data.from === 'coordinator') return text && { kind: 'coordinator', text };
  const result = data.custom && data.custom.screening_result;
  if (result && STATUSES.includes(result.status)) {
    const recontact = typeof result.recontact_after === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(result.recontact_after) ? result.recontact_after : null;
    return {
      kind: 'card',
      status: result.status,
      reasons: strings(result.reasons),
      site_to_verify: strings(result.site_to_verify),
      recontact_after: recontact,
    };
  }
  if (!text) return null;
  const raw = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
  const replies = raw
    .filter((r) => r && typeof r.title === 'string' && r.title && typeof r.payload === 'string' && r.payload)
    .map((r) => ({ title: r.title, payload: r.payload }));
  return { kind: 'bot', text, replies };
}

function strings(value) {
  return Array.isArray(value) ? value.filter((s) => typeof s === 'string' && s) : [];
}
