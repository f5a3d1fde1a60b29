/** The built binary against the fake Launcher: exit codes and the stdout/stderr split (README "Exit codes"). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { WAITING_TEXT } from '../../src/providers/safe/constants.js';
import { startFakeLauncher, useFakeLauncher } from '../fakes/safe-launcher.js';
import { readStore, runCli, tempConfigDir } from '../helpers/cli.js';

const fake = useFakeLauncher();

const appArgs = [
  '--app-name',
  'Demo App',
  '--app-id',
  'net.example.demo',
  '--app-version',
  '1.0',
  '--app-vendor',
  'Example',
];
const authorizeArgs = (...extra: string[]) => [
  'safe',
  'authorize',
  ...appArgs,
  '--permission',
  'SAFE_DRIVE_ACCESS',
  '--launcher-url',
  fake().url,
  ...extra,
];

function tmp() {
  const t = tempConfigDir();
  after(t.cleanup);
  return t.dir;
}

test('authorize --print: stdout is exactly the JWT and a newline; everything else on stderr', async () => {
  const dir = tmp();
  const run = runCli(authorizeArgs('--print'), { configDir: dir });
  const held = await fake().pending;
  await new Promise((r) => setTimeout(r, 150));
  held.allow();
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  const token = readStore(dir).profiles.safe!.token as string;
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(r.stdout, `${token}\n`);
  assert.ok(r.stderr.includes(WAITING_TEXT), r.stderr);
  assert.match(
    r.stderr,
    /✓ Authorized net\.example\.demo in SAFE Launcher; saved its token as profile 'safe' \(expires: no expiry\)/,
  );
  assert.ok(!r.stderr.includes(token));

  // The saved profile works with the token commands and safe status.
  const h = await runCli(['token', 'header', 'safe'], { configDir: dir });
  assert.equal(h.code, 0, h.stderr);
  assert.equal(h.stdout, `Authorization: Bearer ${token}\n`);
  const s = await runCli(['safe', 'status'], { configDir: dir });
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, '');
  assert.match(s.stderr, /^valid: /m);

  // After a Launcher restart the token is invalid: exit 4; revoke then still deletes the profile.
  fake().forgetSessions();
  const s2 = await runCli(['safe', 'status', 'safe'], { configDir: dir });
  assert.equal(s2.code, 4, s2.stderr);
  assert.match(
    s2.stderr,
    /^error: the token of profile 'safe' is invalid.*Authorize again: authctl safe authorize /m,
  );
  const rv = await runCli(['safe', 'revoke'], { configDir: dir });
  assert.equal(rv.code, 0, rv.stderr);
  assert.equal(rv.stdout, '');
  assert.match(rv.stderr, /note: the SAFE Launcher no longer knew this token/);
  assert.deepEqual(readStore(dir).profiles, {});
});

test('deny → exit 3 with one error line on stderr, nothing on stdout', async () => {
  const dir = tmp();
  const run = runCli(authorizeArgs('--print'), { configDir: dir });
  (await fake().pending).deny();
  const r = await run;
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^error: the SAFE Launcher refused the authorization: the user denied it, or nobody is logged in to the Launcher\. /m,
  );
  assert.equal(fs.existsSync(path.join(dir, 'config.json')), false);
});

test('usage errors → exit 2 and no request: bad permission, blank value, missing flag', async () => {
  const dir = tmp();
  const n = fake().requests.length;
  const bad = await runCli(
    ['safe', 'authorize', ...appArgs, '--permission', 'low_level_api', '--launcher-url', fake().url],
    {
      configDir: dir,
    },
  );
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /unknown SAFE Launcher permission 'low_level_api'.*use LOW_LEVEL_API/);
  const blank = await runCli(
    ['safe', 'authorize', ...appArgs.slice(0, 6), '--app-vendor', ' ', '--launcher-url', fake().url],
    { configDir: dir },
  );
  assert.equal(blank.code, 2, blank.stderr);
  assert.match(blank.stderr, /--app-vendor must not be blank/);
  const missing = await runCli(['safe', 'authorize', '--app-name', 'x', '--launcher-url', fake().url], {
    configDir: dir,
  });
  assert.equal(missing.code, 2);
  assert.equal(fake().requests.length, n, 'the Launcher saw nothing');
});

test('Launcher not running → exit 1 with the "not running" line', async () => {
  const dir = tmp();
  const down = await startFakeLauncher();
  await down.close();
  const r = await runCli(['safe', 'authorize', ...appArgs, '--launcher-url', down.url], { configDir: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.ok(
    r.stderr.includes(`error: SAFE Launcher is not running at ${down.url}; start it and log in.`),
    r.stderr,
  );
});

test('--timeout → exit 5; Ctrl-C (SIGINT) while waiting → exit 130 with nothing saved', async () => {
  const dir = tmp();
  const t = await runCli(authorizeArgs('--timeout', '1s'), { configDir: dir });
  assert.equal(t.code, 5, t.stderr);
  assert.match(t.stderr, /^error: no answer from the SAFE Launcher within 1s/m);

  // Let the fake drop the first run's abandoned POST, so `pending` below is the second run's.
  for (let i = 0; i < 50 && fake().held.length > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(fake().held.length, 0);
  const run = runCli(authorizeArgs(), {
    configDir: dir,
    onSpawn: (child) => {
      void fake().pending.then(() => child.kill('SIGINT'));
    },
  });
  const r = await run;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /error: Interrupted/);
  assert.equal(fs.existsSync(path.join(dir, 'config.json')), false);
  for (let i = 0; i < 50 && fake().held.length > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(fake().held.length, 0, 'the held POSTs were abandoned');
});

test('safe authorize --help shows the flags and an example', async () => {
  const r = await runCli(['safe', 'authorize', '--help'], { configDir: tmp() });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--launcher-url <url>/);
  assert.match(r.stdout, /\$ authctl safe authorize --app-name/);
});
