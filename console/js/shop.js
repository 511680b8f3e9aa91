// One shop (/console/shops/TENANT/SHOP[?as_of=DATE]): verdict, the R1–R10
// checklist worded as the merchants' own self-check list (held ✓ or
// blocking ✗, with the blocker's summary, ids, amounts, action and the
// events behind it from Explain), money per currency, the refund timeline,
// a what-if date (as_of, evaluated at the start of that day in the shop's
// calendar zone) and the shop's alerts with their history. Times are in the
// zone of the shop's business calendar, which the timeline shades the
// weekends and holidays of.

import { api } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { money, day, dateTime, zoneOf, zoneName, conditionCode, zonedMidnight } from './format.js';
import { errorBox, verdictBadge, severityBadge, kindLabel } from './widgets.js';
import { drawTimeline, timelineRange } from './timeline.js';

const CONDITIONS = ['R1_ORDERS_IN_FLIGHT', 'R2_RETURN_WINDOWS_OPEN', 'R3_OPEN_DISPUTES',
  'R4_UNPAID_FEES', 'R5_PENDING_VIOLATIONS', 'R6_BALANCE_SHORT', 'R7_WAITING_PERIOD',
  'R8_REFUND_ACCOUNT', 'R9_HEALTH_METRICS', 'R10_DISCOUNT_CLAWBACK'];

export function renderShop(ctx, tenant, shopId) {
  const params = new URLSearchParams(location.search);
  const asOfDate = params.get('as_of') || '';
  let live = true;
  fill(ctx.el,
    h('p', {}, h('a', { href: '/console/' }, '← ', t('shop.back'))),
    h('h1', {}, t('shop.title', { shop: shopId })),
    h('p', { class: 'muted' }, t('loading')));

  (async () => {
    // Times are shown in the zone of the shop's business calendar (GET
    // .../calendar); a what-if date is the start of that day in that zone.
    let asOf = '';
    try {
      if (asOfDate) {
        const cal0 = await api.calendar(tenant, shopId);
        asOf = zonedMidnight(asOfDate, cal0.timeZone);
      }
      const [explain, alertsResp] = await Promise.all([
        api.explain(tenant, shopId, asOf),
        api.shopAlerts(tenant, shopId).catch((e) => ({ error: e })),
      ]);
      // The calendar over the timeline's days (a day of margin each side
      // for the zone's offset from UTC); without it the page still draws,
      // in the built-in profile's zone, shading Saturdays and Sundays.
      const report = explain.report || {};
      const { start, end } = timelineRange(report, alertsResp.alerts || []);
      const calendar = await api.calendar(tenant, shopId,
        day(start - 86400000, 'UTC'), day(end + 86400000, 'UTC')).catch(() => null);
      if (!live) return;
      draw(ctx, explain, alertsResp, asOfDate, calendar);
    } catch (e) {
      if (!live) return;
      fill(ctx.el,
        h('p', {}, h('a', { href: '/console/' }, '← ', t('shop.back'))),
        h('h1', {}, t('shop.title', { shop: shopId })),
        errorBox(e));
    }
  })();
  return () => { live = false; };
}

function draw(ctx, explain, alertsResp, asOfDate, calendar) {
  const report = explain.report || {};
  const zone = (calendar && calendar.timeZone) || zoneOf(report);
  const byCondition = new Map();
  for (const e of explain.explanations || []) byCondition.set(e.blocker.condition, e);
  for (const b of report.blockers || []) {
    if (!byCondition.has(b.condition)) byCondition.set(b.condition, { blocker: b, events: [] });
  }
  const alerts = alertsResp.alerts || [];
  const history = alertsResp.history || alertsResp.transitions || [];

  const whatIf = h('form', { class: 'whatif', id: 'whatif' },
    h('label', { for: 'as-of' }, t('shop.whatIf')),
    h('input', { type: 'date', id: 'as-of', name: 'as_of', value: asOfDate || day(report.asOf, zone) }),
    h('button', { type: 'submit' }, t('shop.whatIfApply')),
    asOfDate ? h('a', { class: 'button', href: location.pathname }, t('shop.whatIfNow')) : null);
  whatIf.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = whatIf.elements.as_of.value;
    ctx.navigate(`${location.pathname}${v ? `?as_of=${encodeURIComponent(v)}` : ''}`);
  });

  const p = report.projection;
  fill(ctx.el,
    h('p', {}, h('a', { href: '/console/' }, '← ', t('shop.back'))),
    h('div', { class: 'shop-head' },
      h('h1', {}, t('shop.title', { shop: report.shopId })),
      verdictBadge(report.verdict),
      report.readyAt ? h('span', { class: 'muted' }, day(report.readyAt, zone)) : null),
    h('dl', { class: 'facts' },
      h('dt', {}, t('col.tenant')), h('dd', {}, report.tenant),
      h('dt', {}, t('shop.profile')), h('dd', {}, report.profile),
      h('dt', {}, t('shop.lifecycle')), h('dd', {}, t(`lifecycle.${report.lifecycle || 'SHOP_LIFECYCLE_UNSPECIFIED'}`)),
      h('dt', {}, t('shop.asOf')), h('dd', { id: 'as-of-shown' }, dateTime(report.asOf, zone)),
      report.lastSaleAt ? [h('dt', {}, t('shop.lastSale')), h('dd', {}, dateTime(report.lastSaleAt, zone))] : null),
    h('p', { class: 'zone muted', id: 'zone' }, t('shop.zone', { zone: zoneName(zone) }),
      calendar && calendar.calendar ? ` · ${t('shop.calendar', { calendar: calendar.calendar })}` : null),
    asOfDate ? h('p', { class: 'note', role: 'status' }, t('shop.whatIfNote', { date: asOfDate })) : null,
    whatIf,
    h('div', { class: 'cols' },
      h('section', { class: 'card', 'aria-labelledby': 'checklist-h' },
        h('h2', { id: 'checklist-h' }, t('shop.checklist')),
        checklist(byCondition, zone)),
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'money-h' },
          h('h2', { id: 'money-h' }, t('shop.money')), moneyTable(report)),
        h('section', { class: 'card', 'aria-labelledby': 'alerts-h' },
          h('h2', { id: 'alerts-h' }, t('shop.alerts')),
          alertsResp.error ? errorBox(alertsResp.error) : shopAlerts(alerts, history, zone)))),
    h('section', { class: 'card', 'aria-labelledby': 'tl-h' },
      h('h2', { id: 'tl-h' }, t('shop.timeline')),
      p && p.conditional ? h('p', { class: 'note' }, t('shop.conditional')) : null,
      p ? drawTimeline(report, alerts, zone, calendar) : h('p', {}, t('shop.timelineNone')),
      p && p.steps && p.steps.length ? h('details', {},
        h('summary', {}, t('shop.steps')),
        h('ol', {}, p.steps.map((s) => h('li', {}, s)))) : null));
}

function checklist(byCondition, zone) {
  return h('ol', { class: 'checklist', id: 'checklist' }, CONDITIONS.map((c) => {
    const code = conditionCode(c);
    const e = byCondition.get(c);
    if (!e) {
      return h('li', { class: 'held', 'data-condition': code },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, '✓'),
        h('span', { class: 'code' }, code),
        h('span', { class: 'what' }, t(code)),
        h('span', { class: 'sr-only' }, t('shop.held')));
    }
    const b = e.blocker;
    return h('li', { class: 'blocking', 'data-condition': code },
      h('span', { class: 'mark', 'aria-hidden': 'true' }, '✗'),
      h('span', { class: 'code' }, code),
      h('span', { class: 'what' }, t(code)),
      h('span', { class: 'sr-only' }, t('shop.blocking')),
      h('div', { class: 'detail' },
        h('p', { class: 'summary' }, b.summary,
          b.amounts && b.amounts.length ? [' — ', b.amounts.map(money).join(', ')] : null),
        b.clearsAt ? h('p', {}, t('shop.clearsAt', { date: day(b.clearsAt, zone) })) : null,
        b.ids && b.ids.length ? h('p', { class: 'ids' }, t('shop.ids'), ': ',
          b.ids.map((id) => h('code', {}, id)), b.idsTruncated ? ` ${t('shop.more')}` : '') : null,
        b.action ? h('p', {}, h('strong', {}, t('shop.action'), ': '), b.action) : null,
        e.events && e.events.length ? h('details', {},
          h('summary', {}, t('shop.evidence'), ` (${e.events.length})`),
          h('ul', { class: 'evidence' }, e.events.map((ev) => h('li', {},
            h('time', { datetime: ev.occurredAt }, dateTime(ev.occurredAt, zone)), ' ',
            h('code', {}, ev.eventId || ev.type), ' ', ev.detail)))) : null));
  }));
}

function moneyTable(report) {
  const currencies = new Set();
  for (const f of ['balance', 'refundable', 'recoverableByAppeal']) {
    for (const m of report[f] || []) currencies.add(m.currency);
  }
  const find = (f, c) => (report[f] || []).find((m) => m.currency === c);
  return h('table', { class: 'money', id: 'money' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('shop.currency')),
      h('th', { scope: 'col', class: 'num' }, t('shop.balance')),
      h('th', { scope: 'col', class: 'num' }, t('shop.refundable')),
      h('th', { scope: 'col', class: 'num' }, t('shop.recoverable')))),
    h('tbody', {}, [...currencies].sort().map((c) => h('tr', {},
      h('th', { scope: 'row' }, c),
      h('td', { class: 'num' }, money(find('balance', c))),
      h('td', { class: 'num' }, money(find('refundable', c))),
      h('td', { class: 'num' }, money(find('recoverableByAppeal', c)) || '—')))));
}

function shopAlerts(alerts, history, zone) {
  const firing = alerts.filter((a) => a.state !== 'RESOLVED');
  return h('div', { id: 'shop-alerts' },
    firing.length === 0 ? h('p', {}, t('shop.noAlerts')) : h('ul', { class: 'alert-list' },
      firing.map((a) => h('li', {},
        severityBadge(a.severity), ' ', h('strong', {}, kindLabel(a.key.kind)),
        a.key.subject ? [' ', h('code', {}, a.key.subject)] : null,
        a.dueAt ? [' · ', t('col.due'), ' ', dateTime(a.dueAt, zone)] : null,
        a.amountAtRisk ? [' · ', money(a.amountAtRisk)] : null,
        h('p', { class: 'summary' }, a.summary)))),
    history.length ? h('details', {},
      h('summary', {}, t('shop.history'), ` (${history.length})`),
      h('ol', { class: 'history' }, history.map((a) => h('li', {},
        h('span', { class: 'seq' }, `#${a.sequence}`), ' ',
        dateTime(a.at, zone), ' ', kindLabel(a.key.kind), ' ',
        t(`change.${a.change || 'OPENED'}`), a.acknowledgedBy ? ` (${a.acknowledgedBy})` : '')))) : null);
}
