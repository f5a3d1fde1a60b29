/**
 * Completion speed (a row for `npm run bench`; run alone with `node --import tsx test/bench/completion.ts`
 * after `npm run build`): profile names are looked up on every Tab, through the hidden
 * `authctl __complete profiles`, which reads the store file without commander. Measured against
 * `node -e 0` and, for a whole Tab in bash (the generated function plus that lookup), against
 * `bash -c :`, alternating A/B in a clean environment (no NODE_EXTRA_CA_CERTS or NODE_OPTIONS).
 * Environment: BENCH_RUNS (default 21), BENCH_WARMUPS (default 3).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binPath } from '../helpers/cli.js';
import { median } from './startup.js';

const runs = Number(process.env.BENCH_RUNS ?? 21);
const warmups = Number(process.env.BENCH_WARMUPS ?? 3);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-completion-'));
const profiles: Record<string, unknown> = {};
for (let i = 0; i < 50; i++) {
  profiles[`profile-${i}`] = {
    provider: 'oauth',
    flow: 'client_credentials',
    token: `bench-token-${i}`,
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
    subject: 'bench',
    scopes: [],
    params: {},
  };
}
fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
const binDir = path.join(dir, 'bin');
fs.mkdirSync(binDir);
fs.writeFileSync(path.join(binDir, 'authctl'), `#!/bin/sh\nexec '${process.execPath}' '${binPath}' "$@"\n`, {
  mode: 0o755,
});
const env: NodeJS.ProcessEnv = {
  PATH: `${binDir}:/usr/bin:/bin`,
  HOME: dir,
  AUTHCTL_CONFIG_DIR: dir,
  AUTHCTL_CACHE_DIR: path.join(dir, 'cache'),
  LANG: 'C.UTF-8',
};
const script = path.join(dir, 'authctl.bash');
fs.writeFileSync(
  script,
  spawnSync(process.execPath, [binPath, 'completion', 'bash'], { env, encoding: 'utf8' }).stdout,
);

function time(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function pair(name: string, a: [string, string[]], b: [string, string[]], target: number) {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const x = time(...a);
    const y = time(...b);
    if (i >= warmups) {
      as.push(x);
      bs.push(y);
    }
  }
  const ratio = median(as) / median(bs);
  return {
    measure: name,
    value: `${median(as).toFixed(1)} ms`,
    baseline: `${median(bs).toFixed(1)} ms`,
    ratio: `${ratio.toFixed(2)}×`,
    target: `≤ ${target}×`,
    ok: ratio <= target,
  };
}

const tab = `source '${script}'; COMP_WORDS=(authctl token print ''); COMP_CWORD=3; _authctl; (( \${#COMPREPLY[@]} == 50 ))`;
const rows = [
  pair(
    '__complete profiles (50 profiles)',
    [process.execPath, [binPath, '__complete', 'profiles']],
    [process.execPath, ['-e', '0']],
    1.15,
  ),
  pair(
    'token print (reference: same start-up path)',
    [process.execPath, [binPath, 'token', 'print', 'profile-0']],
    [process.execPath, ['-e', '0']],
    1.15,
  ),
  pair('bash Tab on [profile] (whole completion)', ['bash', ['-c', tab]], ['bash', ['-c', `node -e 0`]], 1.3),
];
console.table(rows);
console.log(JSON.stringify({ completion: rows }));
fs.rmSync(dir, { recursive: true, force: true });
