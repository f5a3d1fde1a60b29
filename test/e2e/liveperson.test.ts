/**
 * The built binary against the fake Sentinel: exit codes, the stdout/stderr split, and no secret
 * in any output (docs/security.md). BROWSER is a stand-in that follows the redirects like a user clicking
 * "Allow" (test/fakes/sentinel-browser.mjs). Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type FakeSentinel, freePort, leakedSecrets, startSentinel } from '../fakes/sentinel.js';
import { livepersonArgs } from '../helpers/args.js';
import { type CliResult, readStore, repoRoot, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const browser = `${process.execPath} ${path.join(repoRoot, 'test', 'fakes', 'sentinel-browser.mjs')}`;

let fake: FakeSentinel;
let redirectUri: string;
before(async () => {
  const port = await freePort();
  redirectUri = `http://localhost:${port}/callback`;
  fake = await startSentinel({ redirectUris: [redirectUri] });
});
after(() => fake.close());

function tmp() {
  const t = tempConfigDir();
  after(t.cleanup);
  return t.dir;
}

/** `liveperson login` at the fake, naming its domain with `domain` (a flag and its value), …extra. */
const loginAt = (domain: [flag: '--domain' | '--domain-api', value: string], ...extra: string[]) =>
  livepersonArgs(fake.account, fake.clientId, domain, redirectUri, ...extra);
const loginArgs = (...extra: string[]) => loginAt(['--domain-api', fake.url], '--timeout', '20s', ...extra);

const env = () => ({ AUTHCTL_CLIENT_SECRET: fake.clientSecret, BROWSER: browser });

function noLeaks(r: CliResult, allowStdout = false) {
  assert.deepEqual(leakedSecrets(fake, r.stderr), [], `stderr leaks a secret:\n${r.stderr}`);
  if (!allowStdout) assert.deepEqual(leakedSecrets(fake, r.stdout), [], 'stdout leaks a secret');
}

test('login, token print, token refresh (rotation) and automatic refresh through the binary', async () => {
  const dir = tmp();
  const r = await runCli(['--verbose', ...loginArgs()], { configDir: dir, env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'login prints nothing on stdout');
  assert.match(r.stderr, /Open this URL in a browser to log in to LivePerson:/);
  assert.match(r.stderr, /\/sentinel\/api\/account\/12345678\/authorize\?v=1\.0&response_type=code/);
  assert.match(
    r.stderr,
    /✓ Logged in to LivePerson account 12345678 as user-42; saved as profile 'liveperson' \(expires: .*\(in 29m|in 30m\)/,
  );
  assert.match(r.stderr, /\[verbose\] POST .*\/token\?v=\*\*\* -> 200/);
  noLeaks(r);
  const saved = readStore(dir).profiles.liveperson!;
  assert.equal(saved.subject, 'user-42');
  assert.equal(saved.clientSecret, undefined);

  const printed = await runCli(['token', 'print', 'liveperson'], { configDir: dir, env: env() });
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${saved.token}\n`);
  assert.equal(printed.stderr, '');

  const refreshed = await runCli(['--verbose', 'token', 'refresh', 'liveperson'], {
    configDir: dir,
    env: env(),
  });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.equal(refreshed.stdout, '');
  noLeaks(refreshed);
  const after1 = readStore(dir).profiles.liveperson!;
  assert.notEqual(after1.token, saved.token);
  assert.notEqual(after1.refreshToken, saved.refreshToken, 'rotated refresh token stored');
  assert.ok(fake.refreshTokens.has(after1.refreshToken as string));

  // Make the token look expired: token print refreshes silently, then prints the new token.
  writeStore(dir, { version: 1, profiles: { liveperson: { ...after1, expiresAt: '2020-01-01T00:00:00Z' } } });
  const auto = await runCli(['token', 'print'], { configDir: dir, env: env() });
  assert.equal(auto.code, 0, auto.stderr);
  const after2 = readStore(dir).profiles.liveperson!;
  assert.notEqual(after2.token, after1.token);
  assert.equal(auto.stdout, `${after2.token}\n`);
  assert.equal(auto.stderr, '');
});

test('login --print --domain <host>: stdout is exactly the token', async () => {
  const dir = tmp();
  const r = await runCli(loginAt(['--domain', fake.host], '--print'), { configDir: dir, env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${readStore(dir).profiles.liveperson!.token}\n`);
  noLeaks(r, true);
});

test('user denial → exit 3; state mismatch → exit 1; nothing saved', async () => {
  const dir = tmp();
  fake.deny = true;
  const denied = await runCli(loginArgs(), { configDir: dir, env: env() });
  fake.deny = false;
  assert.equal(denied.code, 3, denied.stderr);
  assert.match(denied.stderr, /error: .*access_denied/);
  fake.tamperState = true;
  const forged = await runCli(loginArgs(), { configDir: dir, env: env() });
  fake.tamperState = false;
  assert.equal(forged.code, 1, forged.stderr);
  assert.match(forged.stderr, /error: .*state/);
  assert.equal(denied.stdout + forged.stdout, '');
  noLeaks(denied);
  noLeaks(forged);
  assert.throws(() => readStore(dir), 'no store written');
});

test('usage errors exit 2 before any request: no secret, bad account, --manual without TTY', async () => {
  const dir = tmp();
  const n = fake.log.length;
  const noSecret = await runCli(loginArgs(), { configDir: dir, env: { BROWSER: browser } });
  assert.equal(noSecret.code, 2, noSecret.stderr);
  assert.match(noSecret.stderr, /AUTHCTL_CLIENT_SECRET/);
  const badAccount = await runCli(['liveperson', 'login', '--account', '12/34', '--client-id', 'x'], {
    configDir: dir,
    env: env(),
  });
  assert.equal(badAccount.code, 2, badAccount.stderr);
  assert.match(badAccount.stderr, /--account/);
  const manual = await runCli(loginArgs('--manual'), { configDir: dir, env: env() });
  assert.equal(manual.code, 2, manual.stderr);
  assert.match(manual.stderr, /--manual/);
  assert.equal(fake.log.length, n, 'no request reached the fake');
});

test('refresh refused with invalid_grant → exit 4 and the profile is kept', async () => {
  const dir = tmp();
  assert.equal((await runCli(loginArgs(), { configDir: dir, env: env() })).code, 0);
  const saved = readStore(dir).profiles.liveperson!;
  fake.refreshTokens.delete(saved.refreshToken as string);
  const r = await runCli(['token', 'refresh', 'liveperson'], { configDir: dir, env: env() });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /invalid_grant/);
  assert.match(r.stderr, /authctl liveperson login --account 12345678 --client-id app-install-1/);
  assert.deepEqual(readStore(dir).profiles.liveperson, saved);
  noLeaks(r);
});

test('logout: exit 2 without --yes (no TTY); --yes revokes with v=1.0 and deletes the profile', async () => {
  const dir = tmp();
  assert.equal((await runCli(loginArgs(), { configDir: dir, env: env() })).code, 0);
  const rt = readStore(dir).profiles.liveperson!.refreshToken as string;
  const n = fake.requests('/token/revoke').length;
  const refused = await runCli(['liveperson', 'logout'], { configDir: dir, env: env() });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /ALL LivePerson applications/);
  assert.match(refused.stderr, /error: .*--yes/);
  assert.equal(fake.requests('/token/revoke').length, n);
  assert.ok(readStore(dir).profiles.liveperson);

  const ok = await runCli(['--verbose', 'liveperson', 'logout', 'liveperson', '--yes'], {
    configDir: dir,
    env: env(),
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  const rv = fake.requests('/token/revoke').at(-1)!;
  assert.equal(rv.rawQuery, '?v=1.0');
  assert.equal(rv.form.token, rt);
  assert.equal(rv.form.client_secret, fake.clientSecret);
  assert.equal(readStore(dir).profiles.liveperson, undefined);
  assert.match(ok.stderr, /Revoked the LivePerson session and deleted profile 'liveperson'/);
  noLeaks(ok);
});

test('liveperson login --help shows the flags and an example', async () => {
  const r = await runCli(['liveperson', 'login', '--help'], { configDir: tmp() });
  assert.equal(r.code, 0);
  for (const flag of [
    '--account',
    '--client-id',
    '--domain',
    '--domain-api',
    '--redirect-uri',
    '--no-open',
    '--manual',
    '--save-secret',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /authctl liveperson login --account/);
});
