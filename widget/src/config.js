// Reads window.PrescreenChat, the embedding page's settings. Anything unusable falls back to a
// safe default rather than breaking the page or the widget's accessibility.
import { T } from './strings.js';

const DEFAULT_ACCENT = '#0b5cad';

export function readConfig(raw) {
  if (!raw || typeof raw.serverUrl !== 'string' || !httpUrl(raw.serverUrl)) return null;
  return {
    // No trailing slash: it is part of the storage key and the start of every request URL.
    serverUrl: raw.serverUrl.replace(/\/+$/, ''),
    title: typeof raw.title === 'string' && raw.title.trim() ? raw.title.trim() : T.defaultTitle,
    language: typeof raw.language === 'string' && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(raw.language) ? raw.language : 'en',
    accent: readableAccent(raw.colours && raw.colours.accent),
    // Only http(s) links: the study link is put in an href.
    studyUrl: typeof raw.studyUrl === 'string' && httpUrl(raw.studyUrl) ? raw.studyUrl : null,
    // For sites whose Content-Security-Policy allows styles only with a nonce.
    nonce: typeof raw.nonce === 'string' ? raw.nonce : null,
  };
}

function httpUrl(value) {
  try {
    return /^https?:$/.test(new URL(value, window.location.href).protocol);
  } catch (e) {
    return false;
  }
}

// The accent is the background of white text (launcher, header, the patient's messages), so it
// must keep a 4.5:1 contrast with white (WCAG AA). A lighter brand colour is darkened until it
// does, instead of making the text hard to read.
export function readableAccent(value) {
  const m = typeof value === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m) return DEFAULT_ACCENT;
  let hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  let rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  while (contrastWithWhite(rgb) < 4.5) rgb = rgb.map((c) => Math.floor(c * 0.9));
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

export function contrastWithWhite(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}
