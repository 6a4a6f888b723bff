// The province's procedure catalogue: how many procedures the bus holds from DVCQG, how many are linked, the last
// refresh and what it found, and a search (GET /api/v1/procedures); an admin refreshes it on demand.
import { API, api } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { formatTime, text } from '../core/format.js';
import { t } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { errorBox, field, table, textInput } from '../core/widgets.js';

const PAGE = 50;
const state = { page: null, criteria: { q: '', field: '' }, offset: 0, loading: false, error: null, refreshing: false, refreshNotice: null };

async function loadProcedures(offset = 0) {
  state.offset = offset;
  const section = { id: 'procedures-body', render: renderBody, view: 'procedures' };
  const stillHere = await loadSection(state, section, async () => {
    state.page = await api('GET', '/api/v1/procedures', { query: { q: state.criteria.q.trim(), field: state.criteria.field.trim(), offset, limit: PAGE } });
  });
  if (stillHere) replaceSection(section.id, section.render);
}

async function refreshNow() {
  state.refreshing = true;
  state.refreshNotice = null;
  replaceSection('procedures-body', renderBody);
  try {
    const done = await api('POST', `${API}/procedures/refresh`);
    state.refreshNotice = t('procedures.refreshed', { count: done.procedures, added: done.added.length, withdrawn: done.withdrawn.length, changed: done.changed.length });
  } catch (error) {
    state.refreshNotice = t('procedures.refreshFailed', { message: error && error.message ? error.message : String(error) });
  } finally {
    state.refreshing = false;
  }
  await loadProcedures(0);
}

function renderProcedures() {
  const c = state.criteria;
  const form = el(
    'form',
    {
      class: 'card search-form',
      testid: 'procedures-form',
      onSubmit: (event) => {
        event.preventDefault();
        loadProcedures(0);
      },
    },
    el(
      'div',
      { class: 'grid' },
      field(t('procedures.q'), textInput(c.q, (v) => (c.q = v), { testid: 'procedures-q', name: 'q', placeholder: t('procedures.qHint') })),
      field(t('procedures.field'), textInput(c.field, (v) => (c.field = v), { testid: 'procedures-field', name: 'field', placeholder: t('procedures.fieldHint') })),
    ),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', testid: 'procedures-submit' }, t('search.submit')),
      el('button', { type: 'button', testid: 'procedures-refresh', onClick: () => refreshNow() }, t('procedures.refresh')),
    ),
  );
  return el('section', {}, el('h1', {}, t('procedures.heading')), el('p', { class: 'muted' }, t('procedures.explain')), form, renderBody());
}

function codeList(codes) {
  if (!codes || codes.length === 0) return t('common.none');
  const shown = codes.slice(0, 20).join(', ');
  return codes.length > 20 ? t('procedures.more', { shown, count: codes.length - 20 }) : shown;
}

function renderSummary(catalogue) {
  const diff = catalogue.lastRefresh;
  return el(
    'dl',
    { class: 'card summary', testid: 'procedures-summary' },
    el('dt', {}, t('procedures.count')),
    el('dd', { testid: 'procedures-count' }, String(catalogue.procedures)),
    el('dt', {}, t('procedures.linked')),
    el('dd', { testid: 'procedures-linked' }, String(catalogue.linked)),
    el('dt', {}, t('procedures.refreshedAt')),
    el('dd', { testid: 'procedures-refreshed-at', title: catalogue.refreshedAt }, formatTime(catalogue.refreshedAt)),
    el('dt', {}, t('procedures.added')),
    el('dd', { testid: 'procedures-added', class: 'mono' }, codeList(diff.added)),
    el('dt', {}, t('procedures.withdrawn')),
    el('dd', { testid: 'procedures-withdrawn', class: 'mono' }, codeList(diff.withdrawn)),
    el('dt', {}, t('procedures.changed')),
    el('dd', { testid: 'procedures-changed', class: 'mono' }, codeList(diff.changed)),
  );
}

function renderBody() {
  const body = [errorBox(state.error, 'procedures-error')];
  if (state.refreshing) body.push(el('p', { class: 'muted', testid: 'procedures-refreshing' }, t('procedures.refreshing')));
  if (state.refreshNotice) body.push(el('p', { class: 'notice', testid: 'procedures-refresh-notice' }, state.refreshNotice));
  if (state.loading && !state.page) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  const page = state.page;
  if (page) {
    body.push(renderSummary(page.catalogue));
    body.push(el('p', { class: 'muted', testid: 'procedures-total' }, t('procedures.total', { total: page.total, from: page.total === 0 ? 0 : page.offset + 1, to: page.offset + page.items.length })));
    body.push(
      table(
        'procedures-table',
        [t('procedures.col.code'), t('procedures.col.name'), t('procedures.col.field'), t('procedures.col.agency'), t('procedures.col.level'), t('procedures.col.linked')],
        page.items.map((p) =>
          el(
            'tr',
            { testid: 'procedure-row', 'data-code': p.code },
            el('td', { class: 'mono' }, p.code),
            el('td', {}, p.name),
            el('td', { title: p.field.code }, text(p.field.name)),
            el('td', {}, text(p.agency)),
            el('td', {}, text(p.level)),
            el('td', {}, p.linked ? t('common.yes') : t('common.no')),
          ),
        ),
        t('procedures.none'),
      ),
    );
    const pager = [];
    if (page.offset > 0) pager.push(el('button', { type: 'button', testid: 'procedures-previous', onClick: () => loadProcedures(Math.max(0, page.offset - PAGE)) }, t('procedures.previous')));
    if (page.offset + page.items.length < page.total) pager.push(el('button', { type: 'button', testid: 'procedures-next', onClick: () => loadProcedures(page.offset + PAGE) }, t('procedures.next')));
    if (pager.length > 0) body.push(el('div', { class: 'actions' }, pager));
  }
  return el('div', { id: 'procedures-body' }, body);
}

export const proceduresView = {
  render: renderProcedures,
  enter: () => loadProcedures(0),
  forget() {
    Object.assign(state, { page: null, criteria: { q: '', field: '' }, offset: 0, loading: false, error: null, refreshing: false, refreshNotice: null });
  },
};
