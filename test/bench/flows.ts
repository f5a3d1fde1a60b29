/**
 * Flow measurements for `npm run bench`, each against a fake server on 127.0.0.1 and a baseline
 * measured in the same run, in the clean environment of startup.ts: the client-credentials round
 * trip (against a minimal node:http script and `curl | jq`), Pryv's accept-to-exit latency, 50
 * parallel renewals of one expired profile, and the package's size.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIdentityServer } from '../fakes/identityserver.js';
import { startFakePryv } from '../fakes/pryv.js';
import { binPath, repoRoot, writeStore } from '../helpers/cli.js';
import { cleanEnv, type measureRss, median, type PairResult, PEAK_RSS_PY, summarise } from './startup.js';

/** A table row (see run.ts). */
export interface Row {
  measure: string;
  value: string;
  baseline: string;
  ratio: string;
  /** CPU time (user + sys) case/baseline and the median pair ratio, where measured. */
  cpu?: string;
  target: string;
  ok: boolean;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Time one run; asynchronous because the fake servers live in this process's event loop. */
async function timeRun(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await run(argv, env);
  const t = ms(t0);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr}`);
  return t;
}

function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SECRET = 'ci-s3cret:with+odd/chars=%';

/** Whether a command exists on PATH. */
function has(cmd: string): boolean {
  return spawnSyncOk('sh', ['-c', `command -v ${cmd} >/dev/null 2>&1`]);
}
function spawnSyncOk(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Format a pair result as a row. */
export function pairRow(measure: string, r: PairResult, baseline: string, target: number | null): Row {
  return {
    measure,
    value: `${r.ms.toFixed(1)} ms`,
    baseline: `${baseline}: ${r.baselineMs.toFixed(1)} ms`,
    ratio: `${r.ratio.toFixed(2)}× (p10–p90 ${r.p10.toFixed(2)}–${r.p90.toFixed(2)})`,
    cpu: r.cpu
      ? `${r.cpu.ms.toFixed(1)}/${r.cpu.baselineMs.toFixed(1)} ms: ${r.cpu.ratio.toFixed(2)}× (${r.cpu.p10.toFixed(2)}–${r.cpu.p90.toFixed(2)})`
      : '—',
    target: target === null ? 'report' : `≤ ${target.toFixed(2)}×`,
    ok: target === null || r.ratio <= target,
  };
}

/**
 * `actigraph token --force` (one POST to a local fake IdentityServer, then the store write) against a
 * minimal node:http script doing the same POST, and against `curl | jq` when both exist.
 */
async function clientCredentials(
  runs: number,
  warmups: number,
  home: string,
  json: Record<string, unknown>,
): Promise<Row[]> {
  const ids = await startIdentityServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-cc-'));
  const env = cleanEnv(home, dir, { AUTHCTL_CLIENT_SECRET: SECRET });
  const cli = [binPath, 'actigraph', 'token', '--client-id', 'ci-client', '--scope', 'CentrePoint'].concat([
    '--token-url',
    ids.tokenUrl,
    '--force',
    '--print',
  ]);
  const script = `const b=new URLSearchParams({grant_type:'client_credentials',client_id:'ci-client',client_secret:process.env.AUTHCTL_CLIENT_SECRET,scope:'CentrePoint'}).toString();require('node:http').request(${JSON.stringify(ids.tokenUrl)},{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded','content-length':Buffer.byteLength(b)}},(r)=>{let d='';r.setEncoding('utf8');r.on('data',(c)=>{d+=c});r.on('end',()=>{const j=JSON.parse(d);if(!j.access_token)process.exit(1);process.stdout.write(j.access_token+'\\n')})}).end(b)`;
  // The same POST with fetch(): what the client used before (Node's undici, compiled on first use).
  const fetchScript = `fetch(${JSON.stringify(ids.tokenUrl)},{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded'},body:new URLSearchParams({grant_type:'client_credentials',client_id:'ci-client',client_secret:process.env.AUTHCTL_CLIENT_SECRET,scope:'CentrePoint'})}).then((r)=>r.json()).then((j)=>{if(!j.access_token)process.exit(1);process.stdout.write(j.access_token+'\\n')})`;
  const f: number[] = [];
  const fb: number[] = [];
  const curl = has('curl') && has('jq');
  const curlLine = `curl -sS --fail -d grant_type=client_credentials -d client_id=ci-client --data-urlencode "client_secret=$AUTHCTL_CLIENT_SECRET" -d scope=CentrePoint ${ids.tokenUrl} | jq -er .access_token`;
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const cb: number[] = [];
  let cold: [number, number] = [0, 0];
  try {
    for (let i = 0; i < warmups + runs; i++) {
      const tb = await timeRun(['-e', script], env);
      const ta = await timeRun(cli, env);
      if (i === 0) cold = [ta, tb];
      const tfb = await timeRun(['-e', script], env);
      const tf = await timeRun(['-e', fetchScript], env);
      let tc = 0;
      let tcb = 0;
      if (curl) {
        tc = await timeCmd('sh', ['-c', curlLine], env);
        tcb = await timeRun(['-e', script], env);
      }
      if (i >= warmups) {
        a.push(ta);
        b.push(tb);
        f.push(tf);
        fb.push(tfb);
        if (curl) {
          c.push(tc);
          cb.push(tcb);
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rss = await rssOfScripts(fetchScript, script, env, Math.min(runs, 11));
  await ids.close();
  const vsNode = summarise('actigraph --force', a, b, cold);
  const fetchVsHttp = summarise('fetch vs node:http', f, fb, [0, 0]);
  json.fetchVsHttp = { time: fetchVsHttp, rss };
  json.clientCredentials = vsNode;
  const rows = [pairRow('actigraph token --force (1 POST + save)', vsNode, 'node:http script', 1.5)];
  rows.push(pairRow('why: the same POST with fetch()', fetchVsHttp, 'node:http script', null));
  if (rss) {
    rows.push({
      measure: 'why: peak RSS of the fetch() script',
      value: `${(rss.kib / 1024).toFixed(1)} MiB`,
      baseline: `node:http script: ${(rss.baselineKib / 1024).toFixed(1)} MiB`,
      ratio: `${rss.ratio.toFixed(2)}× (+${((rss.kib - rss.baselineKib) / 1024).toFixed(1)} MiB)`,
      target: 'report',
      ok: true,
    });
  }
  if (curl) {
    // authctl against curl | jq: the pairs are (authctl run i, curl run i).
    const vsCurl = summarise('actigraph --force vs curl | jq', a, c, cold);
    const scriptVsCurl = summarise('node:http script vs curl | jq', cb, c, cold);
    json.clientCredentialsCurl = { vsCurl, scriptVsCurl };
    rows.push(pairRow('actigraph token --force', vsCurl, 'curl | jq', null));
    rows.push(pairRow('  (the node:http script itself)', scriptVsCurl, 'curl | jq', null));
  } else {
    rows.push({
      measure: 'actigraph token --force vs curl | jq',
      value: 'skipped',
      baseline: 'curl or jq not installed (apt-get install -y curl jq)',
      ratio: '—',
      target: 'report',
      ok: true,
    });
  }
  return rows;
}

/** Peak RSS of the fetch script vs the node:http script, measured off the event loop (the fake answers). */
async function rssOfScripts(
  fetchScript: string,
  httpScript: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<ReturnType<typeof measureRss>> {
  const { Worker } = await import('node:worker_threads');
  const code = `const { workerData, parentPort } = require('node:worker_threads');
    const { spawnSync } = require('node:child_process');
    const py = ${JSON.stringify(PEAK_RSS_PY)};
    const peak = (argv) => { const r = spawnSync('python3', ['-c', py, ...argv], { env: workerData.env, encoding: 'utf8' }); const k = Number(r.stdout.trim()); return r.status === 0 && k > 0 ? k : null; };
    const a = []; const b = [];
    for (let i = 0; i < workerData.runs; i++) {
      const rb = peak([process.execPath, '-e', workerData.http]); const ra = peak([process.execPath, '-e', workerData.fetch]);
      if (ra === null || rb === null) { parentPort.postMessage(null); process.exit(0); }
      a.push(ra); b.push(rb);
    }
    parentPort.postMessage({ a, b });`;
  const res = await new Promise<{ a: number[]; b: number[] } | null>((resolve, reject) => {
    const w = new Worker(code, {
      eval: true,
      workerData: { env, runs, fetch: fetchScript, http: httpScript },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
  if (!res) return null;
  const ratios = res.a.map((x, i) => x / res.b[i]!);
  return {
    kib: median(res.a),
    baselineKib: median(res.b),
    ratio: median(ratios),
    p10: Math.min(...ratios),
    p90: Math.max(...ratios),
  };
}

/** Time any command (async: the fake servers live in this process's event loop). */
async function timeCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await new Promise<number | null>((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('close', resolve);
  });
  if (r !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r})`);
  return ms(t0);
}

/** Pryv: from the moment the register records ACCEPTED to the moment authctl has exited. */
async function pryvLatency(runs: number, home: string, json: Record<string, unknown>): Promise<Row> {
  const rate = 200;
  const fake = await startFakePryv({ generation: 'v1', pollRateMs: rate });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-pryv-'));
  const env = cleanEnv(home, dir);
  const lat: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const before = fake.keys().length;
      const child = spawn(
        process.execPath,
        [
          binPath,
          'pryv',
          'request',
          '--app-id',
          'bench-app-id',
          '--permission',
          'diary:read',
          '--service-info',
          fake.serviceInfoUrl,
          '--no-open',
          '--profile',
          `p${i}`,
        ],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Wait until the request exists and has been polled once, then accept at a random point of the cycle.
      while (fake.keys().length === before || fake.polls(fake.lastKey()).length === 0)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * rate));
      const key = fake.lastKey();
      const t0 = process.hrtime.bigint();
      fake.accept(key);
      const code = await exited;
      if (code !== 0) throw new Error(`pryv request failed (${code}): ${stderr}`);
      lat.push(ms(t0));
    }
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const m = median(lat);
  json.pryv = { pollRateMs: rate, medianAcceptToExitMs: m, maxMs: Math.max(...lat) };
  return {
    measure: 'Pryv: accepted → authctl exited (median)',
    value: `${m.toFixed(1)} ms`,
    baseline: `poll_rate_ms: ${rate} ms`,
    ratio: '—',
    target: `≤ rate + 50 ms`,
    ok: m <= rate + 50,
  };
}

/** 50 parallel `token print` on one expired client-credentials profile: one token request, bounded wall time. */
async function parallelRenewal(runs: number, home: string, json: Record<string, unknown>): Promise<Row[]> {
  const N = 50;
  const ids = await startIdentityServer({ delayMs: 50 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-bench-par-'));
  const env = cleanEnv(home, dir, { AUTHCTL_CLIENT_SECRET: SECRET });
  const expired = () =>
    writeStore(dir, {
      version: 1,
      profiles: {
        ci: {
          provider: 'actigraph',
          flow: 'client_credentials',
          token: 'expired.token.value',
          tokenType: 'Bearer',
          obtainedAt: '2026-01-01T00:00:00Z',
          expiresAt: '2026-01-01T01:00:00Z',
          subject: 'ci-client',
          scopes: ['CentrePoint'],
          params: {
            tokenUrl: ids.tokenUrl,
            clientId: 'ci-client',
            authMethod: 'client_secret_post',
            scope: 'CentrePoint',
          },
        },
      },
    });
  const single: number[] = [];
  const parallel: number[] = [];
  const floor: number[] = [];
  const requestsPerBatch: number[] = [];
  let distinctOutputs = 0;
  try {
    for (let i = 0; i < runs; i++) {
      expired();
      single.push(await timeRun([binPath, 'token', 'print', 'ci'], env));
      expired();
      const before = ids.requests.length;
      const t0 = process.hrtime.bigint();
      const outs = await Promise.all(
        Array.from({ length: N }, () => run([binPath, 'token', 'print', 'ci'], env)),
      );
      parallel.push(ms(t0));
      if (outs.some((o) => o.code !== 0)) throw new Error('a parallel token print failed');
      requestsPerBatch.push(ids.requests.length - before);
      distinctOutputs = Math.max(distinctOutputs, new Set(outs.map((o) => o.stdout)).size);
      const t1 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: N }, () => run(['-e', '0'], env)));
      floor.push(ms(t1));
    }
  } finally {
    await ids.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms1 = median(single);
  const ms20 = median(parallel);
  const msFloor = median(floor);
  const oneRequest = requestsPerBatch.every((n) => n === 1) && distinctOutputs === 1;
  json.parallelRenewal = {
    requestsPerBatch,
    distinctOutputs,
    singleMs: ms1,
    parallelMs: ms20,
    parallel20NodeMs: msFloor,
  };
  return [
    {
      measure: `${N} parallel token print, expired profile: token requests`,
      value: `${[...new Set(requestsPerBatch)].join('/')} per batch, ${distinctOutputs} distinct token(s) printed`,
      baseline: '—',
      ratio: '—',
      target: 'exactly 1',
      ok: oneRequest,
    },
    {
      measure: `${N} parallel token print, expired profile: wall time`,
      value: `${ms20.toFixed(0)} ms`,
      baseline: `1 renewal: ${ms1.toFixed(0)} ms; ${N} × node -e 0 in parallel: ${msFloor.toFixed(0)} ms`,
      ratio: `${(ms20 / msFloor).toFixed(2)}× the ${N} × node floor`,
      target: 'report',
      ok: true,
    },
  ];
}

/** Size of the packed tarball and of the production dependencies installed with it. */
function packageSize(json: Record<string, unknown>): Row[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const info = JSON.parse(out)[0] as { size: number; unpackedSize: number; entryCount: number };
  const list = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .split('\n')
    .filter((p) => p.includes(`${path.sep}node_modules${path.sep}`));
  const du = (p: string): number => {
    let total = 0;
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') total += du(full);
      } else if (e.isFile()) total += fs.statSync(full).size;
    }
    return total;
  };
  const deps = list.reduce((s, p) => s + du(p), 0);
  const installed = info.unpackedSize + deps;
  json.package = {
    packedBytes: info.size,
    unpackedBytes: info.unpackedSize,
    files: info.entryCount,
    productionDependencies: list.length,
    dependencyBytes: deps,
    installedBytes: installed,
  };
  return [
    {
      measure: 'npm pack size',
      value: `${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info.entryCount} files`,
      baseline: '—',
      ratio: '—',
      target: 'report',
      ok: true,
    },
    {
      measure: 'installed size incl. production dependencies',
      value: `${(installed / 1048576).toFixed(1)} MiB (${list.length} packages)`,
      baseline: '—',
      ratio: '—',
      target: '< 15 MB',
      ok: installed < 15_000_000,
    },
  ];
}

/** Run every flow measurement. */
export async function measureFlows(
  runs: number,
  warmups: number,
  home: string,
  json: Record<string, unknown>,
): Promise<Row[]> {
  const rows: Row[] = [];
  rows.push(...(await clientCredentials(runs, warmups, home, json)));
  rows.push(await pryvLatency(Math.max(15, Math.round(runs / 2)), home, json));
  rows.push(...(await parallelRenewal(Math.max(5, Math.round(runs / 4)), home, json)));
  rows.push(...packageSize(json));
  return rows;
}
