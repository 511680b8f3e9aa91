// The alerts page: acknowledge and silence from the page (then seen in
// Alerts.List through depositctl), a new alert appearing live without a
// reload, and the page going on after a daemon restart without signing
// in again; in a real headless
// Chromium against a real depositd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, launchBrowser, newPage, signIn, waitFor, TOKENS } from './harness.mjs';
import { mismatchedShop } from './fixtures.mjs';

let daemon;
let browser;

before(async () => {
  daemon = new Daemon();
  await daemon.start();
  await daemon.sendExample('tour-events.jsonl');
  await daemon.sendLines(mismatchedShop('globex', 'gx-1'));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.close();
});

async function listAlerts(filter = []) {
  return daemon.ctlJsonLines('alerts', 'list', ...filter);
}

const row = (page, key) => page.locator(`tr[data-key="${key}"]`);

test('alerts are grouped by kind or by shop with severity', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', '/console/alerts');
  await page.getByRole('region', { name: 'Closure blocked' }).waitFor();
  await page.getByRole('region', { name: 'Account mismatch' }).waitFor();
  await page.getByRole('link', { name: 'shop' }).click();
  await page.waitForURL(/group=shop/);
  await page.getByRole('region', { name: 'acme/tts-us-001' }).waitFor();
  await page.getByRole('region', { name: 'globex/gx-1' }).waitFor();
  assert.match(await row(page, 'acme/tts-us-001/CLOSURE_BLOCKED').innerText(), /warning/);
  await context.close();
});

test('acknowledge from the page: Alerts.List shows who acknowledged', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'acme', '/console/alerts');
  const r = row(page, 'acme/tts-us-001/CLOSURE_BLOCKED');
  await r.getByRole('button', { name: 'Acknowledge' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Who').fill('alice');
  await dialog.getByLabel('Comment').fill('seller is paying the ads fee');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await page.locator('#notice').filter({ hasText: 'Acknowledged.' }).waitFor();
  const listed = await waitFor(async () => {
    const all = await listAlerts(['--tenant', 'acme']);
    const a = all.find((x) => x.key.kind === 'CLOSURE_BLOCKED');
    return a && a.acknowledged ? a : null;
  }, 'the acknowledgement in Alerts.List', 10000);
  assert.equal(listed.acknowledgedBy, 'alice');
  // The page shows it too, and offers no second acknowledgement.
  await r.locator('.ack-by').filter({ hasText: 'acknowledged by alice' }).waitFor();
  assert.equal(await r.getByRole('button', { name: 'Acknowledge' }).count(), 0);
  await context.close();
});

test('silence from the page: Alerts.List names the silence', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', '/console/alerts');
  const r = row(page, 'globex/gx-1/ACCOUNT_MISMATCH');
  await r.getByRole('button', { name: /^Silence/ }).click();
  const dialog = page.getByRole('dialog');
  assert.equal(await dialog.getByLabel('Tenant').inputValue(), 'globex');
  assert.equal(await dialog.getByLabel('Shop').inputValue(), 'gx-1');
  assert.equal(await dialog.getByLabel('Kind').inputValue(), 'ACCOUNT_MISMATCH');
  await dialog.getByLabel('For (hours)').fill('48');
  await dialog.getByLabel('Who').fill('bob');
  await dialog.getByLabel('Comment').fill('finance is fixing the account');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await page.locator('#notice').filter({ hasText: 'Silenced' }).waitFor();
  const listed = await waitFor(async () => {
    const all = await listAlerts(['--tenant', 'globex']);
    const a = all.find((x) => x.key.kind === 'ACCOUNT_MISMATCH');
    return a && a.silencedBy ? a : null;
  }, 'the silence in Alerts.List', 10000);
  assert.ok(listed.silencedBy.length > 0);
  await r.locator('.silenced-by').waitFor();
  await context.close();
});

test('a new alert appears without a reload, also after a daemon restart', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops', '/console/alerts');
  await page.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  // A marker that a reload would wipe.
  await page.evaluate(() => { window.__sameDocument = true; });

  await daemon.sendLines(mismatchedShop('initech', 'in-live-1'));
  await row(page, 'initech/in-live-1/ACCOUNT_MISMATCH').waitFor({ timeout: 5000 });
  await page.locator('#recent li').filter({ hasText: 'initech/in-live-1' }).waitFor();

  await daemon.restart();
  // Sessions are kept in the daemon's store: after a restart the same page
  // (no reload) goes on live where it was, without asking for the token.
  await daemon.sendLines(mismatchedShop('initech', 'in-live-2'));
  await row(page, 'initech/in-live-2/ACCOUNT_MISMATCH').waitFor({ timeout: 15000 });
  await page.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  assert.equal(await page.locator('#signin-form').count(), 0);
  assert.match(page.url(), /\/console\/alerts$/);
  // The session and its CSRF token still hold: the page can act.
  const acked = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch('/api/v1/alerts/acknowledge', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
      body: JSON.stringify({ key: { tenant: 'initech', shopId: 'in-live-2', kind: 'ACCOUNT_MISMATCH' }, by: 'ops' }),
    });
    return [s.identity.name, res.status];
  });
  assert.deepEqual(acked, ['ops', 200]);
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  await context.close();
});

test('a user without the alerts role is offered no actions, and the API refuses them (403)', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'acmeRead', '/console/alerts');
  const r = row(page, 'acme/tts-us-001/CLOSURE_BLOCKED');
  await r.waitFor();
  assert.equal(await page.getByRole('button', { name: /Acknowledge|Silence/ }).count(), 0);
  const status = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const res = await fetch('/api/v1/alerts/acknowledge', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
      body: JSON.stringify({ key: { tenant: 'acme', shopId: 'tts-us-001', kind: 'CLOSURE_BLOCKED' }, by: 'reader' }),
    });
    return res.status;
  });
  assert.equal(status, 403);
  await context.close();
});
