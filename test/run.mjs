#!/usr/bin/env node
/**
 * Runs every test/**\/*.test.ts with Node's test runner (TypeScript through tsx).
 * Usage: node test/run.mjs [filter-substring...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures') walk(p);
    } else if (name.endsWith('.test.ts')) files.push(path.relative(process.cwd(), p));
  }
};
walk(root);
const filters = process.argv.slice(2);
// AUTHCTL_TEST_SKIP=a,b leaves out files whose path contains a or b (.ci/run uses it on the extra
// Node lines for checks of the repository's own files and of a browser, which do not depend on Node).
const skip = (process.env.AUTHCTL_TEST_SKIP ?? '').split(',').filter(Boolean);
const wanted = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const selected = wanted.filter((f) => !skip.some((x) => f.includes(x)));
if (skip.length)
  console.error(`AUTHCTL_TEST_SKIP=${skip.join(',')}: ${wanted.length - selected.length} file(s) left out`);
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Leak check (test/reliability/leak-check.mjs): the fakes and runCli/testContext record secrets and
// outputs here while the suite runs; afterwards no secret may appear where the contract forbids it.
const leakDir = mkdtempSync(path.join(tmpdir(), 'authctl-leaks-'));
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', env: { ...process.env, AUTHCTL_TEST_LEAK_DIR: leakDir } },
);
const leaks = spawnSync(process.execPath, [path.join(root, 'reliability', 'leak-check.mjs'), leakDir], {
  stdio: 'inherit',
});
rmSync(leakDir, { recursive: true, force: true });
process.exit(r.status || leaks.status || (r.status === null ? 1 : 0));
