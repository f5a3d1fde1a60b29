/**
 * Crash safety: a writer SIGKILLed at random moments of store writes, in a loop. After every kill
 * the store parses and equals a state the writer could have written (each profile either the old
 * or the new one, in save order — never a truncated or mixed file); the lock the dead writer held
 * is taken over by the next writer in well under 3 s; the temp file it left is removed by that
 * next write. A lock file left empty (killed between creating and filling it) is recovered too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { TokenStore } from '../../src/store/store.js';
import { repoRoot, sampleProfile, tempConfigDir } from '../helpers/cli.js';

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 40);
const COUNT = 30;

let bundleDir: string;
let writer: string;
before(async () => {
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-crash-'));
  writer = path.join(bundleDir, 'crash-writer.mjs');
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'reliability', 'crash-writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
});
after(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

/** Start the writer; resolves once it is about to save, with a function that SIGKILLs it. */
function startWriter(dir: string, gen: number): Promise<{ kill: () => Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, String(gen), String(COUNT)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let finished = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('done')) finished = true;
      if (out.startsWith('ready')) {
        resolve({
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
            return !finished;
          },
        });
      }
    });
    child.on('error', reject);
  });
}

const tokens = (file: string): Map<string, string> => {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { profiles: Record<string, { token: string }> };
  return new Map(Object.entries(data.profiles).map(([k, v]) => [k, v.token]));
};

test(`SIGKILL at random points of store writes, ${ITERATIONS} times: old or new state, never truncated; stale locks and temp files recovered`, async (t) => {
  const { dir, cleanup } = tempConfigDir();
  const file = path.join(dir, 'config.json');
  const store = new TokenStore({ AUTHCTL_CONFIG_DIR: dir });
  let killedMidRun = 0;
  let locksLeft = 0;
  let tempsLeft = 0;
  let slowest = 0;
  try {
    await store.save('probe', sampleProfile({ token: 'probe-0' }) as never);
    let before = tokens(file);
    for (let gen = 1; gen <= ITERATIONS; gen++) {
      const w = await startWriter(dir, gen);
      // Anywhere from before the first save to well into the run (one save ≈ a few ms).
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
      if (await w.kill()) killedMidRun++;

      // 1. The store parses and is a state the writer could have produced: p0…p(j-1) new, the rest old.
      const after = tokens(file);
      let j = 0;
      while (j < COUNT && after.get(`p${j}`) === `g${gen}-p${j}`) j++;
      for (let i = j; i < COUNT; i++) {
        assert.equal(
          after.get(`p${i}`),
          before.get(`p${i}`),
          `gen ${gen}: p${i} is neither old nor new (j=${j})`,
        );
      }
      assert.equal(after.get('probe'), before.get('probe'));
      assert.equal(after.size, Math.max(before.size, j + 1), `gen ${gen}: no profile lost or invented`);

      // 2. What the dead writer left: its lock and maybe a temp file.
      const names = fs.readdirSync(dir);
      if (names.includes('config.json.lock')) locksLeft++;
      if (names.some((n) => n.startsWith('config.json.tmp-'))) tempsLeft++;

      // 3. The next writer takes over at once and cleans up.
      const t0 = Date.now();
      await store.save('probe', sampleProfile({ token: `probe-${gen}` }) as never);
      const took = Date.now() - t0;
      slowest = Math.max(slowest, took);
      assert.ok(took < 3000, `gen ${gen}: the next writer needed ${took} ms`);
      assert.deepEqual(fs.readdirSync(dir), ['config.json'], `gen ${gen}: lock and temp files removed`);
      before = tokens(file);
    }
    t.diagnostic(
      `${ITERATIONS} kills (${killedMidRun} before the writer finished): lock left ${locksLeft}×, temp file left ${tempsLeft}×; slowest takeover ${slowest} ms`,
    );
    // The kills must really land inside writes, or this test proves nothing.
    assert.ok(killedMidRun >= ITERATIONS / 2, `only ${killedMidRun} kills landed before the writer finished`);
    assert.ok(locksLeft > 0, 'no kill landed while the lock was held');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  } finally {
    cleanup();
  }
});

test('a lock file left empty (writer killed between creating and filling it) is taken over within seconds', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const store = new TokenStore({ AUTHCTL_CONFIG_DIR: dir });
    await store.save('a', sampleProfile() as never);
    const lock = path.join(dir, 'config.json.lock');
    fs.writeFileSync(lock, '');
    const t0 = Date.now();
    await store.save('b', sampleProfile() as never);
    const took = Date.now() - t0;
    assert.ok(took < 3000, `took ${took} ms`);
    assert.equal(fs.existsSync(lock), false);
    assert.deepEqual([...tokens(path.join(dir, 'config.json')).keys()].sort(), ['a', 'b']);
  } finally {
    cleanup();
  }
});
