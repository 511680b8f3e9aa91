// Takes the screenshots in docs/console/ (README "Console"): the overview,
// the example shop (domain.md §7 example 2, on 2026-03-05) and the alerts
// page, light and dark, English and Chinese, from a real depositd in
// Debian's Chromium. Not a test; run it after changing the pages:
//
//   DEPOSITD_BINARY=build/daemon/depositd DEPOSITCTL_BINARY=build/tools/depositctl \
//   DEPOSITD_EXAMPLES_DIR=deploy/examples node console/tests/screenshots.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, launchBrowser, newPage, TOKENS } from './harness.mjs';
import { disputedShop, mismatchedShop, quietShop, EXAMPLE_PATH } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../docs/console');
for (const [k, v] of Object.entries({ DEPOSITD_EXAMPLES_DIR: '../../deploy/examples' })) {
  if (!process.env[k]) process.env[k] = path.resolve(here, v);
}

const daemon = new Daemon({ clockStart: '2026-03-05T00:00:00Z' });
await daemon.start();
try {
  await daemon.sendExample('tour-events.jsonl');
  await daemon.sendLines([
    ...disputedShop('acme', 'tts-us-007'),
    ...mismatchedShop('globex', 'gx-cn-204', '2026-03-02'),
    ...mismatchedShop('initech', 'in-sea-017', '2026-03-03'),
    ...quietShop('acme', 'tts-us-002'),
    ...quietShop('acme', 'tts-uk-001'),
    ...quietShop('globex', 'gx-cn-100'),
  ]);
  const browser = await launchBrowser();
  const pages = [
    ['overview', '/console/', '#shops'],
    ['shop', EXAMPLE_PATH, '#timeline'],
    ['alerts', '/console/alerts', '#alert-groups table'],
  ];
  for (const lang of ['en', 'zh-CN']) {
    for (const scheme of ['light', 'dark']) {
      const { context, page } = await newPage(browser, {
        locale: lang === 'en' ? 'en-US' : 'zh-CN', colorScheme: scheme,
        viewport: { width: 1280, height: 800 },
      });
      await page.goto(`${daemon.url}/console/`);
      await page.locator('#token').fill(TOKENS.ops.token);
      await page.locator('#signin-form button[type=submit]').click();
      await page.locator('#sign-out').waitFor();
      for (const [name, url, ready] of pages) {
        await page.goto(`${daemon.url}${url}`);
        await page.locator(ready).first().waitFor();
        await page.waitForFunction(() => !/Loading…|加载中…/.test(document.body.innerText));
        const file = path.join(out, `${name}-${lang}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
      }
      await context.close();
    }
  }
  await browser.close();
} finally {
  await daemon.close();
}
