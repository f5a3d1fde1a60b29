/**
 * Start-up, through the built binary:
 * - `token print|header|export` with a fresh token run the hot entry only: no heavy module, not even
 *   the full bundle (which holds commander), is loaded — checked with dist/hot.cjs's
 *   AUTHCTL_DEBUG_MODULES hook (files in require.cache and Node's list of loaded built-ins);
 * - the pre-rendered `--help` texts and `--version` are byte-for-byte commander's;
 * - no code cache (security review 12.1): nothing is written to, or run from, a cache directory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import vm from 'node:vm';
import { repoRoot, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { loadedHeavy } from '../helpers/modules.js';

const tmp = tempConfigDir();
after(() => tmp.cleanup());
const future = '2099-01-01T00:00:00Z';
before(() => {
  writeStore(tmp.dir, {
    version: 1,
    profiles: {
      ci: sampleProfile({ token: 'tok-ci', expiresAt: future }),
      pryv: sampleProfile({
        provider: 'pryv',
        flow: 'pryv-access',
        token: 'ckpryv0001',
        tokenType: 'pryv',
        params: { apiEndpoint: 'https://bob.pryv.me/' },
      }),
      // A damaged sibling must not push the others off the hot path.
      broken: { provider: 'oauth', token: 42 },
      expired: sampleProfile({ expiresAt: '2020-01-01T00:00:00Z' }),
    },
  });
});

/** Built-ins and files a run loaded, from dist/hot.cjs's AUTHCTL_DEBUG_MODULES hook. */
async function loaded(args: string[]): Promise<{ code: number | null; files: string[]; builtins: string[] }> {
  const out = path.join(tmp.dir, `modules-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(args, { configDir: tmp.dir, env: { AUTHCTL_DEBUG_MODULES: out } });
  const data = JSON.parse(fs.readFileSync(out, 'utf8')) as { files: string[]; builtins: string[] };
  fs.rmSync(out);
  return { code: r.code, files: data.files.map((f) => path.relative(repoRoot, f)), builtins: data.builtins };
}

export const HEAVY_BUILTINS = [
  'internal/deps/undici/undici', // fetch
  'http',
  'https',
  'tls',
  'child_process',
  'internal/modules/esm/loader', // any import(): ora, open, chalk, @inquirer/prompts, uqr
  'vm',
  'net', // sockets: no stdio stream objects either (process.stdout/stderr build them)
  'stream',
];

test('token print/header/export with a fresh token load only dist/hot.cjs (the installed command)', async () => {
  for (const args of [
    ['token', 'print', 'ci'],
    ['token', 'header', 'pryv', '--verbose'],
    ['token', 'export', 'pryv', '--shell', 'fish'],
    ['token', 'print', 'ci', '--min-ttl', '10m'],
  ]) {
    const r = await loaded(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.deepEqual(r.files, [path.join('dist', 'hot.cjs')], args.join(' '));
    for (const heavy of HEAVY_BUILTINS) {
      assert.ok(!loadedHeavy(r.builtins, heavy), `${args.join(' ')} loaded ${heavy}`);
    }
  }
  // The hook sees the full CLI when it does run (renewal or an error): the check above can fail.
  const slow = await loaded(['token', 'print', 'expired']);
  assert.equal(slow.code, 4);
  assert.ok(slow.files.includes(path.join('dist', 'authctl.cjs')), slow.files.join(', '));
});

test('the hot entry is small and requires only Node built-ins', () => {
  const hot = fs.readFileSync(path.join(repoRoot, 'dist', 'hot.cjs'), 'utf8');
  assert.ok(hot.length < 24 * 1024, `dist/hot.cjs is ${hot.length} bytes`);
  const required = [...hot.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
  assert.deepEqual(
    required.filter((r) => !r.startsWith('node:')),
    ['./ci.cjs', './authctl.cjs'],
    'dist/hot.cjs: node: built-ins, and the two bundles it hands over to',
  );
  for (const name of ['commander', 'ora', '@inquirer', 'undici', 'chalk', 'jose', 'sandbox']) {
    assert.ok(!hot.includes(name), `dist/hot.cjs mentions ${name}`);
  }
  // The build leaves every import() out (flows, revocation…): each is one of a module that throws.
  const imports = [...hot.matchAll(/import\(("[^"]*")\)/g)].map((m) => JSON.parse(m[1]!) as string);
  assert.equal(hot.split('import(').length - 1, imports.length);
  for (const url of imports)
    assert.match(decodeURIComponent(url), /^data:text\/javascript,throw Error\('left out/);
  // The build compiled the functions `token print|header|export` run up front (scripts/build.mjs).
  const eager = hot.match(/var [\w$]+=\(function\(/g) ?? [];
  assert.ok(eager.length >= 10, `${eager.length} eagerly compiled functions in dist/hot.cjs`);
});

test('pre-rendered --help (every command) and --version are byte-for-byte commander', async () => {
  const texts = JSON.parse(fs.readFileSync(path.join(repoRoot, 'dist', 'help.json'), 'utf8')) as Record<
    string,
    string
  >;
  const keys = Object.keys(texts);
  assert.ok(keys.length >= 20 && keys.includes('') && keys.includes('token print'), keys.join(', '));
  const cases = [
    ...keys.map((k) => [...(k ? k.split(' ') : []), '--help']),
    ['-h'],
    ['token', 'export', '-h'],
    ['--version'],
    ['-V'],
  ];
  const results = await Promise.all(
    cases.map((args) =>
      Promise.all([
        runCli(args, { configDir: tmp.dir }),
        runCli(args, { configDir: tmp.dir, env: { AUTHCTL_NO_FAST_PATH: '1' } }),
      ]),
    ),
  );
  cases.forEach((args, i) => {
    const [hot, full] = results[i]!;
    const what = args.join(' ');
    assert.equal(hot.code, 0, what);
    assert.equal(hot.code, full.code, what);
    assert.equal(hot.stdout, full.stdout, `${what}: stdout`);
    assert.equal(hot.stderr, full.stderr, `${what}: stderr`);
  });
  const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
  assert.equal(results.at(-1)![0].stdout, `${version}\n`);
  // And they stay off the full bundle.
  const h = await loaded(['token', 'print', '--help']);
  assert.deepEqual(h.files, [path.join('dist', 'hot.cjs')]);
});

test('no code cache: a planted V8 cache is never run, and no cache file is written (12.1)', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-cache-'));
  after(() => fs.rmSync(cache, { recursive: true, force: true }));
  const pwned = path.join(cache, 'PWNED');
  // What the review did: a V8 cache whose source has the bundle's length, holding other code. The
  // former launcher (vm.Script + cachedData from ~/.cache/authctl) ran it.
  const bundle = fs.readFileSync(path.join(repoRoot, 'dist', 'authctl.cjs'), 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname, __authctl_import) {${bundle}\n})`;
  const evil = `(function (exports, require) { require('node:fs').writeFileSync(${JSON.stringify(pwned)}, 'ran'); })`;
  const forged = new vm.Script(evil.padEnd(wrapped.length, ' ')).createCachedData();
  const build = /^\/\/ authctl-build ([0-9a-f]{16})\n/.exec(bundle)?.[1] ?? '0000000000000000';
  for (const cmd of ['token-print', 'token-list', 'help']) {
    fs.writeFileSync(path.join(cache, `v8-${process.version}-${process.arch}-${build}-${cmd}.bin`), forged);
  }
  const before = fs.readdirSync(cache).sort();
  const env = { AUTHCTL_CACHE_DIR: cache, XDG_CACHE_HOME: cache };
  for (const args of [
    ['token', 'print', 'expired'],
    ['token', 'list'],
    ['--help'],
    ['token', 'print', 'ci'],
  ]) {
    await runCli(args, { configDir: tmp.dir, env });
  }
  assert.equal(fs.existsSync(pwned), false, 'the planted cache was run');
  assert.deepEqual(fs.readdirSync(cache).sort(), before, 'authctl wrote into the cache directory');
  assert.ok(!fs.readFileSync(path.join(repoRoot, 'dist', 'hot.cjs'), 'utf8').includes('cachedData'));
});
