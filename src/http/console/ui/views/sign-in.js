// Sign-in, shown whenever there is no session: username and password to POST /api/v1/admin/session, with the notice
// of why the admin is here (signed out, session expired) and the error of a failed attempt.
import { API, ApiError, api, errorMessage } from '../core/api.js';
import { el } from '../core/dom.js';
import { t } from '../core/language.js';
import { storeSession } from '../core/session.js';
import { enterRoute, render } from '../core/shell.js';
import { errorBox, field, textInput } from '../core/widgets.js';

const signIn = { username: '', notice: null, error: null, busy: false };

function renderSignIn() {
  const s = signIn;
  let password = '';
  const form = el(
    'form',
    {
      class: 'card sign-in',
      testid: 'signin-form',
      onSubmit: async (event) => {
        event.preventDefault();
        if (s.busy) return;
        s.busy = true;
        s.error = null;
        s.notice = null;
        render();
        try {
          const session = await api('POST', `${API}/session`, { body: { username: s.username.normalize('NFC'), password }, auth: false });
          storeSession(session);
          s.busy = false;
          enterRoute();
        } catch (error) {
          s.busy = false;
          s.error = error instanceof ApiError && (error.status === 401 || error.status === 400) ? t('signIn.failed') : errorMessage(error);
          render();
        }
      },
    },
    el('h1', {}, t('signIn.heading')),
    s.notice ? el('p', { class: 'notice', testid: 'signin-notice' }, t(s.notice)) : null,
    errorBox(s.error, 'signin-error'),
    field(t('signIn.username'), textInput(s.username, (v) => (s.username = v), { testid: 'signin-username', name: 'username', autocomplete: 'username', required: true, maxlength: 100 })),
    field(
      t('signIn.password'),
      el('input', { type: 'password', testid: 'signin-password', name: 'password', autocomplete: 'current-password', required: true, maxlength: 200, onInput: (e) => (password = e.target.value) }),
    ),
    el('button', { type: 'submit', class: 'primary', testid: 'signin-submit', disabled: s.busy }, s.busy ? t('signIn.busy') : t('signIn.submit')),
  );
  return el('section', { class: 'sign-in-page' }, form);
}

/** The sign-in page next shows this notice (an i18n key) and no error. */
function notify(noticeKey) {
  signIn.notice = noticeKey;
  signIn.error = null;
}

export const signInView = { render: renderSignIn, notify };
