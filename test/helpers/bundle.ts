/** Bundle a test helper program with esbuild so spawned copies start fast (no tsx per process). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './cli.js';

/** Bundle `test/helpers/<name>.ts` into a temp .mjs file; returns its path and a cleanup. */
export async function bundleHelper(name: string): Promise<{ file: string; cleanup: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bundle-'));
  const file = path.join(dir, `${name}.mjs`);
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'helpers', `${name}.ts`)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
