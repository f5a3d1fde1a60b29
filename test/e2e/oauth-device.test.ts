/**
 * `authctl oauth device` (RFC 8628) as a user runs it (built binary) against the real oidc-provider:
 * approve, deny, expire, slow_down, Ctrl-C; the device profile renews with its refresh token and
 * hands out its ID token.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startOidc, useOidc } from '../fakes/oidc.js';
import { configDirPerTest, readStore, runCli } from '../helpers/cli.js';
import { approveDevice } from '../helpers/oidc-browser.js';

const DEVICE_CLIENT = {
  client_id: 'device-cli',
  token_endpoint_auth_method: 'none',
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
  scope: 'openid offline_access api:read',
};

const op = useOidc({ clients: [DEVICE_CLIENT], deviceInterval: 1 });
const slow = useOidc({ clients: [DEVICE_CLIENT], deviceInterval: 1, slowDown: 1 });
const dir = configDirPerTest();

/** When authctl prints the URL that carries the code, let the "user" act on it. */
const userActs = (act: (url: string, userCode: string) => Promise<unknown>) => (child: ChildProcess) => {
  let seen = '';
  let done = false;
  child.stderr?.on('data', (d: Buffer) => {
    seen += d.toString();
    const m = /carries the code:\n\n {2}(\S+)/.exec(seen);
    const code = /enter the code:\n\n {4}(.+)\n/.exec(seen);
    if (m && code && !done) {
      done = true;
      void act(m[1]!, code[1]!);
    }
  });
};

const deviceArgs = (issuer: string, ...more: string[]) => [
  'oauth',
  'device',
  '--issuer',
  issuer,
  '--client-id',
  DEVICE_CLIENT.client_id,
  '--scope',
  'openid offline_access',
  '--no-open',
  ...more,
];

test('approve: the code and URL go to stderr, the profile is saved, renews with its refresh token and prints its ID token', async () => {
  const r = await runCli(deviceArgs(op().issuer, '--profile', 'tv', '--json'), {
    configDir: dir(),
    onSpawn: userActs((url) => approveDevice(url, { login: 'dana' })),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /open http:\/\/127\.0\.0\.1:\d+\/device in a browser on any device and enter the code:\n\n {4}[A-Z*-]+/,
  );
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.flow, 'device_code');
  assert.equal(summary.subject, 'dana');
  assert.equal(summary.hasRefreshToken, true);
  const saved = readStore(dir()).profiles.tv!;
  assert.equal((saved.params as Record<string, unknown>).deviceUrl, `${op().issuer}/device/auth`);
  // What the provider recorded: a device authorization, then the device_code grant for this client.
  const mine = op().grants.filter((g) => g.clientId === DEVICE_CLIENT.client_id);
  assert.ok(mine.some((g) => g.event === 'device_authorization.success'));
  assert.ok(
    mine.some(
      (g) => g.event === 'grant.success' && g.grantType === 'urn:ietf:params:oauth:grant-type:device_code',
    ),
  );

  const before = saved.token;
  const refreshed = await runCli(['token', 'refresh', 'tv'], { configDir: dir() });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.notEqual(readStore(dir()).profiles.tv!.token, before);
  assert.ok(op().grants.some((g) => g.grantType === 'refresh_token' && g.event === 'grant.success'));

  const idt = await runCli(['token', 'print', '--id-token', 'tv'], { configDir: dir() });
  assert.equal(idt.code, 0, idt.stderr);
  const claims = JSON.parse(Buffer.from(idt.stdout.trim().split('.')[1]!, 'base64url').toString());
  assert.equal(claims.sub, 'dana');
  assert.equal(claims.aud, DEVICE_CLIENT.client_id);
  assert.equal(idt.stdout, `${readStore(dir()).profiles.tv!.idToken}\n`);
  const exp = await runCli(['token', 'export', 'tv', '--shell', 'bash'], { configDir: dir() });
  assert.match(exp.stdout, /^export AUTHCTL_ID_TOKEN='ey[\w.-]+'$/m);
});

test('deny: access_denied is exit 3 and nothing is saved; --qr draws the URL on stderr', async () => {
  const r = await runCli(deviceArgs(op().issuer, '--qr'), {
    configDir: dir(),
    onSpawn: userActs((url) => approveDevice(url, { deny: true })),
  });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^error: the device login was denied\. Run it again/m);
  assert.match(r.stderr, /[▀▄█]{10}/, 'a QR code of half-block characters');
  assert.equal(r.stdout, '');
  assert.ok(!fs.existsSync(path.join(dir(), 'config.json')));
});

test('expire: the code expires before anyone approves → exit 5; --timeout sooner → exit 5 naming --timeout', async () => {
  const short = await startOidc({
    clients: [DEVICE_CLIENT],
    deviceInterval: 1,
    config: { ttl: { DeviceCode: 2 } },
  });
  try {
    const r = await runCli(deviceArgs(short.issuer), { configDir: dir() });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^error: the device code expired before it was approved\./m);
  } finally {
    await short.close();
  }
  const t = await runCli(deviceArgs(op().issuer, '--timeout', '2s'), { configDir: dir() });
  assert.equal(t.code, 5, t.stderr);
  assert.match(t.stderr, /^error: the device login was not approved before --timeout/m);
  assert.ok(!fs.existsSync(path.join(dir(), 'config.json')));
});

test('slow_down adds 5 s to the interval: one slow_down, then the next poll only 6 s later', async () => {
  const polls = () => slow().requests.filter((q) => q.method === 'POST' && q.path === '/token').length;
  const r = await runCli(deviceArgs(slow().issuer), {
    configDir: dir(),
    // Approve only after the first poll, which the provider answers with slow_down.
    onSpawn: userActs(async (url) => {
      while (polls() === 0) await new Promise((res) => setTimeout(res, 50));
      await approveDevice(url);
    }),
  });
  assert.equal(r.code, 0, r.stderr);
  // With the 1 s interval kept, the ~7 s wait would have meant about seven polls.
  assert.equal(polls(), 2, 'exactly the slow_down poll and the successful one');
});

test('Ctrl-C while polling is exit 130 and leaves no store behind', async () => {
  const r = await runCli(deviceArgs(op().issuer), {
    configDir: dir(),
    onSpawn: (child) => {
      let seen = '';
      child.stderr?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/Waiting for you to approve/.test(seen) && !child.killed) child.kill('SIGINT');
      });
    },
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /^error: Interrupted/m);
  assert.ok(!fs.existsSync(path.join(dir(), 'config.json')));
});

test('bad input is exit 2 before any request', async () => {
  const n = op().requests.length;
  for (const [args, re] of [
    [['oauth', 'device', '--client-id', 'x'], /missing --issuer, or --device-url and --token-url/],
    [
      ['oauth', 'device', '--device-url', `${op().issuer}/device/auth`, '--client-id', 'x'],
      /missing --token-url/,
    ],
    [[...deviceArgs(op().issuer), '--param', 'novalue'], /--param 'novalue' is not name=value/],
    [
      [...deviceArgs(op().issuer), '--resource', 'not a uri'],
      /--resource: 'not a uri' is not an absolute URI/,
    ],
  ] as const) {
    const r = await runCli([...args], { configDir: dir() });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.equal(op().requests.length, n, 'no request reached the provider');
});
