// The console's entry point: checks the session, draws the header
// (navigation, language switch, sign-out) and routes the address to a page:
//   /console/                       overview (filters in the query string)
//   /console/shops/TENANT/SHOP      one shop (?as_of= for what-if)
//   /console/alerts                 alerts firing, live
// Links inside the console are followed without a reload (history API);
// every address can also be opened directly or shared.

import { api, setCsrfToken, setUnauthenticatedHandler } from './api.js';
import { h, fill } from './dom.js';
import { pickLanguage, setLanguage, language, t } from './i18n.js';
import { renderOverview } from './overview.js';
import { renderShop } from './shop.js';
import { renderAlerts } from './alerts.js';

const state = { identity: null, leave: null, expiredNote: false };

function main() {
  return document.getElementById('main');
}

export function navigate(url) {
  history.pushState(null, '', url);
  route();
}

function parseRoute() {
  const path = location.pathname.replace(/\/+$/, '/');
  let m = /^\/console\/shops\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (m) {
    return { page: 'shop', tenant: decodeURIComponent(m[1]), shop: decodeURIComponent(m[2]) };
  }
  if (/^\/console\/alerts\/?$/.test(path)) return { page: 'alerts' };
  return { page: 'overview' };
}

function drawHeader() {
  const header = document.getElementById('header');
  const id = state.identity;
  const r = parseRoute();
  const link = (href, key, page) => h('a', {
    href, 'aria-current': r.page === page ? 'page' : null,
  }, t(key));
  fill(header,
    h('a', { class: 'brand', href: '/console/' }, t('app.title')),
    id ? h('nav', { 'aria-label': t('nav.main') },
      link('/console/', 'nav.overview', 'overview'),
      link('/console/alerts', 'nav.alerts', 'alerts')) : null,
    h('div', { class: 'spacer' }),
    h('button', {
      type: 'button', class: 'link', id: 'lang-switch',
      'aria-label': t('lang.switchLabel'),
      lang: language() === 'en' ? 'zh-CN' : 'en',
      onclick: () => {
        setLanguage(language() === 'en' ? 'zh-CN' : 'en', true);
        route();
      },
    }, t('lang.switch')),
    id ? h('span', { class: 'who' }, t('session.signedInAs', {
      name: id.name || id.tenant,
      tenant: id.tenant === '*' ? t('session.allTenants') : id.tenant,
    })) : null,
    id ? h('button', { type: 'button', id: 'sign-out', onclick: signOut }, t('session.signOut')) : null);
  document.title = t('app.title');
}

function drawSignIn(message) {
  if (state.leave) { state.leave(); state.leave = null; }
  state.identity = null;
  drawHeader();
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message || '');
  const token = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'current-password',
    required: true, spellcheck: 'false',
  });
  const form = h('form', { class: 'card signin', id: 'signin-form' },
    h('h1', {}, t('signin.title')),
    h('p', {}, t('signin.intro')),
    h('label', { for: 'token' }, t('signin.token')),
    token,
    h('button', { type: 'submit', class: 'primary' }, t('signin.submit')),
    error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = await api.signIn(token.value.trim());
      await startSession(s);
      route();
    } catch (e) {
      error.textContent = t('signin.failed', { message: e.message });
      token.focus();
    }
  });
  fill(main(), form);
  token.focus();
}

async function startSession(s) {
  state.identity = s.identity || {};
  setCsrfToken(s.csrfToken);
  setLanguage(pickLanguage(state.identity.language), false);
}

async function signOut() {
  try {
    await api.signOut();
  } catch (e) {
    // Signed out on the server or not, the page forgets the session.
  }
  setCsrfToken('');
  history.pushState(null, '', '/console/');
  drawSignIn('');
}

function route() {
  if (state.leave) { state.leave(); state.leave = null; }
  if (!state.identity) { drawSignIn(''); return; }
  drawHeader();
  const r = parseRoute();
  const el = main();
  const ctx = { identity: state.identity, navigate, el };
  if (r.page === 'shop') state.leave = renderShop(ctx, r.tenant, r.shop);
  else if (r.page === 'alerts') state.leave = renderAlerts(ctx);
  else state.leave = renderOverview(ctx);
}

// Follow console links without reloading the page.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey ||
      ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/console/')) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
  main().focus();
});

window.addEventListener('popstate', route);

setUnauthenticatedHandler(() => drawSignIn(t('signin.expired')));

async function boot() {
  setLanguage(pickLanguage(null), false);
  try {
    const s = await api.session();
    await startSession(s);
    route();
  } catch (e) {
    drawSignIn(e.status === 401 || e.status === 404 ? '' : t('error.generic', { message: e.message }));
  }
}

boot();
