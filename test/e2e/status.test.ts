/**
 * `authctl status` on the built binary against the fakes over real HTTP: Pryv access-info, SAFE
 * GET /auth, expiry-only providers, --offline, --json, exit codes 0/4/1, and checks in parallel
 * (ten profiles on a server that never answers are all waiting at the same time).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pryvProfile as fakePryvProfile, registerAccess, useFakePryv } from '../fakes/pryv.js';
import { type FakeApp, safeAppProfile, startFakeLauncher, useFakeLauncher } from '../fakes/safe-launcher.js';
import { configDirPerTest, readStore, runCli, sampleProfile, writeStore } from '../helpers/cli.js';

const FAR = '2099-01-01T00:00:00Z';
const PAST = '2020-01-01T00:00:00Z';
const app: FakeApp = { name: 'Demo', id: 'net.example.demo', version: '1.0', vendor: 'Example' };
const PRYV_TOKEN = 'ckstatuspryvtok01';

const pryv = useFakePryv({ generation: 'v2' });
const safe = useFakeLauncher();
const dir = configDirPerTest();

const pryvProfile = (token: string, apiEndpoint = `${pryv().base}/alice/`) =>
  fakePryvProfile(token, apiEndpoint, 'status-test', { scopes: ['diary:read'] });
const registerPryv = (token: string, id = 'acc-status-1') => registerAccess(pryv(), token, id, 'status-test');
const safeProfile = (token: string, launcherUrl = safe().url) => safeAppProfile(token, launcherUrl, app);

const json = (stdout: string) => JSON.parse(stdout) as Array<Record<string, unknown>>;

test('every profile valid: exit 0; online checks say which; tokens masked; human lines on stderr only', async () => {
  registerPryv(PRYV_TOKEN);
  const safeToken = safe().mint(app, ['SAFE_DRIVE_ACCESS']);
  writeStore(dir(), {
    version: 1,
    profiles: {
      diary: pryvProfile(PRYV_TOKEN),
      launcher: safeProfile(safeToken),
      ci: sampleProfile({ provider: 'actigraph', token: 'actigraph-token-123456', expiresAt: FAR }),
    },
  });
  const r = await runCli(['status', '--json'], { configDir: dir() });
  assert.equal(r.code, 0, r.stderr);
  const rows = json(r.stdout);
  const by = Object.fromEntries(rows.map((x) => [x.profile, x]));
  assert.equal(by.diary!.check, 'online');
  assert.equal(by.diary!.checkedWith, 'GET access-info');
  assert.equal(by.diary!.valid, true);
  assert.equal(by.launcher!.check, 'online');
  assert.equal(by.launcher!.checkedWith, 'GET /auth');
  assert.equal(by.launcher!.valid, true);
  assert.equal(by.ci!.check, 'none');
  assert.equal(by.ci!.checkedWith, 'expiry');
  assert.equal(by.ci!.valid, true);
  assert.equal(by.ci!.expiresAt, FAR);
  assert.match(String(by.ci!.expiresIn), /^in \d+d/);
  for (const t of [PRYV_TOKEN, safeToken, 'actigraph-token-123456']) {
    assert.ok(!r.stdout.includes(t) && !r.stderr.includes(t), 'a token was printed');
  }
  assert.equal(by.ci!.token, 'acti…**** (22 chars)');
  // The access-info call carried the raw token; SAFE got "Bearer <jwt>".
  assert.equal(pryv().requests.at(-1)!.authorization, PRYV_TOKEN);
  assert.equal(safe().requestsTo('GET', '/auth').at(-1)!.headers.authorization, `Bearer ${safeToken}`);

  const human = await runCli(['status'], { configDir: dir() });
  assert.equal(human.code, 0, human.stderr);
  assert.equal(human.stdout, '');
  assert.match(human.stderr, /^✓ diary: valid — checked online: GET access-info$/m);
  assert.match(human.stderr, /^✓ launcher: valid — checked online: GET \/auth$/m);
  assert.match(human.stderr, /^✓ ci: valid — not expired \(ActiGraph offers no online check\)$/m);
  assert.match(human.stderr, /expires 2099-01-01T00:00:00Z \(in \d+d/);
});

test('a token the server no longer knows: exit 4 with one error line; one profile by name or --profile', async () => {
  writeStore(dir(), {
    version: 1,
    profiles: { gone: pryvProfile('ckunknowntoken99'), ok: sampleProfile({ expiresAt: FAR }) },
  });
  const r = await runCli(['status', 'gone', '--json'], { configDir: dir() });
  assert.equal(r.code, 4, r.stderr);
  const [row] = json(r.stdout);
  assert.equal(row!.valid, false);
  assert.equal(row!.check, 'online');
  assert.match(String(row!.detail), /rejects the token \(HTTP 403\)/);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^error: profile 'gone' has no usable token/);

  const flag = await runCli(['status', '--profile', 'ok'], { configDir: dir() });
  assert.equal(flag.code, 0, flag.stderr);
  assert.doesNotMatch(flag.stderr, /gone/);
  const env = await runCli(['status'], { configDir: dir(), env: { AUTHCTL_PROFILE: 'ok' } });
  assert.equal(env.code, 0, env.stderr);
  const both = await runCli(['status', 'ok', '--profile', 'gone'], { configDir: dir() });
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /^error: the profile is named twice/m);
});

test('expired: renewable is exit 0 ("!"), not renewable is exit 4; neither asks the server', async () => {
  registerPryv('ckexpiredpryv001', 'acc-expired');
  const before = pryv().requests.length;
  writeStore(dir(), {
    version: 1,
    profiles: {
      renewable: sampleProfile({
        expiresAt: PAST,
        clientSecret: 'saved-secret',
        params: { tokenUrl: 'http://127.0.0.1:9/t', clientId: 'c' },
      }),
    },
  });
  const ok = await runCli(['status', '--json'], { configDir: dir() });
  assert.equal(ok.code, 0, ok.stderr);
  const [row] = json(ok.stdout);
  assert.deepEqual([row!.valid, row!.renewable, row!.check], [false, true, 'offline']);
  const human = await runCli(['status'], { configDir: dir() });
  assert.match(human.stderr, /^! renewable: invalid — expired; renewable/m);

  writeStore(dir(), {
    version: 1,
    profiles: { old: { ...pryvProfile('ckexpiredpryv001'), expiresAt: PAST } },
  });
  const bad = await runCli(['status'], { configDir: dir() });
  assert.equal(bad.code, 4, bad.stderr);
  assert.match(bad.stderr, /^✗ old: invalid — expired and cannot be renewed/m);
  assert.equal(pryv().requests.length, before, 'an expired token was checked online');
});

test('--offline: no request at all, check "offline"', async () => {
  registerPryv(PRYV_TOKEN);
  writeStore(dir(), {
    version: 1,
    profiles: { diary: pryvProfile(PRYV_TOKEN), launcher: safeProfile('a.b.c') },
  });
  const p0 = pryv().requests.length;
  const s0 = safe().requests.length;
  const r = await runCli(['status', '--offline', '--json'], { configDir: dir() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    json(r.stdout).map((x) => [x.profile, x.check, x.valid]),
    [
      ['diary', 'offline', true],
      ['launcher', 'offline', true],
    ],
  );
  assert.equal(pryv().requests.length, p0);
  assert.equal(safe().requests.length, s0);
});

test('a check that cannot reach its server: exit 1, valid null; an invalid token elsewhere wins (exit 4)', async () => {
  const down = await startFakeLauncher();
  const url = down.url;
  await down.close();
  writeStore(dir(), { version: 1, profiles: { launcher: safeProfile('x.y.z', url) } });
  const r = await runCli(['status', '--json'], { configDir: dir() });
  assert.equal(r.code, 1, r.stderr);
  const [row] = json(r.stdout);
  assert.equal(row!.valid, null);
  assert.equal(row!.checkedWith, 'failed');
  assert.match(r.stderr, /^error: could not check profile 'launcher': .*not running|refused/m);

  writeStore(dir(), {
    version: 1,
    profiles: { launcher: safeProfile('x.y.z', url), gone: pryvProfile('ckunknowntoken98') },
  });
  const both = await runCli(['status'], { configDir: dir() });
  assert.equal(both.code, 4, both.stderr);
});

test('ten profiles on a server that never answers are checked at the same time, each bounded by --timeout', async () => {
  let open = 0;
  let most = 0;
  const sockets = new Set<import('node:net').Socket>();
  const hang = http.createServer((req) => {
    open++;
    most = Math.max(most, open);
    req.socket.on('close', () => open--);
  });
  hang.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
  try {
    const profiles: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) profiles[`p${i}`] = pryvProfile(`ckhangtoken${i}xx`, `${base}/alice/`);
    writeStore(dir(), { version: 1, profiles });
    const r = await runCli(['status', '--json', '--timeout', '6s'], { configDir: dir() });
    assert.equal(r.code, 1, r.stderr);
    const rows = json(r.stdout);
    assert.equal(rows.length, 10);
    for (const row of rows) {
      assert.equal(row.valid, null);
      assert.match(String(row.error), /no answer within 6s/);
    }
    // Serial checks would each be cancelled before the next one starts: at most one open at a time.
    // (6s, not 1s: on a loaded machine the ten requests need time to arrive at all.)
    assert.equal(most, 10);
    assert.match(r.stderr, /^error: could not check 10 profiles/m);
  } finally {
    for (const s of sockets) s.destroy();
    hang.close();
  }
});

test('no profiles: exit 4; store untouched by status', async () => {
  const r = await runCli(['status'], { configDir: dir() });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /^error: no profiles saved yet/m);
  registerPryv(PRYV_TOKEN);
  writeStore(dir(), { version: 1, profiles: { diary: pryvProfile(PRYV_TOKEN) } });
  const before = JSON.stringify(readStore(dir()));
  await runCli(['status'], { configDir: dir() });
  assert.equal(JSON.stringify(readStore(dir())), before);
});
