// Entry point: one <script> tag on the trial site's page is all it takes. Reads
// window.PrescreenChat, adds the stylesheet, builds the widget and exposes open() / close().
import css from './widget.css';
import { readConfig } from './config.js';
import { createView } from './view.js';
import { Chat } from './chat.js';

function boot() {
  const raw = window.PrescreenChat;
  if (document.getElementById('pc-panel')) return; // loaded twice: keep the first
  const cfg = readConfig(raw);
  if (!cfg) {
    console.error('PrescreenChat: set window.PrescreenChat = {serverUrl: "https://..."} before loading widget.js');
    return;
  }

  // The CSS travels inside the bundle (esbuild's text loader), so no second file to host.
  const style = document.createElement('style');
  style.id = 'pc-style';
  if (cfg.nonce) style.nonce = cfg.nonce;
  style.textContent = css;
  document.head.append(style);

  let chat = null;
  const view = createView(cfg, {
    start: () => chat.start(),
    send: (text) => chat.send(text),
    pick: (choice) => chat.pick(choice),
    restart: () => chat.restart(),
  });
  chat = new Chat(cfg, view);
  document.body.append(view.root);
  chat.init();

  raw.open = view.open;
  raw.close = view.close;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
