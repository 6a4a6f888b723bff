// The LGSP admin console's shell: plain modern JS (ES modules, served as is), no framework, no build step. It holds
// the table of views, draws the top bar, follows the address (#/<view>/<id>) and signs the admin out. It talks only to
// the admin API of the bus that serves it (contracts/openapi/bus-admin.yaml); every value from the server is put on the
// page with textContent or as an attribute value, never as markup (core/dom.js).
import { API, api } from './core/api.js';
import { el } from './core/dom.js';
import { t, language, toggleLanguage } from './core/language.js';
import { currentRoute, followHash } from './core/route.js';
import { currentSession, setShowPersonalData, showsPersonalData, storeSession } from './core/session.js';
import { connectShell } from './core/shell.js';
import { breakersView } from './views/breakers.js';
import { deadLettersView } from './views/dead-letters.js';
import { dossierView } from './views/dossier.js';
import { proceduresView } from './views/procedures.js';
import { searchView } from './views/search.js';
import { signInView } from './views/sign-in.js';
import { timelineView } from './views/timeline.js';
import { trafficView } from './views/traffic.js';
import { verificationView } from './views/verification.js';
import { waitingView } from './views/waiting.js';

/**
 * The views by their name in the address, in the order of the navigation. Each has render() and may have enter(id)
 * (load what it shows when the admin arrives), leave() (stop following when the admin goes elsewhere), reload() (load
 * what is on screen again, masked or not) and forget() (drop what the last admin saw).
 */
const VIEWS = {
  traffic: trafficView,
  search: searchView,
  timeline: timelineView,
  dossiers: dossierView,
  waiting: waitingView,
  'dead-letters': deadLettersView,
  breakers: breakersView,
  verification: verificationView,
  procedures: proceduresView,
};

const NAV = [
  ['traffic', 'nav.traffic'],
  ['search', 'nav.search'],
  ['timeline', 'nav.timeline'],
  ['dossiers', 'nav.dossiers'],
  ['waiting', 'nav.waiting'],
  ['dead-letters', 'nav.deadLetters'],
  ['breakers', 'nav.breakers'],
  ['verification', 'nav.verification'],
  ['procedures', 'nav.procedures'],
];

/** Forgets everything the last admin saw, so the next one to sign in on this tab starts clean. */
function forgetData() {
  setShowPersonalData(false);
  for (const view of Object.values(VIEWS)) if (view.forget) view.forget();
}

function endSession(noticeKey) {
  forgetData();
  storeSession(null);
  signInView.notify(noticeKey);
  render();
}

function sessionExpired() {
  endSession('signIn.expired');
}

// ---------- routing ----------

function onRoute() {
  followHash(Object.keys(VIEWS));
  if (!currentSession()) return render();
  enterView();
  render();
}

function enterView() {
  const { view, id } = currentRoute();
  for (const [name, other] of Object.entries(VIEWS)) if (name !== view && other.leave) other.leave();
  if (VIEWS[view].enter) VIEWS[view].enter(id);
}

/** Loads what is on screen again, masked or not. */
function togglePersonalData(show) {
  setShowPersonalData(show);
  const view = VIEWS[currentRoute().view];
  if (view.reload) view.reload();
  render();
}

// ---------- rendering ----------

function render() {
  document.documentElement.lang = language();
  document.title = t('app.title');
  renderTopbar();
  const main = document.getElementById('main');
  if (!currentSession()) {
    main.replaceChildren(signInView.render());
    const first = main.querySelector('input');
    if (first) first.focus();
    return;
  }
  main.replaceChildren((VIEWS[currentRoute().view] || searchView).render());
}

function renderTopbar() {
  document.getElementById('brand').textContent = t('app.short');
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const signOut = document.getElementById('sign-out');
  const lang = document.getElementById('lang-toggle');
  lang.textContent = t('lang.switch');
  lang.title = t('lang.switchTitle');
  const session = currentSession();
  if (!session) {
    nav.hidden = true;
    nav.replaceChildren();
    who.textContent = '';
    signOut.hidden = true;
    return;
  }
  const current = currentRoute().view;
  nav.replaceChildren(
    ...NAV.map(([view, key]) => {
      const href = view === 'timeline' ? timelineView.navHref() : view === 'dossiers' ? dossierView.navHref() : `#/${view}`;
      return el('a', { href, testid: `nav-${view}`, class: current === view ? 'active' : null, 'aria-current': current === view ? 'page' : null }, t(key));
    }),
  );
  nav.hidden = false;
  who.replaceChildren(
    t('nav.signedInAs', { username: session.username || '' }),
    ' ',
    session.canViewPersonalData
      ? el(
          'label',
          { class: 'muted', title: t('nav.showPersonalDataTitle') },
          el('input', { type: 'checkbox', testid: 'toggle-personal-data', checked: showsPersonalData(), onchange: (e) => togglePersonalData(e.target.checked) }),
          ' ',
          t('nav.showPersonalData'),
        )
      : el('span', { class: 'muted' }, `(${t('nav.personalDataMasked')})`),
  );
  signOut.textContent = t('nav.signOut');
  signOut.hidden = false;
}

// ---------- start ----------

function start() {
  connectShell({ render, renderTopbar, enterRoute: onRoute, sessionExpired });
  document.getElementById('lang-toggle').addEventListener('click', () => {
    toggleLanguage();
    render();
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    // The bus revokes the session for its remaining lifetime; signed out here even when that call fails.
    await api('DELETE', `${API}/session`).catch(() => undefined);
    endSession('signIn.signedOut');
  });
  window.addEventListener('hashchange', onRoute);
  onRoute();
}

start();
