// Tenancy through the console: a tenant's user sees only that tenant and
// cannot see or act on another tenant's shop (403), neither through the
// page nor by calling the API from it; state-changing calls need the CSRF
// token. Real headless Chromium against a real depositd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, launchBrowser, newPage, signIn } from './harness.mjs';
import { mismatchedShop } from './fixtures.mjs';

let daemon;
let browser;

before(async () => {
  daemon = new Daemon();
  await daemon.start();
  await daemon.sendExample('tour-events.jsonl');
  await daemon.sendLines(mismatchedShop('globex', 'gx-secret'));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.close();
});

test('a tenant\'s user sees only that tenant in the overview and alerts', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'acme');
  await page.locator('#shops').getByRole('link', { name: 'tts-us-001' }).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /gx-secret|globex/);
  // No tenant filter for a tenant's user.
  assert.equal(await page.locator('#f-tenant').count(), 0);
  await page.goto(`${daemon.url}/console/alerts`);
  await page.locator('tr[data-key="acme/tts-us-001/CLOSURE_BLOCKED"]').waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /gx-secret|globex/);
  await context.close();
});

test('another tenant\'s shop page answers 403 and shows nothing of it', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'acme', '/console/shops/globex/gx-secret');
  const err = page.locator('main .error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-status'), '403');
  assert.equal(await page.locator('#checklist').count(), 0);
  // A shop that does not exist in another tenant answers the same 403,
  // so the page cannot tell which shops exist.
  await page.goto(`${daemon.url}/console/shops/globex/no-such-shop`);
  await page.locator('main .error').waitFor();
  assert.equal(await page.locator('main .error').getAttribute('data-status'), '403');
  await context.close();
});

test('acting on another tenant\'s alert from the page is refused (403), and CSRF is required', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'acme');
  const result = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const post = (path, body, csrf) => fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.status);
    const key = { tenant: 'globex', shopId: 'gx-secret', kind: 'ACCOUNT_MISMATCH' };
    return {
      readOther: (await fetch('/api/v1/shops/globex/gx-secret')).status,
      explainOther: (await fetch('/api/v1/shops/globex/gx-secret/explain')).status,
      alertsOther: (await fetch('/api/v1/shops/globex/gx-secret/alerts')).status,
      ackOther: await post('/api/v1/alerts/acknowledge', { key, by: 'alice' }, s.csrfToken),
      silenceOther: await post('/api/v1/alerts/silence',
        { tenant: 'globex', endsAt: '2027-01-01T00:00:00Z', by: 'alice' }, s.csrfToken),
      ackOwnWithoutCsrf: await post('/api/v1/alerts/acknowledge',
        { key: { tenant: 'acme', shopId: 'tts-us-001', kind: 'CLOSURE_BLOCKED' }, by: 'alice' }, null),
      ackOwnWrongCsrf: await post('/api/v1/alerts/acknowledge',
        { key: { tenant: 'acme', shopId: 'tts-us-001', kind: 'CLOSURE_BLOCKED' }, by: 'alice' }, 'forged'),
    };
  });
  assert.deepEqual(result, {
    readOther: 403, explainOther: 403, alertsOther: 403, ackOther: 403, silenceOther: 403,
    ackOwnWithoutCsrf: 403, ackOwnWrongCsrf: 403,
  });
  // Nothing changed on globex's alert.
  const globex = await daemon.ctlJsonLines('alerts', 'list', '--tenant', 'globex');
  const a = globex.find((x) => x.key.kind === 'ACCOUNT_MISMATCH');
  assert.ok(a, 'the globex alert fires');
  assert.ok(!a.acknowledged && !a.silencedBy);
  await context.close();
});

test('without a session the API answers 401', async () => {
  const res = await fetch(`${daemon.url}/api/v1/shops/acme/tts-us-001`);
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.ok(body.error && body.error.message);
});
