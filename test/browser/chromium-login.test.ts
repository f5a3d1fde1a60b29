/**
 * End to end in a real headless Chromium: `authctl oauth login` opens the authorize URL through
 * BROWSER=test/browser/chromium.mjs, which clicks through oidc-provider's login and consent
 * pages; authctl receives the redirect, exchanges the code, and `authctl token print` then works.
 * Without /usr/bin/chromium the test is skipped with a notice — or fails when
 * AUTHCTL_REQUIRE_BROWSER_TEST=1 (CI, which installs Chromium).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startOidc } from '../fakes/oidc.js';
import { readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const CHROMIUM = process.env.AUTHCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const DRIVER = path.join(repoRoot, 'test', 'browser', 'chromium.mjs');

async function waitForFile(file: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fs.existsSync(file) && fs.statSync(file).size > 0) return fs.readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the browser driver wrote no result to ${file} within ${ms} ms`);
}

test('oauth login in a real headless Chromium, then token print', { timeout: 90_000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    if (process.env.AUTHCTL_REQUIRE_BROWSER_TEST === '1') {
      assert.fail(
        `${CHROMIUM} is missing but AUTHCTL_REQUIRE_BROWSER_TEST=1: install it (apt-get install -y chromium)`,
      );
    }
    const notice = `SKIPPED: real-browser test needs ${CHROMIUM} (apt-get install -y chromium)`;
    process.stderr.write(`\n*** ${notice} ***\n\n`);
    t.skip(notice);
    return;
  }
  assert.ok(fs.statSync(DRIVER).mode & 0o111, 'the driver is executable');
  const op = await startOidc({
    clients: [
      {
        client_id: 'chromium-cli',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline_access',
      },
    ],
  });
  const { dir, cleanup } = tempConfigDir();
  const resultFile = path.join(dir, 'browser-result.json');
  try {
    const t0 = Date.now();
    const r = await runCli(
      [
        'oauth',
        'login',
        '--issuer',
        op.issuer,
        '--client-id',
        'chromium-cli',
        '--scope',
        'openid offline_access',
      ],
      {
        configDir: dir,
        env: { BROWSER: DRIVER, AUTHCTL_TEST_CLICK: 'oidc', AUTHCTL_TEST_BROWSER_RESULT: resultFile },
        timeoutMs: 60_000,
      },
    );
    const result = JSON.parse(await waitForFile(resultFile, 30_000)) as {
      ok: boolean;
      title?: string;
      text?: string;
      steps?: string[];
      error?: string;
    };
    t.diagnostic(
      `login took ${Date.now() - t0} ms; browser steps: ${result.steps?.join(', ') ?? result.error}`,
    );
    assert.equal(r.code, 0, `authctl: ${r.stderr}\nbrowser: ${JSON.stringify(result)}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Logged in as alice; saved with a refresh token as profile 'oauth'/);
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(result.steps, ['login', 'consent']);
    assert.equal(result.title, 'Login complete');
    assert.match(result.text ?? '', /close this tab/);

    const saved = readStore(dir).profiles.oauth!;
    const printed = await runCli(['token', 'print'], { configDir: dir });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${saved.token}\n`);
    assert.equal(printed.stderr, '');
  } finally {
    cleanup();
    await op.close();
  }
});
