// The console's language, Vietnamese unless the admin chose English (kept in localStorage), and t() for its texts.
import { LANGUAGES, translate } from '../i18n.js';

const LANG_KEY = 'lgsp-admin-lang';

let lang = readLanguage();

function readLanguage() {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch {
    // Storage may be unavailable; Vietnamese is the default.
  }
  return 'vi';
}

/** 'vi' or 'en'. */
export function language() {
  return lang;
}

/** Vietnamese ↔ English, remembered for the next visit. */
export function toggleLanguage() {
  lang = lang === 'vi' ? 'en' : 'vi';
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Language then lasts until reload.
  }
}

export function t(key, values) {
  return translate(lang, key, values);
}

/** A text with a count: the key's `.one` form for 1 where the language has one (English), else the key's own. */
export function tn(key, count, values) {
  const one = `${key}.one`;
  const chosen = count === 1 && translate(lang, one) !== one ? one : key;
  return translate(lang, chosen, { count, ...values });
}

/** Whether key has a text of its own (translate answers the key itself when it has none). */
export function hasText(key) {
  return translate(lang, key) !== key;
}
