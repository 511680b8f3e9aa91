// Formatting of money, times and names for people, in the console's
// language. Money is integer minor units plus an ISO 4217 code (as strings
// in protobuf JSON); it is never turned into a float before the division
// by the currency's minor-unit factor. Times are shown in the shop's
// calendar zone, with the zone named.

import { language } from './i18n.js';

// Built-in calendars of the built-in profiles (watchers/profiles.cc), for a
// row of the shop list, which does not carry its zone (a shop's page asks
// GET .../calendar for its calendar's zone).
const PROFILE_ZONES = {
  tiktok_shop_cross_border: 'Asia/Shanghai',
  douyin: 'Asia/Shanghai',
  temu: 'Asia/Shanghai',
  shopee: 'Asia/Singapore',
  generic: 'UTC',
};

export function zoneOf(report) {
  if (report && report.timeZone) return report.timeZone;
  if (report && report.calendar && report.calendar.timeZone) {
    return report.calendar.timeZone;
  }
  return (report && PROFILE_ZONES[report.profile]) || 'UTC';
}

export function money(m) {
  if (!m || !m.currency) return '';
  const loc = language();
  let nf;
  try {
    nf = new Intl.NumberFormat(loc, { style: 'currency', currency: m.currency });
  } catch (e) {
    return `${m.currency} ${m.minorUnits || 0}`;
  }
  const digits = nf.resolvedOptions().maximumFractionDigits;
  const minor = BigInt(m.minorUnits || 0);
  const factor = 10n ** BigInt(digits);
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  const whole = abs / factor;
  const frac = abs % factor;
  // Exact without floating point or Intl.NumberFormat v3's string input
  // (Node.js 18 lacks it): the formatter lays out a BigInt (sign, symbol,
  // grouping, separator) and the fraction digits are put in from the
  // integer minor units. A negative amount under one unit borrows -1's
  // layout with its integer part set to 0.
  const sample = neg ? -(whole === 0n ? 1n : whole) : whole;
  const fraction = frac.toString().padStart(digits, '0');
  return nf.formatToParts(sample).map((p) => {
    if (p.type === 'fraction') return fraction;
    if (p.type === 'integer' && whole === 0n) return '0';
    return p.value;
  }).join('');
}

export function moneyList(list) {
  return (list || []).map(money).join(', ');
}

function parts(ts, zone) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short',
  });
  const out = {};
  for (const p of f.formatToParts(new Date(ts))) out[p.type] = p.value;
  return out;
}

// "2026-04-01" in `zone`.
export function day(ts, zone) {
  if (!ts) return '';
  const p = parts(ts, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

// "2026-04-01 10:00" in `zone`.
export function dateTime(ts, zone) {
  if (!ts) return '';
  const p = parts(ts, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// Day of week 1 = Monday … 7 = Sunday of `ts` in `zone`.
export function weekday(ts, zone) {
  const names = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
  return names[parts(ts, zone).weekday];
}

// A zone's offset for people ("UTC+8"), as of now.
export function zoneOffset(zone) {
  try {
    const f = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' });
    const p = f.formatToParts(new Date()).find((x) => x.type === 'timeZoneName');
    return p ? p.value.replace('GMT', 'UTC') : zone;
  } catch (e) {
    return zone;
  }
}

// A zone's short name for people ("Asia/Shanghai (UTC+8)").
export function zoneName(zone) {
  try {
    const f = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' });
    const p = f.formatToParts(new Date()).find((x) => x.type === 'timeZoneName');
    return p ? `${zone} (${p.value.replace('GMT', 'UTC')})` : zone;
  } catch (e) {
    return zone;
  }
}

// "R3_OPEN_DISPUTES" -> "R3".
export function conditionCode(c) {
  const m = /^R(\d+)_/.exec(c || '');
  return m ? `R${m[1]}` : c;
}

export function alertKeyText(key) {
  const parts2 = [key.tenant, key.shopId, key.kind];
  if (key.subject) parts2.push(key.subject);
  return parts2.join('/');
}

// Midnight of `date` (YYYY-MM-DD) in `zone`, as RFC 3339 UTC.
export function zonedMidnight(date, zone) {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const p = {};
  for (const x of f.formatToParts(new Date(guess))) p[x.type] = x.value;
  const asIfUtc = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`);
  return new Date(guess - (asIfUtc - guess)).toISOString().replace('.000Z', 'Z');
}

// "2026-04-30" -> "2026-05-01".
export function nextDate(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
