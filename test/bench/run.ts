/**
 * `npm run bench`: runs the BUILT CLI as users do (run `npm run build` first; this builds nothing),
 * against baselines measured in the same run, and prints one table plus one JSON line.
 *
 * Every child runs in a clean, minimal environment (PATH, a temp HOME, a temp AUTHCTL_CONFIG_DIR,
 * CI=true; no NODE_OPTIONS, no NODE_EXTRA_CA_CERTS). One row repeats `token print` in the inherited
 * environment and names the variables that change Node's start-up there.
 * Environment: BENCH_RUNS (default 41, at least 21), BENCH_WARMUPS (default 3). One process's start
 * varies by a few per cent on its own (V8 draws its hash seed, see docs/performance.md): 41 pairs
 * keep the median's own wobble near 1.5 %.
 */
import os from 'node:os';
import { startIdentityServer } from '../fakes/identityserver.js';
import { pairRow, type Row } from './flows.js';
import { benchDirs, cleanEnv, cli, measurePairs, measureRss } from './startup.js';

const runs = Math.max(21, Number(process.env.BENCH_RUNS ?? 41));
const warmups = Number(process.env.BENCH_WARMUPS ?? 3);

const rows: Row[] = [];
const json: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  loadavg: os.loadavg(),
  runs,
  warmups,
};

// The cached ActiGraph token names this endpoint; nothing is sent to it (the token is reused).
const ids = await startIdentityServer();
const dirs = benchDirs(ids.tokenUrl);
const env = (dir: string) => cleanEnv(dirs.home, dir);
const ag = [
  'actigraph',
  'token',
  '--client-id',
  'ci-client',
  '--scope',
  'CentrePoint',
  '--token-url',
  ids.tokenUrl,
];

// Variables of the inherited environment that change how Node starts.
const nodeVars = Object.keys(process.env)
  .filter((k) => /^(NODE_|UV_)/.test(k) && k !== 'NODE_ENV')
  .sort();
const inherited: NodeJS.ProcessEnv = { ...process.env, AUTHCTL_CONFIG_DIR: dirs.one, CI: 'true' };
for (const k of Object.keys(inherited))
  if (/^AUTHCTL_/.test(k) && k !== 'AUTHCTL_CONFIG_DIR') delete inherited[k];

try {
  const startup = measurePairs(
    [
      { name: 'token print', argv: cli('token', 'print', 'ci'), env: env(dirs.one) },
      { name: 'token header', argv: cli('token', 'header', 'ci'), env: env(dirs.one) },
      { name: 'token export', argv: cli('token', 'export', 'ci'), env: env(dirs.one) },
      { name: '--help', argv: cli('--help'), env: env(dirs.one) },
      { name: '--version', argv: cli('--version'), env: env(dirs.one) },
      { name: 'token print, 1,000 profiles', argv: cli('token', 'print', 'ci'), env: env(dirs.thousand) },
      { name: 'actigraph token (cached, no request)', argv: cli(...ag), env: env(dirs.actigraph) },
      // What shell completion runs on every Tab (test/bench/completion.ts times a whole bash Tab).
      { name: '__complete profiles', argv: cli('__complete', 'profiles'), env: env(dirs.one) },
      { name: 'token print, inherited environment', argv: cli('token', 'print', 'ci'), env: inherited },
    ],
    runs,
    warmups,
  );
  json.startup = startup;
  const targets: Record<string, number | null> = {
    'token print': 1.1,
    'token header': 1.1,
    'token export': 1.1,
    '--help': 1.3,
    '--version': 1.3,
    'token print, 1,000 profiles': 1.5,
    'actigraph token (cached, no request)': 1.2,
    '__complete profiles': 1.15,
    'token print, inherited environment': null,
  };
  for (const r of startup) {
    const base = r.name.includes('inherited') ? 'node -e 0 (inherited env)' : 'node -e 0';
    rows.push(pairRow(`${r.name} (warm)`, r, base, targets[r.name] ?? null));
  }
  const clean = startup.find((r) => r.name === 'token print')!;
  const inh = startup.find((r) => r.name.includes('inherited'))!;
  rows.push({
    measure: '  inherited environment: what changed it',
    value: nodeVars.length ? nodeVars.join(', ') : 'no NODE_*/UV_* variable set',
    baseline: `node -e 0: ${clean.baselineMs.toFixed(1)} ms clean, ${inh.baselineMs.toFixed(1)} ms inherited`,
    ratio: `${(inh.baselineMs / clean.baselineMs).toFixed(2)}× node's own start`,
    target: 'report',
    ok: true,
  });
  for (const r of startup.slice(0, 1).concat(startup.filter((x) => x.name === '--help'))) {
    rows.push({
      measure: `${r.name} (cold: first run of this bench)`,
      value: `${r.coldMs.toFixed(1)} ms`,
      baseline: `node -e 0 first run: ${r.coldBaselineMs.toFixed(1)} ms`,
      ratio: `${(r.coldMs / r.coldBaselineMs).toFixed(2)}× (one sample)`,
      target: 'report',
      ok: true,
    });
  }

  const rss = measureRss(cli('token', 'print', 'ci'), env(dirs.one), runs);
  json.rss = rss;
  rows.push(
    rss
      ? {
          measure: 'token print peak RSS',
          value: `${(rss.kib / 1024).toFixed(1)} MiB`,
          baseline: `node -e 0: ${(rss.baselineKib / 1024).toFixed(1)} MiB`,
          ratio: `${rss.ratio.toFixed(3)}× (p10–p90 ${rss.p10.toFixed(3)}–${rss.p90.toFixed(3)})`,
          target: '≤ 1.10×',
          ok: rss.ratio <= 1.1,
        }
      : {
          measure: 'token print peak RSS',
          value: 'skipped',
          baseline: 'needs python3 (wait4 rusage)',
          ratio: '—',
          target: '≤ 1.10×',
          ok: true,
        },
  );
} finally {
  await ids.close();
  dirs.cleanup();
}

const { measureFlows } = await import('./flows.js');
const flowHome = benchDirs('http://127.0.0.1:9/');
try {
  for (const row of await measureFlows(runs, warmups, flowHome.home, json)) rows.push(row);
} finally {
  flowHome.cleanup();
}

const head = [
  'measure',
  'value',
  'baseline (same run)',
  'wall ratio (median of pairs, p10–p90)',
  'CPU case/base: ratio',
  'target',
  '',
];
const table = [
  head,
  ...rows.map((r) => [
    r.measure,
    r.value,
    r.baseline,
    r.ratio,
    r.cpu ?? '—',
    r.target,
    r.ok ? 'ok' : 'MISSED',
  ]),
];
const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(
  `authctl benchmark — ${json.date}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; clean env; medians of ${runs} A/B pairs after ${warmups} warm-ups`,
);
for (const [i, r] of table.entries()) {
  console.log(`| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
json.rows = rows;
console.log(`BENCH_JSON ${JSON.stringify(json)}`);
