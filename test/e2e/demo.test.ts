/**
 * `authctl demo` as a newcomer runs it, offline: with no terminal and no browser it approves by
 * itself and says so; in a real terminal (python3's pty module) with BROWSER set to a shim that
 * clicks Accept (or Refuse) in headless Chromium, it waits for the click. Either way the profile
 * `demo` stays, the sandbox is gone, and the token commands work afterwards. Wall times are
 * reported as diagnostics (they are measured, not asserted).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { binPath, cliEnv, readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';
import { ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

const SHIM = path.join(repoRoot, 'test', 'browser', 'chromium.mjs');
const CHROMIUM = process.env.AUTHCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const NEXT = ['authctl token print demo', 'authctl token header demo', 'eval "$(authctl token export demo)"'];

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The token commands work from the saved profile alone (the sandbox is gone). */
async function tokenCommandsWork(dir: string, out: string): Promise<void> {
  const port = Number(/sandbox runs in this process at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, 'the demo names its sandbox');
  assert.ok(await canListen(port), 'the sandbox stopped with the demo');
  const saved = readStore(dir).profiles.demo!;
  assert.equal(saved.provider, 'pryv');
  assert.equal(saved.subject, 'demo-user');
  assert.deepEqual(saved.scopes, ['diary:read', 'notes:contribute']);
  const printed = await runCli(['token', 'print', 'demo'], { configDir: dir });
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${saved.token}\n`);
  const header = await runCli(['token', 'header', 'demo'], { configDir: dir });
  assert.equal(header.stdout, `Authorization: ${saved.token}\n`);
  const sh = spawnSync(
    'bash',
    ['-c', `eval "$("${process.execPath}" "${binPath}" token export demo)"; printf %s "$AUTHCTL_TOKEN"`],
    {
      env: cliEnv(dir),
      encoding: 'utf8',
    },
  );
  assert.equal(sh.stdout, saved.token);
}

test('no terminal, no browser: the demo approves by itself, says so, saves profile demo', async (t) => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const t0 = performance.now();
    const r = await runCli(['demo'], {
      configDir: dir,
      env: { BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined },
    });
    const wall = performance.now() - t0;
    t.diagnostic(`authctl demo without a TTY: ${Math.round(wall)} ms wall time`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.match(r.stderr, /No terminal and no browser: the sandbox approves the request automatically/);
    assert.match(r.stderr, /Waiting for approval in the browser…\nAccess approved by demo-user\./);
    assert.match(r.stderr, /✓ Saved token for demo-user as profile 'demo'/);
    for (const cmd of NEXT) assert.ok(r.stderr.includes(`  ${cmd}\n`), cmd);
    await tokenCommandsWork(dir, r.stderr);
    // Running it again renews the same profile silently.
    const again = await runCli(['demo'], { configDir: dir, env: { BROWSER: undefined, DISPLAY: undefined } });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    cleanup();
  }
});

async function demoInPty(
  dir: string,
  click: string,
  result: string,
): Promise<{ code: number; out: string; wall: number }> {
  const t0 = performance.now();
  const r = await runOnPty(['demo'], [{ expect: '(Try next:|error:)', timeout: 90 }], {
    configDir: dir,
    env: { NO_COLOR: '1', BROWSER: SHIM, AUTHCTL_TEST_CLICK: click, AUTHCTL_TEST_BROWSER_RESULT: result },
    cols: 300,
  });
  return { code: r.status, out: stripAnsi(r.output).replace(/\r/g, ''), wall: performance.now() - t0 };
}

const needChromium = (t: { skip: (m: string) => void }): boolean => {
  if (!ptyPython) {
    t.skip('needs python3 for a real terminal');
    return false;
  }
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.AUTHCTL_REQUIRE_BROWSER_TEST === '1')
    assert.fail(`${CHROMIUM} is missing but AUTHCTL_REQUIRE_BROWSER_TEST=1`);
  const notice = `SKIPPED: the demo browser test needs ${CHROMIUM} (apt-get install -y chromium)`;
  process.stderr.write(`\n*** ${notice} ***\n\n`);
  t.skip(notice);
  return false;
};

test('in a terminal with a browser: Chromium clicks Accept on the consent page, the spinner ends, profile demo works', {
  timeout: 120_000,
}, async (t) => {
  if (!needChromium(t)) return;
  const { dir, cleanup } = tempConfigDir();
  try {
    const result = path.join(dir, 'browser.json');
    const r = await demoInPty(dir, 'accept', result);
    t.diagnostic(
      `authctl demo in a pty, Accept clicked in headless Chromium: ${Math.round(r.wall)} ms wall time`,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Click Accept on the consent page that opens in your browser/);
    assert.match(
      r.out,
      /Open this URL in a browser to approve the access request:\n\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\/access\.html\?/,
    );
    assert.match(r.out, /Access approved by demo-user\./);
    for (const cmd of NEXT) assert.ok(r.out.includes(`  ${cmd}\n`), cmd);
    // The browser runs detached (authctl does not wait for it): wait for its result file.
    for (let i = 0; i < 300 && !(fs.existsSync(result) && fs.statSync(result).size > 0); i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    const b = JSON.parse(fs.readFileSync(result, 'utf8')) as Record<string, unknown>;
    assert.equal(b.ok, true, String(b.error));
    assert.equal(b.app, 'authctl-demo');
    assert.deepEqual(b.items, ['stream diary (Diary): read', 'stream notes (Notes): contribute']);
    assert.equal(b.title, 'Access granted');
    await tokenCommandsWork(dir, r.out);
  } finally {
    cleanup();
  }
});

test('in a terminal, Refuse in Chromium: exit 3, nothing saved', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { dir, cleanup } = tempConfigDir();
  try {
    const r = await demoInPty(dir, 'refuse', path.join(dir, 'browser.json'));
    assert.equal(r.code, 3, r.out);
    assert.match(
      r.out,
      /error: access refused: The user refused to give access to the requested permissions \(REFUSED_BY_USER\)/,
    );
    assert.ok(
      !fs.existsSync(path.join(dir, 'config.json')) || !readStore(dir).profiles.demo,
      'no profile demo',
    );
  } finally {
    cleanup();
  }
});
