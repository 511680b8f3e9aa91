// The browser tests' harness: starts the real depositd on 127.0.0.1 (ports
// chosen by the kernel, read from --port-file and --http-port-file) with a
// token file and a test clock, drives it with the real depositctl, and
// launches Debian's Chromium headless through playwright-core. Everything
// it starts is stopped by stop() / close(); waits are on conditions (a
// file appears, /readyz answers 200), each with a deadline.
//
// Environment (set by tests/console_browser.cmake): DEPOSITD_BINARY,
// DEPOSITCTL_BINARY, DEPOSITD_EXAMPLES_DIR; CHROMIUM (default
// /usr/bin/chromium). DEPOSITD_KEEP_TEST_DIRS keeps the temporary folder.

import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);

// The tokens of the tests: the feed and test driver (depositctl), an
// operator across tenants, a user of tenant acme (the example shop's), a
// user of another tenant, and a read-only user of acme (no alerts role).
export const TOKENS = {
  feed: { token: 'console-test-feed-0123456789abcdef', line: 'tenant=* roles=ingest,read,alerts,admin name=feed' },
  ops: { token: 'console-test-ops-0123456789abcdef', line: 'tenant=* roles=read,alerts,admin name=ops' },
  acme: { token: 'console-test-acme-0123456789abcdef', line: 'tenant=acme roles=read,alerts name=alice' },
  globex: { token: 'console-test-globex-0123456789abcd', line: 'tenant=globex roles=read,alerts name=gina' },
  acmeRead: { token: 'console-test-acmeread-0123456789ab', line: 'tenant=acme roles=read name=reader' },
  // A tenant whose configuration says zh-CN (Daemon options.config).
  hua: { token: 'console-test-hua-0123456789abcdef0', line: 'tenant=hua roles=read name=hua' },
};

function sha256(s) {
  return createHash('sha256').update(s).digest('hex');
}

// Polls `check` (async, returns a truthy value when done) every 50 ms until
// it is truthy or `timeoutMs` passes; throws `what` on timeout.
export async function waitFor(check, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A loopback port that was free a moment ago (the kernel's pick, released),
// so a restarted daemon serves the console at the same address.
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class Daemon {
  constructor(options = {}) {
    this.binary = process.env.DEPOSITD_BINARY;
    this.ctlBinary = process.env.DEPOSITCTL_BINARY;
    if (!this.binary || !this.ctlBinary) {
      throw new Error('DEPOSITD_BINARY and DEPOSITCTL_BINARY must be set (CTest does)');
    }
    this.clockStart = options.clockStart || '2026-03-05T00:00:00Z';
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'depositd-console-'));
    this.dataDir = path.join(this.root, 'data');
    this.tokenFile = path.join(this.root, 'tokens');
    this.logPath = path.join(this.root, 'depositd.log');
    const lines = Object.values(TOKENS).map((t) => `sha256:${sha256(t.token)} ${t.line}`);
    fs.writeFileSync(this.tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    // options.config: the text of a --config file (depositd.v1.DaemonConfig).
    this.configFile = null;
    if (options.config) {
      this.configFile = path.join(this.root, 'depositd.textproto');
      fs.writeFileSync(this.configFile, options.config);
    }
    this.child = null;
    this.runs = 0;
  }

  async start() {
    if (!this.httpPort) this.httpPort = await freePort();
    this.runs += 1;
    const portFile = path.join(this.root, `port-${this.runs}`);
    const httpPortFile = path.join(this.root, `http-port-${this.runs}`);
    const args = ['--listen', '127.0.0.1:0', '--port-file', portFile,
      '--http-listen', `127.0.0.1:${this.httpPort}`, '--http-port-file', httpPortFile,
      '--data-dir', this.dataDir, '--sync=os', '--token-file', this.tokenFile,
      '--test-clock', '--test-clock-start', this.clockStart];
    if (this.configFile) args.push('--config', this.configFile);
    const log = fs.openSync(this.logPath, 'a');
    this.child = spawn(this.binary, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const child = this.child;
    // A test that dies never leaves a daemon behind.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.on('exit', () => process.removeListener('exit', reap));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let gone = null;
    this.exited.then((e) => { gone = e; });
    const readPort = (f) => {
      if (gone) throw new Error(`depositd exited (${JSON.stringify(gone)}):\n${this.logTail()}`);
      const text = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : '';
      return /^\d+$/.test(text) ? Number(text) : (/:(\d+)$/.exec(text) || [])[1];
    };
    const port = await waitFor(() => readPort(portFile), 'the gRPC port file', 60000);
    const httpPort = await waitFor(() => readPort(httpPortFile), 'the HTTP port file', 60000);
    this.addr = `127.0.0.1:${port}`;
    this.url = `http://127.0.0.1:${httpPort}`;
    await waitFor(async () => (await fetch(`${this.url}/readyz`)).status === 200, '/readyz 200', 60000);
  }

  // SIGTERM and wait for the exit (SIGKILL after 30 s).
  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    await this.exited;
    clearTimeout(timer);
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  // depositctl with the feed's token; returns stdout.
  async ctl(...args) {
    const { stdout } = await execFileP(this.ctlBinary,
      ['--addr', this.addr, '--token', TOKENS.feed.token, ...args], { timeout: 60000 });
    return stdout;
  }

  async ctlJson(...args) {
    return JSON.parse(await this.ctl(...args, '--json'));
  }

  // For commands that print JSON Lines (alerts list, shops).
  async ctlJsonLines(...args) {
    return (await this.ctl(...args, '--json')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }

  // Sends a file of deploy/examples.
  async sendExample(name) {
    return this.ctl('send', path.join(process.env.DEPOSITD_EXAMPLES_DIR, name));
  }

  async sendLines(events) {
    const f = path.join(this.root, `events-${Date.now()}-${Math.random().toString(16).slice(2)}.jsonl`);
    fs.writeFileSync(f, events.map((e) => JSON.stringify(e)).join('\n'));
    return this.ctl('send', f);
  }

  logTail(lines = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch (e) {
      return '';
    }
  }

  async close() {
    await this.stop();
    if (!process.env.DEPOSITD_KEEP_TEST_DIRS) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

// Debian's Chromium, headless, with a fresh profile and no background
// networking (this machine has no network but loopback).
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

// A new browser context (its own cookies) and page, in `locale` and
// `colorScheme`, with console errors and CSP violations collected.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    locale: options.locale || 'en-US',
    colorScheme: options.colorScheme || 'light',
    viewport: options.viewport || { width: 1280, height: 900 },
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  return { context, page };
}

// Signs in through the page's form.
export async function signIn(page, daemon, who, url = '/console/') {
  await page.goto(`${daemon.url}${url}`);
  await page.getByLabel(/Token|令牌/).fill(TOKENS[who].token);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  await page.locator('#sign-out').waitFor();
}
