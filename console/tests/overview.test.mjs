// The overview page: counts, the shops at risk, filters kept in the
// address (a link reproduces the view), pages of shops, and links to a
// shop, in a real headless Chromium against a real depositd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, launchBrowser, newPage, signIn } from './harness.mjs';
import { mismatchedShop, quietShop } from './fixtures.mjs';

let daemon;
let browser;

before(async () => {
  daemon = new Daemon();
  await daemon.start();
  await daemon.sendExample('tour-events.jsonl');
  await daemon.sendLines(mismatchedShop('globex', 'gx-bad-account'));
  // More quiet shops than one page holds (50).
  const bulk = [];
  for (let i = 0; i < 60; i += 1) bulk.push(...quietShop('bulk', `shop-${String(i).padStart(3, '0')}`));
  await daemon.sendLines(bulk);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.close();
});

test('counts by verdict and by risk kind are shown and link to their filter', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops');
  const risks = page.locator('#by-risk');
  await risks.getByRole('link', { name: /Account mismatch/ }).waitFor();
  await risks.getByRole('link', { name: /Closure blocked/ }).click();
  await page.waitForURL(/risk=CLOSURE_BLOCKED/);
  const rows = page.locator('#shops tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /tts-us-001/);
  await context.close();
});

test('at-risk shops come first, and filters go into the address and back', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops');
  const first = page.locator('#shops tbody tr').first();
  await first.waitFor();
  // The default view is the shops at risk, by money at stake and nearest
  // deadline: the two with a firing alert, none of the 60 quiet ones.
  await page.getByRole('heading', { name: /Shops at risk/ }).waitFor();
  const atRisk = await page.locator('#shops tbody tr').allInnerTexts();
  assert.equal(atRisk.length, 2, atRisk.join('\n'));
  assert.match(atRisk.join('\n'), /tts-us-001/);
  assert.match(atRisk.join('\n'), /gx-bad-account/);

  await page.getByLabel('Verdict', { exact: true }).selectOption('NOT_READY');
  await page.getByLabel('Tenant', { exact: true }).fill('acme');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/verdict=NOT_READY/);
  const url = page.url();
  assert.match(url, /tenant=acme/);
  const rows = page.locator('#shops tbody tr');
  await rows.filter({ hasText: 'tts-us-001' }).waitFor();
  assert.equal(await rows.count(), 1);

  // The same address in a fresh tab shows the same view, filters filled in.
  const other = await context.newPage();
  await other.goto(url);
  await other.locator('#shops tbody tr').filter({ hasText: 'tts-us-001' }).waitFor();
  assert.equal(await other.locator('#shops tbody tr').count(), 1);
  assert.equal(await other.getByLabel('Verdict', { exact: true }).inputValue(), 'NOT_READY');
  assert.equal(await other.getByLabel('Tenant', { exact: true }).inputValue(), 'acme');

  // Back in history restores the unfiltered list.
  await page.goBack();
  await page.waitForURL((u) => !/verdict=/.test(u.search));
  await page.locator('#shops tbody tr').nth(1).waitFor();
  // Sorted by id, every shop is listed.
  await page.getByLabel('Sort').selectOption('id');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/sort=id/);
  await page.getByRole('heading', { name: /All shops/ }).waitFor();
  await page.locator('#shops tbody tr').nth(49).waitFor();
  await context.close();
});

test('text search on the shop id and the platform profile filter', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', '/console/?q=shop-05&sort=id');
  const rows = page.locator('#shops tbody tr');
  await rows.first().waitFor();
  const texts = await rows.allInnerTexts();
  assert.equal(texts.length, 10, texts.join('\n'));
  for (const t of texts) assert.match(t, /shop-05\d/);

  await page.goto(`${daemon.url}/console/?profile=tiktok_shop_cross_border`);
  await rows.filter({ hasText: 'tts-us-001' }).waitFor();
  assert.equal(await rows.count(), 1);
  await context.close();
});

test('shops come a page at a time and the next page is a link', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', '/console/?tenant=bulk&sort=id');
  const rows = page.locator('#shops tbody tr');
  await page.locator('#next-page').waitFor();
  assert.equal(await rows.count(), 50);
  assert.match(await rows.first().innerText(), /shop-000/);
  await page.locator('#next-page').click();
  await page.waitForURL(/page_token=/);
  await rows.filter({ hasText: 'shop-059' }).waitFor();
  assert.equal(await rows.count(), 10);
  assert.equal(await page.locator('#next-page').count(), 0);
  await context.close();
});

test('a shop link opens the shop page', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops');
  await page.locator('#shops').getByRole('link', { name: 'tts-us-001' }).click();
  await page.waitForURL(/\/console\/shops\/acme\/tts-us-001$/);
  await page.getByRole('heading', { name: 'Shop tts-us-001' }).waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});
