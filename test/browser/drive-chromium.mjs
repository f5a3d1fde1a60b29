#!/usr/bin/env node
/**
 * A real browser for the end-to-end test: authctl runs this as BROWSER with the authorize URL as the
 * last argument (detached, not awaited). It drives Debian's /usr/bin/chromium, headless, through
 * playwright-core (never a downloaded browser) over oidc-provider's development login and consent
 * pages until authctl's loopback page appears, then closes the browser and exits by itself within a
 * bounded time. Requests to anything but loopback are blocked, so the test needs no network.
 *
 * When AUTHCTL_TEST_BROWSER_RESULT names a file, the outcome is written there as JSON:
 * { ok, title, text, steps } or { ok: false, error }.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.AUTHCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const HARD_LIMIT_MS = 45_000;
const url = process.argv[process.argv.length - 1];
const resultFile = process.env.AUTHCTL_TEST_BROWSER_RESULT;
const login = process.env.AUTHCTL_TEST_LOGIN ?? 'alice';

const report = (data) => {
  if (resultFile) fs.writeFileSync(resultFile, `${JSON.stringify(data)}\n`);
};
const isLoopback = (raw) => {
  try {
    const h = new URL(raw).hostname;
    return (
      h === '127.0.0.1' ||
      h === 'localhost' ||
      h === '[::1]' ||
      raw.startsWith('data:') ||
      raw.startsWith('about:')
    );
  } catch {
    return false;
  }
};

// Exit on our own whatever happens (authctl does not wait for us, nobody else will stop us).
const killer = setTimeout(() => {
  report({ ok: false, error: `gave up after ${HARD_LIMIT_MS} ms` });
  process.exit(2);
}, HARD_LIMIT_MS);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-chromium-'));
let context;
try {
  if (!url || !isLoopback(url)) throw new Error('expected a loopback authorize URL as the last argument');
  const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 20_000,
  });
  // oidc-provider's pages @import a web font: keep the test off the network.
  await context.route('**/*', (route) =>
    isLoopback(route.request().url()) ? route.continue() : route.abort(),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const steps = [];
  for (let i = 0; i < 6; i++) {
    const here = new URL(page.url());
    if (here.origin === redirect.origin && here.pathname === redirect.pathname) break;
    if (await page.locator('input[name="login"]').count()) {
      steps.push('login');
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any password');
    } else {
      steps.push('consent');
    }
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('form button[type="submit"]'),
    ]);
  }
  // authctl's page: the code was exchanged before it was sent.
  const title = (await page.locator('#authctl-title').textContent({ timeout: 10_000 }))?.trim();
  const text = ((await page.locator('body').textContent()) ?? '').trim();
  await context.close();
  context = undefined;
  report({ ok: true, title, text, steps });
} catch (e) {
  report({ ok: false, error: String(e?.message ?? e).slice(0, 2000) });
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
  clearTimeout(killer);
}
