/** `authctl oauth login` as a user runs it (built binary): exit codes, the stdout/stderr split, Ctrl-C. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { actigraphArgs, actigraphEnv, startIdentityServer } from '../fakes/identityserver.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

const endpoints = ['--authorize-url', 'http://127.0.0.1:9/auth', '--token-url', 'http://127.0.0.1:9/token'];

test('Ctrl-C while waiting for the browser is exit 130 and leaves the store as it was', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const file = writeStore(dir, { version: 1, profiles: { oauth: sampleProfile() } });
    const before = fs.readFileSync(file);
    // --replace: the saved `oauth` profile is another kind of login (client credentials).
    const r = await runCli(['oauth', 'login', ...endpoints, '--client-id', 'c', '--replace'], {
      configDir: dir,
      onSpawn: (child) => {
        let seen = '';
        child.stderr?.on('data', (d: Buffer) => {
          seen += d.toString();
          if (/Waiting for the browser/.test(seen) && !child.killed) child.kill('SIGINT');
        });
      },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: Interrupted/m);
    assert.match(r.stderr, /Open this URL in a browser/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f !== path.basename(file)),
      [],
      'no temp or lock files left',
    );
  } finally {
    cleanup();
  }
});

test('--timeout passes → exit 5 with a hint; --manual without a terminal → exit 2', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const t0 = Date.now();
    const r = await runCli(['oauth', 'login', ...endpoints, '--client-id', 'c', '--timeout', '1s'], {
      configDir: dir,
    });
    assert.equal(r.code, 5, r.stderr);
    assert.ok(Date.now() - t0 < 8000);
    assert.match(r.stderr, /^error: the login was not finished within 1s\. .*--timeout/m);
    assert.equal(r.stdout, '');
    assert.ok(!fs.existsSync(path.join(dir, 'config.json')), 'nothing saved');
    const m = await runCli(['oauth', 'login', ...endpoints, '--client-id', 'c', '--manual'], {
      configDir: dir,
    });
    assert.equal(m.code, 2, m.stderr);
    assert.match(m.stderr, /--manual needs a terminal/);
  } finally {
    cleanup();
  }
});

test('a redirect port in use → exit 1 naming --redirect-uri; missing endpoints → exit 2', async () => {
  const { dir, cleanup } = tempConfigDir();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runCli(
      [
        'oauth',
        'login',
        ...endpoints,
        '--client-id',
        'c',
        '--redirect-uri',
        `http://127.0.0.1:${port}/callback`,
      ],
      { configDir: dir },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^error: port ${port} .*already in use.*--redirect-uri`, 'm'));
    assert.ok(!r.stderr.includes('Open this URL'), 'fails before showing the URL');
    const u = await runCli(
      ['oauth', 'login', '--authorize-url', 'http://127.0.0.1:9/auth', '--client-id', 'c'],
      {
        configDir: dir,
      },
    );
    assert.equal(u.code, 2, u.stderr);
    assert.match(u.stderr, /--token-url/);
  } finally {
    blocker.close();
    cleanup();
  }
});

test('dynamic imports of external packages work from the bundle, and no run leaves cache files', async (t) => {
  // The bundle import()s its external ESM packages (ora, chalk…) where used; --ca-file and a login
  // that saves exercise those paths. There is no code cache (test/e2e/startup.test.ts): a cache
  // directory stays empty.
  const ca = '/etc/ssl/certs/ca-certificates.crt';
  if (!fs.existsSync(ca)) {
    t.skip(`needs ${ca}`);
    return;
  }
  const ids = await startIdentityServer();
  const { dir, cleanup } = tempConfigDir();
  try {
    const cache = path.join(dir, 'cache');
    const env = { AUTHCTL_CACHE_DIR: cache, XDG_CACHE_HOME: cache, ...actigraphEnv() };
    const bad = await runCli(
      ['oauth', 'login', '--issuer', 'https://127.0.0.1:1', '--client-id', 'c', '--ca-file', ca],
      {
        configDir: dir,
        env,
      },
    );
    assert.equal(bad.code, 1, bad.stderr);
    assert.doesNotMatch(bad.stderr, /dynamic import|unexpected failure/);
    const args = actigraphArgs(ids.tokenUrl, ['--ca-file', ca, '--force', '--print']);
    for (const run of ['first run', 'second run']) {
      const r = await runCli(args, { configDir: dir, env });
      assert.equal(r.code, 0, `${run}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /dynamic import|unexpected failure/, run);
      assert.equal(r.stdout, `${ids.issued.at(-1)}\n`, run);
    }
    assert.equal(fs.existsSync(cache) ? fs.readdirSync(cache).length : 0, 0);
  } finally {
    await ids.close();
    cleanup();
  }
});
