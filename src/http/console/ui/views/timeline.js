// One message's timeline: its status, its parts (one per destination) and its audit records oldest first, from
// GET /api/v1/admin/messages/{id}/timeline, followed every 1.5 s while the message is still on its way.
import { API, ApiError, api, errorMessage } from '../core/api.js';
import { el, externalLink, replaceSection } from '../core/dom.js';
import { shortId, text } from '../core/format.js';
import { t } from '../core/language.js';
import { currentRoute, dossierHref, timelineHref } from '../core/route.js';
import { currentSession } from '../core/session.js';
import { renderTopbar } from '../core/shell.js';
import { errorBox, field, reasonText, recordOutcomeBadge, stateBadge, stepLabel, table, textInput, time } from '../core/widgets.js';

const TERMINAL = new Set(['delivered', 'partially-delivered', 'rejected', 'dead-lettered']);

/** The message types of a dossier: their subject is a MaHoSo, whose messages the dossier page shows together. */
const DOSSIER_TYPES = new Set(['dossier.submitted', 'dossier.progress']);

const timeline = { input: '', id: '', data: null, loading: false, error: null, notFound: false, poll: null };

function stopTimelinePoll() {
  if (timeline.poll) clearTimeout(timeline.poll);
  timeline.poll = null;
}

async function loadTimeline(id, { quiet = false } = {}) {
  const tl = timeline;
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
  if (!currentSession() || currentRoute().view !== 'timeline' || tl.id !== id) return;
  replaceSection('timeline-result', renderTimelineResult);
  renderTopbar();
  // A message still on its way: follow it until it settles.
  const current = tl.data && tl.data.message ? tl.data.message.state : null;
  const parts = tl.data && Array.isArray(tl.data.parts) ? tl.data.parts : [];
  const moving = (current && !TERMINAL.has(current)) || parts.some((p) => !TERMINAL.has(p.state));
  if (moving && !tl.error) tl.poll = setTimeout(() => loadTimeline(id, { quiet: true }), 1500);
}

function renderTimeline() {
  const tl = timeline;
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
    row('subject', m.subject && DOSSIER_TYPES.has(m.type) ? el('a', { href: dossierHref(m.subject), class: 'mono', testid: 'open-dossier' }, m.subject) : el('span', { class: 'mono' }, text(m.subject))),
    row('source', text(m.source)),
    row('destination', text(m.destination)),
    row('route', el('span', { class: 'mono' }, text(m.route))),
    row('attempts', text(m.attempts)),
    row('code', el('span', { class: 'mono' }, text(m.code))),
    row('reason', reasonText(m.code, m.reason)),
    row('acceptedAt', time(m.acceptedAt)),
    row('updatedAt', time(m.updatedAt)),
  );
}

/** An e-document's signature check, from its received record's details: the outcome and the signer. */
function signatureNote(record) {
  const check = record.details && record.details.signature;
  if (!check || typeof check !== 'object') return null;
  const signer = check.signer;
  return el(
    'div',
    { testid: 'timeline-signature', 'data-outcome': check.outcome },
    t('timeline.signature', { outcome: t(`signature.${check.outcome}`), policy: check.policy }),
    signer ? el('div', { class: 'mono', testid: 'timeline-signer' }, t('timeline.signer', { subject: signer.subject, serial: signer.serial, issuer: signer.issuer, notAfter: signer.notAfter })) : null,
    check.reason ? el('div', { class: 'muted' }, check.reason) : null,
  );
}

/** The traces of the message's records: each id, a link into the trace viewer when one is configured. */
function traceLine(traces) {
  return el(
    'p',
    { class: 'card', testid: 'timeline-traces' },
    t('timeline.traces'),
    ': ',
    ...traces.flatMap((trace, i) => [
      i > 0 ? ', ' : null,
      trace.url
        ? externalLink(trace.url, trace.traceId, { class: 'mono', testid: 'timeline-trace' })
        : el('span', { class: 'mono', testid: 'timeline-trace' }, trace.traceId),
    ]),
  );
}

function renderTimelineResult() {
  const tl = timeline;
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
    const traces = Array.isArray(data.traces) ? data.traces : [];
    if (traces.length > 0) body.push(traceLine(traces));
    const parts = Array.isArray(data.parts) ? data.parts : [];
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('timeline.parts')),
        table(
          'timeline-parts',
          [t('col.destination'), t('col.route'), t('col.delivery'), t('col.state'), t('col.attempts'), t('col.code'), t('col.reason'), t('col.message'), t('timeline.field.updatedAt')],
          parts.map((p) =>
            el(
              'tr',
              { testid: 'timeline-part', 'data-state': p.state },
              el('td', {}, text(p.destination)),
              el('td', { class: 'mono' }, text(p.route)),
              el('td', { class: 'mono', testid: 'part-delivery' }, text(p.delivery)),
              el('td', {}, stateBadge(p.state, 'part-state')),
              el('td', { class: 'num' }, text(p.attempts)),
              el('td', { class: 'mono' }, text(p.code)),
              el('td', { class: 'reason' }, reasonText(p.code, p.reason)),
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
              el('td', {}, stepLabel(r)),
              el('td', {}, recordOutcomeBadge(r)),
              el('td', { class: 'mono' }, text(r.errorCode)),
              el('td', { class: 'reason' }, reasonText(r.errorCode, r.reason), signatureNote(r)),
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

export const timelineView = {
  render: renderTimeline,
  /** Loads the message named in the address unless it is the one already shown. */
  enter(id) {
    if (id && (id !== timeline.id || !timeline.data)) loadTimeline(id);
  },
  leave: stopTimelinePoll,
  reload() {
    if (timeline.id) loadTimeline(timeline.id);
  },
  forget() {
    stopTimelinePoll();
    Object.assign(timeline, { input: '', id: '', data: null, loading: false, error: null, notFound: false });
  },
  /** The navigation link goes back to the message last shown. */
  navHref() {
    return timeline.id ? timelineHref(timeline.id) : '#/timeline';
  },
};
