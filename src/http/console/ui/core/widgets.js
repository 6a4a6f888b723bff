// Pieces the views share: times, state and outcome badges, labelled form fields, error boxes and tables.
import { el } from './dom.js';
import { formatTime } from './format.js';
import { hasText, language, t } from './language.js';

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

/**
 * A record's outcome as an operator reads it: a `retried` record is the settlement of a failed try (recorded ok, the
 * retry is scheduled), so it shows "will retry", never the green success badge beside its error code.
 */
export function recordOutcomeBadge(record) {
  return outcomeBadge(record.step === 'retried' ? 'retry' : record.outcome);
}

/** Steps whose record names the pipeline stage that ran (details.stage): which enricher, which delivery. */
const STAGED_STEPS = new Set(['validated', 'transformed', 'enriched', 'delivered']);

/** A record's step in the console's language, with the stage that ran; the machine name stays in the title. */
export function stepLabel(record) {
  const step = String(record.step || '');
  const stage = record.details && typeof record.details.stage === 'string' && STAGED_STEPS.has(step) ? record.details.stage : null;
  let label;
  if (step.startsWith('admin.')) label = t('step.admin', { action: step.slice('admin.'.length) });
  else label = hasText(`step.${step}`) ? t(`step.${step}`) : step;
  if (stage) label = t('step.stage', { step: label, stage });
  return el('span', { class: 'step', testid: 'record-step', 'data-step': step, 'data-stage': stage, title: step }, label);
}

/** A failure's reason: in Vietnamese the code's own text where the console has one, the recorded text in the title. */
export function reasonText(code, reason) {
  if (reason === null || reason === undefined || reason === '') return t('common.none');
  const key = `reason.${code}`;
  if (language() === 'vi' && code && hasText(key)) return el('span', { testid: 'reason-translated', title: t('reason.original', { reason: String(reason) }) }, t(key));
  return String(reason);
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
