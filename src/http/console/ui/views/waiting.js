// Messages waiting for a retry (GET /api/v1/admin/waiting): why they fail, since when, and when they would reach the
// dead letters, those due within a day marked.
import { API, api } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { text } from '../core/format.js';
import { t, tn } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { timelineHref } from '../core/route.js';
import { errorBox, reasonText, table, time } from '../core/widgets.js';

const waiting = { items: null, loading: false, error: null };

/** A waiting message this close to its maximum age is shown as about to be dead-lettered. */
const DEAD_LETTER_SOON_MS = 24 * 3600_000;

async function loadWaiting() {
  const section = { id: 'waiting-list', render: renderWaitingList, view: 'waiting' };
  const stillHere = await loadSection(waiting, section, async () => {
    const list = await api('GET', `${API}/waiting`);
    waiting.items = Array.isArray(list.items) ? list.items : [];
  });
  if (stillHere) replaceSection(section.id, section.render);
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
  const w = waiting;
  const body = [errorBox(w.error, 'waiting-error')];
  if (w.loading && !w.items) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (w.items) {
    const soon = w.items.filter((m) => Date.parse(m.deadLetterAt) - Date.now() < DEAD_LETTER_SOON_MS).length;
    if (w.items.length > 0) body.push(el('p', { class: soon > 0 ? 'warning' : 'muted', testid: 'waiting-count' }, tn(soon > 0 ? 'waiting.countSoon' : 'waiting.count', w.items.length, { soon })));
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
            el('td', { class: 'reason' }, reasonText(m.code, m.reason)),
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

export const waitingView = {
  render: renderWaiting,
  enter: loadWaiting,
  reload: loadWaiting,
  forget() {
    Object.assign(waiting, { items: null, loading: false, error: null });
  },
};
