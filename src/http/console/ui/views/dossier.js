// A dossier seen whole (#/dossiers/<MaHoSo>): every message of the dossier, its submission and each progress update,
// in acceptance order with its state and its audit records (opened per message), what DVCQG last acknowledged and
// what is still pending, from GET /api/v1/admin/dossiers/{MaHoSo}, followed every 1.5 s while a message is pending.
import { API, ApiError, api, errorMessage } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { shortId, text } from '../core/format.js';
import { t } from '../core/language.js';
import { currentRoute, dossierHref, timelineHref } from '../core/route.js';
import { currentSession } from '../core/session.js';
import { renderTopbar } from '../core/shell.js';
import { errorBox, field, reasonText, recordOutcomeBadge, stateBadge, stepLabel, table, textInput, time } from '../core/widgets.js';

const dossier = { input: '', maHoSo: '', data: null, loading: false, error: null, notFound: false, poll: null, opened: new Set() };

function stopPoll() {
  if (dossier.poll) clearTimeout(dossier.poll);
  dossier.poll = null;
}

async function loadDossier(maHoSo, { quiet = false } = {}) {
  const d = dossier;
  stopPoll();
  if (d.maHoSo !== maHoSo) {
    d.data = null;
    d.input = maHoSo;
    d.opened = new Set();
  }
  d.maHoSo = maHoSo;
  d.error = null;
  d.notFound = false;
  if (!quiet) {
    d.loading = true;
    replaceSection('dossier-result', renderResult);
  }
  try {
    const data = await api('GET', `${API}/dossiers/${encodeURIComponent(maHoSo)}`);
    if (d.maHoSo !== maHoSo) return;
    d.data = data;
  } catch (error) {
    if (d.maHoSo !== maHoSo) return;
    if (error instanceof ApiError && error.status === 404) {
      d.notFound = true;
      d.data = null;
    } else d.error = errorMessage(error);
  } finally {
    if (d.maHoSo === maHoSo) d.loading = false;
  }
  if (!currentSession() || currentRoute().view !== 'dossiers' || d.maHoSo !== maHoSo) return;
  replaceSection('dossier-result', renderResult);
  renderTopbar();
  // A message still on its way to DVCQG: follow the dossier until nothing is pending.
  const pending = d.data && Array.isArray(d.data.pending) ? d.data.pending.length : 0;
  if (pending > 0 && !d.error) d.poll = setTimeout(() => loadDossier(maHoSo, { quiet: true }), 1500);
}

function renderDossier() {
  const d = dossier;
  const form = el(
    'form',
    {
      class: 'card inline-form',
      testid: 'dossier-form',
      onSubmit: (event) => {
        event.preventDefault();
        const maHoSo = d.input.trim().normalize('NFC');
        if (!maHoSo) return;
        if (location.hash === dossierHref(maHoSo)) loadDossier(maHoSo);
        else location.hash = dossierHref(maHoSo);
      },
    },
    field(t('dossier.idLabel'), textInput(d.input, (v) => (d.input = v), { testid: 'dossier-id', name: 'maHoSo', class: 'wide' })),
    el('button', { type: 'submit', class: 'primary', testid: 'dossier-load' }, t('action.load')),
    d.maHoSo ? el('button', { type: 'button', testid: 'dossier-refresh', onClick: () => loadDossier(d.maHoSo) }, t('action.refresh')) : null,
  );
  return el('section', {}, el('h1', {}, t('dossier.heading')), form, renderResult());
}

function messageLink(messageId) {
  return el('a', { href: timelineHref(messageId), class: 'mono', title: messageId }, shortId(messageId));
}

/** What DVCQG holds and what is still on its way. */
function summary(data) {
  const ack = data.lastAcknowledged;
  const pending = Array.isArray(data.pending) ? data.pending : [];
  const row = (key, value) => [el('dt', {}, t(`dossier.field.${key}`)), el('dd', { testid: `dossier-${key}` }, value)];
  return el(
    'div',
    { class: 'card' },
    el(
      'dl',
      { class: 'fields' },
      row('maHoSo', el('span', { class: 'mono' }, text(data.maHoSo))),
      row('messages', text(Array.isArray(data.messages) ? data.messages.length : 0)),
      row('acknowledged', ack ? [messageLink(ack.messageId), ' · ', time(ack.at)] : t('dossier.noneAcknowledged')),
      row('pending', pending.length === 0 ? t('dossier.nonePending') : pending.map((m, i) => [i > 0 ? ', ' : null, messageLink(m.messageId), ' ', stateBadge(m.state, 'pending-state')])),
    ),
  );
}

/** One message's audit records, oldest first. */
function recordsTable(records) {
  return table(
    'dossier-records',
    [t('col.seq'), t('col.at'), t('col.step'), t('col.outcome'), t('col.code'), t('col.reason'), t('col.duration'), t('col.actor')],
    records.map((r) =>
      el(
        'tr',
        { testid: 'dossier-record', 'data-step': r.step, 'data-outcome': r.outcome },
        el('td', { class: 'num mono', title: r.chainId ? String(r.chainId) : null }, text(r.seq)),
        el('td', { class: 'nowrap' }, time(r.at)),
        el('td', {}, stepLabel(r)),
        el('td', {}, recordOutcomeBadge(r)),
        el('td', { class: 'mono' }, text(r.errorCode)),
        el('td', { class: 'reason' }, reasonText(r.errorCode, r.reason)),
        el('td', { class: 'num nowrap' }, r.durationMs === null || r.durationMs === undefined ? t('common.none') : t('common.ms', { ms: Math.round(r.durationMs) })),
        el('td', {}, text(r.actor || r.client)),
      ),
    ),
    t('timeline.noRecords'),
  );
}

function toggle(messageId) {
  if (dossier.opened.has(messageId)) dossier.opened.delete(messageId);
  else dossier.opened.add(messageId);
  replaceSection('dossier-result', renderResult);
}

const COLUMNS = 8;

function messageRows(m, index) {
  const records = Array.isArray(m.records) ? m.records : [];
  const open = dossier.opened.has(m.messageId);
  const row = el(
    'tr',
    { testid: 'dossier-message', 'data-message-id': m.messageId, 'data-kind': m.kind, 'data-state': m.state },
    el('td', { class: 'num' }, String(index + 1)),
    el('td', { testid: 'dossier-kind' }, t(`dossier.kind.${m.kind}`)),
    el('td', {}, stateBadge(m.state, 'dossier-state')),
    el('td', {}, text(m.source)),
    el('td', { class: 'reason' }, m.code ? [el('span', { class: 'mono' }, m.code), ' ', reasonText(m.code, m.reason)] : t('common.none')),
    el('td', { class: 'nowrap' }, time(m.acceptedAt)),
    el('td', { class: 'mono nowrap' }, el('a', { href: timelineHref(m.messageId), testid: 'open-timeline', title: m.messageId }, shortId(m.messageId))),
    el(
      'td',
      {},
      el('button', { type: 'button', testid: 'dossier-toggle-records', 'aria-expanded': open ? 'true' : 'false', onClick: () => toggle(m.messageId) }, t(open ? 'dossier.hideRecords' : 'dossier.showRecords', { count: records.length })),
    ),
  );
  if (!open) return [row];
  return [row, el('tr', { testid: 'dossier-message-records', 'data-message-id': m.messageId }, el('td', { colspan: COLUMNS }, recordsTable(records)))];
}

function renderResult() {
  const d = dossier;
  const body = [];
  if (!d.maHoSo) body.push(el('p', { class: 'muted' }, t('dossier.empty')));
  if (d.loading) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (d.error) body.push(errorBox(d.error, 'dossier-error'));
  if (d.notFound) body.push(el('p', { class: 'error', testid: 'dossier-not-found' }, t('dossier.notFound', { maHoSo: d.maHoSo })));
  const data = d.data;
  if (data) {
    const messages = Array.isArray(data.messages) ? data.messages : [];
    body.push(summary(data));
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('dossier.messages')),
        table(
          'dossier-messages',
          ['#', t('col.type'), t('col.state'), t('col.client'), t('col.reason'), t('timeline.field.acceptedAt'), t('col.message'), t('dossier.records')],
          messages.flatMap(messageRows),
          t('dossier.noMessages'),
        ),
      ),
    );
  }
  return el('div', { id: 'dossier-result', testid: 'dossier' }, body);
}

export const dossierView = {
  render: renderDossier,
  /** Loads the dossier named in the address unless it is the one already shown. */
  enter(maHoSo) {
    if (maHoSo && (maHoSo !== dossier.maHoSo || !dossier.data)) loadDossier(maHoSo);
  },
  leave: stopPoll,
  reload() {
    if (dossier.maHoSo) loadDossier(dossier.maHoSo);
  },
  forget() {
    stopPoll();
    Object.assign(dossier, { input: '', maHoSo: '', data: null, loading: false, error: null, notFound: false, opened: new Set() });
  },
  /** The navigation link goes back to the dossier last shown. */
  navHref() {
    return dossier.maHoSo ? dossierHref(dossier.maHoSo) : '#/dossiers';
  },
};
