// Circuit breakers: the state of each upstream's breaker (GET /api/v1/admin/breakers).
import { API, api } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { text } from '../core/format.js';
import { t } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { errorBox, stateBadge, table } from '../core/widgets.js';

const breakers = { items: null, loading: false, error: null };

async function loadBreakers() {
  const section = { id: 'breakers-list', render: renderBreakerList, view: 'breakers' };
  const stillHere = await loadSection(breakers, section, async () => {
    const list = await api('GET', `${API}/breakers`);
    breakers.items = Array.isArray(list.items) ? list.items : [];
  });
  if (stillHere) replaceSection(section.id, section.render);
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
  const b = breakers;
  const body = [errorBox(b.error, 'breakers-error')];
  if (b.loading && !b.items) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (b.items) {
    body.push(
      table(
        'breakers-table',
        [t('col.upstream'), t('col.state')],
        b.items.map((item) =>
          el(
            'tr',
            { testid: 'breaker-row', 'data-upstream': item.upstream, 'data-state': item.state },
            el('td', {}, el('span', { testid: 'breaker-name' }, text(item.displayName || item.upstream)), el('span', { class: 'sub mono', title: t('breakers.machineId', { id: item.upstream }) }, text(item.upstream))),
            el('td', {}, stateBadge(item.state, 'breaker-state', 'breaker')),
          ),
        ),
        t('breakers.none'),
      ),
    );
  }
  return el('div', { id: 'breakers-list', class: 'narrow' }, body);
}

export const breakersView = {
  render: renderBreakers,
  enter: loadBreakers,
  forget() {
    Object.assign(breakers, { items: null, loading: false, error: null });
  },
};
