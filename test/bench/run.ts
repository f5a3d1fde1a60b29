/**
 * `npm run bench`: runs the BUILT CLI as users do (run `npm run build` first; this builds nothing),
 * against baselines measured in the same run, and prints one table plus one JSON line.
 * Environment: BENCH_RUNS (default 21), BENCH_WARMUPS (default 3).
 */
import os from 'node:os';
import type { Row } from './flows.js';
import { measureStartup } from './startup.js';

const runs = Number(process.env.BENCH_RUNS ?? 21);
const warmups = Number(process.env.BENCH_WARMUPS ?? 3);

const rows: Row[] = [];
const json: Record<string, unknown> = {
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  runs,
  warmups,
};

const startup = measureStartup(
  [
    { name: 'token print', argv: ['token', 'print', 'ci'] },
    { name: 'token header', argv: ['token', 'header', 'ci'] },
    { name: 'token export', argv: ['token', 'export', 'ci'] },
    { name: '--help', argv: ['--help'] },
  ],
  runs,
  warmups,
);
for (const r of startup) {
  const target = r.name === '--help' ? 1.3 : 1.15;
  rows.push({
    measure: `${r.name} wall time`,
    value: `${r.medianMs.toFixed(1)} ms`,
    baseline: `node -e 0: ${r.baselineMs.toFixed(1)} ms`,
    ratio: `${r.ratio.toFixed(2)}×`,
    target: `≤ ${target}×`,
    ok: r.ratio <= target,
  });
}
const print = startup[0]!;
rows.push({
  measure: 'token print peak RSS',
  value: `${(print.medianRssKiB / 1024).toFixed(1)} MiB`,
  baseline: `node -e 0: ${(print.baselineRssKiB / 1024).toFixed(1)} MiB`,
  ratio: `${print.rssRatio.toFixed(2)}×`,
  target: '≤ 1.2×',
  ok: print.rssRatio <= 1.2,
});
json.startup = startup;

const { measureFlows } = await import('./flows.js');
for (const row of await measureFlows(runs, warmups, json)) rows.push(row);

const head = ['measure', 'value', 'baseline (same run)', 'ratio', 'target', ''];
const table = [
  head,
  ...rows.map((r) => [r.measure, r.value, r.baseline, r.ratio, r.target, r.ok ? 'ok' : 'MISSED']),
];
const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(
  `authctl benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; medians of ${runs} runs after ${warmups} warm-ups`,
);
for (const [i, r] of table.entries()) {
  console.log(`| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
json.rows = rows;
console.log(`BENCH_JSON ${JSON.stringify(json)}`);
