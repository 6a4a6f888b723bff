// How values read on screen: the none mark for missing ones, day-first local times, short message ids.
import { t } from './language.js';

export function text(value) {
  return value === null || value === undefined || value === '' ? t('common.none') : String(value);
}

/** Day first (dd/mm/yyyy HH:MM:SS, local time) in both languages; the ISO value stays in the title. */
export function formatTime(iso) {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function shortId(id) {
  if (!id) return t('common.none');
  const s = String(id);
  // Time-ordered ids (UUIDv7) share their first digits: the tail tells them apart.
  return s.length > 13 ? `…${s.slice(-8)}` : s;
}
