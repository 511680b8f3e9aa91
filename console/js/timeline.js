// The refund timeline of one shop, drawn as SVG from the report's as_of
// (now) to the expected payment: return windows ending (R2), the closure
// waiting period (R7), the review (working days, with the shop's calendar's
// weekends and holidays shaded, holidays labelled, from GET
// /api/v1/shops/T/S/calendar), the batch day, payout transit, and the due
// time of each firing alert. Every mark also appears in a list under the
// drawing, so screen readers and text search get the same dates.

import { h, svg } from './dom.js';
import { t } from './i18n.js';
import { day, weekday, zonedMidnight, nextDate } from './format.js';
import { kindLabel } from './widgets.js';

const DAY = 86400000;
const W = 960;
const LEFT = 16;
const RIGHT = 16;

function ms(ts) {
  return ts ? Date.parse(ts) : NaN;
}

// Marks: {at, label, kind: 'point'|'due'}; spans: {from, to, label, cls}.
export function timelineModel(report, alerts) {
  const p = report.projection || {};
  const marks = [];
  const spans = [];
  const asOf = ms(report.asOf) || Date.now();
  marks.push({ at: asOf, label: t('tl.now'), cls: 'now' });
  for (const b of report.blockers || []) {
    if (!b.clearsAt) continue;
    if (b.condition === 'R2_RETURN_WINDOWS_OPEN') marks.push({ at: ms(b.clearsAt), label: t('tl.returnWindow'), cls: 'window' });
    if (b.condition === 'R7_WAITING_PERIOD') marks.push({ at: ms(b.clearsAt), label: t('tl.waiting'), cls: 'window' });
  }
  const ready = ms(p.readyAt);
  const reviewDone = ms(p.reviewDoneAt);
  const batch = ms(p.batchAt);
  const paid = ms(p.expectedPaidAt);
  if (ready && !marks.some((m) => m.at === ready)) marks.push({ at: ready, label: t('tl.readyAt'), cls: 'ready' });
  if (ready && reviewDone) spans.push({ from: ready, to: reviewDone, label: t('tl.review'), cls: 'review', working: true });
  if (reviewDone) marks.push({ at: reviewDone, label: t('tl.reviewDone'), cls: 'ready' });
  if (batch && reviewDone && batch !== reviewDone) marks.push({ at: batch, label: t('tl.batch'), cls: 'batch' });
  const transitFrom = batch || reviewDone;
  if (transitFrom && paid) spans.push({ from: transitFrom, to: paid, label: t('tl.transit'), cls: 'transit' });
  if (paid) marks.push({ at: paid, label: t('tl.paid'), cls: 'paid' });
  for (const a of alerts || []) {
    if (a.dueAt && a.state !== 'RESOLVED') {
      marks.push({ at: ms(a.dueAt), label: t('tl.alertDue', { kind: kindLabel(a.key.kind) }), cls: 'due' });
    }
  }
  return { asOf, marks: marks.filter((m) => !Number.isNaN(m.at)), spans };
}

// The drawing's time range [start, end) in ms: a day before the first mark
// to two days after the last (at least a week after now).
export function timelineRange(report, alerts) {
  const { asOf, marks, spans } = timelineModel(report, alerts);
  const times = marks.map((m) => m.at).concat(spans.flatMap((s) => [s.from, s.to]));
  return {
    start: Math.min(asOf, ...times) - DAY,
    end: Math.max(asOf + 7 * DAY, ...times) + 2 * DAY,
  };
}

// The non-working days of a ShopCalendar (GET .../calendar; protobuf JSON
// leaves out an empty list) by date: 'WEEKEND' or 'HOLIDAY'; null without
// a calendar.
export function offDays(calendar) {
  if (!calendar) return null;
  return new Map((calendar.nonWorkingDays || []).map((d) => [d.date, d.reason || 'WEEKEND']));
}

export function drawTimeline(report, alerts, zone, calendar) {
  const { asOf, marks, spans } = timelineModel(report, alerts);
  const { start, end } = timelineRange(report, alerts);
  const x = (v) => LEFT + ((v - start) / (end - start)) * (W - LEFT - RIGHT);
  const axisY = 70;
  const sorted = marks.slice().sort((a, b) => a.at - b.at);
  const rows = sorted.length;
  const height = axisY + 40 + rows * 18;

  // Calendar days in the shop's zone across the range (DST-safe: each day
  // starts at that date's midnight in the zone).
  const days = [];
  for (let date = day(start, zone); ; date = nextDate(date)) {
    const from = Date.parse(zonedMidnight(date, zone));
    if (from >= end) break;
    days.push({ date, from, to: Date.parse(zonedMidnight(nextDate(date), zone)) });
  }
  // Non-working days shaded: the calendar's weekends and holidays (each
  // holiday labelled), or Saturdays and Sundays without a calendar.
  const off = offDays(calendar);
  const reasonOf = (d) => {
    if (off) return off.get(d.date) || null;
    const wd = weekday(d.from + 3600000, zone);
    return wd === 6 || wd === 7 ? 'WEEKEND' : null;
  };
  const shade = days.map((d) => ({ ...d, reason: reasonOf(d) })).filter((d) => d.reason).map((d) => {
    const x0 = x(Math.max(d.from, start));
    const x1 = x(Math.min(d.to, end));
    const holiday = d.reason === 'HOLIDAY';
    const label = `${d.date} ${holiday ? t('tl.holiday') : t('tl.weekend')}`;
    return svg('g', { class: holiday ? 'tl-holiday' : 'tl-weekend', 'data-date': d.date },
      svg('rect', { class: holiday ? 'tl-off holiday' : 'tl-off', x: x0.toFixed(1), y: 20, width: Math.max(0, x1 - x0).toFixed(1), height: axisY - 10 },
        svg('title', {}, label)),
      holiday ? svg('text', { class: 'tl-holiday-label', x: ((x0 + x1) / 2).toFixed(1), y: 30, 'text-anchor': 'middle' }, t('tl.holidayShort')) : null);
  });
  const spanEls = spans.map((s) => svg('g', { class: `tl-span ${s.cls}` },
    svg('rect', { x: x(s.from).toFixed(1), y: axisY - 22, width: Math.max(2, x(s.to) - x(s.from)).toFixed(1), height: 14, rx: 3 }),
    svg('text', { x: ((x(s.from) + x(s.to)) / 2).toFixed(1), y: axisY - 28, 'text-anchor': 'middle' }, s.label)));
  const markEls = sorted.map((m, i) => {
    const mx = x(m.at);
    const ly = axisY + 30 + i * 18;
    const anchor = mx > W * 0.7 ? 'end' : 'start';
    return svg('g', { class: `tl-mark ${m.cls}` },
      svg('line', { x1: mx.toFixed(1), x2: mx.toFixed(1), y1: 16, y2: ly - 10 }),
      svg('circle', { cx: mx.toFixed(1), cy: axisY, r: 5 }),
      svg('text', { x: (anchor === 'end' ? mx - 6 : mx + 6).toFixed(1), y: ly, 'text-anchor': anchor },
        `${day(m.at, zone)} ${m.label}`));
  });
  // Month ticks at the first day of each month.
  const ticks = days.filter((d) => d.date.endsWith('-01')).map((d) => svg('g', { class: 'tl-tick' },
    svg('line', { x1: x(d.from).toFixed(1), x2: x(d.from).toFixed(1), y1: axisY - 4, y2: axisY + 4 }),
    svg('text', { x: x(d.from).toFixed(1), y: 14, 'text-anchor': 'middle' }, d.date.slice(0, 7))));
  const from = day(start + DAY, zone);
  const to = day(end - 2 * DAY, zone);
  const drawing = svg('svg', {
    class: 'timeline', viewBox: `0 0 ${W} ${height}`, role: 'img',
    'aria-label': t('tl.label', { from, to }), preserveAspectRatio: 'xMinYMin meet',
  },
  svg('title', {}, t('tl.label', { from, to })),
  shade,
  svg('line', { class: 'tl-axis', x1: LEFT, x2: W - RIGHT, y1: axisY, y2: axisY }),
  ticks, spanEls, markEls);
  const legend = h('ol', { class: 'tl-list' }, sorted.map((m) =>
    h('li', { class: `tl-${m.cls}` }, h('time', { datetime: new Date(m.at).toISOString() }, day(m.at, zone)), ' ', m.label)));
  const holidays = days.filter((d) => off && off.get(d.date) === 'HOLIDAY');
  const key = h('p', { class: 'muted tl-key' },
    h('span', { class: 'swatch off' }), ' ', t('tl.nonWorking'),
    holidays.length ? [' · ', h('span', { class: 'swatch holiday' }), ' ',
      t('tl.holidays', { dates: holidays.map((d) => d.date).join(', ') })] : null);
  return h('div', { class: 'timeline-wrap', id: 'timeline' }, drawing, key, legend);
}
