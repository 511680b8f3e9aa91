// Unit tests of the console's pure modules (no browser, no daemon): money
// per currency from minor units, days in a calendar zone, the what-if
// date's midnight in the shop's zone, and the timeline's marks for
// domain.md §7 example 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { money, day, dateTime, weekday, zoneOf, conditionCode } from '../js/format.js';
import { setLanguage, missingKeys, t } from '../js/i18n.js';
import { zonedMidnight, nextDate } from '../js/format.js';
import { timelineModel, timelineRange, offDays } from '../js/timeline.js';

// i18n.setLanguage sets <html lang>; a stand-in document is enough here.
globalThis.document = { documentElement: {} };

test('money is formatted per currency from integer minor units', () => {
  setLanguage('en', false);
  const cases = [
    [{ minorUnits: '50000', currency: 'USD' }, '$500.00'],
    [{ minorUnits: '3500', currency: 'USD' }, '$35.00'],
    [{ minorUnits: '-1', currency: 'USD' }, '-$0.01'],
    [{ minorUnits: '3000000', currency: 'CNY' }, 'CN¥30,000.00'],
    [{ minorUnits: '1500', currency: 'JPY' }, '¥1,500'],
    [{ minorUnits: '1234', currency: 'KWD' }, 'KWD 1.234'],
    [{ minorUnits: '900719925474099312', currency: 'USD' }, '$9,007,199,254,740,993.12'],
    [{ currency: 'GBP' }, '£0.00'],
    [null, ''],
  ];
  for (const [m, want] of cases) {
    assert.equal(money(m).replace(/\u00a0/g, ' '), want, JSON.stringify(m));
  }
  setLanguage('zh-CN', false);
  assert.equal(money({ minorUnits: '3000000', currency: 'CNY' }), '¥30,000.00');
  assert.equal(money({ minorUnits: '50000', currency: 'USD' }), 'US$500.00');
  setLanguage('en', false);
});

test('days and times are read in the calendar zone', () => {
  // Closed 2026-03-02 10:00 Beijing time = 02:00 UTC.
  assert.equal(day('2026-03-02T02:00:00Z', 'Asia/Shanghai'), '2026-03-02');
  assert.equal(day('2026-03-01T20:00:00Z', 'Asia/Shanghai'), '2026-03-02');
  assert.equal(day('2026-03-01T20:00:00Z', 'UTC'), '2026-03-01');
  assert.equal(dateTime('2026-04-01T02:00:00Z', 'Asia/Shanghai'), '2026-04-01 10:00');
  assert.equal(weekday('2026-04-04T12:00:00Z', 'Asia/Shanghai'), 6); // Saturday
  assert.equal(zoneOf({ profile: 'tiktok_shop_cross_border' }), 'Asia/Shanghai');
  assert.equal(zoneOf({ profile: 'shopee' }), 'Asia/Singapore');
  assert.equal(zoneOf({ profile: 'custom' }), 'UTC');
  assert.equal(zoneOf({ profile: 'generic', timeZone: 'Europe/London' }), 'Europe/London');
  assert.equal(conditionCode('R10_DISCOUNT_CLAWBACK'), 'R10');
});

test('a what-if date is the start of that day in the shop\'s zone', () => {
  const cases = [
    ['2026-04-02', 'Asia/Shanghai', '2026-04-01T16:00:00Z'],
    ['2026-04-02', 'UTC', '2026-04-02T00:00:00Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00Z'],
    ['2026-01-15', 'America/New_York', '2026-01-15T05:00:00Z'],
    ['2026-03-29', 'Europe/London', '2026-03-29T00:00:00Z'],
  ];
  for (const [date, zone, want] of cases) assert.equal(zonedMidnight(date, zone), want, `${date} ${zone}`);
  assert.equal(nextDate('2026-04-30'), '2026-05-01');
  assert.equal(nextDate('2028-02-28'), '2028-02-29');
});

test('the timeline of example 2 runs from now to the expected payment', () => {
  setLanguage('en', false);
  const report = {
    asOf: '2026-03-10T12:00:00Z',
    blockers: [{ condition: 'R7_WAITING_PERIOD', clearsAt: '2026-04-01T02:00:00Z' }],
    projection: {
      readyAt: '2026-04-01T02:00:00Z', reviewDoneAt: '2026-04-22T02:00:00Z',
      batchAt: '2026-04-22T02:00:00Z', expectedPaidAt: '2026-04-27T02:00:00Z',
    },
  };
  const alerts = [{ key: { kind: 'DISPUTE_RESPONSE_DUE' }, state: 'FIRING', dueAt: '2026-03-12T00:00:00Z' }];
  const { marks, spans } = timelineModel(report, alerts);
  const z = 'Asia/Shanghai';
  const labels = marks.map((m) => `${day(m.at, z)} ${m.label}`).sort();
  assert.deepEqual(labels, [
    '2026-03-10 now',
    '2026-03-12 Dispute response due: deadline',
    '2026-04-01 waiting period ends',
    '2026-04-22 review done',
    '2026-04-27 expected payment',
  ]);
  assert.deepEqual(spans.map((s) => [s.label, day(s.from, z), day(s.to, z)]), [
    ['review', '2026-04-01', '2026-04-22'],
    ['payout transit', '2026-04-22', '2026-04-27'],
  ]);
  // The drawing spans a day before now to two days after the payment.
  const { start, end } = timelineRange(report, alerts);
  assert.equal(new Date(start).toISOString(), '2026-03-09T12:00:00.000Z');
  assert.equal(new Date(end).toISOString(), '2026-04-29T02:00:00.000Z');
});

test('a calendar answer gives each non-working day its reason', () => {
  const off = offDays({
    calendar: 'CN', timeZone: 'Asia/Shanghai',
    nonWorkingDays: [{ date: '2026-04-04', reason: 'WEEKEND' }, { date: '2026-04-06', reason: 'HOLIDAY' }],
  });
  assert.equal(off.get('2026-04-04'), 'WEEKEND');
  assert.equal(off.get('2026-04-06'), 'HOLIDAY');
  assert.equal(off.get('2026-04-07'), undefined);
  // A calendar with no non-working day in range shades nothing; without
  // an answer the timeline falls back to Saturdays and Sundays.
  assert.equal(offDays({ calendar: 'X', timeZone: 'UTC' }).size, 0);
  assert.equal(offDays(null), null);
});

test('every English text has its Chinese one', () => {
  assert.deepEqual(missingKeys('zh-CN'), []);
  setLanguage('zh-CN', false);
  assert.equal(t('R2'), '已售商品均超过7天无理由退货期限');
  assert.equal(t('alerts.count', { n: 3 }), '3 条触发中');
  setLanguage('en', false);
  assert.equal(t('alerts.count', { n: 3 }), '3 firing');
});
