// The audit search: records by subject (MaHoSo), message, correlation, client, route, step, outcome and time,
// fifty a page from GET /api/v1/admin/audit, each linking to its message's timeline; a search by MaHoSo links to the
// dossier's page (all its messages together).
import { API, api } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { shortId, text } from '../core/format.js';
import { t, tn } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { dossierHref, timelineHref } from '../core/route.js';
import { render } from '../core/shell.js';
import { errorBox, field, reasonText, recordOutcomeBadge, stepLabel, table, textInput, time } from '../core/widgets.js';

const PAGE_SIZE = 50;

const search = {
  criteria: { subject: '', messageId: '', correlationId: '', client: '', route: '', step: '', outcome: '', since: '', until: '', includeAdminReads: false },
  records: [],
  next: null,
  searched: false,
  /** The subject (MaHoSo) of the search on screen, '' when it named none. */
  searchedSubject: '',
  loading: false,
  error: null,
};

function searchQuery(cursor) {
  const c = search.criteria;
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
  if (c.includeAdminReads) query.includeAdminReads = 'true';
  if (cursor) query.cursor = cursor;
  return query;
}

async function runSearch(more) {
  const s = search;
  if (s.loading) return;
  if (!more) {
    s.records = [];
    s.next = null;
    s.searchedSubject = s.criteria.subject.trim().normalize('NFC');
  }
  const section = { id: 'search-results', render: renderSearchResults, view: 'search' };
  const stillHere = await loadSection(s, section, async () => {
    const page = await api('GET', `${API}/audit`, { query: searchQuery(more ? s.next : null) });
    s.records = s.records.concat(Array.isArray(page.records) ? page.records : []);
    s.next = page.next || null;
    s.searched = true;
  });
  if (stillHere) replaceSection(section.id, section.render);
}

function renderSearch() {
  const c = search.criteria;
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
        'label',
        { class: 'check', title: t('search.includeAdminReadsTitle') },
        el('input', { type: 'checkbox', testid: 'search-include-admin-reads', checked: c.includeAdminReads, onChange: (e) => (c.includeAdminReads = e.target.checked) }),
        ' ',
        t('search.includeAdminReads'),
      ),
      el(
        'button',
        {
          type: 'button',
          testid: 'search-reset',
          onClick: () => {
            for (const key of Object.keys(c)) c[key] = key === 'includeAdminReads' ? false : '';
            Object.assign(search, { records: [], next: null, searched: false, searchedSubject: '', error: null });
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
  const s = search;
  const body = [];
  if (s.error) body.push(errorBox(s.error, 'search-error'));
  if (s.searched && s.searchedSubject) {
    body.push(el('p', {}, el('a', { href: dossierHref(s.searchedSubject), testid: 'open-dossier' }, t('search.openDossier', { subject: s.searchedSubject }))));
  }
  if (s.searched || s.records.length > 0) {
    body.push(el('p', { class: 'muted', testid: 'search-count' }, tn(s.next ? 'search.countMore' : 'search.count', s.records.length)));
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
            el('td', {}, stepLabel(r)),
            el('td', {}, recordOutcomeBadge(r)),
            el('td', { class: 'mono' }, text(r.subject)),
            el('td', { class: 'mono nowrap' }, target ? el('a', { href: timelineHref(target), testid: 'open-timeline', title: String(target) }, shortId(target)) : t('common.none')),
            el('td', {}, text(r.client)),
            el('td', { class: 'mono' }, text(r.route)),
            el('td', { class: 'mono' }, text(r.errorCode)),
            el('td', { class: 'reason' }, reasonText(r.errorCode, r.reason)),
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

export const searchView = {
  render: renderSearch,
  /** The same search again, masked or not. */
  reload() {
    if (search.searched) runSearch(false);
  },
  forget() {
    Object.assign(search, { records: [], next: null, searched: false, searchedSubject: '', loading: false, error: null });
    for (const key of Object.keys(search.criteria)) search.criteria[key] = key === 'includeAdminReads' ? false : '';
  },
};
