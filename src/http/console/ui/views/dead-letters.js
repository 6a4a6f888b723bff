// Dead letters: the list from GET /api/v1/admin/dead-letters (filtered by route, subject, code), replay of one or
// the selected ones (POST /api/v1/admin/dead-letters/replay), then each replayed message followed until it settles.
import { API, api, errorMessage } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { formatTime, text } from '../core/format.js';
import { t, tn } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { currentRoute, timelineHref } from '../core/route.js';
import { currentSession } from '../core/session.js';
import { errorBox, field, reasonText, stateBadge, table, textInput, time } from '../core/widgets.js';

const deadLetters = {
  filter: { route: '', subject: '', code: '', includeReplayed: false },
  items: null,
  selected: new Set(),
  loading: false,
  error: null,
  result: null,
  busy: false,
};

async function loadDeadLetters() {
  const d = deadLetters;
  const stillHere = await loadSection(d, { id: 'dl-list', render: renderDeadLetterList, view: 'dead-letters' }, async () => {
    const f = d.filter;
    const list = await api('GET', `${API}/dead-letters`, {
      query: { route: f.route.trim(), subject: f.subject.trim().normalize('NFC'), code: f.code.trim(), includeReplayed: f.includeReplayed ? 'true' : '' },
    });
    d.items = Array.isArray(list.items) ? list.items : [];
    const ids = new Set(d.items.map((l) => l.id));
    for (const id of [...d.selected]) if (!ids.has(id)) d.selected.delete(id);
  });
  if (stillHere) {
    replaceSection('dl-list', renderDeadLetterList);
    replaceSection('dl-toolbar', renderDeadLetterToolbar);
  }
}

async function replay(ids) {
  const d = deadLetters;
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
  if (currentSession() && currentRoute().view === 'dead-letters') {
    replaceSection('dl-result', renderReplayResult);
    await loadDeadLetters();
  }
}

/** Polls each replayed message until it settles again (or a minute passes), so the admin sees it delivered. */
async function followReplayed(result) {
  const deadline = result.started + 60_000;
  for (;;) {
    const open = result.items.filter((item) => !item.settled);
    if (open.length === 0 || Date.now() > deadline || deadLetters.result !== result || !currentSession()) return;
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
        item.settled = m.state === 'delivered' || m.state === 'partially-delivered' || m.state === 'rejected' || (m.state === 'dead-lettered' && updated >= result.started);
      } catch {
        // Shown as waiting; a 401 has already sent the admin to sign-in.
      }
    }
    if (currentRoute().view === 'dead-letters' && deadLetters.result === result) replaceSection('dl-result', renderReplayResult);
  }
}

function renderDeadLetters() {
  const d = deadLetters;
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
  const d = deadLetters;
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
  const result = deadLetters.result;
  if (!result) return el('div', { id: 'dl-result' });
  if (result.items.length === 0) return el('div', { id: 'dl-result', class: 'card notice', testid: 'dl-result' }, t('dl.replayedNone'));
  return el(
    'div',
    { id: 'dl-result', class: 'card notice', testid: 'dl-result' },
    el('p', {}, tn('dl.replayed', result.items.length)),
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
  const d = deadLetters;
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
    if (d.items.length > 0) body.push(el('p', { class: 'muted', testid: 'dl-count' }, tn('dl.count', d.items.length)));
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
              reasonText(l.code, l.reason),
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

export const deadLettersView = {
  render: renderDeadLetters,
  enter() {
    if (!deadLetters.loading) loadDeadLetters();
  },
  reload: loadDeadLetters,
  forget() {
    Object.assign(deadLetters, { items: null, loading: false, error: null, result: null, busy: false });
    deadLetters.selected.clear();
  },
};
