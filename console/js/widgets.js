// Pieces shared by the pages: badges, error boxes, labels.

import { h } from './dom.js';
import { t } from './i18n.js';

export function verdictBadge(v) {
  const verdict = v || 'VERDICT_UNSPECIFIED';
  return h('span', { class: `badge verdict-${verdict.toLowerCase().replace(/_/g, '-')}` },
    t(`verdict.${verdict}`));
}

export function severityBadge(s) {
  const sev = s || 'SEVERITY_UNSPECIFIED';
  return h('span', { class: `badge sev-${sev.toLowerCase()}` }, t(`severity.${sev}`));
}

export function kindLabel(k) {
  return t(`kind.${k}`);
}

export function errorBox(e) {
  let text;
  if (e.status === 403) text = t('error.forbidden', { message: e.message });
  else if (e.status === 404) text = t('error.notFound', { message: e.message });
  else if (e.status === 0) text = t('error.offline');
  else text = t('error.generic', { message: e.message });
  return h('p', { class: 'error', role: 'alert', 'data-status': String(e.status || 0) }, text);
}
