#!/usr/bin/env node
/**
 * The heavy reliability run (npm run test:stress; expects `npm run build` first): the reliability
 * and property tests with more iterations (FC_RUNS property runs, CRASH_ITERATIONS kills,
 * CONCURRENCY_SCALE × 50 processes) plus test/reliability/stress/*.stress.ts (faults that only end
 * at the HTTP client's 30 s limits), followed by the same leak check as npm test.
 * Usage: node test/reliability/stress.mjs
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const testDir = path.dirname(here);
const list = (dir, re) =>
  readdirSync(dir)
    .filter((f) => re.test(f))
    .map((f) => path.relative(process.cwd(), path.join(dir, f)));
const files = [
  ...list(path.join(here, 'stress'), /\.stress\.ts$/),
  ...list(here, /\.test\.ts$/),
  // The property tests live beside what they test (test/cli, test/providers).
  ...list(path.join(testDir, 'cli'), /^property.*\.test\.ts$/),
  ...list(path.join(testDir, 'providers'), /^property.*\.test\.ts$/),
].sort();

const leakDir = mkdtempSync(path.join(tmpdir(), 'authctl-leaks-'));
const env = {
  FC_RUNS: '3000',
  CRASH_ITERATIONS: '300',
  CONCURRENCY_SCALE: '2',
  ...process.env,
  AUTHCTL_TEST_LEAK_DIR: leakDir,
};
const t0 = Date.now();
const r = spawnSync(
  process.execPath,
  // One file at a time: these tests measure deadlines, and 100-process runs beside them would make
  // a 2-core machine miss deadlines for reasons that have nothing to do with authctl.
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
const leaks = spawnSync(process.execPath, [path.join(here, 'leak-check.mjs'), leakDir], { stdio: 'inherit' });
rmSync(leakDir, { recursive: true, force: true });
console.error(`stress run: ${files.length} files in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exit(r.status || leaks.status || (r.status === null ? 1 : 0));
