/**
 * Start-up measurements for `npm run bench`: the built CLI against bare `node -e 0`, in a clean,
 * minimal environment (PATH, a temp HOME, a temp AUTHCTL_CONFIG_DIR, CI=true: no NODE_OPTIONS, no
 * NODE_EXTRA_CA_CERTS), as A/B pairs — each run of a case right after a run of its baseline — so
 * that machine load affects both sides alike. Ratios are medians of the per-pair ratios, with their
 * p10–p90 spread.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binPath, writeStore } from '../helpers/cli.js';

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in 0..1). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** A measured pair series. */
export interface PairResult {
  name: string;
  /** CPU time (user + sys) of the child: median ms of case and baseline, median of pair ratios. */
  cpu?: { ms: number; baselineMs: number; ratio: number; p10: number; p90: number };
  /** Median wall ms of the case and of its baseline. */
  ms: number;
  baselineMs: number;
  /** Median of per-pair ratios, and its p10 / p90. */
  ratio: number;
  p10: number;
  p90: number;
  /** The first (cold) run of the case and of the baseline, before any warm-up. */
  coldMs: number;
  coldBaselineMs: number;
  runs: number;
}

/** The clean environment every benchmark child gets. */
export function cleanEnv(home: string, configDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AUTHCTL_CONFIG_DIR: configDir,
    CI: 'true',
    ...extra,
  };
}

/**
 * Wall and CPU time (user + sys, from the child's rusage) of one synchronous run; throws when it
 * fails. CPU time is what a loaded machine distorts least: wall time includes waiting for a core.
 */
export function timeSync(
  argv: string[],
  env: NodeJS.ProcessEnv,
  expectCode = 0,
): { ms: number; cpuMs: number } {
  const r = spawnSync('python3', ['-c', TIME_PY, ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  const [code, ms, cpuMs] = r.stdout.trim().split(' ').map(Number) as [number, number, number];
  if (code !== expectCode) throw new Error(`${argv.join(' ')} exited ${code}`);
  return { ms, cpuMs };
}

/** fork + exec + wait4: exit code, wall ms (fork to reap), child CPU ms; the child's stdout to /dev/null. */
const TIME_PY = [
  'import os,sys,time',
  't=time.perf_counter()',
  'pid=os.fork()',
  'if pid==0:',
  '  n=os.open(os.devnull,os.O_WRONLY); os.dup2(n,1); os.dup2(n,2)',
  '  os.execvpe(sys.argv[1],sys.argv[1:],os.environ)',
  '_,st,ru=os.wait4(pid,0)',
  'w=(time.perf_counter()-t)*1000',
  'print(os.waitstatus_to_exitcode(st), w, (ru.ru_utime+ru.ru_stime)*1000)',
].join('\n');

/** One case: its argv (a full command line), its environment, and its baseline's. */
export interface Case {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  baseline?: { argv: string[]; env: NodeJS.ProcessEnv };
}

/** Summarise pairs of (case, baseline) timings. */
export function summarise(
  name: string,
  a: number[],
  b: number[],
  cold: [number, number],
  cpu?: [number[], number[]],
): PairResult {
  const ratios = a.map((x, i) => x / b[i]!);
  const cpuRatios = cpu ? cpu[0].map((x, i) => x / cpu[1][i]!) : [];
  return {
    name,
    ...(cpu
      ? {
          cpu: {
            ms: median(cpu[0]),
            baselineMs: median(cpu[1]),
            ratio: median(cpuRatios),
            p10: quantile(cpuRatios, 0.1),
            p90: quantile(cpuRatios, 0.9),
          },
        }
      : {}),
    ms: median(a),
    baselineMs: median(b),
    ratio: median(ratios),
    p10: quantile(ratios, 0.1),
    p90: quantile(ratios, 0.9),
    coldMs: cold[0],
    coldBaselineMs: cold[1],
    runs: a.length,
  };
}

/**
 * Run every case `runs` times after `warmups`, each run right after a run of its baseline (default
 * `node -e 0` in the case's environment), interleaving the cases round-robin.
 */
export function measurePairs(cases: Case[], runs: number, warmups: number): PairResult[] {
  const node = process.execPath;
  const a = cases.map(() => [] as number[]);
  const b = cases.map(() => [] as number[]);
  const ca = cases.map(() => [] as number[]);
  const cb = cases.map(() => [] as number[]);
  const cold = cases.map(() => [0, 0] as [number, number]);
  for (let i = 0; i < warmups + runs; i++) {
    cases.forEach((c, j) => {
      const base = c.baseline ?? { argv: [node, '-e', '0'], env: c.env };
      const tb = timeSync(base.argv, base.env);
      const ta = timeSync(c.argv, c.env);
      if (i === 0) cold[j] = [ta.ms, tb.ms];
      if (i >= warmups) {
        a[j]!.push(ta.ms);
        b[j]!.push(tb.ms);
        ca[j]!.push(ta.cpuMs);
        cb[j]!.push(tb.cpuMs);
      }
    });
  }
  return cases.map((c, j) => summarise(c.name, a[j]!, b[j]!, cold[j]!, [ca[j]!, cb[j]!]));
}

/** Peak RSS (KiB) of one run, from wait4()'s rusage (python3 forks and waits; nothing is injected into Node). */
export const PEAK_RSS_PY =
  'import os,sys\npid=os.fork()\nif pid==0:\n  os.dup2(os.open(os.devnull,os.O_WRONLY),1)\n  os.execvpe(sys.argv[1],sys.argv[1:],os.environ)\n_,st,ru=os.wait4(pid,0)\nprint(ru.ru_maxrss if os.waitstatus_to_exitcode(st)==0 else -1)';

function peakRss(argv: string[], env: NodeJS.ProcessEnv): number | null {
  const r = spawnSync('python3', ['-c', PEAK_RSS_PY, ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const kib = Number(r.stdout.trim());
  return kib > 0 ? kib : null;
}

/** Peak RSS of a case vs `node -e 0`, alternating; null when python3 is missing. */
export function measureRss(
  argv: string[],
  env: NodeJS.ProcessEnv,
  runs: number,
  baseline: string[] = [process.execPath, '-e', '0'],
): { kib: number; baselineKib: number; ratio: number; p10: number; p90: number } | null {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const rb = peakRss(baseline, env);
    const ra = peakRss(argv, env);
    if (rb === null || ra === null) return null;
    if (i >= 2) {
      a.push(ra);
      b.push(rb);
    }
  }
  const ratios = a.map((x, i) => x / b[i]!);
  return {
    kib: median(a),
    baselineKib: median(b),
    ratio: median(ratios),
    p10: quantile(ratios, 0.1),
    p90: quantile(ratios, 0.9),
  };
}

/** A profile with a token valid for a day. */
export function freshProfile(name: string): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    provider: 'oauth',
    flow: 'client_credentials',
    token: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ${Buffer.from(name).toString('base64url')}In0.c2lnbmF0dXJl`,
    tokenType: 'Bearer',
    obtainedAt: iso(Date.now()),
    expiresAt: iso(Date.now() + 86_400_000),
    subject: `${name}-client`,
    scopes: ['api'],
    params: {
      tokenUrl: 'https://id.example.com/token',
      clientId: `${name}-client`,
      authMethod: 'client_secret_basic',
    },
  };
}

/** Temp HOME and config dirs: a one-profile store, a 1,000-profile store, and a cached ActiGraph token. */
export function benchDirs(agTokenUrl: string): {
  home: string;
  one: string;
  thousand: string;
  actigraph: string;
  cleanup(): void;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const one = path.join(root, 'one');
  writeStore(one, { version: 1, profiles: { ci: freshProfile('ci') } });
  const thousand = path.join(root, 'thousand');
  const many: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) many[`p${String(i).padStart(4, '0')}`] = freshProfile(`p${i}`);
  many.ci = freshProfile('ci');
  writeStore(thousand, { version: 1, profiles: many });
  const actigraph = path.join(root, 'actigraph');
  writeStore(actigraph, {
    version: 1,
    profiles: {
      actigraph: {
        ...freshProfile('ci'),
        provider: 'actigraph',
        subject: 'ci-client',
        scopes: ['CentrePoint'],
        params: {
          tokenUrl: agTokenUrl,
          clientId: 'ci-client',
          authMethod: 'client_secret_post',
          scope: 'CentrePoint',
        },
      },
    },
  });
  return { home, one, thousand, actigraph, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The CLI as a command line. */
export const cli = (...args: string[]) => [process.execPath, binPath, ...args];
