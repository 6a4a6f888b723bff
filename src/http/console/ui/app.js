// The LGSP admin console: plain modern JS (ES module, served as is), no framework, no build step.
// Talks only to the admin API of the bus that serves it (contracts/openapi/bus-admin.yaml).
// Every value from the server is put on the page with textContent or as an attribute value: never as markup,
// since audit records carry whatever clients sent (hostile strings included).
import { LANGUAGES, translate } from './i18n.js';

const SESSION_KEY = 'lgsp-admin-session';
const LANG_KEY = 'lgsp-admin-lang';
const API = '/api/v1/admin';
const PAGE_SIZE = 50;
const TERMINAL = new Set(['delivered', 'rejected', 'dead-lettered']);

const state = {
  lang: readLanguage(),
  session: readSession(),
  route: { view: 'search', id: '' },
  /** Ask for personal data unmasked (admins with the right only; each such answer is audited by the bus). */
  showPersonalData: false,
  signIn: { username: '', notice: null, error: null, busy: false },
  search: {
    criteria: { subject: '', messageId: '', correlationId: '', client: '', route: '', step: '', outcome: '', since: '', until: '' },
    records: [],
    next: null,
    searched: false,
    loading: false,
    error: null,
  },
  timeline: { input: '', id: '', data: null, loading: false, error: null, notFound: false, poll: null },
  deadLetters: {
    filter: { route: '', subject: '', code: '', includeReplayed: false },
    items: null,
    selected: new Set(),
    loading: false,
    error: null,
    result: null,
    busy: false,
  },
  waiting: { items: null, loading: false, error: null },
  breakers: { items: null, loading: false, error: null },
  verification: { report: null, loading: false, error: null },
};

// ---------- small helpers ----------

function t(key, values) {
  return translate(state.lang, key, values);
}

function readLanguage() {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch {
    // Storage may be unavailable; Vietnamese is the default.
  }
  return 'vi';
}

function readSession() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw);
    if (!session || typeof session.token !== 'string') return null;
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

function storeSession(session) {
  state.session = session;
  try {
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Without storage the session lives until the tab reloads.
  }
}

/**
 * Builds an element. attrs: class, testid, text, on<Event> handlers, and plain attributes (set with setAttribute,
 * so they are values, never markup). href must be an in-app link. Children: nodes, strings (as text), arrays, null.
 */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'href') {
      const href = String(value);
      if (!href.startsWith('#')) throw new Error('only in-app links');
      node.setAttribute('href', href);
    } else if (key === 'style' || key === 'innerHTML' || key === 'srcdoc') throw new Error(`refused attribute ${key}`);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

function text(value) {
  return value === null || value === undefined || value === '' ? t('common.none') : String(value);
}

/** Day first (dd/mm/yyyy HH:MM:SS, local time) in both languages; the ISO value stays in the title. */
function formatTime(iso) {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function time(iso) {
  return el('time', { datetime: iso || null, title: iso || null }, formatTime(iso));
}

function shortId(id) {
  if (!id) return t('common.none');
  const s = String(id);
  // Time-ordered ids (UUIDv7) share their first digits: the tail tells them apart.
  return s.length > 13 ? `…${s.slice(-8)}` : s;
}

function timelineHref(id) {
  return `#/timeline/${encodeURIComponent(id)}`;
}

function stateBadge(value, testid, kind = 'state') {
  const key = `${kind}.${value}`;
  const label = translate(state.lang, key) === key ? String(value) : t(key);
  return el('span', { class: `badge badge-${kind}-${safeClass(value)}`, testid, 'data-state': value, title: String(value) }, label);
}

function safeClass(value) {
  return String(value).toLowerCase().replace(/[^a-z0-9-]/g, '_');
}

function outcomeBadge(outcome) {
  return stateBadge(outcome, 'record-outcome', 'outcome');
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, { query, body, auth = true } = {}) {
  let url = path;
  if (method === 'GET' && state.showPersonalData && path.startsWith(API)) query = { ...query, personalData: 'show' };
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === null || value === undefined || value === '' || value === false) continue;
      params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth && state.session) headers.authorization = `Bearer ${state.session.token}`;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'NETWORK', t('error.network'));
  }
  const raw = await res.text();
  let data = null;
  try {
    data = raw ? JSON.parse(raw) : null;
  } catch {
    data = null;
  }
  if (res.status === 401 && auth) {
    sessionExpired();
    throw new ApiError(401, 'UNAUTHORIZED', t('signIn.expired'));
  }
  if (!res.ok) {
    const code = data && typeof data.code === 'string' ? data.code : `HTTP_${res.status}`;
    const message = data && typeof data.message === 'string' ? data.message : res.statusText;
    throw new ApiError(res.status, code, message);
  }
  return data;
}

function errorMessage(error) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  if (error.status === 0) return t('error.network');
  if (error.status === 403) return t('error.forbidden');
  return t('error.generic', { status: error.status, code: error.code, message: error.message });
}

/** Forgets everything the last admin saw, so the next one to sign in on this tab starts clean. */
function forgetData() {
  state.showPersonalData = false;
  stopTimelinePoll();
  const s = state.search;
  Object.assign(s, { records: [], next: null, searched: false, loading: false, error: null });
  for (const key of Object.keys(s.criteria)) s.criteria[key] = '';
  Object.assign(state.timeline, { input: '', id: '', data: null, loading: false, error: null, notFound: false });
  Object.assign(state.deadLetters, { items: null, loading: false, error: null, result: null, busy: false });
  state.deadLetters.selected.clear();
  Object.assign(state.breakers, { items: null, loading: false, error: null });
  Object.assign(state.verification, { report: null, loading: false, error: null });
}

function sessionExpired() {
  forgetData();
  storeSession(null);
  state.signIn.notice = 'signIn.expired';
  state.signIn.error = null;
  render();
}

// ---------- routing ----------

const VIEWS = ['search', 'timeline', 'waiting', 'dead-letters', 'breakers', 'verification'];

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, ...rest] = hash.split('/');
  if (!VIEWS.includes(view)) return { view: 'search', id: '' };
  let id = '';
  try {
    id = rest.length > 0 ? decodeURIComponent(rest.join('/')) : '';
  } catch {
    id = '';
  }
  return { view, id };
}

function onRoute() {
  state.route = parseHash();
  if (!state.session) return render();
  enterView();
  render();
}

function enterView() {
  const { view, id } = state.route;
  if (view !== 'timeline') stopTimelinePoll();
  if (view === 'timeline' && id && (id !== state.timeline.id || !state.timeline.data)) loadTimeline(id);
  if (view === 'dead-letters' && !state.deadLetters.loading) loadDeadLetters();
  if (view === 'waiting') loadWaiting();
  if (view === 'breakers') loadBreakers();
  if (view === 'verification') loadVerification();
}

/** Loads what is on screen again, masked or not. */
function togglePersonalData(show) {
  state.showPersonalData = show;
  if (state.route.view === 'search' && state.search.searched) runSearch(false);
  if (state.route.view === 'timeline' && state.timeline.id) loadTimeline(state.timeline.id);
  if (state.route.view === 'dead-letters') loadDeadLetters();
  if (state.route.view === 'waiting') loadWaiting();
  render();
}

// ---------- rendering ----------

function render() {
  document.documentElement.lang = state.lang;
  document.title = t('app.title');
  renderTopbar();
  const main = document.getElementById('main');
  if (!state.session) {
    main.replaceChildren(renderSignIn());
    const first = main.querySelector('input');
    if (first) first.focus();
    return;
  }
  const view = state.route.view;
  const node =
    view === 'timeline' ? renderTimeline()
      : view === 'waiting' ? renderWaiting()
      : view === 'dead-letters' ? renderDeadLetters()
        : view === 'breakers' ? renderBreakers()
          : view === 'verification' ? renderVerification()
            : renderSearch();
  main.replaceChildren(node);
}

/** Replaces one section of the current view (keeps form inputs and their focus). */
function replaceSection(id, build) {
  const current = document.getElementById(id);
  if (current) current.replaceWith(build());
}

function renderTopbar() {
  document.getElementById('brand').textContent = t('app.short');
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const signOut = document.getElementById('sign-out');
  const lang = document.getElementById('lang-toggle');
  lang.textContent = t('lang.switch');
  lang.title = t('lang.switchTitle');
  if (!state.session) {
    nav.hidden = true;
    nav.replaceChildren();
    who.textContent = '';
    signOut.hidden = true;
    return;
  }
  const items = [
    ['search', 'nav.search', '#/search'],
    ['timeline', 'nav.timeline', state.timeline.id ? timelineHref(state.timeline.id) : '#/timeline'],
    ['waiting', 'nav.waiting', '#/waiting'],
    ['dead-letters', 'nav.deadLetters', '#/dead-letters'],
    ['breakers', 'nav.breakers', '#/breakers'],
    ['verification', 'nav.verification', '#/verification'],
  ];
  nav.replaceChildren(
    ...items.map(([view, key, href]) =>
      el('a', { href, testid: `nav-${view}`, class: state.route.view === view ? 'active' : null, 'aria-current': state.route.view === view ? 'page' : null }, t(key)),
    ),
  );
  nav.hidden = false;
  who.replaceChildren(
    t('nav.signedInAs', { username: state.session.username || '' }),
    ' ',
    state.session.canViewPersonalData
      ? el(
          'label',
          { class: 'muted', title: t('nav.showPersonalDataTitle') },
          el('input', { type: 'checkbox', testid: 'toggle-personal-data', checked: state.showPersonalData, onchange: (e) => togglePersonalData(e.target.checked) }),
          ' ',
          t('nav.showPersonalData'),
        )
      : el('span', { class: 'muted' }, `(${t('nav.personalDataMasked')})`),
  );
  signOut.textContent = t('nav.signOut');
  signOut.hidden = false;
}

function field(label, input, hint) {
  return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input, hint ? el('span', { class: 'field-hint' }, hint) : null);
}

function textInput(value, onInput, attrs = {}) {
  return el('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false', onInput: (e) => onInput(e.target.value), ...attrs });
}

function errorBox(message, testid = 'error') {
  return message ? el('p', { class: 'error', role: 'alert', testid }, message) : null;
}

function table(testid, headers, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty', testid: `${testid}-empty` }, emptyText);
  return el(
    'div',
    { class: 'table-wrap' },
    el('table', { testid }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)),
  );
}

// ---------- sign-in ----------

function renderSignIn() {
  const s = state.signIn;
  let password = '';
  const form = el(
    'form',
    {
      class: 'card sign-in',
      testid: 'signin-form',
      onSubmit: async (event) => {
        event.preventDefault();
        if (s.busy) return;
        s.busy = true;
        s.error = null;
        s.notice = null;
        render();
        try {
          const session = await api('POST', `${API}/session`, { body: { username: s.username.normalize('NFC'), password }, auth: false });
          storeSession(session);
          s.busy = false;
          onRoute();
        } catch (error) {
          s.busy = false;
          s.error = error instanceof ApiError && (error.status === 401 || error.status === 400) ? t('signIn.failed') : errorMessage(error);
          render();
        }
      },
    },
    el('h1', {}, t('signIn.heading')),
    s.notice ? el('p', { class: 'notice', testid: 'signin-notice' }, t(s.notice)) : null,
    errorBox(s.error, 'signin-error'),
    field(t('signIn.username'), textInput(s.username, (v) => (s.username = v), { testid: 'signin-username', name: 'username', autocomplete: 'username', required: true, maxlength: 100 })),
    field(
      t('signIn.password'),
      el('input', { type: 'password', testid: 'signin-password', name: 'password', autocomplete: 'current-password', required: true, maxlength: 200, onInput: (e) => (password = e.target.value) }),
    ),
    el('button', { type: 'submit', class: 'primary', testid: 'signin-submit', disabled: s.busy }, s.busy ? t('signIn.busy') : t('signIn.submit')),
  );
  return el('section', { class: 'sign-in-page' }, form);
}

// ---------- search ----------

function searchQuery(cursor) {
  const c = state.search.criteria;
  const query = { limit: PAGE_SIZE };
  for (const key of ['subject', 'messageId', 'correlationId', 'client', 'route', 'step', 'outcome']) {
    const value = c[key].trim().normalize('NFC');
    if (value) query[key] = value;
  }
  for (const key of ['since', 'until']) {
    if (!c[key]) continue;
    const date = new Date(c[key]); // datetime-local is the browser's local time
    if (!Number.isNaN(date.getTime())) query[key] = date.toISOString();
  }
  if (cursor) query.cursor = cursor;
  return query;
}

async function runSearch(more) {
  const s = state.search;
  if (s.loading) return;
  s.loading = true;
  s.error = null;
  if (!more) {
    s.records = [];
    s.next = null;
  }
  replaceSection('search-results', renderSearchResults);
  try {
    const page = await api('GET', `${API}/audit`, { query: searchQuery(more ? s.next : null) });
    s.records = s.records.concat(Array.isArray(page.records) ? page.records : []);
    s.next = page.next || null;
    s.searched = true;
  } catch (error) {
    s.error = errorMessage(error);
  } finally {
    s.loading = false;
  }
  if (state.session && state.route.view === 'search') replaceSection('search-results', renderSearchResults);
}

function renderSearch() {
  const c = state.search.criteria;
  const input = (key, label) =>
    field(label, textInput(c[key], (v) => (c[key] = v), { testid: `search-${key}`, name: key, placeholder: key === 'subject' ? t('search.subjectHint') : null }));
  const outcome = el(
    'select',
    { testid: 'search-outcome', name: 'outcome', onChange: (e) => (c.outcome = e.target.value) },
    ['', 'ok', 'rejected', 'error'].map((value) =>
      el('option', { value, selected: c.outcome === value }, value ? t(`outcome.${value}`) : t('search.outcomeAny')),
    ),
  );
  const dateInput = (key) => el('input', { type: 'datetime-local', step: 1, value: c[key], testid: `search-${key}`, name: key, onInput: (e) => (c[key] = e.target.value) });
  const form = el(
    'form',
    {
      class: 'card search-form',
      testid: 'search-form',
      onSubmit: (event) => {
        event.preventDefault();
        runSearch(false);
      },
    },
    el(
      'div',
      { class: 'grid' },
      input('subject', t('search.subject')),
      input('messageId', t('search.messageId')),
      input('correlationId', t('search.correlationId')),
      input('client', t('search.client')),
      input('route', t('search.route')),
      input('step', t('search.step')),
      field(t('search.outcome'), outcome),
      field(t('search.since'), dateInput('since')),
      field(t('search.until'), dateInput('until')),
    ),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', testid: 'search-submit' }, t('search.submit')),
      el(
        'button',
        {
          type: 'button',
          testid: 'search-reset',
          onClick: () => {
            for (const key of Object.keys(c)) c[key] = '';
            Object.assign(state.search, { records: [], next: null, searched: false, error: null });
            render();
          },
        },
        t('search.reset'),
      ),
    ),
  );
  return el('section', {}, el('h1', {}, t('search.heading')), form, renderSearchResults());
}

function renderSearchResults() {
  const s = state.search;
  const body = [];
  if (s.error) body.push(errorBox(s.error, 'search-error'));
  if (s.searched || s.records.length > 0) {
    body.push(el('p', { class: 'muted', testid: 'search-count' }, t(s.next ? 'search.countMore' : 'search.count', { count: s.records.length })));
    body.push(
      table(
        'search-results',
        [t('col.at'), t('col.step'), t('col.outcome'), t('col.subject'), t('col.message'), t('col.client'), t('col.route'), t('col.code'), t('col.reason'), t('col.duration')],
        s.records.map((r) => {
          const target = r.messageId || r.correlationId;
          return el(
            'tr',
            { testid: 'search-row', 'data-message-id': r.messageId || null, 'data-subject': r.subject || null },
            el('td', { class: 'nowrap' }, time(r.at)),
            el('td', { class: 'mono' }, text(r.step)),
            el('td', {}, outcomeBadge(r.outcome)),
            el('td', { class: 'mono' }, text(r.subject)),
            el('td', { class: 'mono nowrap' }, target ? el('a', { href: timelineHref(target), testid: 'open-timeline', title: String(target) }, shortId(target)) : t('common.none')),
            el('td', {}, text(r.client)),
            el('td', { class: 'mono' }, text(r.route)),
            el('td', { class: 'mono' }, text(r.errorCode)),
            el('td', { class: 'reason' }, text(r.reason)),
            el('td', { class: 'num nowrap' }, r.durationMs === null || r.durationMs === undefined ? t('common.none') : t('common.ms', { ms: Math.round(r.durationMs) })),
          );
        }),
        t('search.none'),
      ),
    );
    if (s.next) body.push(el('div', { class: 'actions' }, el('button', { type: 'button', testid: 'search-more', disabled: s.loading, onClick: () => runSearch(true) }, t('search.more'))));
  }
  if (s.loading) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  return el('div', { id: 'search-results', testid: 'search-results-section' }, body);
}

// ---------- timeline ----------

function stopTimelinePoll() {
  if (state.timeline.poll) clearTimeout(state.timeline.poll);
  state.timeline.poll = null;
}

async function loadTimeline(id, { quiet = false } = {}) {
  const tl = state.timeline;
  stopTimelinePoll();
  if (tl.id !== id) {
    tl.data = null;
    tl.input = id;
  }
  tl.id = id;
  tl.error = null;
  tl.notFound = false;
  if (!quiet) {
    tl.loading = true;
    replaceSection('timeline-result', renderTimelineResult);
  }
  try {
    const data = await api('GET', `${API}/messages/${encodeURIComponent(id)}/timeline`);
    if (tl.id !== id) return;
    tl.data = data;
  } catch (error) {
    if (tl.id !== id) return;
    if (error instanceof ApiError && error.status === 404) {
      tl.notFound = true;
      tl.data = null;
    } else tl.error = errorMessage(error);
  } finally {
    if (tl.id === id) tl.loading = false;
  }
  if (!state.session || state.route.view !== 'timeline' || tl.id !== id) return;
  replaceSection('timeline-result', renderTimelineResult);
  renderTopbar();
  // A message still on its way: follow it until it settles.
  const current = tl.data && tl.data.message ? tl.data.message.state : null;
  const parts = tl.data && Array.isArray(tl.data.parts) ? tl.data.parts : [];
  const moving = (current && !TERMINAL.has(current)) || parts.some((p) => !TERMINAL.has(p.state));
  if (moving && !tl.error) tl.poll = setTimeout(() => loadTimeline(id, { quiet: true }), 1500);
}

function renderTimeline() {
  const tl = state.timeline;
  const form = el(
    'form',
    {
      class: 'card inline-form',
      testid: 'timeline-form',
      onSubmit: (event) => {
        event.preventDefault();
        const id = tl.input.trim();
        if (!id) return;
        if (location.hash === timelineHref(id)) loadTimeline(id);
        else location.hash = timelineHref(id);
      },
    },
    field(t('timeline.idLabel'), textInput(tl.input, (v) => (tl.input = v), { testid: 'timeline-id', name: 'id', class: 'wide' })),
    el('button', { type: 'submit', class: 'primary', testid: 'timeline-load' }, t('action.load')),
    tl.id ? el('button', { type: 'button', testid: 'timeline-refresh', onClick: () => loadTimeline(tl.id) }, t('action.refresh')) : null,
  );
  return el('section', {}, el('h1', {}, t('timeline.heading')), form, renderTimelineResult());
}

function statusFields(m) {
  const row = (key, value) => [el('dt', {}, t(`timeline.field.${key}`)), el('dd', { testid: `timeline-${key}` }, value)];
  return el(
    'dl',
    { class: 'fields' },
    row('messageId', el('span', { class: 'mono' }, text(m.messageId))),
    row('correlationId', m.correlationId ? el('a', { href: timelineHref(m.correlationId), class: 'mono' }, m.correlationId) : t('common.none')),
    row('causationId', el('span', { class: 'mono' }, text(m.causationId))),
    row('type', el('span', { class: 'mono' }, text(m.type))),
    row('subject', el('span', { class: 'mono' }, text(m.subject))),
    row('source', text(m.source)),
    row('destination', text(m.destination)),
    row('route', el('span', { class: 'mono' }, text(m.route))),
    row('attempts', text(m.attempts)),
    row('code', el('span', { class: 'mono' }, text(m.code))),
    row('reason', text(m.reason)),
    row('acceptedAt', time(m.acceptedAt)),
    row('updatedAt', time(m.updatedAt)),
  );
}

function renderTimelineResult() {
  const tl = state.timeline;
  const body = [];
  if (!tl.id) body.push(el('p', { class: 'muted' }, t('timeline.empty')));
  if (tl.loading) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (tl.error) body.push(errorBox(tl.error, 'timeline-error'));
  if (tl.notFound) body.push(el('p', { class: 'error', testid: 'timeline-not-found' }, t('timeline.notFound', { id: tl.id })));
  const data = tl.data;
  if (data) {
    const m = data.message;
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('timeline.status'), ' ', m ? stateBadge(m.state, 'timeline-state') : null),
        m ? statusFields(m) : el('p', { class: 'muted', testid: 'timeline-no-status' }, t('timeline.noStatus')),
      ),
    );
    const parts = Array.isArray(data.parts) ? data.parts : [];
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('timeline.parts')),
        table(
          'timeline-parts',
          [t('col.destination'), t('col.route'), t('col.state'), t('col.attempts'), t('col.code'), t('col.reason'), t('col.message'), t('timeline.field.updatedAt')],
          parts.map((p) =>
            el(
              'tr',
              { testid: 'timeline-part', 'data-state': p.state },
              el('td', {}, text(p.destination)),
              el('td', { class: 'mono' }, text(p.route)),
              el('td', {}, stateBadge(p.state, 'part-state')),
              el('td', { class: 'num' }, text(p.attempts)),
              el('td', { class: 'mono' }, text(p.code)),
              el('td', { class: 'reason' }, text(p.reason)),
              el('td', { class: 'mono nowrap' }, p.messageId ? el('a', { href: timelineHref(p.messageId), title: p.messageId }, shortId(p.messageId)) : t('common.none')),
              el('td', { class: 'nowrap' }, time(p.updatedAt)),
            ),
          ),
          t('timeline.noParts'),
        ),
      ),
    );
    const records = Array.isArray(data.records) ? data.records : [];
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('timeline.records')),
        table(
          'timeline-records',
          [t('col.seq'), t('col.at'), t('col.step'), t('col.outcome'), t('col.code'), t('col.reason'), t('col.duration'), t('col.route'), t('col.actor')],
          records.map((r) =>
            el(
              'tr',
              { testid: 'timeline-record', 'data-step': r.step, 'data-outcome': r.outcome },
              el('td', { class: 'num mono', title: r.chainId ? String(r.chainId) : null }, text(r.seq)),
              el('td', { class: 'nowrap' }, time(r.at)),
              el('td', { class: 'mono' }, text(r.step)),
              el('td', {}, outcomeBadge(r.outcome)),
              el('td', { class: 'mono' }, text(r.errorCode)),
              el('td', { class: 'reason' }, text(r.reason)),
              el('td', { class: 'num nowrap' }, r.durationMs === null || r.durationMs === undefined ? t('common.none') : t('common.ms', { ms: Math.round(r.durationMs) })),
              el('td', { class: 'mono' }, text(r.route)),
              el('td', {}, text(r.actor || r.client)),
            ),
          ),
          t('timeline.noRecords'),
        ),
      ),
    );
  }
  return el('div', { id: 'timeline-result', testid: 'timeline' }, body);
}

// ---------- dead letters ----------

async function loadDeadLetters() {
  const d = state.deadLetters;
  d.loading = true;
  d.error = null;
  replaceSection('dl-list', renderDeadLetterList);
  try {
    const f = d.filter;
    const list = await api('GET', `${API}/dead-letters`, {
      query: { route: f.route.trim(), subject: f.subject.trim().normalize('NFC'), code: f.code.trim(), includeReplayed: f.includeReplayed ? 'true' : '' },
    });
    d.items = Array.isArray(list.items) ? list.items : [];
    const ids = new Set(d.items.map((l) => l.id));
    for (const id of [...d.selected]) if (!ids.has(id)) d.selected.delete(id);
  } catch (error) {
    d.error = errorMessage(error);
  } finally {
    d.loading = false;
  }
  if (state.session && state.route.view === 'dead-letters') {
    replaceSection('dl-list', renderDeadLetterList);
    replaceSection('dl-toolbar', renderDeadLetterToolbar);
  }
}

async function replay(ids) {
  const d = state.deadLetters;
  if (d.busy || ids.length === 0) return;
  d.busy = true;
  d.error = null;
  const started = Date.now();
  replaceSection('dl-toolbar', renderDeadLetterToolbar);
  try {
    const result = await api('POST', `${API}/dead-letters/replay`, { body: { ids } });
    const replayed = Array.isArray(result.replayed) ? result.replayed : [];
    d.result = { started, items: replayed.map((r) => ({ ...r, state: null, code: null })) };
    for (const id of ids) d.selected.delete(id);
    followReplayed(d.result);
  } catch (error) {
    d.error = errorMessage(error);
  } finally {
    d.busy = false;
  }
  if (state.session && state.route.view === 'dead-letters') {
    replaceSection('dl-result', renderReplayResult);
    await loadDeadLetters();
  }
}

/** Polls each replayed message until it settles again (or a minute passes), so the admin sees it delivered. */
async function followReplayed(result) {
  const deadline = result.started + 60_000;
  for (;;) {
    const open = result.items.filter((item) => !item.settled);
    if (open.length === 0 || Date.now() > deadline || state.deadLetters.result !== result || !state.session) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const item of open) {
      try {
        const timeline = await api('GET', `${API}/messages/${encodeURIComponent(item.messageId)}/timeline`);
        const m = timeline && timeline.message;
        if (!m) continue;
        item.state = m.state;
        item.code = m.code;
        // Still dead-lettered from before the replay is not settled; dead-lettered again after it is.
        const updated = Date.parse(m.updatedAt);
        item.settled = m.state === 'delivered' || m.state === 'rejected' || (m.state === 'dead-lettered' && updated >= result.started);
      } catch {
        // Shown as waiting; a 401 has already sent the admin to sign-in.
      }
    }
    if (state.route.view === 'dead-letters' && state.deadLetters.result === result) replaceSection('dl-result', renderReplayResult);
  }
}

function renderDeadLetters() {
  const d = state.deadLetters;
  const f = d.filter;
  const form = el(
    'form',
    {
      class: 'card inline-form',
      testid: 'dl-filter',
      onSubmit: (event) => {
        event.preventDefault();
        loadDeadLetters();
      },
    },
    field(t('col.route'), textInput(f.route, (v) => (f.route = v), { testid: 'dl-filter-route' })),
    field(t('col.subject'), textInput(f.subject, (v) => (f.subject = v), { testid: 'dl-filter-subject' })),
    field(t('col.code'), textInput(f.code, (v) => (f.code = v), { testid: 'dl-filter-code' })),
    el(
      'label',
      { class: 'check' },
      el('input', { type: 'checkbox', checked: f.includeReplayed, testid: 'dl-include-replayed', onChange: (e) => (f.includeReplayed = e.target.checked) }),
      ' ',
      t('dl.includeReplayed'),
    ),
    el('button', { type: 'submit', class: 'primary', testid: 'dl-refresh' }, t('dl.filter')),
  );
  return el('section', {}, el('h1', {}, t('dl.heading')), form, renderReplayResult(), renderDeadLetterToolbar(), renderDeadLetterList());
}

function renderDeadLetterToolbar() {
  const d = state.deadLetters;
  return el(
    'div',
    { id: 'dl-toolbar', class: 'actions' },
    el(
      'button',
      { type: 'button', class: 'primary', testid: 'dl-replay-selected', disabled: d.busy || d.selected.size === 0, onClick: () => replay([...d.selected]) },
      t('action.replaySelected', { count: d.selected.size }),
    ),
    errorBox(d.error, 'dl-error'),
  );
}

function renderReplayResult() {
  const result = state.deadLetters.result;
  if (!result) return el('div', { id: 'dl-result' });
  if (result.items.length === 0) return el('div', { id: 'dl-result', class: 'card notice', testid: 'dl-result' }, t('dl.replayedNone'));
  return el(
    'div',
    { id: 'dl-result', class: 'card notice', testid: 'dl-result' },
    el('p', {}, t('dl.replayed', { count: result.items.length })),
    el(
      'ul',
      { class: 'plain' },
      result.items.map((item) =>
        el(
          'li',
          { testid: 'dl-result-item', 'data-message-id': item.messageId },
          el('a', { href: timelineHref(item.messageId), class: 'mono', title: item.messageId }, item.messageId),
          ' → ',
          el('span', { class: 'mono' }, item.route),
          ' ',
          item.state ? stateBadge(item.state, 'dl-result-state') : el('span', { class: 'muted', testid: 'dl-result-state', 'data-state': '' }, t('dl.waiting')),
          item.code ? el('span', { class: 'mono' }, ` ${item.code}`) : null,
        ),
      ),
    ),
  );
}

function renderDeadLetterList() {
  const d = state.deadLetters;
  const body = [];
  if (d.loading && !d.items) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (d.items) {
    const selectable = d.items.filter((l) => !l.replayedAt);
    const allSelected = selectable.length > 0 && selectable.every((l) => d.selected.has(l.id));
    const toggleAll = el('input', {
      type: 'checkbox',
      testid: 'dl-select-all',
      title: t('action.selectAll'),
      'aria-label': t('action.selectAll'),
      checked: allSelected,
      disabled: selectable.length === 0,
      onChange: (e) => {
        for (const l of selectable) {
          if (e.target.checked) d.selected.add(l.id);
          else d.selected.delete(l.id);
        }
        replaceSection('dl-list', renderDeadLetterList);
        replaceSection('dl-toolbar', renderDeadLetterToolbar);
      },
    });
    if (d.items.length > 0) body.push(el('p', { class: 'muted', testid: 'dl-count' }, t('dl.count', { count: d.items.length })));
    body.push(
      table(
        'dl-table',
        [toggleAll, t('col.deadAt'), t('col.subject'), t('col.routeType'), t('col.code'), t('col.reason'), t('col.attempts'), t('col.replayedAt'), t('col.actions')],
        d.items.map((l) => {
          const history = Array.isArray(l.history) ? l.history : [];
          return el(
            'tr',
            { testid: 'dl-row', 'data-id': l.id, 'data-message-id': l.messageId, 'data-subject': l.subject || null, class: l.replayedAt ? 'replayed' : null },
            el(
              'td',
              {},
              el('input', {
                type: 'checkbox',
                testid: 'dl-select',
                'aria-label': t('col.select'),
                checked: d.selected.has(l.id),
                disabled: Boolean(l.replayedAt),
                onChange: (e) => {
                  if (e.target.checked) d.selected.add(l.id);
                  else d.selected.delete(l.id);
                  replaceSection('dl-toolbar', renderDeadLetterToolbar);
                },
              }),
            ),
            el('td', { class: 'nowrap' }, time(l.deadAt)),
            el('td', { class: 'mono' }, text(l.subject)),
            el('td', { class: 'mono' }, text(l.route), el('span', { class: 'sub' }, text(l.type))),
            el('td', { class: 'mono' }, text(l.code)),
            el(
              'td',
              { class: 'reason' },
              text(l.reason),
              history.length === 0
                ? null
                : el(
                  'details',
                  {},
                  el('summary', {}, t('col.history')),
                  el(
                    'ol',
                    { class: 'history' },
                    history.map((h) => el('li', {}, t('dl.historyItem', { attempt: h.attempt, at: formatTime(h.at), code: text(h.code), reason: text(h.reason) }))),
                  ),
                ),
            ),
            el('td', { class: 'num' }, String(history.length)),
            el('td', { class: 'nowrap' }, l.replayedAt ? time(l.replayedAt) : t('common.none')),
            el(
              'td',
              { class: 'nowrap' },
              el(
                'div',
                { class: 'stack' },
                el('button', { type: 'button', class: 'small', testid: 'dl-replay', disabled: d.busy || Boolean(l.replayedAt), onClick: () => replay([l.id]) }, t('action.replay')),
                el('a', { href: timelineHref(l.messageId), testid: 'dl-open-timeline' }, t('action.timeline')),
              ),
            ),
          );
        }),
        t('dl.none'),
      ),
    );
  }
  return el('div', { id: 'dl-list' }, body);
}

// ---------- waiting messages ----------

/** A waiting message this close to its maximum age is shown as about to be dead-lettered. */
const DEAD_LETTER_SOON_MS = 24 * 3600_000;

async function loadWaiting() {
  const w = state.waiting;
  w.loading = true;
  w.error = null;
  replaceSection('waiting-list', renderWaitingList);
  try {
    const list = await api('GET', `${API}/waiting`);
    w.items = Array.isArray(list.items) ? list.items : [];
  } catch (error) {
    w.error = errorMessage(error);
  } finally {
    w.loading = false;
  }
  if (state.session && state.route.view === 'waiting') replaceSection('waiting-list', renderWaitingList);
}

function renderWaiting() {
  return el(
    'section',
    {},
    el('h1', {}, t('waiting.heading')),
    el('p', { class: 'muted' }, t('waiting.explain')),
    el('div', { class: 'actions' }, el('button', { type: 'button', testid: 'waiting-refresh', onClick: () => loadWaiting() }, t('action.refresh'))),
    renderWaitingList(),
  );
}

function renderWaitingList() {
  const w = state.waiting;
  const body = [errorBox(w.error, 'waiting-error')];
  if (w.loading && !w.items) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (w.items) {
    const soon = w.items.filter((m) => Date.parse(m.deadLetterAt) - Date.now() < DEAD_LETTER_SOON_MS).length;
    if (w.items.length > 0) body.push(el('p', { class: soon > 0 ? 'warning' : 'muted', testid: 'waiting-count' }, t(soon > 0 ? 'waiting.countSoon' : 'waiting.count', { count: w.items.length, soon })));
    body.push(
      table(
        'waiting-table',
        [t('col.failingSince'), t('col.subject'), t('col.routeType'), t('col.code'), t('col.reason'), t('col.attempts'), t('col.deadLetterAt'), t('col.actions')],
        w.items.map((m) => {
          const dueSoon = Date.parse(m.deadLetterAt) - Date.now() < DEAD_LETTER_SOON_MS;
          return el(
            'tr',
            { testid: 'waiting-row', 'data-message-id': m.messageId, 'data-due-soon': dueSoon ? 'true' : 'false' },
            el('td', { class: 'nowrap' }, time(m.failingSince)),
            el('td', { class: 'mono' }, text(m.subject)),
            el('td', { class: 'mono' }, text(m.route), el('span', { class: 'sub' }, text(m.type))),
            el('td', { class: 'mono' }, text(m.code)),
            el('td', { class: 'reason' }, text(m.reason)),
            el('td', { class: 'num' }, t('waiting.attempts', { attempts: m.attempts, max: m.maxAttempts })),
            el('td', { class: dueSoon ? 'nowrap warning' : 'nowrap', testid: 'waiting-dead-letter-at' }, time(m.deadLetterAt)),
            el('td', { class: 'nowrap' }, el('a', { href: timelineHref(m.messageId), testid: 'waiting-open-timeline' }, t('action.timeline'))),
          );
        }),
        t('waiting.none'),
      ),
    );
  }
  return el('div', { id: 'waiting-list' }, body);
}

// ---------- breakers ----------

async function loadBreakers() {
  const b = state.breakers;
  b.loading = true;
  b.error = null;
  replaceSection('breakers-list', renderBreakerList);
  try {
    const list = await api('GET', `${API}/breakers`);
    b.items = Array.isArray(list.items) ? list.items : [];
  } catch (error) {
    b.error = errorMessage(error);
  } finally {
    b.loading = false;
  }
  if (state.session && state.route.view === 'breakers') replaceSection('breakers-list', renderBreakerList);
}

function renderBreakers() {
  return el(
    'section',
    {},
    el('h1', {}, t('breakers.heading')),
    el('p', { class: 'muted' }, t('breakers.explain')),
    el('div', { class: 'actions' }, el('button', { type: 'button', testid: 'breakers-refresh', onClick: () => loadBreakers() }, t('action.refresh'))),
    renderBreakerList(),
  );
}

function renderBreakerList() {
  const b = state.breakers;
  const body = [errorBox(b.error, 'breakers-error')];
  if (b.loading && !b.items) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (b.items) {
    body.push(
      table(
        'breakers-table',
        [t('col.upstream'), t('col.state')],
        b.items.map((item) =>
          el('tr', { testid: 'breaker-row', 'data-upstream': item.upstream, 'data-state': item.state }, el('td', { class: 'mono' }, text(item.upstream)), el('td', {}, stateBadge(item.state, 'breaker-state', 'breaker'))),
        ),
        t('breakers.none'),
      ),
    );
  }
  return el('div', { id: 'breakers-list', class: 'narrow' }, body);
}

// ---------- verification ----------

async function loadVerification() {
  const v = state.verification;
  if (v.loading) return;
  v.loading = true;
  v.error = null;
  replaceSection('verify-report', renderVerificationReport);
  replaceSection('verify-actions', renderVerificationActions);
  try {
    v.report = await api('GET', `${API}/verification`);
  } catch (error) {
    v.error = errorMessage(error);
  } finally {
    v.loading = false;
  }
  if (state.session && state.route.view === 'verification') {
    replaceSection('verify-report', renderVerificationReport);
    replaceSection('verify-actions', renderVerificationActions);
  }
}

function renderVerification() {
  return el('section', {}, el('h1', {}, t('verify.heading')), renderVerificationActions(), renderVerificationReport());
}

function renderVerificationActions() {
  const v = state.verification;
  return el(
    'div',
    { id: 'verify-actions', class: 'actions' },
    el('button', { type: 'button', class: 'primary', testid: 'verify-run', disabled: v.loading, onClick: () => loadVerification() }, v.loading ? t('verify.running') : t('verify.run')),
  );
}

/** A chain's end: sealed (its bus was gone), signed to its last record, or an unsigned tail that could be cut off. */
function chainEnd(c) {
  if (c.seal) return t('verify.sealed', { seq: c.seal.seq, at: formatTime(c.seal.at) });
  if (c.unsignedTail > 0) return t('verify.unsignedTail', { count: c.unsignedTail });
  return t('verify.signedToEnd');
}

function renderVerificationReport() {
  const v = state.verification;
  const body = [errorBox(v.error, 'verify-error')];
  const r = v.report;
  if (r) {
    const failure = r.failure;
    const summary = r.ok && !failure
      ? t('verify.ok', { seq: r.verifiedThroughSeq, at: formatTime(r.checkedAt) })
      : t('verify.failed', { chain: text(failure && failure.chainId), seq: text(failure && failure.seq), reason: text(failure && failure.reason) });
    body.push(el('p', { class: `verify-summary ${r.ok && !failure ? 'ok' : 'failed'}`, testid: 'verify-result', 'data-ok': String(Boolean(r.ok && !failure)) }, summary));
    if (!(r.ok && !failure)) body.push(el('p', { class: 'muted' }, t('verify.checkedAt', { at: formatTime(r.checkedAt) })));
    const chains = Array.isArray(r.chains) ? r.chains : [];
    body.push(
      el(
        'div',
        { class: 'card narrow' },
        el('h2', {}, t('verify.chains')),
        table(
          'verify-chains',
          [t('col.chain'), t('col.lastSeq'), t('col.signedThrough'), t('col.chainEnd')],
          chains.map((c) =>
            el(
              'tr',
              { testid: 'verify-chain', class: failure && failure.chainId === c.chainId ? 'failed' : null },
              el('td', { class: 'mono' }, text(c.chainId)),
              el('td', { class: 'num' }, text(c.lastSeq)),
              el('td', { class: 'num' }, text(c.signedThrough)),
              el('td', { testid: 'verify-chain-end', class: c.unsignedTail > 0 ? 'warn' : null }, chainEnd(c)),
            ),
          ),
          t('common.none'),
        ),
      ),
    );
  }
  return el('div', { id: 'verify-report' }, body);
}

// ---------- start ----------

function start() {
  document.getElementById('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'vi' ? 'en' : 'vi';
    try {
      localStorage.setItem(LANG_KEY, state.lang);
    } catch {
      // Language then lasts until reload.
    }
    render();
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    // The bus revokes the session for its remaining lifetime; signed out here even when that call fails.
    await api('DELETE', `${API}/session`).catch(() => undefined);
    forgetData();
    storeSession(null);
    state.signIn.notice = 'signIn.signedOut';
    state.signIn.error = null;
    render();
  });
  window.addEventListener('hashchange', onRoute);
  onRoute();
}

start();
