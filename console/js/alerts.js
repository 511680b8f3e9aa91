// The alerts page (/console/alerts[?group=kind|shop&tenant=&shop=&kind=]):
// the alerts firing now (Alerts.List), filtered by tenant (operators), shop
// and kind, grouped by kind or by shop, with severity, due
// time and money; acknowledge (who, comment) and silence (matchers,
// duration, who, comment) in dialogs; and live: the alert log is polled
// from the last sequence seen (about twice a second), new transitions are
// listed and the firing list is reloaded. When depositd does not answer
// (a restart), polling goes on from the same sequence until it does.

import { api } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { money, dateTime, alertKeyText } from './format.js';
import { errorBox, severityBadge, kindLabel } from './widgets.js';
import { KINDS } from './overview.js';

const POLL_MS = 400;
const RETRY_MS = 1000;
const SEVERITY_ORDER = { CRITICAL: 0, WARNING: 1, INFO: 2 };

function sortAlerts(list) {
  return list.slice().sort((a, b) =>
    (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) ||
    (Date.parse(a.dueAt || '9999-12-31T00:00:00Z') - Date.parse(b.dueAt || '9999-12-31T00:00:00Z')) ||
    alertKeyText(a.key).localeCompare(alertKeyText(b.key)));
}

export function renderAlerts(ctx) {
  const params = new URLSearchParams(location.search);
  const group = params.get('group') === 'shop' ? 'shop' : 'kind';
  const admin = ctx.identity.tenant === '*';
  // Acknowledge and silence need the alerts role: without it the buttons are
  // not offered (the API would answer 403 anyway).
  const roles = ctx.identity.roles;
  const canAct = !Array.isArray(roles) || roles.includes('alerts');
  const tenant = admin ? (params.get('tenant') || '') : ctx.identity.tenant;
  const kind = params.get('kind') || '';
  const shop = params.get('shop') || '';
  const filter = { tenant, kind, shop };
  let live = true;
  let fresh = new Set();

  const status = h('p', { class: 'live', id: 'live-status', role: 'status' }, t('loading'));
  const notice = h('p', { class: 'notice', id: 'notice', role: 'status', 'aria-live': 'polite' });
  const listEl = h('div', { id: 'alert-groups' }, h('p', { class: 'muted' }, t('loading')));
  const recent = h('ol', { class: 'recent', id: 'recent', 'aria-live': 'polite' });
  const recentEmpty = h('p', { class: 'muted' }, t('alerts.recentNone'));
  const groupLink = (g) => {
    const p = new URLSearchParams(location.search);
    p.set('group', g);
    return `/console/alerts?${p}`;
  };

  const filterForm = h('form', { class: 'filters card', id: 'alert-filters', 'aria-label': t('overview.filters') },
    admin ? h('div', { class: 'field' }, h('label', { for: 'af-tenant' }, t('filter.tenant')),
      h('input', { id: 'af-tenant', name: 'tenant', value: tenant, autocomplete: 'off', spellcheck: 'false' })) : null,
    h('div', { class: 'field' }, h('label', { for: 'af-shop' }, t('col.shop')),
      h('input', { id: 'af-shop', name: 'shop', value: shop, autocomplete: 'off', spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: 'af-kind' }, t('col.kind')),
      h('select', { id: 'af-kind', name: 'kind' },
        h('option', { value: '' }, t('filter.any')),
        KINDS.map((k) => h('option', { value: k, selected: k === kind }, kindLabel(k))))),
    h('div', { class: 'field actions' },
      h('button', { type: 'submit', class: 'primary' }, t('overview.apply')),
      h('a', { href: `/console/alerts?group=${group}`, class: 'button' }, t('overview.clear'))));
  filterForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    p.set('group', group);
    for (const k of ['tenant', 'shop', 'kind']) {
      const v = (new FormData(filterForm).get(k) || '').trim();
      if (v) p.set(k, v);
    }
    ctx.navigate(`/console/alerts?${p}`);
  });

  fill(ctx.el,
    h('div', { class: 'page-head' },
      h('h1', {}, t('alerts.title')),
      status),
    h('div', { class: 'toolbar' },
      h('span', {}, t('alerts.groupBy'), ': '),
      h('a', { href: groupLink('kind'), class: 'button', 'aria-current': group === 'kind' ? 'true' : null }, t('alerts.group.kind')),
      h('a', { href: groupLink('shop'), class: 'button', 'aria-current': group === 'shop' ? 'true' : null }, t('alerts.group.shop')),
      h('span', { class: 'spacer' }),
      canAct ? h('button', { type: 'button', id: 'silence-open', onclick: () => openSilence({}) }, t('alerts.silenceTitle')) : null),
    filterForm,
    notice,
    h('div', { class: 'cols wide' },
      listEl,
      h('section', { class: 'card', 'aria-labelledby': 'recent-h' },
        h('h2', { id: 'recent-h' }, t('alerts.recent')), recentEmpty, recent)));

  async function load() {
    try {
      const r = await api.alerts(filter);
      if (!live) return;
      drawGroups(r.alerts || []);
    } catch (e) {
      if (live && e.status !== 401) fill(listEl, errorBox(e));
    }
  }

  function drawGroups(alerts) {
    const firing = sortAlerts(alerts.filter((a) => a.state !== 'RESOLVED'));
    if (firing.length === 0) { fill(listEl, h('p', { id: 'no-alerts' }, t('alerts.none'))); return; }
    const groups = new Map();
    for (const a of firing) {
      const k = group === 'shop' ? `${a.key.tenant}/${a.key.shopId}` : a.key.kind;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(a);
    }
    fill(listEl, h('p', { class: 'muted', id: 'alert-count' }, t('alerts.count', { n: firing.length })),
      [...groups.entries()].map(([k, list]) => h('section', { class: 'card group', 'aria-label': group === 'shop' ? k : kindLabel(k) },
        h('h2', {}, group === 'shop' ? h('a', { href: `/console/shops/${encodeURIComponent(list[0].key.tenant)}/${encodeURIComponent(list[0].key.shopId)}` }, k) : kindLabel(k),
          ' ', h('span', { class: 'muted' }, `(${list.length})`)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'alerts' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('col.severity')),
            h('th', { scope: 'col' }, group === 'shop' ? t('col.kind') : t('col.shop')),
            h('th', { scope: 'col' }, t('col.summary')),
            h('th', { scope: 'col' }, t('col.due')),
            h('th', { scope: 'col', class: 'num' }, t('col.money')),
            canAct ? h('th', { scope: 'col' }, t('col.actions')) : null)),
          h('tbody', {}, list.map((a) => alertRow(a))))))));
  }

  function alertRow(a) {
    const keyText = alertKeyText(a.key);
    return h('tr', { 'data-key': keyText, class: fresh.has(keyText) ? 'fresh' : null },
      h('td', {}, severityBadge(a.severity), fresh.has(keyText) ? [' ', h('span', { class: 'tag new' }, t('alerts.new'))] : null),
      h('td', { class: 'nowrap' }, group === 'shop' ? kindLabel(a.key.kind)
        : h('a', { href: `/console/shops/${encodeURIComponent(a.key.tenant)}/${encodeURIComponent(a.key.shopId)}` }, `${a.key.tenant}/${a.key.shopId}`),
        a.key.subject ? [' ', h('code', {}, a.key.subject)] : null),
      h('td', {}, a.summary,
        a.acknowledged ? h('div', { class: 'muted ack-by' }, t('alerts.acknowledged', { by: a.acknowledgedBy || '?' })) : null,
        a.silencedBy ? h('div', { class: 'muted silenced-by' }, t('alerts.silenced', { id: a.silencedBy })) : null),
      h('td', {}, a.dueAt ? dateTime(a.dueAt, 'UTC') + ' UTC' : ''),
      h('td', { class: 'num' }, a.amountAtRisk ? money(a.amountAtRisk) : ''),
      !canAct ? null : h('td', { class: 'actions' }, [
        a.acknowledged ? null : h('button', {
          type: 'button', class: 'ack', 'aria-label': t('alerts.ackTitle', { key: keyText }),
          onclick: () => openAck(a),
        }, t('alerts.ack')),
        h('button', {
          type: 'button', class: 'silence', 'aria-label': `${t('alerts.silence')} ${keyText}`,
          onclick: () => openSilence({ tenant: a.key.tenant, shopId: a.key.shopId, kind: a.key.kind }),
        }, t('alerts.silence'))]));
  }

  function field(id, label, attrs) {
    return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, ...(attrs || {}) }));
  }

  function dialog(title, body, onSubmit) {
    const err = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { method: 'dialog' },
      h('h2', {}, title), body, err,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'submit', class: 'primary', value: 'send' }, t('alerts.submit')),
        h('button', { type: 'button', value: 'cancel', onclick: () => dlg.close() }, t('alerts.cancel'))));
    const dlg = h('dialog', { 'aria-label': title }, form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const msg = await onSubmit(new FormData(form));
        dlg.close();
        notice.textContent = msg;
        load();
      } catch (e) {
        err.textContent = errorBox(e).textContent;
      }
    });
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('input, select');
    if (first) first.focus();
  }

  const who = ctx.identity.name || ctx.identity.tenant || '';

  function openAck(a) {
    dialog(t('alerts.ackTitle', { key: alertKeyText(a.key) }), [
      field('ack-by', t('alerts.by'), { required: true, value: who, autocomplete: 'name' }),
      field('ack-comment', t('alerts.comment'), { autocomplete: 'off' }),
    ], async (data) => {
      await api.acknowledge({ key: a.key, by: data.get('ack-by'), comment: data.get('ack-comment') });
      return t('alerts.done.ack');
    });
  }

  function openSilence(m) {
    const kindSel = h('select', { id: 'sil-kind', name: 'sil-kind' },
      h('option', { value: '' }, t('filter.any')),
      KINDS.map((k) => h('option', { value: k, selected: k === m.kind }, kindLabel(k))));
    const sevSel = h('select', { id: 'sil-severity', name: 'sil-severity' },
      ['', 'INFO', 'WARNING', 'CRITICAL'].map((s) => h('option', { value: s }, s ? t(`severity.${s}`) : t('filter.any'))));
    dialog(t('alerts.silenceTitle'), [
      h('fieldset', {}, h('legend', {}, t('alerts.matchers')),
        field('sil-tenant', t('filter.tenant'), { value: m.tenant || (admin ? '' : ctx.identity.tenant), readonly: !admin }),
        field('sil-shop', t('col.shop'), { value: m.shopId || '' }),
        h('div', { class: 'field' }, h('label', { for: 'sil-kind' }, t('col.kind')), kindSel),
        h('div', { class: 'field' }, h('label', { for: 'sil-severity' }, t('col.severity')), sevSel)),
      field('sil-hours', t('alerts.duration'), { type: 'number', min: '1', max: '8760', value: '24', required: true }),
      field('sil-by', t('alerts.by'), { required: true, value: who, autocomplete: 'name' }),
      field('sil-comment', t('alerts.comment'), { autocomplete: 'off' }),
    ], async (data) => {
      const hours = Number(data.get('sil-hours'));
      const req = {
        tenant: data.get('sil-tenant') || '',
        shopId: data.get('sil-shop') || '',
        endsAt: new Date(Date.now() + hours * 3600000).toISOString(),
        by: data.get('sil-by'),
        comment: data.get('sil-comment'),
      };
      if (data.get('sil-kind')) req.kind = data.get('sil-kind');
      if (data.get('sil-severity')) req.severity = data.get('sil-severity');
      const r = await api.silence(req);
      return t('alerts.done.silence', { id: r.silenceId || '' });
    });
  }

  // Live: poll the alert log from the last sequence.
  let next = null;
  let timer = null;
  async function poll() {
    timer = null;
    if (!live) return;
    try {
      const r = await api.transitions(next === null ? 0 : next, 200, filter);
      if (!live) return;
      status.textContent = `● ${t('alerts.live')}`;
      status.classList.remove('off');
      const got = r.alerts || [];
      if (next !== null && got.length) {
        recentEmpty.remove();
        for (const a of got) {
          fresh.add(alertKeyText(a.key));
          recent.prepend(h('li', { class: `change-${(a.change || '').toLowerCase()}` },
            h('span', { class: 'seq' }, `#${a.sequence}`), ' ',
            severityBadge(a.severity), ' ',
            h('strong', {}, kindLabel(a.key.kind)), ' ',
            `${a.key.tenant}/${a.key.shopId}`, ' — ', t(`change.${a.change || 'OPENED'}`)));
        }
        while (recent.children.length > 30) recent.lastChild.remove();
        load();
      }
      if (r.nextSequence !== undefined) next = Number(r.nextSequence);
      timer = setTimeout(poll, got.length >= 200 ? 0 : POLL_MS);
    } catch (e) {
      if (!live || e.status === 401) return;
      status.textContent = `○ ${t('alerts.liveOff')}`;
      status.classList.add('off');
      timer = setTimeout(poll, RETRY_MS);
    }
  }

  load();
  poll();
  return () => {
    live = false;
    if (timer) clearTimeout(timer);
    for (const d of document.querySelectorAll('dialog')) d.close();
  };
}
