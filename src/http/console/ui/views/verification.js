// Audit trail verification (GET /api/v1/admin/verification): whether every chain's hashes and signatures hold, how far
// each chain is signed, and where the first failure is.
import { API, api, errorMessage } from '../core/api.js';
import { el, replaceSection } from '../core/dom.js';
import { formatTime, text } from '../core/format.js';
import { t, tn } from '../core/language.js';
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
  if (c.unsignedTail > 0) return tn('verify.unsignedTail', c.unsignedTail);
  return t('verify.signedToEnd');
}

function renderVerificationReport() {
  const v = verification;
  const body = [errorBox(v.error, 'verify-error')];
  const r = v.report;
  if (r) {
    const failure = r.failure;
    const chainCount = Array.isArray(r.chains) ? r.chains.length : 0;
    const summary = r.ok && !failure
      ? tn('verify.okRecords', r.verifiedThroughSeq, { chains: tn('verify.chainCount', chainCount), at: formatTime(r.checkedAt) })
      : t('verify.failed', { chain: text(failure && failure.chainId), seq: text(failure && failure.seq), reason: text(failure && failure.reason) });
    body.push(el('p', { class: `verify-summary ${r.ok && !failure ? 'ok' : 'failed'}`, testid: 'verify-result', 'data-ok': String(Boolean(r.ok && !failure)) }, summary));
    if (!(r.ok && !failure)) body.push(el('p', { class: 'muted' }, t('verify.checkedAt', { at: formatTime(r.checkedAt) })));
    const chains = Array.isArray(r.chains) ? r.chains : [];
    body.push(renderExplanation(r, chains));
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

/** Why the records verified and the seq signed differ: the count spans every chain, and the newest records await the next checkpoint. */
function renderExplanation(r, chains) {
  const signing = r.signing || {};
  const tails = chains
    .filter((c) => c.unsignedTail > 0 && !c.seal && c.lastSeq !== null)
    .map((c) => el('li', { testid: 'verify-tail-explain', 'data-chain': c.chainId }, t('verify.explainTail', { chain: c.chainId, from: (c.signedThrough ?? 0) + 1, to: c.lastSeq })));
  return el(
    'div',
    { class: 'card notice narrow', testid: 'verify-explain' },
    el('p', {}, t('verify.explain', { seconds: Math.round((signing.intervalMs || 0) / 1000), records: signing.everyRecords ?? '' })),
    tails.length > 0 ? el('ul', { class: 'plain' }, tails) : null,
  );
}

export const verificationView = {
  render: renderVerification,
  enter: loadVerification,
  forget() {
    Object.assign(verification, { report: null, loading: false, error: null });
  },
};
