// Sign-in, the session cookie, the Content-Security-Policy and sign-out,
// through the page in a real headless Chromium against a real depositd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, launchBrowser, newPage, signIn, TOKENS } from './harness.mjs';

let daemon;
let browser;

before(async () => {
  daemon = new Daemon({ config: 'tenants { tenant: "hua" language: "zh-CN" }\n' });
  await daemon.start();
  await daemon.sendExample('tour-events.jsonl');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.close();
});

test('a wrong token is refused on the page and the form stays', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${daemon.url}/console/`);
  await page.getByLabel('Token').fill('not-a-token-of-this-daemon');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-error').filter({ hasText: 'Sign-in failed' }).waitFor();
  assert.equal(await page.locator('#sign-out').count(), 0);
  await context.close();
});

test('signing in by keyboard alone shows the overview with who is signed in', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${daemon.url}/console/`);
  // The token field has the focus; typing and Enter sign in.
  await page.locator('#token:focus').waitFor();
  await page.keyboard.type(TOKENS.ops.token);
  await page.keyboard.press('Enter');
  await page.locator('#sign-out').waitFor();
  await page.getByRole('heading', { name: 'What to do today' }).waitFor();
  assert.match(await page.locator('header').innerText(), /Signed in as ops \(all tenants\)/);
  await page.locator('#shops').getByRole('link', { name: 'tts-us-001' }).waitFor();
  // The session is a cookie the page's scripts cannot read, and it expires.
  const cookies = await context.cookies(daemon.url);
  assert.ok(cookies.length >= 1, 'a session cookie is set');
  for (const c of cookies) {
    assert.equal(c.httpOnly, true, `${c.name} is HttpOnly`);
    assert.ok(c.expires > Date.now() / 1000, `${c.name} has an expiry`);
    assert.equal(c.sameSite, 'Strict', `${c.name} is SameSite=Strict`);
  }
  // A reload keeps the session.
  await page.reload();
  await page.locator('#sign-out').waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the console is served with a strict Content-Security-Policy and nothing is blocked', async () => {
  const { context, page } = await newPage(browser);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  const res = await page.goto(`${daemon.url}/console/`);
  const csp = res.headers()['content-security-policy'] || '';
  assert.match(csp, /default-src 'none'|default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  await page.getByLabel('Token').fill(TOKENS.ops.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#shops').waitFor();
  assert.deepEqual(violations, []);
  await context.close();
});

test('signing out ends the session: the old cookie is refused and the page asks to sign in', async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, daemon, 'ops');
  const before = await context.cookies(daemon.url);
  await page.locator('#sign-out').click();
  await page.locator('#signin-form').waitFor();
  // The server forgot the session: the cookie from before sign-out no
  // longer works, even when sent again by hand.
  const header = before.map((c) => `${c.name}=${c.value}`).join('; ');
  const res = await fetch(`${daemon.url}/api/v1/session`, { headers: { Cookie: header } });
  assert.equal(res.status, 401);
  await page.goto(`${daemon.url}/console/alerts`);
  await page.locator('#signin-form').waitFor();
  assert.equal(await page.locator('#sign-out').count(), 0);
  await context.close();
});

test("the page follows the tenant's configured language over the browser's", async () => {
  // An English browser; tenant hua's configuration says zh-CN.
  const { context, page } = await newPage(browser, { locale: 'en-US' });
  await page.goto(`${daemon.url}/console/`);
  await page.getByLabel('Token').fill(TOKENS.hua.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: '今天要处理的事' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await context.close();
});
