/**
 * Start-up measurements for `npm run bench`: wall time and peak RSS of the built CLI against bare
 * `node -e 0`, measured in the same run with A/B alternation, medians after warm-ups.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binPath, writeStore } from '../helpers/cli.js';

/** One command to time. */
export interface Case {
  name: string;
  argv: string[];
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const rssHook = path.join(os.tmpdir(), `authctl-bench-rss-${process.pid}.cjs`);

/** Run argv once; returns wall ms and peak RSS in KiB (from getrusage, written by a tiny preload). */
function runOnce(argv: string[], env: NodeJS.ProcessEnv, rssFile: string): { ms: number; rssKiB: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, {
    env: { ...env, NODE_OPTIONS: `--require ${rssHook}`, AUTHCTL_BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rssKiB = Number(fs.readFileSync(rssFile, 'utf8'));
  return { ms, rssKiB };
}

/** Results of one case. */
export interface StartupResult {
  name: string;
  medianMs: number;
  baselineMs: number;
  ratio: number;
  medianRssKiB: number;
  baselineRssKiB: number;
  rssRatio: number;
}

/**
 * Alternate baseline and each case `runs` times after `warmups`, in one process, so that machine
 * load affects both sides alike. The RSS preload is applied to the baseline too.
 */
export function measureStartup(cases: Case[], runs: number, warmups: number): StartupResult[] {
  fs.writeFileSync(
    rssHook,
    "process.on('exit', () => { const f = process.env.AUTHCTL_BENCH_RSS_FILE; if (f) require('fs').writeFileSync(f, String(process.resourceUsage().maxRSS)); });\n",
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-'));
  const rssFile = path.join(dir, 'rss');
  writeStore(dir, {
    version: 1,
    profiles: {
      ci: {
        provider: 'oauth',
        flow: 'client_credentials',
        token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl',
        tokenType: 'Bearer',
        obtainedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        subject: 'bench-client',
        scopes: ['api'],
        params: {
          tokenUrl: 'http://127.0.0.1:9/token',
          clientId: 'bench-client',
          authMethod: 'client_secret_basic',
        },
      },
    },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, AUTHCTL_CONFIG_DIR: dir, CI: 'true' };
  delete env.AUTHCTL_PROFILE;
  const base = ['-e', '0'];
  const series = new Map<string, { ms: number[]; rss: number[] }>();
  const all: Case[] = [
    { name: 'baseline', argv: base },
    ...cases.map((c) => ({ ...c, argv: [binPath, ...c.argv] })),
  ];
  for (const c of all) series.set(c.name, { ms: [], rss: [] });
  for (let i = 0; i < warmups + runs; i++) {
    for (const c of all) {
      const r = runOnce(c.argv, env, rssFile);
      if (i >= warmups) {
        series.get(c.name)!.ms.push(r.ms);
        series.get(c.name)!.rss.push(r.rssKiB);
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(rssHook, { force: true });
  const b = series.get('baseline')!;
  const bMs = median(b.ms);
  const bRss = median(b.rss);
  return cases.map((c) => {
    const s = series.get(c.name)!;
    const m = median(s.ms);
    const r = median(s.rss);
    return {
      name: c.name,
      medianMs: m,
      baselineMs: bMs,
      ratio: m / bMs,
      medianRssKiB: r,
      baselineRssKiB: bRss,
      rssRatio: r / bRss,
    };
  });
}
