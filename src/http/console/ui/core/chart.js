// Small SVG charts drawn by the console itself (no library, nothing from elsewhere): lines over time buckets, one
// colour per series with its legend, the value axis from zero to a rounded maximum. Only attributes, never style text
// (the CSP allows no inline style); colours come from CSS classes (styles.css .series-0 … .series-7).
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 44, right: 10, top: 10, bottom: 24 };

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  for (const child of children) if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

/** 0, 1, 2, 5, 10, 20, 50 … at or above max. */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function hhmm(iso) {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * A line chart. series: [{ name, values: (number|null)[] }] over buckets (ISO times); a null is a gap. The chart
 * carries data-points (how many non-null values it drew) for tests and screen readers' summary.
 */
export function lineChart({ testid, title, buckets, series, unit }) {
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
  const top = niceMax(Math.max(0, ...values));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const n = Math.max(1, buckets.length - 1);
  const x = (i) => PAD.left + (i / n) * w;
  const y = (v) => PAD.top + h - (v / top) * h;
  const grid = [0, 0.5, 1].map((f) =>
    svg('g', {}, svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(top * f), y2: y(top * f), class: 'chart-grid' }), svg('text', { x: PAD.left - 4, y: y(top * f) + 4, class: 'chart-label', 'text-anchor': 'end' }, String(Math.round(top * f * 100) / 100))),
  );
  const ticks = buckets.length > 0 ? [0, Math.floor((buckets.length - 1) / 2), buckets.length - 1] : [];
  const xLabels = [...new Set(ticks)].map((i) => svg('text', { x: x(i), y: HEIGHT - 6, class: 'chart-label', 'text-anchor': i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle' }, hhmm(buckets[i])));
  const lines = series.map((s, index) => {
    const paths = [];
    let current = '';
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        if (current) paths.push(current);
        current = '';
        return;
      }
      current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    });
    if (current) paths.push(current);
    // A lone point (one bucket with data between gaps) is drawn as a dot.
    const dots = s.values.map((v, i) => (v !== null && v !== undefined && v > 0 && (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null ? svg('circle', { cx: x(i), cy: y(v), r: 2.5, class: `chart-dot series-${index % 8}` }) : null));
    return svg('g', { 'data-series': s.name }, ...paths.map((d) => svg('path', { d, class: `chart-line series-${index % 8}` })), ...dots);
  });
  const points = values.length;
  const drawn = series.filter((s) => s.values.some((v) => v !== null && v !== undefined && v > 0)).length;
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img', 'aria-label': title, preserveAspectRatio: 'none' },
    ...grid,
    ...xLabels,
    ...lines,
  );
  return el(
    'figure',
    { class: 'card chart', testid, 'data-points': points, 'data-series-drawn': drawn },
    el('figcaption', { class: 'chart-title' }, title, unit ? el('span', { class: 'muted' }, ` (${unit})`) : null),
    chart,
    el('ul', { class: 'chart-legend' }, series.map((s, index) => el('li', { 'data-series': s.name }, el('span', { class: `swatch series-${index % 8}` }), s.name))),
  );
}

/** One row of coloured cells per series (e.g. breaker states per bucket); kinds map a value to a CSS class. */
export function stripChart({ testid, title, buckets, rows }) {
  const w = WIDTH - PAD.left - PAD.right;
  const cell = w / Math.max(1, buckets.length);
  const rowH = 18;
  const height = rows.length * (rowH + 6) + 20;
  const body = rows.flatMap((row, r) => [
    ...row.values.map((v, i) => svg('rect', { x: PAD.left + i * cell, y: r * (rowH + 6), width: Math.max(1, cell), height: rowH, class: `strip strip-${v}`, 'data-state': v })),
  ]);
  const ticks = buckets.length > 0 ? [0, buckets.length - 1] : [];
  const labels = ticks.map((i) => svg('text', { x: PAD.left + i * cell + (i === 0 ? 0 : cell), y: height - 4, class: 'chart-label', 'text-anchor': i === 0 ? 'start' : 'end' }, hhmm(buckets[i])));
  return el(
    'figure',
    { class: 'card chart', testid, 'data-points': rows.reduce((n, row) => n + row.values.length, 0) },
    el('figcaption', { class: 'chart-title' }, title),
    el(
      'div',
      { class: 'strip-rows' },
      el('ul', { class: 'strip-names' }, rows.map((row) => el('li', { title: row.title || null }, row.name))),
      svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart-svg strip-svg', role: 'img', 'aria-label': title, preserveAspectRatio: 'none' }, ...body, ...labels),
    ),
  );
}
