/**
 * The token store across processes: many writers at once lose nothing, and a writer killed while it
 * holds the lock does not block the next one (docs/tokens.md; kubelogin's lock pattern).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TokenStore } from '../../src/store/store.js';
import { bundleHelper } from '../helpers/bundle.js';
import { readStore, sampleProfile, tempConfigDir } from '../helpers/cli.js';

let writer: { file: string; cleanup: () => void };
before(async () => {
  writer = await bundleHelper('store-writer');
});
after(() => writer.cleanup());

/** Run the bundled store writer; resolves with its exit code and stderr. */
function runWriter(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer.file, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('20 processes saving 20 profiles at once leave 20 profiles in valid JSON', async () => {
  const tmp = tempConfigDir();
  try {
    // All processes start together (a common start line 400 ms ahead), so they really contend.
    const startAt = String(Date.now() + 400);
    const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const results = await Promise.all(names.map((n) => runWriter([tmp.dir, n, 'save', startAt])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const data = readStore(tmp.dir); // throws if the JSON is not valid
    assert.equal(data.version, 1);
    assert.deepEqual(Object.keys(data.profiles).sort(), [...names].sort());
    for (const n of names) assert.equal(data.profiles[n]?.token, `tok-${n}`);
    // No lock or temp file is left behind.
    assert.deepEqual(fs.readdirSync(tmp.dir), ['config.json']);
    assert.equal(fs.statSync(path.join(tmp.dir, 'config.json')).mode & 0o777, 0o600);
  } finally {
    tmp.cleanup();
  }
});

test('a writer SIGKILLed while holding the store lock does not block the next writer', async () => {
  const tmp = tempConfigDir();
  try {
    const store = new TokenStore({ AUTHCTL_CONFIG_DIR: tmp.dir });
    await store.save('before', sampleProfile() as never);
    const holder = spawn(process.execPath, [writer.file, tmp.dir, 'x', 'hold'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (d.includes('locked')) resolve();
      });
      holder.on('error', reject);
      holder.on('exit', () => reject(new Error('holder exited before taking the lock')));
    });
    const lockFile = path.join(tmp.dir, 'config.json.lock');
    assert.ok(fs.existsSync(lockFile), 'the holder owns the lock file');
    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await exited;
    assert.ok(fs.existsSync(lockFile), 'SIGKILL leaves the lock file behind');

    const t0 = Date.now();
    await store.save('after', sampleProfile({ token: 'tok-after' }) as never);
    const took = Date.now() - t0;
    assert.ok(took < 2000, `the next writer took over the dead holder's lock in ${took} ms`);
    const data = readStore(tmp.dir);
    assert.deepEqual(Object.keys(data.profiles).sort(), ['after', 'before']);
    assert.equal(fs.existsSync(lockFile), false, 'the new writer released the lock');
  } finally {
    tmp.cleanup();
  }
});
