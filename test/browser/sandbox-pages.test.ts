/**
 * The sandbox's consent pages in a real headless Chromium (test/browser/chromium.mjs), with
 * the real authctl: `pryv request` opens the Pryv consent page and Chromium clicks Accept; a
 * held `safe authorize` is allowed by clicking Allow on the Launcher's approval page;
 * `liveperson login` goes through the Sentinel login form (a wrong password first shows the
 * error). Also: what an app sends is displayed as text, never as markup. Without /usr/bin/chromium
 * the tests are skipped with a notice, or fail when AUTHCTL_REQUIRE_BROWSER_TEST=1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, startLivePerson } from '../../src/sandbox/liveperson.js';
import { startPryv } from '../../src/sandbox/pryv.js';
import { startSafe } from '../../src/sandbox/safe.js';
import { livepersonArgs } from '../helpers/args.js';
import { readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const CHROMIUM = process.env.AUTHCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHIM = path.join(repoRoot, 'test', 'browser', 'chromium.mjs');
const tmp = tempConfigDir();
after(tmp.cleanup);
let n = 0;
const dirFor = () => {
  const d = path.join(tmp.dir, String(++n));
  fs.mkdirSync(d);
  return d;
};

function available(t: { skip: (m: string) => void }): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.AUTHCTL_REQUIRE_BROWSER_TEST === '1')
    assert.fail(`${CHROMIUM} is missing but AUTHCTL_REQUIRE_BROWSER_TEST=1`);
  const notice = `SKIPPED: real-browser test needs ${CHROMIUM} (apt-get install -y chromium)`;
  process.stderr.write(`\n*** ${notice} ***\n\n`);
  t.skip(notice);
  return false;
}

/** The driver runs detached (authctl does not wait for its browser): wait for its result file. */
async function resultOf(file: string, ms = 30_000): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fs.existsSync(file) && fs.statSync(file).size > 0)
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the browser driver wrote no result to ${file} within ${ms} ms`);
}

/** Run the Chromium driver on `url` directly; resolves with its JSON result. */
function click(
  url: string,
  action: string,
  extra: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const result = path.join(tmp.dir, `click-${++n}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SHIM, url], {
      env: { ...process.env, AUTHCTL_TEST_CLICK: action, AUTHCTL_TEST_BROWSER_RESULT: result, ...extra },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(fs.readFileSync(result, 'utf8')) as Record<string, unknown>);
      } catch (e) {
        reject(e);
      }
    });
  });
}

test('pryv request opens the consent page; Chromium sees the app and permissions and clicks Accept', {
  timeout: 90_000,
}, async (t) => {
  if (!available(t)) return;
  const pryv = await startPryv({ pollRateMs: 200 });
  const dir = dirFor();
  const result = path.join(dir, 'browser.json');
  try {
    const r = await runCli(
      [
        'pryv',
        'request',
        '--app-id',
        'chromium-app',
        '--permission',
        'diary:read:My diary',
        '--permission',
        'notes:manage',
        '--service-info',
        pryv.serviceInfoUrl,
        '--timeout',
        '60s',
      ],
      {
        configDir: dir,
        env: { BROWSER: SHIM, AUTHCTL_TEST_CLICK: 'accept', AUTHCTL_TEST_BROWSER_RESULT: result },
        timeoutMs: 70_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const b = await resultOf(result);
    assert.equal(b.ok, true, String(b.error));
    assert.equal(b.app, 'chromium-app');
    assert.deepEqual(b.items, ['stream diary (My diary): read', 'stream notes (notes): manage']);
    assert.equal(b.title, 'Access granted');
    assert.deepEqual(readStore(dir).profiles.pryv!.scopes, ['diary:read', 'notes:manage']);
  } finally {
    await pryv.close();
  }
});

test('an app id and stream ids full of markup are shown as text; Refuse settles the request as REFUSED', {
  timeout: 60_000,
}, async (t) => {
  if (!available(t)) return;
  const pryv = await startPryv({});
  try {
    const evil = '<img src=x onerror="document.title=1">&amp;';
    const c = (await (
      await fetch(`${pryv.base}/reg/access/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          requestingAppId: evil,
          requestedPermissions: [{ streamId: '<b>bold</b>', level: 'read' }],
        }),
      })
    ).json()) as { authUrl: string; poll: string };
    const b = await click(c.authUrl, 'refuse');
    assert.equal(b.ok, true, String(b.error));
    assert.equal(b.app, evil, 'the page shows exactly what the app sent, as text');
    assert.deepEqual(b.items, ['stream <b>bold</b>: read']);
    assert.equal(b.title, 'Access refused');
    const p = await fetch(c.poll);
    assert.equal(p.status, 403);
    assert.equal(((await p.json()) as { status: string }).status, 'REFUSED');
  } finally {
    await pryv.close();
  }
});

test('safe authorize waits; Chromium clicks Allow on the approval page; the token works', {
  timeout: 90_000,
}, async (t) => {
  if (!available(t)) return;
  const safe = await startSafe({});
  const dir = dirFor();
  try {
    const login = runCli(
      [
        'safe',
        'authorize',
        '--app-name',
        'Chromium <Demo>',
        '--app-id',
        'net.example.chromium',
        '--app-version',
        '2.0',
        '--app-vendor',
        'Example',
        '--permission',
        'LOW_LEVEL_API',
        '--launcher-url',
        safe.url,
      ],
      { configDir: dir, timeoutMs: 60_000 },
    );
    const b = await click(safe.pageUrl, 'allow');
    assert.equal(b.ok, true, String(b.error));
    assert.equal(b.app, 'Chromium <Demo>');
    assert.deepEqual(b.items, ['LOW_LEVEL_API']);
    assert.equal(b.title, 'Access allowed');
    const r = await login;
    assert.equal(r.code, 0, r.stderr);
    const status = await runCli(['safe', 'status'], { configDir: dir });
    assert.equal(status.code, 0, status.stderr);
  } finally {
    await safe.close();
  }
});

test('liveperson login through the Sentinel login form in Chromium: wrong password, then the right one', {
  timeout: 90_000,
}, async (t) => {
  if (!available(t)) return;
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const lp = await startLivePerson({
    clientId: 'chromium-app',
    clientSecret: 'chromium-secret-123',
    redirectUris: [redirectUri],
    users: [{ login: 'agent', password: 'agent-password-1', id: 'agent-007' }],
  });
  try {
    // A wrong password keeps the browser on the form, with the error shown.
    const authorize = `${lp.url}/sentinel/api/account/${lp.account}/authorize?v=1.0&response_type=code&client_id=chromium-app&redirect_uri=${encodeURIComponent(redirectUri)}&state=s1`;
    const wrong = await click(authorize, 'login', {
      AUTHCTL_TEST_LOGIN: 'agent',
      AUTHCTL_TEST_PASSWORD: 'nope',
    });
    assert.equal(wrong.ok, true, String(wrong.error));
    assert.equal(wrong.error, 'Wrong login name or password.');
    assert.equal(wrong.app, 'chromium-app');

    const dir = dirFor();
    const result = path.join(dir, 'browser.json');
    const r = await runCli(
      livepersonArgs(
        lp.account,
        'chromium-app',
        ['--domain-api', lp.domainApi],
        redirectUri,
        '--timeout',
        '60s',
      ),
      {
        configDir: dir,
        env: {
          AUTHCTL_CLIENT_SECRET: 'chromium-secret-123',
          BROWSER: SHIM,
          AUTHCTL_TEST_CLICK: 'login',
          AUTHCTL_TEST_LOGIN: 'agent',
          AUTHCTL_TEST_PASSWORD: 'agent-password-1',
          AUTHCTL_TEST_BROWSER_RESULT: result,
        },
        timeoutMs: 70_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const b = await resultOf(result);
    assert.equal(b.ok, true, String(b.error));
    assert.ok(typeof b.title === 'string' && b.title.length > 0, "authctl's page came up");
    assert.equal(readStore(dir).profiles.liveperson!.subject, 'agent-007', 'the user who signed in');
  } finally {
    await lp.close();
  }
});
