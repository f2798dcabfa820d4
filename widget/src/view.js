// The widget's DOM: a launcher button and a non-modal dialog. It knows nothing about sockets;
// chat.js tells it what to show and gets the patient's actions through the `on` callbacks.
import { h, textBlock } from './dom.js';
import { T } from './strings.js';

const MAX_CHARS = 1000; // the server's cap (MAX_MESSAGE_CHARS)
const COUNT_FROM = 100; // show "N characters left" only this close to the cap

export function createView(cfg, on) {
  // --- Build ------------------------------------------------------------------------------
  const launcher = h(
    'button',
    { type: 'button', class: 'pc-launcher', 'aria-expanded': 'false', 'aria-controls': 'pc-panel' },
    T.launcher,
  );
  // Added only while there is something unread, so the launcher's text is otherwise exactly its name.
  const newBadge = h('span', { class: 'pc-new' }, h('span', { class: 'pc-sr' }, ' ' + T.newMessage));

  const restartBtn = h('button', { type: 'button', class: 'pc-restart pc-hbtn' }, T.restart);
  const closeBtn = h('button', { type: 'button', class: 'pc-close pc-hbtn', 'aria-label': T.closeLabel }, T.close);
  const header = h('div', { class: 'pc-header' }, h('h2', { id: 'pc-title', class: 'pc-title' }, cfg.title), restartBtn, closeBtn);

  // "Start over" asks first, inside the panel (window.confirm is blocked in some embeds and
  // jarring on phones).
  const confirmYes = h('button', { type: 'button', class: 'pc-confirm-yes pc-btn' }, T.confirmYes);
  const confirmNo = h('button', { type: 'button', class: 'pc-confirm-no pc-btn pc-btn-quiet' }, T.confirmNo);
  const confirmBox = h(
    'div',
    { class: 'pc-confirm', role: 'group', 'aria-labelledby': 'pc-confirm-text', hidden: true },
    h('p', { id: 'pc-confirm-text' }, T.confirm),
    h('div', { class: 'pc-row' }, confirmYes, confirmNo),
  );

  const startBtn = h('button', { type: 'button', class: 'pc-start pc-btn' }, T.start);
  const notice = h('div', { class: 'pc-notice', hidden: true }, h('p', null, T.notice), startBtn);

  // Live regions exist from the start and only their text changes, so screen readers announce
  // the change (a region inserted already filled is often not read).
  const banner = h('div', { class: 'pc-banner', role: 'status' });
  const log = h('div', { id: 'pc-log', class: 'pc-log', role: 'log', 'aria-live': 'polite', 'aria-label': T.log, tabindex: '0' });
  const status = h('div', { class: 'pc-status', role: 'status' });
  const typing = h('div', { class: 'pc-typing', hidden: true }, h('span', { class: 'pc-dots', 'aria-hidden': 'true' }), T.typing);

  const input = h('textarea', {
    id: 'pc-input',
    class: 'pc-input',
    rows: '2',
    maxlength: String(MAX_CHARS),
    enterkeyhint: 'send',
    autocomplete: 'off',
    'aria-describedby': 'pc-count',
  });
  const count = h('div', { id: 'pc-count', class: 'pc-count' });
  const form = h(
    'form',
    { class: 'pc-form', novalidate: true },
    h('label', { for: 'pc-input', class: 'pc-label' }, T.label),
    input,
    h('button', { type: 'submit', class: 'pc-send pc-btn' }, T.send),
    count,
  );

  const footer = h('div', { class: 'pc-footer' });
  if (cfg.studyUrl) {
    footer.append(
      h('a', { class: 'pc-study', href: cfg.studyUrl, target: '_blank', rel: 'noopener', 'aria-describedby': 'pc-newtab' }, T.study),
      h('span', { id: 'pc-newtab', class: 'pc-sr' }, T.newTab),
    );
  }

  const panel = h(
    'div',
    { id: 'pc-panel', class: 'pc-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'pc-title', lang: cfg.language, hidden: true },
    header,
    confirmBox,
    notice,
    banner,
    log,
    status,
    typing,
    form,
    footer,
  );
  const root = h('div', { class: 'pc-root pc-offline', lang: cfg.language }, launcher, panel);
  root.style.setProperty('--pc-accent', cfg.accent);

  // --- Behaviour --------------------------------------------------------------------------
  const isOpen = () => !panel.hidden;
  // On touch screens, focusing the text box pops up the keyboard over the conversation, so
  // focus goes to the conversation there; with a keyboard, straight to the text box.
  const touch = () => window.matchMedia && window.matchMedia('(pointer: coarse)').matches;

  function focusInside() {
    if (!confirmBox.hidden) confirmNo.focus();
    else if (!notice.hidden) startBtn.focus();
    else if (touch()) log.focus();
    else input.focus();
  }

  function open() {
    panel.hidden = false;
    root.classList.add('pc-open');
    launcher.setAttribute('aria-expanded', 'true');
    newBadge.remove();
    scrollDown();
    focusInside();
  }

  function close() {
    const hadFocus = panel.contains(document.activeElement);
    hideConfirm(false);
    panel.hidden = true;
    root.classList.remove('pc-open');
    launcher.setAttribute('aria-expanded', 'false');
    if (hadFocus) launcher.focus();
  }

  function showConfirm() {
    confirmBox.hidden = false;
    confirmNo.focus(); // the safe choice first
  }

  function hideConfirm(refocus) {
    if (confirmBox.hidden) return;
    confirmBox.hidden = true;
    if (refocus) restartBtn.focus();
  }

  // New messages scroll into view. The log also shrinks when the banner, status or typing line
  // appears; it then stays at the bottom too, unless the patient scrolled up to re-read.
  let stick = true;
  let autoTop = 0; // where scrollDown last put the log
  function scrollDown() {
    log.scrollTop = log.scrollHeight;
    autoTop = log.scrollTop;
    stick = true;
  }
  log.addEventListener('scroll', () => {
    if (log.scrollHeight - log.scrollTop - log.clientHeight < 32) stick = true;
    else if (log.scrollTop < autoTop) stick = false; // moved up by the patient, not by a resize
  });
  if (window.ResizeObserver) new ResizeObserver(() => stick && scrollDown()).observe(log);

  function updateCount() {
    const left = MAX_CHARS - input.value.length;
    count.textContent = left <= COUNT_FROM ? T.charsLeft(left) : '';
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return input.focus();
    input.value = '';
    updateCount();
    on.send(text);
  }

  launcher.addEventListener('click', () => (isOpen() ? close() : open()));
  closeBtn.addEventListener('click', close);
  restartBtn.addEventListener('click', showConfirm);
  confirmNo.addEventListener('click', () => hideConfirm(true));
  confirmYes.addEventListener('click', () => {
    confirmBox.hidden = true;
    on.restart();
  });
  startBtn.addEventListener('click', on.start);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  input.addEventListener('input', updateCount);
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a new line; not while an input method is composing a word.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  root.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !isOpen()) return;
    e.preventDefault();
    // Escape inside the "Start over?" question only cancels it; anywhere else it closes the chat.
    if (confirmBox.contains(document.activeElement)) hideConfirm(true);
    else close();
  });

  // --- What chat.js calls -----------------------------------------------------------------
  let bannerText = '';
  let replies = null; // { owner, el }: the one set of answer buttons shown, under its message

  return {
    root,
    open,
    close,
    isOpen,

    showNotice(show) {
      notice.hidden = !show;
      restartBtn.hidden = show; // nothing to start over yet
      log.hidden = show;
      form.hidden = show;
    },

    focusStart: () => startBtn.focus(),
    focusComposer: () => (touch() ? log.focus() : input.focus()),

    // Offline, messages waiting are marked "Not sent yet" at once (see widget.css).
    setOnline(online) {
      root.classList.toggle('pc-offline', !online);
    },

    setStatus(text) {
      if (status.textContent !== text) status.textContent = text;
    },

    setTyping(show) {
      typing.hidden = !show;
    },

    setBanner(text) {
      if (text === bannerText) return;
      bannerText = text;
      banner.textContent = text;
    },

    setUnread() {
      if (!isOpen()) launcher.append(newBadge);
    },

    clearLog() {
      log.textContent = '';
      replies = null;
    },

    addItem(item) {
      const el = renderItem(item, cfg);
      log.append(el);
      scrollDown();
      return el;
    },

    markUnsent(el) {
      el.classList.add('pc-unsent');
      el.append(h('span', { class: 'pc-mark pc-unsent-mark' }, T.unsent));
    },

    markSent(el) {
      el.classList.remove('pc-unsent');
      el.querySelectorAll('.pc-unsent-mark').forEach((m) => m.remove());
    },

    markLost(el) {
      this.markSent(el);
      el.classList.add('pc-lost');
      el.append(h('span', { class: 'pc-mark pc-lost-mark' }, T.lost));
    },

    // Answer buttons: only under the latest question still open; `owner` null removes them.
    setReplies(owner, choices) {
      if (replies && replies.owner === owner) return;
      if (replies) {
        const hadFocus = replies.el.contains(document.activeElement);
        replies.el.remove();
        replies = null;
        if (hadFocus) this.focusComposer();
      }
      if (!owner || !choices || !choices.length) return;
      const el = h('div', { class: 'pc-replies', role: 'group', 'aria-label': T.choices });
      for (const choice of choices) {
        const b = h('button', { type: 'button', class: 'pc-reply' }, choice.title);
        b.addEventListener('click', () => on.pick(choice));
        el.append(b);
      }
      owner.after(el);
      replies = { owner, el };
      scrollDown();
    },

    // Text that could not be sent is handed back to the patient, not lost.
    giveBack(text) {
      input.value = (input.value ? input.value + '\n' : '') + text;
      input.value = input.value.slice(0, MAX_CHARS);
      updateCount();
    },
  };
}

function said(who) {
  return h('span', { class: 'pc-sr' }, T.saidBy[who] + ' ');
}

function renderItem(item, cfg) {
  switch (item.kind) {
    case 'user':
      return h('div', { class: 'pc-msg pc-user' }, said('user'), h('div', { class: 'pc-text' }, textBlock(item.text)));
    case 'bot':
      return h('div', { class: 'pc-msg pc-bot' }, said('bot'), h('div', { class: 'pc-text' }, textBlock(item.text)));
    case 'coordinator':
      return h(
        'div',
        { class: 'pc-msg pc-coordinator' },
        said('coordinator'),
        h('span', { class: 'pc-who', 'aria-hidden': 'true' }, T.coordinator),
        h('div', { class: 'pc-text' }, textBlock(item.text)),
      );
    case 'card':
      return renderCard(item, cfg);
    default: // 'note': something the widget itself tells the patient
      return h('div', { class: 'pc-note' }, textBlock(item.text));
  }
}

function renderCard(card, cfg) {
  const list = (items) => items.length > 0 && h('ul', null, ...items.map((text) => h('li', null, text)));
  const el = h(
    'div',
    { class: 'pc-card', 'data-status': card.status },
    h('h3', null, T.card[card.status]),
    list(card.reasons),
    card.status === 'likely_eligible' && card.site_to_verify.length > 0 && h('p', null, T.stillCheck),
    card.status === 'likely_eligible' && list(card.site_to_verify),
    card.status === 'not_yet' && card.recontact_after && h('p', { class: 'pc-recontact', 'data-date': card.recontact_after }, T.recontact),
    h('p', null, T.preScreen),
  );
  if (cfg.studyUrl) {
    el.append(
      h('p', null, h('a', { href: cfg.studyUrl, target: '_blank', rel: 'noopener', 'aria-describedby': 'pc-newtab' }, T.cardLink)),
    );
  }
  return el;
}
