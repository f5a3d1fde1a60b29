/**
 * Pryv against hostile registers on 127.0.0.1: the poll key off argv (--from, stdin), the trust
 * anchor kept across REDIRECTED, server-added permissions never re-requested, an unreachable poll
 * URL giving up after a short grace, approval printed only after verification, and control
 * characters in server fields never reaching the terminal or the store.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type Answer, accepted, accessInfo, TOKEN, useHostilePryv } from '../fakes/hostile-pryv.js';
import { freePort } from '../fakes/sentinel.js';
import { pryvRequestArgs } from '../helpers/args.js';
import { binPath, cliEnv, configDirPerTest, readStore, runCli, tempConfigDir } from '../helpers/cli.js';

const hostile = useHostilePryv();
const configDir = configDirPerTest();

const pending: Answer = { status: 201, body: { status: 'NEED_SIGNIN', poll_rate_ms: 20 } };

/** Every character class the sanitiser must keep away from terminals and the store. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\rfake\u2028line';
const UNSAFE_BYTES = /[\u001b\u0007\u009b\u202e\r\u2028]/;

test('pryv poll --from req.json and pryv poll - (stdin) take the poll URL off argv; argv warns; none is exit 2', async () => {
  const fake = await hostile();
  const dir = configDir();
  const req = await runCli(pryvRequestArgs(fake.serviceInfoUrl, '--no-wait'), { configDir: dir });
  assert.equal(req.code, 0, req.stderr);
  const file = path.join(dir, 'req.json');
  fs.writeFileSync(file, req.stdout);
  assert.match(req.stderr, /pryv poll --from req\.json/);

  const a = await runCli(['pryv', 'poll', '--from', file, '--print'], { configDir: dir });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, `${TOKEN}\n`);
  assert.doesNotMatch(a.stderr, /warning/);

  const b = await runCli(['pryv', 'poll', '-', '--profile', 'p2'], {
    configDir: dir,
    input: `${fake.pollUrl}\n`,
  });
  assert.equal(b.code, 0, b.stderr);
  assert.doesNotMatch(b.stderr, /warning/);
  assert.equal(readStore(dir).profiles.p2?.token, TOKEN);

  const c = await runCli(['pryv', 'poll', fake.pollUrl, '--profile', 'p3'], { configDir: dir });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /^warning: the poll URL on the command line carries the request key/m);

  const d = await runCli(['pryv', 'poll'], { configDir: dir });
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, /^error: no poll URL given.*--from req\.json/m);
  // Nothing the key could leak into: the key is redacted from anything shown.
  for (const r of [a, b, c]) assert.ok(!r.stderr.includes('/k1'), r.stderr);
});

test('pryv poll after REDIRECTED: the endpoint is checked against the register that serves the poll URL', async () => {
  const evil = await hostile({
    poll: (base) => [
      accepted(base, {
        // The second register vouches for itself: its own service info, its own api template.
        serviceInfo: {
          name: 'evil',
          access: `${base}/reg/access/`,
          api: `${base}/{username}/`,
          register: `${base}/reg/`,
        },
      }),
    ],
  });
  const reg = await hostile({
    poll: () => [pending, { status: 301, body: { status: 'REDIRECTED', redirectUrl: evil.pollUrl } }],
  });
  const dir = configDir();
  const r = await runCli(['pryv', 'poll', '-'], { configDir: dir, input: reg.pollUrl });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: the apiEndpoint .* does not match the service's api template/m);
  assert.ok(
    !fs.existsSync(path.join(dir, 'config.json')) || !readStore(dir).profiles.pryv,
    'a profile was saved',
  );
  // The trust anchor came from the original register, fetched from its origin.
  assert.ok(reg.requests.some((q) => q.path === '/reg/service/info'));
  assert.ok(!evil.requests.some((q) => q.path === '/reg/service/info'));
});

test('server-added permissions (open-pryv v2 :_system:account none, :_audit:access-<id> read) are kept apart; the hint parses', async () => {
  const fake = await hostile({
    accessInfo: () =>
      accessInfo([
        { streamId: 'diary', level: 'read' },
        { streamId: ':_system:account', level: 'none' },
        { streamId: ':_audit:access-acc1', level: 'read' },
        { feature: 'selfRevoke', setting: 'forbidden' },
      ]),
  });
  const dir = configDir();
  const r = await runCli(
    [
      'pryv',
      'request',
      '--app-id',
      'my-app-id',
      '--permission',
      'diary:read:My Diary',
      '--service-info',
      fake.serviceInfoUrl,
    ],
    { configDir: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const p = readStore(dir).profiles.pryv!;
  assert.deepEqual(p.scopes, ['diary:read']);
  const list = await runCli(['token', 'list'], { configDir: dir });
  assert.doesNotMatch(list.stdout, /_system|_audit/);
  // The re-login hint (exit 4: a Pryv token cannot be renewed) asks for exactly what was requested.
  const h = await runCli(['token', 'refresh', 'pryv'], { configDir: dir });
  assert.equal(h.code, 4, h.stderr);
  const cmd = /Run: (authctl pryv request .*?)\.?$/m.exec(h.stderr)?.[1];
  assert.ok(cmd, h.stderr);
  assert.match(cmd, /--permission 'diary:read:My Diary'/);
  assert.doesNotMatch(cmd, /_system|_audit/);
  const parsed = spawnSync('bash', ['-c', `authctl() { "${process.execPath}" "${binPath}" "$@"; }; ${cmd}`], {
    env: cliEnv(dir, { AUTHCTL_PARSE_ONLY: '1' }),
    encoding: 'utf8',
  });
  assert.equal(parsed.status, 0, `${cmd}\n${parsed.stderr}`);
});

test('pryv poll on a host that never answers gives up after the grace (3 failures), exit 1 with the cause', async () => {
  const port = await freePort();
  const dir = configDir();
  const started = Date.now();
  const r = await runCli(['pryv', 'poll', '-', '--timeout', '40s'], {
    configDir: dir,
    input: `http://127.0.0.1:${port}/reg/access/k1`,
    timeoutMs: 45_000,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: the Pryv server at .* never answered: .*refused/im);
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  assert.doesNotMatch(r.stderr, /Waiting for approval/);
});

test('pryv poll: a final first answer shows no "Waiting…"; approval is printed only after the token was verified', async () => {
  const bad = await hostile({
    accessInfo: () => ({ status: 403, body: { error: { id: 'forbidden', message: 'nope' } } }),
  });
  const good = await hostile();
  const dir = configDir();
  const r = await runCli(['pryv', 'poll', '-'], { configDir: dir, input: bad.pollUrl });
  assert.equal(r.code, 4, r.stderr);
  assert.doesNotMatch(r.stderr, /Access approved/);
  assert.doesNotMatch(r.stderr, /Waiting for approval/);
  const ok = await runCli(['pryv', 'poll', '-'], { configDir: dir, input: good.pollUrl });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /^Access approved by alice\.$/m);
  assert.doesNotMatch(ok.stderr, /Waiting for approval/);
});

test('control characters from a Pryv server reach neither the terminal nor the store (authUrl, access-info, REFUSED)', async () => {
  const fake = await hostile({
    create: (base) => ({ authUrl: `${base}/auth?key=k1&x=${HOSTILE}` }),
    accessInfo: () =>
      accessInfo(
        [
          { streamId: 'diary', level: 'read' },
          { streamId: `note${HOSTILE}`, level: `read${HOSTILE}` },
        ],
        { name: `app${HOSTILE}` },
      ),
  });
  const dir = configDir();
  const r = await runCli(pryvRequestArgs(fake.serviceInfoUrl), { configDir: dir });
  assert.equal(r.code, 0, r.stderr);
  // The consent URL is printed as parsed and normalised (percent-encoded), not as the server sent it.
  assert.match(
    r.stderr,
    /\/auth\?key=k1&x=%1B\]0;pwned%07%1B\[2J%C2%9B31m%E2%80%AEevilfake%E2%80%A8line&cli=1/,
  );
  const outputs = [r.stdout, r.stderr];
  for (const args of [
    ['token', 'list'],
    ['token', 'list', '--json'],
    ['token', 'inspect', 'pryv'],
    ['token', 'inspect', 'pryv', '--json'],
  ]) {
    const o = await runCli(args, { configDir: dir });
    assert.equal(o.code, 0, o.stderr);
    outputs.push(o.stdout, o.stderr);
  }
  outputs.push(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  for (const [i, out] of outputs.entries())
    assert.doesNotMatch(out, UNSAFE_BYTES, `output ${i}: ${JSON.stringify(out)}`);
  const noWait = await runCli(pryvRequestArgs(fake.serviceInfoUrl, '--no-wait'), { configDir: dir });
  assert.equal(
    JSON.parse(noWait.stdout).authUrl,
    new URL(`${fake.base}/auth?key=k1&x=${HOSTILE}&cli=1`).href,
  );
  const refusing = await hostile({
    poll: () => [
      { status: 403, body: { status: 'REFUSED', reasonID: `NOPE${HOSTILE}`, message: `go away${HOSTILE}` } },
    ],
  });
  const cfg2 = tempConfigDir();
  try {
    const r = await runCli(['pryv', 'poll', '-'], { configDir: cfg2.dir, input: refusing.pollUrl });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: access refused: go away/m);
    assert.doesNotMatch(r.stdout + r.stderr, UNSAFE_BYTES);
  } finally {
    cfg2.cleanup();
  }
});

test('a Pryv token over 64 KiB is refused when the answer is validated, nothing saved', async () => {
  const fake = await hostile({
    poll: (base) => [accepted(base, { token: 'c'.repeat(70_000), apiEndpoint: undefined })],
  });
  const dir = configDir();
  const r = await runCli(['pryv', 'poll', '-'], { configDir: dir, input: fake.pollUrl });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: the ACCEPTED answer .*longer than 64 KiB/m);
  assert.ok(!fs.existsSync(path.join(dir, 'config.json')));
});
