#!/usr/bin/env node
/**
 * A person in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core, never a
 * downloaded browser; an empty profile; requests to anything but loopback blocked, so no test needs
 * the network). Run as BROWSER by the browser and demo tests (authctl passes the URL as the last
 * argument and does not wait), or directly with a URL. It exits by itself within a bounded time.
 *
 * AUTHCTL_TEST_CLICK says what to do:
 *   oidc              oidc-provider's development login and consent pages: sign in as
 *                     AUTHCTL_TEST_LOGIN (default alice), consent, until authctl's loopback page
 *   accept | refuse   the Pryv consent page: click #accept or #refuse, read the result page
 *   allow | deny      the SAFE approval page: reload until a request is listed, click its button
 *   login             the LivePerson login form: fill AUTHCTL_TEST_LOGIN / AUTHCTL_TEST_PASSWORD,
 *                     click "Sign in", follow the redirect to authctl's loopback page
 * The outcome goes to AUTHCTL_TEST_BROWSER_RESULT as JSON: { ok, steps, title, … } ({ ok, steps,
 * title, text } for oidc; { ok, steps, title, app, items, message } for the others) or
 * { ok: false, error }.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.AUTHCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const HARD_LIMIT_MS = 45_000;
const url = process.argv[process.argv.length - 1];
const action = process.env.AUTHCTL_TEST_CLICK ?? 'accept';
const resultFile = process.env.AUTHCTL_TEST_BROWSER_RESULT;

const report = (data) => {
  if (resultFile) fs.writeFileSync(resultFile, `${JSON.stringify(data)}\n`);
};
const isLoopback = (raw) => {
  if (raw.startsWith('about:') || raw.startsWith('data:')) return true;
  try {
    const h = new URL(raw).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return false;
  }
};
const killer = setTimeout(() => {
  report({ ok: false, error: `gave up after ${HARD_LIMIT_MS} ms` });
  process.exit(2);
}, HARD_LIMIT_MS);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-chromium-'));
let context;
try {
  if (!url || !isLoopback(url)) throw new Error('expected a loopback URL as the last argument');
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
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
  const text = async (sel) => ((await page.locator(sel).first().textContent()) ?? '').trim();
  let out;
  if (action === 'accept' || action === 'refuse') {
    const app = await text('#app');
    const items = await page.locator('#permissions li').allTextContents();
    steps.push(action);
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(`#${action}`)]);
    out = {
      title: await text('#title'),
      app,
      items: items.map((s) => s.trim()),
      message: await text('#message'),
    };
  } else if (action === 'allow' || action === 'deny') {
    const end = Date.now() + 15_000;
    while ((await page.locator(`button.${action}`).count()) === 0) {
      if (Date.now() > end) throw new Error('no request appeared on the approval page');
      await new Promise((r) => setTimeout(r, 200));
      await page.reload({ waitUntil: 'domcontentloaded' });
    }
    const app = await text('.app-name');
    const items = await page.locator('.permission').allTextContents();
    steps.push(action);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.locator(`button.${action}`).first().click(),
    ]);
    out = { title: await text('#title'), app, items, message: await text('#message') };
  } else if (action === 'oidc') {
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
    for (let i = 0; i < 6; i++) {
      const here = new URL(page.url());
      if (here.origin === redirect.origin && here.pathname === redirect.pathname) break;
      if (await page.locator('input[name="login"]').count()) {
        steps.push('login');
        await page.fill('input[name="login"]', process.env.AUTHCTL_TEST_LOGIN ?? 'alice');
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
    out = {
      title: (await page.locator('#authctl-title').textContent({ timeout: 10_000 }))?.trim(),
      text: await text('body'),
    };
  } else if (action === 'login') {
    const app = await text('#app');
    steps.push('login');
    await page.fill('#login', process.env.AUTHCTL_TEST_LOGIN ?? 'agent');
    await page.fill('#password', process.env.AUTHCTL_TEST_PASSWORD ?? '');
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('#sign-in')]);
    // Wrong credentials keep us on the form with an error; otherwise authctl's page appears.
    const error = await page.locator('#error').count();
    out = error
      ? { title: await text('#title'), app, error: await text('#error') }
      : { title: await text('#authctl-title'), app, message: await text('body') };
  } else {
    throw new Error(`unknown AUTHCTL_TEST_CLICK ${action}`);
  }
  await context.close();
  context = undefined;
  report({ ok: true, steps, ...out });
} catch (e) {
  report({ ok: false, error: String(e?.message ?? e).slice(0, 2000) });
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
  clearTimeout(killer);
}
