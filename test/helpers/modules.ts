/** What a run loaded, judged against what bare Node loads on the same line. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The built-ins a bare CommonJS script loads on this Node line: not authctl's doing. (Node 24 loads
 * its ESM loader at every start, Node 20 and 22 only on the first import().)
 */
export const NODE_BASELINE: ReadonlySet<string> = (() => {
  const file = path.join(os.tmpdir(), `authctl-baseline-${process.pid}.cjs`);
  fs.writeFileSync(
    file,
    "process.on('exit', () => require('node:fs').writeSync(1, JSON.stringify(process.moduleLoadList)));",
  );
  try {
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    return new Set(JSON.parse(r.stdout) as string[]);
  } finally {
    fs.rmSync(file, { force: true });
  }
})();

/** Whether a run loaded built-in `name` beyond what bare Node loads. */
export function loadedHeavy(builtins: readonly string[], name: string): boolean {
  const id = `NativeModule ${name}`;
  return builtins.includes(id) && !NODE_BASELINE.has(id);
}
