/**
 * TokenStore in process: file modes, schema version, what happens with a store it must not touch
 * (unparseable, newer schema), damaged profiles, profile resolution, and the lock file rules
 * (docs/tokens.md; README "Exit codes"; as kubelogin does).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import envPaths from 'env-paths';
import { ExitCode, InterruptedError, NoTokenError, StoreError, UsageError } from '../../src/errors.js';
import { withLock } from '../../src/store/lock.js';
import { configDir, platformConfigDir, storePath } from '../../src/store/paths.js';
import type { Profile } from '../../src/store/profile.js';
import { SCHEMA_VERSION, TokenStore } from '../../src/store/store.js';
import { readStore, repoRoot, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

const profile = (over: Record<string, unknown> = {}) => sampleProfile(over) as unknown as Profile;
const mode = (p: string) => fs.statSync(p).mode & 0o7777;

/** A store in a fresh directory, with captured warnings. */
function fresh() {
  const tmp = tempConfigDir();
  const warnings: string[] = [];
  const store = new TokenStore({ AUTHCTL_CONFIG_DIR: tmp.dir }, (m) => warnings.push(m));
  return { ...tmp, store, warnings, file: path.join(tmp.dir, 'config.json') };
}

test('a write creates the store 0600 in a 0700 directory, with the schema version', async () => {
  const tmp = tempConfigDir();
  try {
    const dir = path.join(tmp.dir, 'nested', 'authctl');
    const store = new TokenStore({ AUTHCTL_CONFIG_DIR: dir });
    await store.save('a', profile());
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(store.file), 0o600);
    const data = readStore(dir);
    assert.equal(data.version, SCHEMA_VERSION);
    assert.equal(data.version, 1);
    assert.equal(data.profiles.a?.token, 'tok-abc.def');
    assert.deepEqual(fs.readdirSync(dir), ['config.json'], 'no lock or temp file left');
  } finally {
    tmp.cleanup();
  }
});

test('modes are re-applied on every write (0644 store and 0755 dir come back to 0600/0700)', async () => {
  const s = fresh();
  try {
    await s.store.save('a', profile());
    fs.chmodSync(s.file, 0o644);
    fs.chmodSync(s.dir, 0o755);
    await s.store.save('b', profile());
    assert.equal(mode(s.file), 0o600);
    assert.equal(mode(s.dir), 0o700);
    await s.store.delete('a');
    assert.equal(mode(s.file), 0o600);
  } finally {
    s.cleanup();
  }
});

test('a group/other-readable store is tightened on read, with one warning per file', () => {
  const s = fresh();
  try {
    writeStore(s.dir, { version: 1, profiles: { a: sampleProfile() } });
    fs.chmodSync(s.file, 0o644);
    fs.chmodSync(s.dir, 0o750);
    const snap = s.store.read();
    assert.equal(snap.profiles.size, 1);
    assert.equal(mode(s.file), 0o600);
    assert.equal(mode(s.dir), 0o700);
    assert.equal(s.warnings.length, 2, s.warnings.join('\n'));
    assert.match(s.warnings.join('\n'), /config\.json was accessible by other users; its mode is now 600/);
    // A private store gives no warning.
    const again = new TokenStore({ AUTHCTL_CONFIG_DIR: s.dir }, (m) => s.warnings.push(m));
    again.read();
    assert.equal(s.warnings.length, 2);
  } finally {
    s.cleanup();
  }
});

test('a shared sticky directory (AUTHCTL_CONFIG_DIR=/tmp-like) is never chmodded', async () => {
  const s = fresh();
  try {
    fs.chmodSync(s.dir, 0o1777);
    writeStore(s.dir, { version: 1, profiles: {} });
    fs.chmodSync(s.dir, 0o1777);
    s.store.read();
    assert.equal(mode(s.dir), 0o1777);
    await s.store.save('a', profile());
    assert.equal(mode(s.dir), 0o1777);
    assert.equal(mode(s.file), 0o600);
  } finally {
    s.cleanup();
  }
});

test('a missing or empty store is an empty store, and the first save creates it', async () => {
  const s = fresh();
  try {
    assert.equal(s.store.read().profiles.size, 0);
    writeStore(s.dir, '');
    assert.equal(s.store.read().profiles.size, 0);
    await s.store.save('a', profile());
    assert.deepEqual(Object.keys(readStore(s.dir).profiles), ['a']);
  } finally {
    s.cleanup();
  }
});

/** Stores authctl must refuse to read and must never rewrite. */
const untouchable: Array<{ name: string; text: string; message: RegExp }> = [
  { name: 'not JSON', text: '{"version":1,"profiles":{', message: /is not valid JSON/ },
  { name: 'a JSON array', text: '[1,2]', message: /is not a JSON object/ },
  { name: 'a bad version', text: '{"version":"1","profiles":{}}', message: /invalid schema version/ },
  { name: 'bad profiles', text: '{"version":1,"profiles":[]}', message: /invalid 'profiles' field/ },
  { name: 'a newer schema', text: '{"version":2,"profiles":{}}', message: /written by a newer authctl/ },
];

for (const c of untouchable) {
  test(`a store holding ${c.name} is exit 1 naming the file, and is left byte for byte`, async () => {
    const s = fresh();
    try {
      writeStore(s.dir, c.text);
      const before = fs.readFileSync(s.file);
      const check = (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.exitCode, ExitCode.failure);
        assert.match(e.message, c.message);
        assert.ok(e.message.includes(s.file), e.message);
        assert.ok(e.hint && e.hint.length > 10, 'there is a hint saying what to do');
        return true;
      };
      assert.throws(() => s.store.read(), check);
      // A login that tries to save must fail rather than overwrite.
      await assert.rejects(s.store.save('new', profile()), check);
      await assert.rejects(s.store.delete('new'), check);
      assert.deepEqual(fs.readFileSync(s.file), before);
      assert.deepEqual(fs.readdirSync(s.dir), ['config.json'], 'the lock was released');
    } finally {
      s.cleanup();
    }
  });
}

test('damaged profiles are reported, kept as they are on writes, and named on get', async () => {
  const s = fresh();
  try {
    const damaged = { provider: 'oauth', token: 'x' };
    writeStore(s.dir, { version: 1, profiles: { good: sampleProfile(), bad: damaged } });
    const snap = s.store.read();
    assert.deepEqual([...snap.profiles.keys()], ['good']);
    assert.deepEqual(snap.broken, [{ name: 'bad', reason: "missing or invalid field 'flow'" }]);
    assert.throws(
      () => s.store.get('bad'),
      (e: unknown) =>
        e instanceof StoreError &&
        e.message.includes(s.file) &&
        /authctl token delete bad/.test(e.hint ?? ''),
    );
    assert.throws(
      () => s.store.get('nope'),
      (e: unknown) =>
        e instanceof NoTokenError && e.exitCode === 4 && /Known profiles: good/.test(e.hint ?? ''),
    );
    await s.store.save('other', profile());
    assert.deepEqual(readStore(s.dir).profiles.bad, damaged);
    assert.equal(await s.store.delete('bad'), true);
    assert.equal(await s.store.delete('bad'), false);
    assert.deepEqual(Object.keys(readStore(s.dir).profiles).sort(), ['good', 'other']);
  } finally {
    s.cleanup();
  }
});

test('resolveName: argument > AUTHCTL_PROFILE > the only profile > exit 2 listing names', () => {
  const s = fresh();
  try {
    assert.throws(() => s.store.resolveName(undefined, {}), NoTokenError);
    writeStore(s.dir, { version: 1, profiles: { only: sampleProfile() } });
    assert.equal(s.store.resolveName(undefined, {}), 'only');
    assert.equal(s.store.resolveName('x', { AUTHCTL_PROFILE: 'y' }), 'x');
    // A name from AUTHCTL_PROFILE must exist, and the error says where the name came from.
    assert.throws(
      () => s.store.resolveName(undefined, { AUTHCTL_PROFILE: 'y' }),
      (e: unknown) =>
        e instanceof NoTokenError && /'y' \(the name comes from AUTHCTL_PROFILE\)/.test(e.message),
    );
    writeStore(s.dir, { version: 1, profiles: { a: sampleProfile(), b: sampleProfile() } });
    assert.equal(s.store.resolveName(undefined, { AUTHCTL_PROFILE: 'b' }), 'b');
    assert.throws(
      () => s.store.resolveName(undefined, {}),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /\(a, b\)/.test(e.message),
    );
  } finally {
    s.cleanup();
  }
});

test('an aborted update writes nothing and reports the interruption', async () => {
  const s = fresh();
  try {
    await s.store.save('a', profile());
    const before = fs.readFileSync(s.file);
    const ac = new AbortController();
    const p = s.store.update((profiles) => {
      profiles.b = sampleProfile();
      ac.abort(new InterruptedError('SIGINT'));
    }, ac.signal);
    await assert.rejects(p, (e: unknown) => e instanceof InterruptedError && e.exitCode === 130);
    assert.deepEqual(fs.readFileSync(s.file), before);
    assert.deepEqual(fs.readdirSync(s.dir), ['config.json']);
  } finally {
    s.cleanup();
  }
});

test('temp files left by a writer killed mid-write are removed by the next writer', async () => {
  const s = fresh();
  try {
    await s.store.save('a', profile());
    fs.writeFileSync(path.join(s.dir, 'config.json.tmp-123-abc'), '{"half');
    await s.store.save('b', profile());
    assert.deepEqual(fs.readdirSync(s.dir), ['config.json']);
  } finally {
    s.cleanup();
  }
});

test('saving does not hook signals: one Ctrl-C after a save reaches main exactly once', () => {
  // conf's writer (atomically → when-exit) re-raised SIGINT, which main.ts took for a second,
  // forceful Ctrl-C. Run a real save in a child process and count the SIGINT deliveries.
  const tmp = tempConfigDir();
  try {
    const script = `
      import { TokenStore } from ${JSON.stringify(path.join(repoRoot, 'src/store/store.ts'))};
      let n = 0;
      process.on('SIGINT', () => { n++; });
      await new TokenStore({ AUTHCTL_CONFIG_DIR: ${JSON.stringify(tmp.dir)} }).save('a', ${JSON.stringify(sampleProfile())});
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => process.stdout.write(String(n)), 150);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '1');
  } finally {
    tmp.cleanup();
  }
});

test('configDir: AUTHCTL_CONFIG_DIR wins; otherwise the platform dir without a -nodejs suffix', () => {
  assert.equal(configDir({ AUTHCTL_CONFIG_DIR: '/x/y' }), '/x/y');
  assert.equal(storePath({ AUTHCTL_CONFIG_DIR: '/x/y' }), '/x/y/config.json');
  assert.equal(configDir({ AUTHCTL_CONFIG_DIR: 'rel' }), path.resolve('rel'));
  const def = configDir({});
  assert.ok(!def.includes('nodejs'), def);
  if (process.platform === 'linux') {
    assert.equal(def, path.join(os.homedir(), '.config', 'authctl'));
    assert.equal(configDir({ HOME: '/home/u' }), '/home/u/.config/authctl');
    assert.equal(configDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }), '/xdg/authctl');
  }
});

test('platformConfigDir: the directories env-paths gave earlier versions, per platform', () => {
  const home = () => '/h';
  assert.equal(platformConfigDir({}, 'linux', home), '/h/.config/authctl');
  assert.equal(platformConfigDir({ XDG_CONFIG_HOME: '/c' }, 'linux', home), '/c/authctl');
  assert.equal(platformConfigDir({}, 'darwin', home), '/h/Library/Preferences/authctl');
  // path.join uses the running platform's separator; the parts are what counts.
  assert.equal(platformConfigDir({ APPDATA: '/ad' }, 'win32', home), path.join('/ad', 'authctl', 'Config'));
  assert.equal(
    platformConfigDir({}, 'win32', home),
    path.join('/h', 'AppData', 'Roaming', 'authctl', 'Config'),
  );
  // The env-paths package (a dev dependency now) agrees on this machine's platform and environment.
  assert.equal(
    platformConfigDir(process.env, process.platform, () => os.homedir()),
    envPaths('authctl', { suffix: '' }).config,
  );
});

// ---- the lock file ----

/** The pid of a process that has exited (so surely not alive). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

test('a stale lock file from a dead pid is taken over at once', async () => {
  const tmp = tempConfigDir();
  try {
    const lock = path.join(tmp.dir, 'x.lock');
    fs.writeFileSync(lock, `${deadPid()}\n${os.hostname()}\nnonce-dead\n`);
    const t0 = Date.now();
    const got = await withLock(lock, async () => fs.readFileSync(lock, 'utf8'), { waitMs: 5000 });
    const took = Date.now() - t0;
    assert.ok(took < 2000, `took ${took} ms`);
    assert.match(got, new RegExp(`^${process.pid}\\n`), 'the lock now names this process');
    assert.equal(fs.existsSync(lock), false, 'released afterwards');
  } finally {
    tmp.cleanup();
  }
});

test('a lock from another host is stale only once its heartbeat is older than staleMs', async () => {
  const tmp = tempConfigDir();
  try {
    const lock = path.join(tmp.dir, 'x.lock');
    fs.writeFileSync(lock, '1\nanother-host\nnonce\n');
    // Fresh: we wait, then time out naming the holder.
    await assert.rejects(
      withLock(lock, async () => 0, { waitMs: 150, staleMs: 60_000, what: 'the test lock' }),
      (e: unknown) =>
        e instanceof StoreError &&
        /timed out waiting for the test lock/.test(e.message) &&
        /pid 1/.test(e.message),
    );
    // Old heartbeat: taken over.
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    assert.equal(await withLock(lock, async () => 42, { waitMs: 1000, staleMs: 60_000 }), 42);
  } finally {
    tmp.cleanup();
  }
});

test('a live holder is waited for, not broken', async () => {
  const tmp = tempConfigDir();
  try {
    const lock = path.join(tmp.dir, 'x.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      fs.writeFileSync(lock, `${child.pid}\n${os.hostname()}\nnonce-live\n`);
      await assert.rejects(
        withLock(lock, async () => 0, { waitMs: 200, staleMs: 60_000 }),
        StoreError,
      );
      assert.match(fs.readFileSync(lock, 'utf8'), /nonce-live/, 'the live lock is intact');
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    tmp.cleanup();
  }
});

test('withLock excludes concurrent holders in one process and always releases', async () => {
  const tmp = tempConfigDir();
  try {
    const lock = path.join(tmp.dir, 'x.lock');
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withLock(lock, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    assert.equal(order.length, 8);
    await assert.rejects(
      withLock(lock, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(fs.existsSync(lock), false);
  } finally {
    tmp.cleanup();
  }
});

test('waiting for a lock honours Ctrl-C', async () => {
  const tmp = tempConfigDir();
  try {
    const lock = path.join(tmp.dir, 'x.lock');
    fs.writeFileSync(lock, `${process.ppid}\n${os.hostname()}\nnonce\n`);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new InterruptedError('SIGINT')), 50);
    const t0 = Date.now();
    await assert.rejects(
      withLock(lock, async () => 0, { signal: ac.signal, staleMs: 60_000 }),
      InterruptedError,
    );
    assert.ok(Date.now() - t0 < 1000);
  } finally {
    tmp.cleanup();
  }
});
