// Traffic: the bus's load over the last hours as charts, from GET /api/v1/admin/traffic (counted from the audit
// records): messages per minute per route, calls and latency percentiles per upstream, failed tries and refusals,
// breaker states and dead letters. Refreshed every 30 s while shown.
import { API, api } from '../core/api.js';
import { lineChart, stripChart } from '../core/chart.js';
import { el, replaceSection } from '../core/dom.js';
import { formatTime } from '../core/format.js';
import { t, tn } from '../core/language.js';
import { loadSection } from '../core/loading.js';
import { errorBox, table } from '../core/widgets.js';

const REFRESH_MS = 30_000;
const HOURS = [1, 3, 6, 12, 24];

const traffic = { hours: 3, data: null, loading: false, error: null, timer: null };

function stopRefresh() {
  if (traffic.timer) clearTimeout(traffic.timer);
  traffic.timer = null;
}

async function loadTraffic() {
  stopRefresh();
  const section = { id: 'traffic-charts', render: renderCharts, view: 'traffic' };
  const stillHere = await loadSection(traffic, section, async () => {
    traffic.data = await api('GET', `${API}/traffic`, { query: { hours: traffic.hours } });
  });
  if (!stillHere) return;
  replaceSection(section.id, section.render);
  traffic.timer = setTimeout(loadTraffic, REFRESH_MS);
}

function renderTraffic() {
  const hours = el(
    'select',
    {
      testid: 'traffic-hours',
      onChange: (e) => {
        traffic.hours = Number(e.target.value);
        loadTraffic();
      },
    },
    HOURS.map((h) => el('option', { value: h, selected: traffic.hours === h }, tn('traffic.hours', h))),
  );
  return el(
    'section',
    { testid: 'traffic' },
    el('h1', {}, t('traffic.heading')),
    el('div', { class: 'actions' }, el('label', { class: 'check' }, t('traffic.window'), ' ', hours), el('button', { type: 'button', testid: 'traffic-refresh', onClick: () => loadTraffic() }, t('action.refresh'))),
    renderCharts(),
  );
}

const perMinute = (values, bucketSeconds) => values.map((v) => (v === null ? null : Math.round((v * 60 * 100) / bucketSeconds) / 100));
const sum = (values) => values.reduce((a, b) => a + (b || 0), 0);

function renderCharts() {
  const d = traffic.data;
  const body = [errorBox(traffic.error, 'traffic-error')];
  if (traffic.loading && !d) body.push(el('p', { class: 'muted', testid: 'loading' }, t('common.loading')));
  if (d) {
    const b = d.buckets;
    const rate = (values) => perMinute(values, d.bucketSeconds);
    body.push(
      el(
        'p',
        { class: 'muted', testid: 'traffic-window' },
        t('traffic.windowText', { from: formatTime(d.from), to: formatTime(d.to), bucket: tn('traffic.bucketMinutes', Math.round(d.bucketSeconds / 60)) }),
        d.truncated ? el('strong', { class: 'warning' }, ` ${t('traffic.truncated')}`) : null,
      ),
    );
    const totals = [
      ['received', sum(d.routes.flatMap((r) => r.received))],
      ['delivered', sum(d.routes.flatMap((r) => r.delivered))],
      ['failed', sum(d.errors.total)],
      ['refused', sum(d.refusals.total)],
      ['deadLetters', d.deadLetters.current],
    ];
    body.push(el('div', { class: 'tiles', testid: 'traffic-totals' }, totals.map(([key, value]) => el('div', { class: `tile tile-${key}`, testid: `traffic-total-${key}`, 'data-value': value }, el('span', { class: 'tile-value' }, String(value)), el('span', { class: 'tile-label' }, t(`traffic.total.${key}`))))));
    const upstreamName = (u) => (u.displayName && u.displayName !== u.upstream ? u.displayName : u.upstream);
    const active = d.upstreams.filter((u) => u.window.calls > 0);
    body.push(
      el(
        'div',
        { class: 'chart-grid-2' },
        lineChart({ testid: 'chart-route-received', title: t('traffic.chart.received'), unit: t('traffic.unit.perMinute'), buckets: b, series: d.routes.map((r) => ({ name: r.route, values: rate(r.received) })) }),
        lineChart({ testid: 'chart-route-delivered', title: t('traffic.chart.delivered'), unit: t('traffic.unit.perMinute'), buckets: b, series: d.routes.map((r) => ({ name: r.route, values: rate(r.delivered) })) }),
        lineChart({ testid: 'chart-upstream-calls', title: t('traffic.chart.calls'), unit: t('traffic.unit.perMinute'), buckets: b, series: active.map((u) => ({ name: upstreamName(u), values: rate(u.calls) })) }),
        lineChart({ testid: 'chart-upstream-p95', title: t('traffic.chart.p95'), unit: 'ms', buckets: b, series: active.map((u) => ({ name: upstreamName(u), values: u.p95 })) }),
        lineChart({
          testid: 'chart-errors',
          title: t('traffic.chart.errors'),
          unit: t('traffic.unit.perBucket'),
          buckets: b,
          series: [
            { name: t('traffic.series.failed'), values: d.errors.total },
            { name: t('traffic.series.refused'), values: d.refusals.total },
          ],
        }),
        lineChart({
          testid: 'chart-dead-letters',
          title: t('traffic.chart.deadLetters'),
          buckets: b,
          series: [
            { name: t('traffic.series.outstanding'), values: d.deadLetters.outstanding },
            { name: t('traffic.series.added'), values: d.deadLetters.added },
            { name: t('traffic.series.replayed'), values: d.deadLetters.replayed },
          ],
        }),
      ),
    );
    body.push(
      stripChart({
        testid: 'chart-breakers',
        title: t('traffic.chart.breakers'),
        buckets: b,
        rows: d.upstreams.map((u) => ({ name: upstreamName(u), title: u.upstream, values: u.states })),
      }),
    );
    const ms = (v) => (v === null || v === undefined ? t('common.none') : t('common.ms', { ms: Math.round(v) }));
    body.push(
      el(
        'div',
        { class: 'card' },
        el('h2', {}, t('traffic.latencyTable')),
        table(
          'traffic-latency',
          [t('col.upstream'), t('traffic.col.calls'), 'p50', 'p95', 'p99', t('col.state')],
          d.upstreams.map((u) =>
            el(
              'tr',
              { testid: 'traffic-upstream', 'data-upstream': u.upstream },
              el('td', {}, upstreamName(u), u.displayName !== u.upstream ? el('span', { class: 'sub mono' }, u.upstream) : null),
              el('td', { class: 'num' }, String(u.window.calls)),
              el('td', { class: 'num' }, ms(u.window.p50)),
              el('td', { class: 'num' }, ms(u.window.p95)),
              el('td', { class: 'num' }, ms(u.window.p99)),
              el('td', {}, el('span', { class: `badge badge-breaker-${u.state}` }, t(`breaker.${u.state}`))),
            ),
          ),
          t('breakers.none'),
        ),
      ),
    );
    const codes = (list) => (list.length === 0 ? el('p', { class: 'empty' }, t('traffic.noCodes')) : el('ul', { class: 'plain' }, list.slice(0, 10).map((c) => el('li', {}, el('span', { class: 'mono' }, c.code), ` — ${c.count}`))));
    body.push(el('div', { class: 'chart-grid-2' }, el('div', { class: 'card', testid: 'traffic-error-codes' }, el('h2', {}, t('traffic.errorCodes')), codes(d.errors.byCode)), el('div', { class: 'card', testid: 'traffic-refusal-codes' }, el('h2', {}, t('traffic.refusalCodes')), codes(d.refusals.byCode))));
  }
  return el('div', { id: 'traffic-charts' }, body);
}

export const trafficView = {
  render: renderTraffic,
  enter: loadTraffic,
  leave: stopRefresh,
  forget() {
    stopRefresh();
    Object.assign(traffic, { data: null, loading: false, error: null });
  },
};
