/**
 * `actigraph token` with a reusable cached token is answered by the hot entry (dist/hot.cjs) without
 * the full CLI; its other CI forms (a request due) run from dist/ci.cjs, still without commander;
 * every other form goes to commander. Both must print the same bytes: each argv runs
 * twice, hot and with AUTHCTL_NO_FAST_PATH=1 (the full CLI forced), and nothing reaches the network.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { loadedHeavy } from '../helpers/modules.js';

const tmp = tempConfigDir();
after(() => tmp.cleanup());
// Nothing listens on port 9 here; a reused token never needs it.
const tokenUrl = 'http://127.0.0.1:9/connect/token';
// 2 h 30 s: relativeTime() says "in 2h" for the next 30 s, so concurrent runs cannot straddle a minute.
const inTwoHours = new Date(Date.now() + 2 * 3600_000 + 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const cached = (over: Record<string, unknown> = {}) =>
  sampleProfile({
    provider: 'actigraph',
    token: 'cached-ag-token',
    expiresAt: inTwoHours,
    subject: 'ci',
    scopes: ['CentrePoint', 'Analytics'],
    params: { tokenUrl, clientId: 'ci', authMethod: 'client_secret_post', scope: 'CentrePoint Analytics' },
    ...over,
  });
before(() => {
  writeStore(tmp.dir, {
    version: 1,
    profiles: {
      actigraph: cached(),
      other: cached({ subject: null }),
      soon: cached({ expiresAt: new Date(Date.now() + 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
      broken: { provider: 'actigraph' },
    },
  });
});

const base = ['actigraph', 'token', '--client-id', 'ci', '--scope', 'CentrePoint', '--scope', 'Analytics'];
const CASES: string[][] = [
  [...base, '--token-url', tokenUrl],
  [...base, '--token-url', tokenUrl, '--print'],
  [...base, `--token-url=${tokenUrl}`, '--print', '--verbose', '--no-color', '--insecure'],
  ['actigraph', 'token', '--scope', 'Analytics CentrePoint', '--client-id', ' ci ', '--token-url', tokenUrl],
  [...base, '--token-url', tokenUrl, '--profile', 'other', '--print'],
  [...base, '--token-url', tokenUrl, '--profile', 'soon'], // < 60 s left: needs a request
  [...base, '--token-url', tokenUrl, '--profile', 'broken'],
  [...base, '--token-url', tokenUrl, '--profile', 'nope'],
  [...base, '--token-url', tokenUrl, '--profile', 'bad name'],
  [...base, '--token-url', tokenUrl, '--json'],
  [...base, '--token-url', tokenUrl, '--force'],
  [...base, '--token-url', tokenUrl, '--scope', 'centrepoint'], // a warning first
  ['actigraph', 'token', '--client-id', 'ci', '--scope', 'CentrePoint', '--token-url', tokenUrl],
  [...base], // the default token URL: another request
  [...base, '--token-url', 'http://example.com/token'], // plain http: exit 2
  [...base, '--token-url', tokenUrl, '--client-id', 'ci'],
  ['actigraph', 'token', '--client-id', '', '--scope', 'CentrePoint', '--token-url', tokenUrl],
  ['actigraph', 'token', '--client-id', 'ci', '--token-url', tokenUrl],
  [...base, '--token-url', tokenUrl, 'extra'],
  [...base, '--token-url', tokenUrl, '--bogus'],
  [...base, '--token-url'],
];

test('hot and full CLI print the same bytes for every form', async () => {
  const env = { AUTHCTL_CLIENT_SECRET: undefined };
  const pairs = await Promise.all(
    CASES.map((args) =>
      Promise.all([
        runCli(args, { configDir: tmp.dir, env }),
        runCli(args, { configDir: tmp.dir, env: { ...env, AUTHCTL_NO_FAST_PATH: '1' } }),
      ]),
    ),
  );
  const codes = new Set<number | null>();
  CASES.forEach((args, i) => {
    const [hot, full] = pairs[i]!;
    const what = args.join(' ');
    assert.equal(hot.code, full.code, `${what}: exit codes\nhot: ${hot.stderr}\nfull: ${full.stderr}`);
    assert.equal(hot.stdout, full.stdout, `${what}: stdout`);
    assert.equal(hot.stderr, full.stderr, `${what}: stderr`);
    codes.add(hot.code);
  });
  // No secret is given, so every form that would need a request stops at exit 2 before sending one
  // (the default token URL is a real host, never contacted from tests).
  assert.deepEqual([...codes].sort(), [0, 2], 'reuse and usage errors are covered');
  assert.match(pairs[1]![0].stderr, /^Using cached token for ci from profile 'actigraph' \(expires in 2h\)/);
  assert.equal(pairs[1]![0].stdout, 'cached-ag-token\n');
});

test('a reused token loads only dist/hot.cjs', async () => {
  const out = path.join(tmp.dir, 'modules.json');
  const r = await runCli([...base, '--token-url', tokenUrl, '--print'], {
    configDir: tmp.dir,
    env: { AUTHCTL_DEBUG_MODULES: out },
  });
  assert.equal(r.code, 0, r.stderr);
  const { files, builtins } = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    files: string[];
    builtins: string[];
  };
  for (const b of ['http', 'https', 'net', 'stream', 'internal/modules/esm/loader']) {
    assert.ok(!loadedHeavy(builtins, b), `loaded ${b}`);
  }
  assert.deepEqual(
    files.map((f) => path.relative(repoRoot, f)),
    [path.join('dist', 'hot.cjs')],
  );
});

test('--force (one request) through main.ts without commander: the same output as through commander', async () => {
  const { actigraphArgs, actigraphEnv, startIdentityServer } = await import('../fakes/identityserver.js');
  const ids = await startIdentityServer();
  after(() => ids.close());
  const dir = tempConfigDir();
  after(dir.cleanup);
  const args = (...extra: string[]) => actigraphArgs(ids.tokenUrl, extra);
  // Timings and instants differ from run to run; everything else must not.
  const norm = (s: string) =>
    s
      .replace(/\(\d+ ms\)/g, '(N ms)')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'ISO')
      .replace(/in \d+m|in \d+h( \d+m)?/g, 'in T');
  for (const extra of [
    ['--force', '--print'],
    ['--force'],
    ['--force', '--verbose', '--profile', 'ci.2'],
    [],
  ]) {
    const before = ids.issued.length;
    const hot = await runCli(args(...extra), { configDir: dir.dir, env: actigraphEnv() });
    const full = await runCli(args(...extra), {
      configDir: dir.dir,
      env: { ...actigraphEnv(), AUTHCTL_NO_FAST_PATH: '1' },
    });
    const what = extra.join(' ');
    assert.equal(hot.code, 0, `${what}: ${hot.stderr}`);
    assert.equal(full.code, 0, `${what}: ${full.stderr}`);
    assert.equal(norm(hot.stderr), norm(full.stderr), `${what}: stderr`);
    if (extra.includes('--force')) assert.equal(ids.issued.length, before + 2, `${what}: one request each`);
    if (extra.includes('--print')) {
      assert.equal(hot.stdout, `${ids.issued[before]}\n`);
      assert.equal(full.stdout, `${ids.issued[before + 1]}\n`);
    } else assert.equal(hot.stdout + full.stdout, '');
  }
  // The request runs from dist/ci.cjs: neither the full bundle nor commander is read.
  const out = path.join(dir.dir, 'modules.json');
  const r = await runCli(args('--force'), {
    configDir: dir.dir,
    env: { ...actigraphEnv(), AUTHCTL_DEBUG_MODULES: out },
  });
  assert.equal(r.code, 0, r.stderr);
  const { files } = JSON.parse(fs.readFileSync(out, 'utf8')) as { files: string[] };
  assert.deepEqual(
    files.map((f) => path.relative(repoRoot, f)),
    [path.join('dist', 'hot.cjs'), path.join('dist', 'ci.cjs')],
  );
});
