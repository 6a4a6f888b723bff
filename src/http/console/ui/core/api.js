// The admin API client (contracts/openapi/bus-admin.yaml): JSON over fetch with the session's bearer token. A 401 ends
// the session (the shell shows sign-in); other failures become an ApiError with the bus's code and message.
import { t } from './language.js';
import { currentSession, showsPersonalData } from './session.js';
import { sessionExpired } from './shell.js';

export const API = '/api/v1/admin';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, { query, body, auth = true } = {}) {
  let url = path;
  if (method === 'GET' && showsPersonalData() && path.startsWith(API)) query = { ...query, personalData: 'show' };
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === null || value === undefined || value === '' || value === false) continue;
      params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth && currentSession()) headers.authorization = `Bearer ${currentSession().token}`;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'NETWORK', t('error.network'));
  }
  const raw = await res.text();
  let data = null;
  try {
    data = raw ? JSON.parse(raw) : null;
  } catch {
    data = null;
  }
  if (res.status === 401 && auth) {
    sessionExpired();
    throw new ApiError(401, 'UNAUTHORIZED', t('signIn.expired'));
  }
  if (!res.ok) {
    const code = data && typeof data.code === 'string' ? data.code : `HTTP_${res.status}`;
    const message = data && typeof data.message === 'string' ? data.message : res.statusText;
    throw new ApiError(res.status, code, message);
  }
  return data;
}

export function errorMessage(error) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  if (error.status === 0) return t('error.network');
  if (error.status === 403) return t('error.forbidden');
  return t('error.generic', { status: error.status, code: error.code, message: error.message });
}
