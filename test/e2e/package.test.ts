/**
 * The published package, as a user gets it: `npm pack` (after `npm run build`), then, from a
 * directory outside the repository, `npm install -g <tarball>` into a temporary prefix, `npx
 * <tarball>` and `npm exec --package <tarball>`. The installed authctl must print its version, hand
 * out a token from a temporary store, and load its external dependencies from
 * its own node_modules.
 *
 * npm resolves the dependencies from its cache (--prefer-offline; `npm ci` filled it) and asks the
 * npm registry only for what the cache lacks. npx's own install directory (<cache>/_npx) goes to a
 * temporary cache whose content store is the user's, so nothing is left behind.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEnv, repoRoot, sampleProfile, writeStore } from '../helpers/cli.js';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-pkg-'));
const outside = path.join(work, 'user'); // the user's current directory: not the repo
const prefix = path.join(work, 'prefix'); // npm install -g --prefix
const cache = path.join(work, 'npm-cache');
const configDir = path.join(work, 'config');
let tarball = '';
let files: string[] = [];

/** npm's environment: a temp cache sharing the real content store, nothing from the test run. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...cliEnv(configDir, { AUTHCTL_CACHE_DIR: path.join(work, 'v8-cache') }),
    npm_config_cache: cache,
  };
  for (const k of Object.keys(env)) {
    // Settings `npm test` passes to its children (npm_config_*, npm_lifecycle_*, the package's own
    // fields) would make the nested npm act on this repository.
    if (/^npm_/i.test(k) && k !== 'npm_config_cache') delete env[k];
  }
  return env;
}

function npm(args: string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    env: npmEnv(),
    encoding: 'utf8',
    timeout,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed (${r.status}, ${r.signal}):\n${r.stderr}`);
  return r;
}

/** The installed command, run like a user runs it (no npm environment, isolated store). */
function run(cmd: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: outside,
    env: { ...npmEnv(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(() => {
  fs.mkdirSync(outside);
  fs.mkdirSync(cache);
  // Share the user's npm content store (tarballs npm ci already fetched); _npx and logs stay here.
  const { npm_config_cache: _, ...userEnv } = npmEnv();
  const realCache = spawnSync('npm', ['config', 'get', 'cache'], {
    env: userEnv,
    encoding: 'utf8',
  }).stdout.trim();
  const store = path.join(realCache, '_cacache');
  assert.ok(fs.existsSync(store), `no npm cache at ${store}: run npm ci first`);
  fs.symlinkSync(store, path.join(cache, '_cacache'));
  writeStore(configDir, { version: 1, profiles: { ci: sampleProfile({ token: 'tok-from-the-package' }) } });
  assert.ok(
    fs.existsSync(path.join(repoRoot, 'dist')),
    'dist/ is missing: run `npm run build` first (npm test does)',
  );
  // --ignore-scripts: prepack would rebuild dist/ under the other tests' feet; npm test built it.
  const r = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', outside], repoRoot);
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(info, r.stdout);
  tarball = path.join(outside, info.filename);
  files = info.files.map((f) => f.path).sort();
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  test('the tarball holds only what users need: the bundles, README, LICENSE, docs', () => {
    assert.equal(path.basename(tarball), `${pkg.name}-${pkg.version}.tgz`);
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^LICENSE$/,
      /^dist\/[\w./-]+\.(c|m)?js$/,
      /^dist\/help\.json$/,
      /^docs\/[\w./-]+\.md$/,
    ];
    const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(unexpected, [], `files that users do not need: ${unexpected.join(', ')}`);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      pkg.bin.authctl,
      'docs/commands/README.md',
      // The command (the hot entry), the CI bundle, the full CLI, and the help texts it prints.
      'dist/hot.cjs',
      'dist/ci.cjs',
      'dist/authctl.cjs',
      'dist/commander.cjs',
      'dist/help.json',
    ]) {
      assert.ok(files.includes(needed!), `${needed} is missing from the tarball (${files.join(', ')})`);
    }
    assert.ok(
      files.some((f) => f.startsWith('dist/')),
      'no bundle under dist/',
    );
  });

  test('LICENSE is the license package.json names', () => {
    assert.equal(pkg.license, 'MIT');
    const text = fs.readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8');
    assert.match(text, /^MIT License\n/);
    assert.match(text, /Permission is hereby granted, free of charge/);
  });
});

describe('installed from the tarball, outside the repository', () => {
  test('npm install -g: --version, token print from a temp store, --help, a request through a proxy', async () => {
    npm(['install', '--global', '--prefix', prefix, tarball], outside);
    const bin = path.join(prefix, 'bin', 'authctl');

    const version = run(bin, ['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${pkg.version}\n`);

    const print = run(bin, ['token', 'print', 'ci']);
    assert.equal(print.status, 0, print.stderr);
    assert.equal(print.stdout, 'tok-from-the-package\n');
    assert.equal(print.stderr, '');

    // Help on a pipe comes from the pre-rendered texts, as in the repository: only the hot entry
    // (the installed command) is read.
    const modules = path.join(outside, 'modules.json');
    const help = run(bin, ['token', 'export', '--help'], { AUTHCTL_DEBUG_MODULES: modules });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: authctl token export/m);
    const loaded = (JSON.parse(fs.readFileSync(modules, 'utf8')) as { files: string[] }).files;
    assert.deepEqual(
      loaded.map((f) => path.basename(f)),
      ['hot.cjs'],
      loaded.join(', '),
    );

    // With a proxy configured the request goes through the proxy code of the installed bundle. The
    // proxy port is closed, so this fails at connect (exit 1) with one clear line, not a crash.
    const port = await closedPort();
    const proxied = run(
      bin,
      ['oauth', 'client-credentials', '--token-url', 'https://id.example.invalid/token', '--client-id', 'c'],
      { HTTPS_PROXY: `http://127.0.0.1:${port}`, AUTHCTL_CLIENT_SECRET: 's' },
    );
    assert.equal(proxied.status, 1, proxied.stderr);
    assert.match(proxied.stderr, /^error: cannot connect to /m);
    assert.doesNotMatch(proxied.stderr, /Cannot find (package|module)|ERR_MODULE_NOT_FOUND|bug in authctl/);
  });

  test('npx ./<tarball> --version and npm exec --package ./<tarball> -- authctl token print', () => {
    // As a user types it, in the directory holding the tarball (npx takes `./x.tgz` as a package;
    // an absolute path would be taken for a command to run).
    const local = `./${path.basename(tarball)}`;
    const npx = spawnSync('npx', ['--yes', '--prefer-offline', local, '--version'], {
      cwd: outside,
      env: npmEnv(),
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(npx.status, 0, `npx failed:\n${npx.stderr}`);
    assert.equal(npx.stdout, `${pkg.version}\n`);

    const exec = spawnSync(
      'npm',
      ['exec', '--yes', '--prefer-offline', '--package', local, '--', 'authctl', 'token', 'print', 'ci'],
      { cwd: outside, env: npmEnv(), encoding: 'utf8', timeout: 180_000 },
    );
    assert.equal(exec.status, 0, `npm exec failed:\n${exec.stderr}`);
    assert.equal(exec.stdout, 'tok-from-the-package\n');
  });
});
