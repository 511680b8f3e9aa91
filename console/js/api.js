// The console's client of depositd's /api/v1: JSON over fetch with the
// session cookie, the CSRF token on every state-changing call, and errors
// turned into ApiError (status, code, message from {"error":{...}}).
// A 401 anywhere ends the session in the page: onUnauthenticated is called
// so the app shows the sign-in form.

let csrfToken = '';
let onUnauthenticated = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'UNAVAILABLE', String(e.message || e));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const apiErr = new ApiError(res.status, err.code || String(res.status),
      err.message || res.statusText || 'error');
    if (res.status === 401 && path !== '/api/v1/session') onUnauthenticated(apiErr);
    throw apiErr;
  }
  return data || {};
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  session: () => call('GET', '/api/v1/session'),
  signIn: (token) => call('POST', '/api/v1/session', { token }),
  signOut: () => call('DELETE', '/api/v1/session'),
  overview: (tenant) => call('GET', `/api/v1/overview${query({ tenant })}`),
  shops: (params) => call('GET', `/api/v1/shops${query(params)}`),
  shop: (tenant, shop, asOf) =>
    call('GET', `/api/v1/shops/${enc(tenant)}/${enc(shop)}${query({ as_of: asOf })}`),
  explain: (tenant, shop, asOf) =>
    call('GET', `/api/v1/shops/${enc(tenant)}/${enc(shop)}/explain${query({ as_of: asOf })}`),
  calendar: (tenant, shop, from, to) =>
    call('GET', `/api/v1/shops/${enc(tenant)}/${enc(shop)}/calendar${query({ from, to })}`),
  shopAlerts: (tenant, shop) =>
    call('GET', `/api/v1/shops/${enc(tenant)}/${enc(shop)}/alerts`),
  alerts: (params) => call('GET', `/api/v1/alerts${query(params || {})}`),
  acknowledge: (req) => call('POST', '/api/v1/alerts/acknowledge', req),
  silence: (req) => call('POST', '/api/v1/alerts/silence', req),
  transitions: (fromSequence, limit, filter) =>
    call('GET', `/api/v1/alerts/transitions${query({ from_sequence: fromSequence, limit, ...(filter || {}) })}`),
};
