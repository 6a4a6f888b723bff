// Pieces the views share: times, state and outcome badges, labelled form fields, error boxes and tables.
import { el } from './dom.js';
import { formatTime } from './format.js';
import { hasText, t } from './language.js';

export function time(iso) {
  return el('time', { datetime: iso || null, title: iso || null }, formatTime(iso));
}

export function stateBadge(value, testid, kind = 'state') {
  const key = `${kind}.${value}`;
  const label = hasText(key) ? t(key) : String(value);
  return el('span', { class: `badge badge-${kind}-${safeClass(value)}`, testid, 'data-state': value, title: String(value) }, label);
}

function safeClass(value) {
  return String(value).toLowerCase().replace(/[^a-z0-9-]/g, '_');
}

export function outcomeBadge(outcome) {
  return stateBadge(outcome, 'record-outcome', 'outcome');
}

export function field(label, input, hint) {
  return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input, hint ? el('span', { class: 'field-hint' }, hint) : null);
}

export function textInput(value, onInput, attrs = {}) {
  return el('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false', onInput: (e) => onInput(e.target.value), ...attrs });
}

export function errorBox(message, testid = 'error') {
  return message ? el('p', { class: 'error', role: 'alert', testid }, message) : null;
}

export function table(testid, headers, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty', testid: `${testid}-empty` }, emptyText);
  return el(
    'div',
    { class: 'table-wrap' },
    el('table', { testid }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)),
  );
}
