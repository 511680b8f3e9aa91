// A shop's page for domain.md §7 example 2 (deploy/examples/tour-events*):
// the R1–R10 checklist with evidence and ids, money, the SVG timeline with
// 2026-04-01 and 2026-04-22, the calendar's weekends and holidays shaded
// (example 2's CN calendar has no holiday configured; a second daemon
// configures Qingming, 2026-04-06, inside its review), and the what-if
// date, in a real headless Chromium against a real depositd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, launchBrowser, newPage, signIn } from './harness.mjs';
import { EXAMPLE_PATH } from './fixtures.mjs';

let daemon;
let browser;

before(async () => {
  daemon = new Daemon({ clockStart: '2026-03-05T00:00:00Z' });
  await daemon.start();
  await daemon.sendExample('tour-events.jsonl');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.close();
});

const item = (page, code) => page.locator(`#checklist li[data-condition="${code}"]`);

test('closed but not ready: R3 and R4 block with their ids, R7 clears by itself', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', EXAMPLE_PATH);
  await page.locator('#checklist').waitFor();
  assert.match(await page.locator('.shop-head').innerText(), /Not ready/);
  const r3 = item(page, 'R3');
  assert.match(await r3.getAttribute('class'), /blocking/);
  assert.match(await r3.innerText(), /atoz-2001/);
  const r4 = item(page, 'R4');
  assert.match(await r4.getAttribute('class'), /blocking/);
  assert.match(await r4.innerText(), /ads-2026-02/);
  assert.match(await r4.innerText(), /\$35\.00/);
  const r7 = item(page, 'R7');
  assert.match(await r7.innerText(), /clears by itself on 2026-04-01/);
  for (const held of ['R1', 'R2', 'R5', 'R6', 'R8', 'R9', 'R10']) {
    assert.match(await item(page, held).getAttribute('class'), /held/, held);
  }
  // Explain's events behind R3.
  await r3.getByText('Evidence (1)').click();
  assert.match(await r3.innerText(), /tour-015/);
  // Money per currency.
  const money = await page.locator('#money').innerText();
  assert.match(money, /USD\s+\$500\.00\s+\$500\.00/);
  // Times in the shop's calendar zone, with the zone named.
  assert.match(await page.locator('#zone').innerText(), /Asia\/Shanghai/);
  // The projection is conditional while R3 and R4 need an action.
  assert.match(await page.locator('#tl-h + .note').innerText(), /Conditional/);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('once the claim and the fee clear: ready at 2026-04-01, review done 2026-04-22, drawn on the timeline', async () => {
  await daemon.ctl('clock', 'set', '2026-03-10T12:00:00Z');
  await daemon.sendExample('tour-events-2.jsonl');
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', EXAMPLE_PATH);
  await page.locator('#checklist').waitFor();
  assert.match(await page.locator('.shop-head').innerText(), /Ready at a date\s+2026-04-01/);
  assert.match(await item(page, 'R3').getAttribute('class'), /held/);
  assert.match(await item(page, 'R4').getAttribute('class'), /held/);
  assert.match(await item(page, 'R7').getAttribute('class'), /blocking/);

  const svg = page.locator('#timeline svg.timeline');
  await svg.waitFor();
  const drawn = await svg.locator('text').allTextContents();
  assert.ok(drawn.some((t) => t.startsWith('2026-04-01')), drawn.join(' | '));
  assert.ok(drawn.some((t) => t.startsWith('2026-04-22') && /review done/.test(t)), drawn.join(' | '));
  assert.ok(drawn.some((t) => /expected payment/.test(t)), drawn.join(' | '));
  // Weekends are shaded during the review.
  assert.ok(await svg.locator('rect.tl-off').count() >= 6);
  // Both dates are visible on screen, not only in the DOM.
  assert.ok(await page.locator('.tl-list').getByText('2026-04-22').isVisible());
  assert.ok(await page.locator('.tl-list').getByText('2026-04-01').isVisible());
  await context.close();
});

test('what-if: evaluated on 2026-04-02 the shop is ready, and the date is in the address', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', EXAMPLE_PATH);
  await page.locator('#checklist').waitFor();
  await page.getByLabel('What if: evaluate on').fill('2026-04-02');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForURL(/as_of=2026-04-02/);
  await page.locator('.note').filter({ hasText: 'What-if view as of 2026-04-02' }).waitFor();
  await page.locator('.shop-head').filter({ hasText: /Ready(?! at)/ }).waitFor();
  assert.match(await item(page, 'R7').getAttribute('class'), /held/);
  assert.match(await page.locator('#as-of-shown').innerText(), /^2026-04-02 00:00/);
  // "Now" goes back to the present evaluation.
  await page.getByRole('link', { name: 'Now' }).click();
  await page.locator('.shop-head').filter({ hasText: 'Ready at a date' }).waitFor();
  assert.match(await item(page, 'R7').getAttribute('class'), /blocking/);
  await context.close();
});

test('in Chinese the checklist reads as the merchants\' self-check list', async () => {
  const { context, page } = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(`${daemon.url}${EXAMPLE_PATH}`);
  await page.getByLabel('令牌').fill((await import('./harness.mjs')).TOKENS.ops.token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#checklist').waitFor();
  assert.match(await item(page, 'R2').innerText(), /已售商品均超过7天无理由退货期限/);
  assert.match(await page.locator('#zone').innerText(), /时间按 Asia\/Shanghai/);
  // The switch goes to English and stays there on reload.
  await page.getByRole('button', { name: '切换为英文' }).click();
  await page.getByText('Refund checklist').waitFor();
  await page.reload();
  await page.getByText('Refund checklist').waitFor();
  await context.close();
});

test('a holiday of the shop\'s calendar is shaded and labelled, and the review counts it', async () => {
  // Example 2 again on a daemon whose CN calendar has Qingming (Monday
  // 2026-04-06) as a holiday: the 15 working days of the review now end on
  // 2026-04-23, not 2026-04-22.
  const withHoliday = new Daemon({
    clockStart: '2026-03-05T00:00:00Z',
    config: 'calendars { name: "CN" holidays: "2026-04-06" }\n',
  });
  try {
    await withHoliday.start();
    await withHoliday.sendExample('tour-events.jsonl');
    await withHoliday.ctl('clock', 'set', '2026-03-10T12:00:00Z');
    await withHoliday.sendExample('tour-events-2.jsonl');
    const { context, page } = await newPage(browser);
    await signIn(page, withHoliday, 'ops', EXAMPLE_PATH);
    const svg = page.locator('#timeline svg.timeline');
    await svg.waitFor();
    assert.match(await page.locator('#zone').innerText(), /Asia\/Shanghai.*business calendar CN/);
    const holiday = svg.locator('g.tl-holiday[data-date="2026-04-06"]');
    assert.equal(await holiday.count(), 1);
    assert.match(await holiday.locator('rect.tl-off.holiday title').textContent(), /^2026-04-06 holiday$/);
    assert.equal(await holiday.locator('text').textContent(), 'holiday');
    // Only the configured day is a holiday; the weekends around it are not.
    assert.equal(await svg.locator('g.tl-holiday').count(), 1);
    assert.equal(await svg.locator('g.tl-weekend[data-date="2026-04-04"]').count(), 1);
    assert.match(await page.locator('.tl-key').innerText(), /holidays: 2026-04-06/);
    const drawn = await svg.locator('text').allTextContents();
    assert.ok(drawn.some((t) => t.startsWith('2026-04-23') && /review done/.test(t)), drawn.join(' | '));
    assert.deepEqual(page.problems, []);
    await context.close();
  } finally {
    await withHoliday.close();
  }
});
