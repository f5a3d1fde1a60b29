/**
 * `authctl logout` and `token delete --revoke` on the built binary: Pryv revocation through
 * `DELETE accesses/{id}` (the id from access-info; the token is dead afterwards), SAFE as before, a
 * provider with no revocation, and a failed revocation that keeps the profile unless --force.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pryvProfile as fakePryvProfile, registerAccess, startFakePryv, useFakePryv } from '../fakes/pryv.js';
import { type FakeApp, safeProfile, useFakeLauncher } from '../fakes/safe-launcher.js';
import { configDirPerTest, readStore, runCli, sampleProfile, writeStore } from '../helpers/cli.js';
import { ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

const FAR = '2099-01-01T00:00:00Z';
const app: FakeApp = { name: 'Demo', id: 'net.example.demo', version: '1.0', vendor: 'Example' };
const pryv = useFakePryv({ generation: 'v2' });
const safe = useFakeLauncher();
const dir = configDirPerTest();

const pryvProfile = (token: string, base = pryv().base) =>
  fakePryvProfile(token, `${base}/alice/`, 'logout-test');
const register = (token: string, id: string) => registerAccess(pryv(), token, id, 'logout-test');

const errorLines = (s: string) => s.split('\n').filter((l) => l.startsWith('error:'));

test('logout revokes a Pryv token: DELETE accesses/{id} with the token, then the token is dead', async () => {
  register('cklogoutpryv0001', 'acc-logout-1');
  writeStore(dir(), {
    version: 1,
    profiles: { diary: pryvProfile('cklogoutpryv0001'), spare: pryvProfile('cklogoutpryv0001') },
  });
  const r = await runCli(['logout', 'diary'], { configDir: dir() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Revoked the token at Pryv\.io \(profile 'diary'\)\.$/m);
  assert.match(r.stderr, /^Deleted profile 'diary'\.$/m);
  const del = pryv().requests.filter((q) => q.method === 'DELETE');
  assert.deepEqual(
    del.map((q) => [q.path, q.status, q.authorization]),
    [['/alice/accesses/acc-logout-1', 200, 'cklogoutpryv0001']],
  );
  assert.deepEqual(Object.keys(readStore(dir()).profiles), ['spare']);
  // The same token under another profile is now rejected by the server.
  const s = await runCli(['status', 'spare'], { configDir: dir() });
  assert.equal(s.code, 4, s.stderr);

  // Revoking it again: the server no longer knows it; the profile still goes.
  const again = await runCli(['token', 'delete', '--profile', 'spare', '--revoke'], { configDir: dir() });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /^note: Pryv\.io no longer knew the token of 'spare'/m);
  assert.deepEqual(readStore(dir()).profiles, {});
});

test('a failed revocation keeps the profile (one error line saying so); --force deletes it anyway', async () => {
  const down = await startFakePryv({ generation: 'v2' });
  const base = down.base;
  await down.close();
  writeStore(dir(), { version: 1, profiles: { diary: pryvProfile('ckfailpryvtok01', base) } });
  const r = await runCli(['logout'], { configDir: dir() });
  assert.equal(r.code, 1, r.stderr);
  const errs = errorLines(r.stderr);
  assert.equal(errs.length, 1, r.stderr);
  assert.match(
    errs[0]!,
    /^error: revoking the token of 'diary' at Pryv\.io failed: .*refused.*Profile 'diary' was kept .*authctl logout diary --force$/,
  );
  assert.deepEqual(Object.keys(readStore(dir()).profiles), ['diary']);

  const f = await runCli(['logout', 'diary', '--force'], { configDir: dir() });
  assert.equal(f.code, 0, f.stderr);
  assert.match(
    f.stderr,
    /^warning: revoking the token of 'diary' at Pryv\.io failed \(.*\); deleting the profile anyway \(--force\)/m,
  );
  assert.deepEqual(readStore(dir()).profiles, {});
});

test('SAFE revokes as before (DELETE /auth); a provider without revocation says so and deletes locally', async () => {
  const token = safe().mint(app, []);
  writeStore(dir(), {
    version: 1,
    profiles: {
      launcher: safeProfile(token, safe().url),
      ci: sampleProfile({ provider: 'actigraph', expiresAt: FAR }),
    },
  });
  const s = await runCli(['logout', 'launcher', '--yes'], { configDir: dir() });
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /^Revoked the token at the SAFE Launcher \(profile 'launcher'\)\.$/m);
  assert.equal(safe().requestsTo('DELETE', '/auth').at(-1)!.headers.authorization, `Bearer ${token}`);
  const a = await runCli(['logout', 'ci'], { configDir: dir() });
  assert.equal(a.code, 0, a.stderr);
  assert.match(
    a.stderr,
    /^note: ActiGraph has no token revocation that authctl can call; deleting 'ci' locally only\.$/m,
  );
  assert.deepEqual(readStore(dir()).profiles, {});
});

test('usage: logout of an unknown profile is exit 4; token delete needs a name (exit 2)', async () => {
  writeStore(dir(), { version: 1, profiles: { a: sampleProfile(), b: sampleProfile() } });
  const r = await runCli(['logout', 'nope'], { configDir: dir() });
  assert.equal(r.code, 4, r.stderr);
  const several = await runCli(['logout'], { configDir: dir() });
  assert.equal(several.code, 2, several.stderr);
  const d = await runCli(['token', 'delete'], { configDir: dir() });
  assert.equal(d.code, 2, d.stderr);
  assert.equal(errorLines(d.stderr).length, 1);
  assert.deepEqual(Object.keys(readStore(dir()).profiles), ['a', 'b']);
});

test('on a terminal, logout asks first: "n" revokes and deletes nothing (exit 3); "y" goes ahead', {
  skip: ptyPython ? false : 'python3 (for its pty module) is not installed here',
}, async () => {
  register('ckptylogout00001', 'acc-pty-1');
  writeStore(dir(), { version: 1, profiles: { diary: pryvProfile('ckptylogout00001') } });
  const deletes = () => pryv().requests.filter((q) => q.method === 'DELETE').length;
  const before = deletes();
  const no = await runOnPty(
    ['logout', 'diary'],
    [{ expect: 'and delete the profile?', timeout: 20 }, { send: 'n\r' }],
    {
      configDir: dir(),
    },
  );
  assert.equal(no.status, 3, stripAnsi(no.output));
  assert.match(stripAnsi(no.output), /error: cancelled; nothing was revoked or deleted/);
  assert.equal(deletes(), before);
  assert.deepEqual(Object.keys(readStore(dir()).profiles), ['diary']);

  const yes = await runOnPty(
    ['logout', 'diary'],
    [{ expect: 'and delete the profile?', timeout: 20 }, { send: 'y\r' }],
    {
      configDir: dir(),
    },
  );
  assert.equal(yes.status, 0, stripAnsi(yes.output));
  assert.match(stripAnsi(yes.output), /Revoked the token at Pryv\.io \(profile 'diary'\)/);
  assert.equal(deletes(), before + 1);
  assert.deepEqual(readStore(dir()).profiles, {});
});
