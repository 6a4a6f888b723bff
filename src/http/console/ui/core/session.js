// The admin's session on this tab: the token from POST /api/v1/admin/session, kept in sessionStorage until it expires
// or the admin signs out, and whether the admin asked to see personal data unmasked.
const SESSION_KEY = 'lgsp-admin-session';

let session = readSession();
/** Ask for personal data unmasked (admins with the right only; each such answer is audited by the bus). */
let showPersonalData = false;

function readSession() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const stored = JSON.parse(raw);
    if (!stored || typeof stored.token !== 'string') return null;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return stored;
  } catch {
    return null;
  }
}

/** { token, username, canViewPersonalData, expiresAt } or null when signed out. */
export function currentSession() {
  return session;
}

/** Keeps the session for this tab; null forgets it. */
export function storeSession(next) {
  session = next;
  try {
    if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Without storage the session lives until the tab reloads.
  }
}

export function showsPersonalData() {
  return showPersonalData;
}

export function setShowPersonalData(show) {
  showPersonalData = show;
}
