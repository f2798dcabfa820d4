// The conversation kept for this tab only. sessionStorage, not localStorage: health answers must
// not outlive the tab on a shared device. Storage may be unavailable (privacy modes, full quota):
// the chat then still works, it just does not survive a reload.

export function storageKey(serverUrl) {
  return 'prescreen-chat:' + serverUrl;
}

export function fresh() {
  // messages: what the log shows, in order. pending: what still has to reach the server, in
  // order, until the server acknowledges it; each names the shown message by id (the first
  // "hello" is sent but never shown).
  return { session_id: null, token: null, started: false, messages: [], pending: [] };
}

export function load(key) {
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(key));
    if (saved && Array.isArray(saved.messages) && Array.isArray(saved.pending)) return { ...fresh(), ...saved };
  } catch (e) {
    // Unreadable: start fresh.
  }
  return fresh();
}

export function save(key, state) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(state));
  } catch (e) {
    // Not kept across a reload; nothing else to do.
  }
}

export function clear(key) {
  try {
    window.sessionStorage.removeItem(key);
  } catch (e) {
    // Nothing was kept.
  }
}
