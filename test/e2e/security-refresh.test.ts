/**
 * A rejected refresh answer must not lose the grant: when the token endpoint has rotated the
 * refresh token and authctl then rejects the answer (an ID token whose iat is minutes ahead of the
 * local clock, a changed subject) or the user presses Ctrl-C while the answer is on its way, the new
 * refresh token is saved anyway — otherwise the next refresh replays the old one and a provider
 * with refresh-token rotation revokes the whole grant.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { useScriptedTokenEndpoint } from '../fakes/token-endpoint.js';
import {
  binPath,
  cliEnv,
  configDirPerTest,
  readStore,
  runCli,
  sampleProfile,
  writeStore,
} from '../helpers/cli.js';

const scripted = useScriptedTokenEndpoint();
const configDir = configDirPerTest();

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT-shaped ID token (over loopback http from the token endpoint, claims are not signature-checked). */
const idToken = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', kid: 'k' })}.${b64(claims)}.c2ln`;
const ISS = 'https://issuer.example';
const now = () => Math.floor(Date.now() / 1000);

function profile(tokenUrl: string) {
  return sampleProfile({
    flow: 'authorization_code',
    expiresAt: '2020-01-01T00:00:00Z',
    subject: 'user-1',
    refreshToken: 'rt-old',
    idToken: idToken({ iss: ISS, sub: 'user-1', aud: 'app1', iat: now() - 3600, exp: now() - 1800 }),
    params: { tokenUrl, clientId: 'app1', issuer: ISS },
  });
}

for (const [name, claims] of [
  ['an ID token issued 5 minutes in the future', { sub: 'user-1', iat: now() + 300 }],
  ['an ID token for another subject', { sub: 'someone-else', iat: now() }],
] as const) {
  test(`refresh rejected for ${name}: the rotated refresh token is saved and the profile marked`, async () => {
    const ep = await scripted(() => ({
      access_token: 'at-new',
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: 'rt-rotated',
      id_token: idToken({ iss: ISS, aud: 'app1', exp: now() + 3600, ...claims }),
    }));
    const dir = configDir();
    writeStore(dir, { version: 1, profiles: { lp: profile(ep.url) } });
    const r = await runCli(['token', 'refresh', 'lp'], { configDir: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: .*ID token/im);
    const saved = readStore(dir).profiles.lp!;
    assert.equal(saved.refreshToken, 'rt-rotated');
    assert.equal(saved.token, 'tok-abc.def', 'the rejected access token is not used');
    assert.match(String((saved.details as Record<string, unknown>)?.needsRelogin), /ID token/);
  });
}

test('an ID token 90 s ahead of the local clock is within the documented 120 s leeway', async () => {
  const ep = await scripted(() => ({
    access_token: 'at-new',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'rt-rotated',
    id_token: idToken({ iss: ISS, aud: 'app1', sub: 'user-1', iat: now() + 90, exp: now() + 3600 }),
  }));
  const dir = configDir();
  writeStore(dir, { version: 1, profiles: { lp: profile(ep.url) } });
  const r = await runCli(['token', 'refresh', 'lp'], { configDir: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readStore(dir).profiles.lp!.refreshToken, 'rt-rotated');
});

test('Ctrl-C during a slow refresh waits for the answer and saves the rotated refresh token, then exits 130', async () => {
  const ep = await scripted(
    () => ({ access_token: 'at-new', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-rotated' }),
    600,
  );
  const dir = configDir();
  writeStore(dir, { version: 1, profiles: { lp: profile(ep.url) } });
  const child = spawn(process.execPath, [binPath, 'token', 'refresh', 'lp'], {
    env: cliEnv(dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  for (let i = 0; i < 2000 && ep.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ep.requests.length, 1, 'the refresh request arrived');
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await closed;
  assert.equal(code, 130, err);
  // Bounded by the 1 s grace (plus start-up work on a loaded machine), not by the request timeout.
  assert.ok(Date.now() - sent < 4000, `took ${Date.now() - sent} ms`);
  assert.equal(err.match(/^error: /gm)?.length, 1, err);
  assert.equal(readStore(dir).profiles.lp!.refreshToken, 'rt-rotated');
});

test('a LivePerson id_token sub with control characters is stored clean and printed clean', async () => {
  const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\rfake\u2028line';
  const UNSAFE = /[\u001b\u0007\u009b\u202e\r\u2028]/;
  const ep = await scripted(() => ({
    access_token: 'at-new',
    token_type: 'Bearer',
    expires_in: 3600,
    id_token: idToken({ iss: ISS, aud: 'app1', sub: `agent${HOSTILE}`, iat: now(), exp: now() + 3600 }),
  }));
  const dir = configDir();
  // No ID token saved yet (as after a login whose answer had none): the new sub is taken as is.
  const { idToken: _, ...p } = profile(ep.url);
  writeStore(dir, { version: 1, profiles: { lp: { ...p, provider: 'liveperson' } } });
  const r = await runCli(['token', 'refresh', 'lp'], { configDir: dir });
  assert.equal(r.code, 0, r.stderr);
  const saved = readStore(dir).profiles.lp!;
  assert.match(String(saved.subject), /^agent/);
  assert.doesNotMatch(String(saved.subject), UNSAFE, JSON.stringify(saved.subject));
  for (const args of [
    ['token', 'list'],
    ['token', 'list', '--json'],
    ['token', 'inspect', 'lp'],
    ['token', 'inspect', 'lp', '--json'],
  ]) {
    const o = await runCli(args, { configDir: dir });
    assert.equal(o.code, 0, o.stderr);
    assert.doesNotMatch(o.stdout + o.stderr, UNSAFE, `${args.join(' ')}: ${JSON.stringify(o.stdout)}`);
  }
});
