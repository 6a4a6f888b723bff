// Audit trail verification (GET /api/v1/admin/verification): whether every chain's hashes and signatures hold, how far
// each chain is signed, and where the first failure is.
import { API, api, errorMessage } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { formatTime, text } from '../core/format.js';
import { t } from '../core/language.js';
import { currentRoute } from '../core/route.js';
import { currentSession } from '../core/session.js';
import { errorBox, table } from '../core/widgets.js';

const verification = { report: null, loading: false, error: null };

async function loadVerification() {
  const v = verification;
  if (v.loading) return;
  v.loading = true;
  v.error = null;
  replaceSection('verify-report', renderVerificationReport);
  replaceSection('verify-actions', renderVerificationActions);
  try {
    v.report = await api('GET', `${API}/verification`);
  } catch (error) {
    v.error = errorMessage(error);
  } finally {
    v.loading = false;
  }
  if (currentSession() && currentRoute().view === 'verification') {
    replaceSection('verify-report', renderVerificationReport);
    replaceSection('verify-actions', renderVerificationActions);
  }
}

function renderVerification() {
  return el('section', {}, el('h1', {}, t('verify.heading')), renderVerificationActions(), renderVerificationReport());
}

function renderVerificationActions() {
  const v = verification;
  return el(
    'div',
    { id: 'verify-actions', class: 'actions' },
    el('button', { type: 'button', class: 'primary', testid: 'verify-run', disabled: v.loading, onClick: () => loadVerification() }, v.loading ? t('verify.running') : t('verify.run')),
  );
}

/** A chain's end: sealed (its bus was gone), signed to its last record, or an unsigned tail that could be cut off. */
function chainEnd(c) {
  if (c.seal) return t('verify.sealed', { seq: c.seal.seq, at: formatTime(c.seal.at) });
  if (c.unsignedTail > 0) return t('verify.unsignedTail', { count: c.unsignedTail });
  return t('verify.signedToEnd');
}

function renderVerificationReport() {
  const v = verification;
  const body = [errorBox(v.error, 'verify-error')];
  const r = v.report;
  if (r) {
    const failure = r.failure;
    const summary = r.ok && !failure
      ? t('verify.ok', { seq: r.verifiedThroughSeq, at: formatTime(r.checkedAt) })
      : t('verify.failed', { chain: text(failure && failure.chainId), seq: text(failure && failure.seq), reason: text(failure && failure.reason) });
    body.push(el('p', { class: `verify-summary ${r.ok && !failure ? 'ok' : 'failed'}`, testid: 'verify-result', 'data-ok': String(Boolean(r.ok && !failure)) }, summary));
    if (!(r.ok && !failure)) body.push(el('p', { class: 'muted' }, t('verify.checkedAt', { at: formatTime(r.checkedAt) })));
    const chains = Array.isArray(r.chains) ? r.chains : [];
    body.push(
      el(
        'div',
        { class: 'card narrow' },
        el('h2', {}, t('verify.chains')),
        table(
          'verify-chains',
          [t('col.chain'), t('col.lastSeq'), t('col.signedThrough'), t('col.chainEnd')],
          chains.map((c) =>
            el(
              'tr',
              { testid: 'verify-chain', class: failure && failure.chainId === c.chainId ? 'failed' : null },
              el('td', { class: 'mono' }, text(c.chainId)),
              el('td', { class: 'num' }, text(c.lastSeq)),
              el('td', { class: 'num' }, text(c.signedThrough)),
              el('td', { testid: 'verify-chain-end', class: c.unsignedTail > 0 ? 'warn' : null }, chainEnd(c)),
            ),
          ),
          t('common.none'),
        ),
      ),
    );
  }
  return el('div', { id: 'verify-report' }, body);
}

export const verificationView = {
  render: renderVerification,
  enter: loadVerification,
  forget() {
    Object.assign(verification, { report: null, loading: false, error: null });
  },
};
