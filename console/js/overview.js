// The overview page (/console/): counts by verdict and by risk kind, and
// the shops at risk, most money at stake and nearest deadline first
// (sort=risk; sort=id lists every shop by tenant and id), with filters kept in the address (verdict, risk, profile,
// tenant, q, sort, page_token) so a view can be linked. One page of shops
// is loaded at a time (page_size 50, the server's page token).

import { api } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { money, day, dateTime, conditionCode, zoneOf, zoneOffset } from './format.js';
import { errorBox, verdictBadge, kindLabel } from './widgets.js';

export const VERDICTS = ['NOT_READY', 'READY_AT', 'READY'];
export const KINDS = ['INACTIVITY', 'DISPUTE_RESPONSE_DUE', 'APPEAL_WINDOW_CLOSING',
  'BALANCE_SHORT', 'UNPAID_FEES', 'METRIC_BELOW_THRESHOLD', 'CLOSURE_BLOCKED',
  'REFUND_OVERDUE', 'ACCOUNT_MISMATCH', 'REOPEN_COOLING_OFF', 'FEED_SILENT',
  'FEED_DEAUTHORIZED'];
const PROFILES = ['tiktok_shop_cross_border', 'douyin', 'shopee', 'temu', 'generic'];
const PAGE_SIZE = 50;

// CountShopsResponse's [{"verdict": "READY", "shops": "3"}] (or a map
// {"READY": 3}) -> [["READY", 3]].
function countEntries(x, keyName) {
  if (!x) return [];
  if (Array.isArray(x)) return x.map((e) => [e[keyName], Number(e.shops || 0)]);
  return Object.entries(x).map(([k, v]) => [k, Number(v)]);
}

function countCard(title, id, entries, label, hrefFor) {
  return h('section', { class: 'card counts', id, 'aria-label': title },
    h('h2', {}, title),
    h('ul', { class: 'count-list' },
      entries.map(([k, n]) => h('li', {},
        h('a', { href: hrefFor(k) }, h('span', { class: 'count' }, n), ' ', label(k))))));
}

function select(name, label, options, value) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function input(name, label, value, attrs) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, value: value || '', ...(attrs || {}) }));
}

export function renderOverview(ctx) {
  const params = new URLSearchParams(location.search);
  const f = {
    verdict: params.get('verdict') || '',
    risk: params.get('risk') || '',
    profile: params.get('profile') || '',
    tenant: params.get('tenant') || '',
    q: params.get('q') || '',
    sort: params.get('sort') || 'risk',
    page_token: params.get('page_token') || '',
    page: Number(params.get('page') || '1'),
  };
  const admin = ctx.identity.tenant === '*';
  const tenant = admin ? f.tenant : ctx.identity.tenant;
  const link = (changes) => {
    const p = new URLSearchParams();
    const merged = { ...f, page_token: '', page: '', ...changes };
    for (const k of ['verdict', 'risk', 'profile', 'tenant', 'q', 'sort', 'page_token', 'page']) {
      if (merged[k] && !(k === 'sort' && merged[k] === 'risk') && !(k === 'page' && merged[k] === 1)) {
        p.set(k, merged[k]);
      }
    }
    const s = p.toString();
    return `/console/${s ? `?${s}` : ''}`;
  };

  const form = h('form', { class: 'filters card', id: 'filters', 'aria-label': t('overview.filters') },
    select('verdict', t('filter.verdict'),
      [['', t('filter.any')], ...VERDICTS.map((v) => [v, t(`verdict.${v}`)])], f.verdict),
    select('risk', t('filter.risk'),
      [['', t('filter.any')], ...KINDS.map((k) => [k, kindLabel(k)])], f.risk),
    select('profile', t('filter.profile'),
      [['', t('filter.any')], ...PROFILES.map((p) => [p, p])], f.profile),
    admin ? input('tenant', t('filter.tenant'), f.tenant, { autocomplete: 'off', spellcheck: 'false' }) : null,
    input('q', t('filter.q'), f.q, { type: 'search', autocomplete: 'off', spellcheck: 'false' }),
    select('sort', t('filter.sort'), [['risk', t('sort.risk')], ['id', t('sort.id')]], f.sort),
    h('div', { class: 'field actions' },
      h('button', { type: 'submit', class: 'primary' }, t('overview.apply')),
      h('a', { href: '/console/', class: 'button' }, t('overview.clear'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const changes = {};
    for (const k of ['verdict', 'risk', 'profile', 'tenant', 'q', 'sort']) changes[k] = (data.get(k) || '').trim();
    ctx.navigate(link(changes));
  });

  const counts = h('div', { class: 'count-row' }, h('p', { class: 'muted' }, t('loading')));
  const list = h('section', { class: 'card', 'aria-labelledby': 'shops-h' },
    h('h2', { id: 'shops-h' }, t(f.sort !== 'id' ? 'overview.atRisk' : 'overview.all')),
    h('p', { class: 'muted' }, t('loading')));
  fill(ctx.el, h('h1', {}, t('overview.title')), counts, form,
    h('p', { class: 'muted hint' }, t('overview.linkHint')), list);

  let live = true;
  api.overview(tenant).then((o) => {
    if (!live) return;
    fill(counts,
      h('p', { class: 'totals', id: 'totals' }, t('overview.totals', { n: Number(o.shops || 0), r: Number(o.atRisk || 0) })),
      countCard(t('overview.byVerdict'), 'by-verdict', countEntries(o.verdicts, 'verdict'),
        (k) => t(`verdict.${k}`), (k) => link({ verdict: k })),
      countCard(t('overview.byRisk'), 'by-risk', countEntries(o.risks, 'kind'),
        (k) => kindLabel(k), (k) => link({ risk: k })));
  }).catch((e) => { if (live) fill(counts, errorBox(e)); });

  api.shops({
    tenant, verdict: f.verdict, risk: f.risk, profile: f.profile, q: f.q, sort: f.sort,
    page_size: PAGE_SIZE, page_token: f.page_token,
  }).then((r) => {
    if (!live) return;
    const atRisk = f.sort !== 'id';
    const shops = r.shops || [];
    fill(list, h('h2', { id: 'shops-h' }, t(atRisk ? 'overview.atRisk' : 'overview.all'), ' ',
      h('span', { class: 'muted' }, t('overview.page', { n: f.page }))),
    shops.length === 0 && atRisk
      ? h('p', { id: 'no-shops' }, t('overview.noRisk'), ' ', h('a', { href: link({ sort: 'id' }) }, t('overview.showAll')))
      : shopTable(shops),
    h('nav', { class: 'pager', 'aria-label': t('overview.shops') },
      f.page_token ? h('a', { href: link({}), class: 'button' }, t('overview.first')) : null,
      r.nextPageToken ? h('a', {
        href: link({ page_token: r.nextPageToken, page: f.page + 1 }), class: 'button', id: 'next-page', rel: 'next',
      }, t('overview.next')) : null));
  }).catch((e) => { if (live) fill(list, errorBox(e)); });

  return () => { live = false; };
}

function shopTable(shops) {
  if (shops.length === 0) return h('p', { id: 'no-shops' }, t('overview.noShops'));
  const stake = 'atStake';
  const due = 'nearestDueAt';
  return h('div', { class: 'table-wrap' }, h('table', { id: 'shops' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('col.shop')),
      h('th', { scope: 'col' }, t('col.tenant')),
      h('th', { scope: 'col' }, t('col.verdict')),
      h('th', { scope: 'col' }, t('col.blocking')),
      h('th', { scope: 'col' }, t('col.risks')),
      h('th', { scope: 'col', class: 'num' }, t('col.atStake')),
      h('th', { scope: 'col' }, t('col.nextDue')),
      h('th', { scope: 'col' }, t('col.readyAt')),
      h('th', { scope: 'col' }, t('col.profile')))),
    h('tbody', {}, shops.map((s) => {
      const zone = zoneOf(s);
      const stakeValue = stake ? s[stake] : null;
      return h('tr', {},
        h('th', { scope: 'row' }, h('a', {
          href: `/console/shops/${encodeURIComponent(s.tenant)}/${encodeURIComponent(s.shopId)}`,
        }, s.shopId)),
        h('td', {}, s.tenant),
        h('td', {}, verdictBadge(s.verdict)),
        h('td', {}, (s.blocking || []).map(conditionCode).join(' ')),
        h('td', {}, (s.risks || []).map((k) => h('span', { class: 'tag' }, kindLabel(k)))),
        h('td', { class: 'num' }, (stakeValue || []).map(money).join(', ')),
        h('td', {}, s[due] ? [dateTime(s[due], zone), ' ', h('span', { class: 'muted zone-tag', title: zone }, zoneOffset(zone))] : ''),
        h('td', {}, s.readyAt ? [day(s.readyAt, zone), ' ', h('span', { class: 'muted zone-tag', title: zone }, zoneOffset(zone))] : ''),
        h('td', { class: 'muted' }, s.profile));
    }))));
}
