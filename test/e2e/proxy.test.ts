/**
 * Proxies and private CAs through the built binary, with a real CONNECT/forwarding proxy on
 * 127.0.0.1 (test/fakes/proxy.ts) and origins with certificates from a CA made by openssl:
 * - HTTPS behind HTTPS_PROXY: CONNECT tunnel, then TLS to the origin with --ca-file (security
 *   review 12.8). The origin is named `origin.test`, a name only the proxy resolves (to 127.0.0.1):
 *   authctl never looks it up, exactly as with a real proxy, and no "proxy loopback" override is needed.
 * - Loopback destinations are never proxied (12.7): the proxy sees no connection at all, so the SAFE
 *   JWT cannot reach it.
 * - NO_PROXY and plain http through a proxy (absolute form) against a loopback origin: these use the
 *   test-only AUTHCTL_PROXY_LOOPBACK=1 (docs/performance.md), since only loopback exists here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { actigraphArgs, actigraphEnv, type IdsFake, startIdentityServer } from '../fakes/identityserver.js';
import { type ProxyFake, startProxy } from '../fakes/proxy.js';
import { startFakeLauncher } from '../fakes/safe-launcher.js';
import { readStore, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const env = actigraphEnv();
const cleanups: Array<() => void | Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});
const configDir = () => {
  const t = tempConfigDir();
  cleanups.push(t.cleanup);
  return t.dir;
};
const recipe = (tokenUrl: string, extra: string[] = []) => actigraphArgs(tokenUrl, ['--print', ...extra]);

interface Pki {
  caFile: string;
  key: string;
  cert: string;
}

/** A CA and a server certificate for origin.test and 127.0.0.1 signed by it; null without openssl. */
function makePki(): Pki | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-pki-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = (n: string) => path.join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  try {
    ssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem')].concat([
        '-days',
        '2',
        '-subj',
        '/CN=authctl test CA',
      ]),
    );
    ssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('srv.key'), '-out', f('srv.csr')].concat([
        '-subj',
        '/CN=origin.test',
      ]),
    );
    fs.writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:origin.test,IP:127.0.0.1\n');
    ssl(
      ['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key')].concat([
        '-CAcreateserial',
        '-out',
        f('srv.pem'),
        '-days',
        '2',
        '-extfile',
        f('ext.cnf'),
      ]),
    );
  } catch {
    return null;
  }
  return {
    caFile: f('ca.pem'),
    key: fs.readFileSync(f('srv.key'), 'utf8'),
    cert: fs.readFileSync(f('srv.pem'), 'utf8'),
  };
}

const pki = makePki();
const noOpenssl = pki ? false : 'SKIPPED: openssl is not available to make a test CA';
if (!pki) process.stderr.write(`notice: ${noOpenssl}\n`);

let plain: IdsFake;
let proxy: ProxyFake;
before(async () => {
  plain = await startIdentityServer();
  proxy = await startProxy({ hosts: { 'origin.test': '127.0.0.1' } });
  cleanups.push(
    () => plain.close(),
    () => proxy.close(),
  );
});

test('HTTPS_PROXY + --ca-file: CONNECT tunnel, then TLS to the origin trusting the given CA (12.8)', {
  skip: noOpenssl,
}, async () => {
  const ids = await startIdentityServer({ tls: { key: pki!.key, cert: pki!.cert } });
  cleanups.push(() => ids.close());
  const tokenUrl = `https://origin.test:${ids.port}/connect/token`;
  const dir = configDir();
  const seen = proxy.seen.length;
  const r = await runCli(recipe(tokenUrl, ['--ca-file', pki!.caFile, '--verbose']), {
    configDir: dir,
    env: { ...env, HTTPS_PROXY: proxy.url },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ids.issued.at(-1)}\n`);
  assert.deepEqual(proxy.seen.slice(seen), [`CONNECT origin.test:${ids.port}`]);
  assert.equal(ids.requests.length, 1);

  // Without the CA the tunnel still opens but the origin's certificate is refused: one clear line.
  const untrusted = await runCli(recipe(tokenUrl, ['--force']), {
    configDir: configDir(),
    env: { ...env, HTTPS_PROXY: proxy.url },
  });
  assert.equal(untrusted.code, 1);
  assert.match(
    untrusted.stderr,
    /^error: TLS failure talking to origin\.test:\d+ \([A-Z_]+\)\. .*--ca-file <pem>/,
  );
  assert.equal(untrusted.stderr.split('\n').length, 2, untrusted.stderr);
  assert.equal(ids.requests.length, 1, 'nothing reached the origin without trust');

  // Renewal in `token print` goes through the proxy with the saved CA file too.
  const store = readStore(dir);
  store.profiles.actigraph!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir, store);
  const renewed = await runCli(['token', 'print', 'actigraph'], {
    configDir: dir,
    env: { ...env, HTTPS_PROXY: proxy.url },
  });
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.equal(renewed.stdout, `${ids.issued.at(-1)}\n`);
  assert.equal(ids.requests.length, 2);
});

test('the proxy URL credentials go in Proxy-Authorization and never into the output', {
  skip: noOpenssl,
}, async () => {
  const ids = await startIdentityServer({ tls: { key: pki!.key, cert: pki!.cert } });
  cleanups.push(() => ids.close());
  const before = proxy.auth.length;
  const r = await runCli(
    recipe(`https://origin.test:${ids.port}/connect/token`, ['--ca-file', pki!.caFile, '--verbose']),
    { configDir: configDir(), env: { ...env, https_proxy: proxy.url.replace('//', '//pxuser:px%40pass@') } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(proxy.auth.slice(before), [`Basic ${Buffer.from('pxuser:px@pass').toString('base64')}`]);
  assert.ok(!/px%40pass|px@pass|pxuser/.test(r.stderr + r.stdout), r.stderr);
});

test('loopback destinations are never proxied: the SAFE JWT never reaches the proxy (12.7)', async () => {
  const launcher = await startFakeLauncher({ policy: 'allow' });
  cleanups.push(() => launcher.close());
  const dir = configDir();
  const proxied = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: '' };
  const connections = proxy.connections();
  const auth = await runCli(
    [
      'safe',
      'authorize',
      '--app-name',
      'Demo',
      '--app-id',
      'net.example.demo',
      '--app-version',
      '1.0',
    ].concat([
      '--app-vendor',
      'Example',
      '--permission',
      'SAFE_DRIVE_ACCESS',
      '--launcher-url',
      launcher.url,
    ]),
    { configDir: dir, env: proxied },
  );
  assert.equal(auth.code, 0, auth.stderr);
  // `localhost` too, and a request that carries the JWT.
  const store = readStore(dir);
  const jwt = store.profiles.safe!.token as string;
  store.profiles.safe!.params = {
    ...(store.profiles.safe!.params as Record<string, unknown>),
    launcherUrl: `http://localhost:${launcher.port}`,
  };
  writeStore(dir, store);
  const status = await runCli(['safe', 'status'], { configDir: dir, env: proxied });
  assert.equal(status.code, 0, status.stderr);
  assert.ok(
    launcher.requests.some((q) => q.headers.authorization === `Bearer ${jwt}`),
    'the JWT was sent',
  );
  assert.equal(proxy.connections(), connections, 'the proxy saw no connection at all');
});

test('NO_PROXY exempts a host (AUTHCTL_PROXY_LOOPBACK=1 makes the loopback origin proxiable)', async () => {
  const loopbackProxied = { ...env, HTTP_PROXY: proxy.url, AUTHCTL_PROXY_LOOPBACK: '1' };
  // The control: with the override and no NO_PROXY, plain http goes to the proxy in absolute form.
  let seen = proxy.seen.length;
  const via = await runCli(recipe(plain.tokenUrl), { configDir: configDir(), env: loopbackProxied });
  assert.equal(via.code, 0, via.stderr);
  assert.equal(via.stdout, `${plain.issued.at(-1)}\n`);
  assert.deepEqual(proxy.seen.slice(seen), [`POST ${plain.tokenUrl}`]);

  for (const noProxy of ['127.0.0.1', `127.0.0.1:${plain.port}`, '*', 'example.com, 127.0.0.0/8']) {
    seen = proxy.seen.length;
    const connections = proxy.connections();
    const r = await runCli(recipe(plain.tokenUrl), {
      configDir: configDir(),
      env: { ...loopbackProxied, NO_PROXY: noProxy },
    });
    assert.equal(r.code, 0, `${noProxy}: ${r.stderr}`);
    assert.equal(proxy.seen.length, seen, `NO_PROXY=${noProxy}: nothing went through the proxy`);
    assert.equal(proxy.connections(), connections, `NO_PROXY=${noProxy}: no connection to the proxy`);
  }
  // A NO_PROXY entry for another port does not exempt this one.
  seen = proxy.seen.length;
  const other = await runCli(recipe(plain.tokenUrl), {
    configDir: configDir(),
    env: { ...loopbackProxied, no_proxy: '127.0.0.1:1' },
  });
  assert.equal(other.code, 0, other.stderr);
  assert.equal(proxy.seen.length, seen + 1, 'another port is still proxied');
});

test('a refused connection: exit 1 with one clear line (after the bounded retries)', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const r = await runCli(
    ['oauth', 'client-credentials', '--token-url', `http://127.0.0.1:${port}/token`, '--client-id', 'x'],
    { configDir: configDir(), env },
  );
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `error: cannot connect to 127.0.0.1:${port}: connection refused. Is the server running and the URL right?\n`,
  );
});

test('https with a private CA: refused without it, accepted with --ca-file, renewal remembers the file', {
  skip: noOpenssl,
}, async () => {
  const ids = await startIdentityServer({ tls: { key: pki!.key, cert: pki!.cert } });
  cleanups.push(() => ids.close());
  const dir = configDir();
  const untrusted = await runCli(recipe(ids.tokenUrl), { configDir: dir, env });
  assert.equal(untrusted.code, 1);
  assert.match(
    untrusted.stderr,
    /^error: TLS failure talking to 127\.0\.0\.1:\d+ \(.+\)\. .*--ca-file <pem>/,
  );
  assert.equal(ids.requests.length, 0);

  const ok = await runCli(recipe(ids.tokenUrl, ['--ca-file', pki!.caFile]), { configDir: dir, env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `${ids.issued[0]}\n`);
  assert.equal((readStore(dir).profiles.actigraph!.params as Record<string, unknown>).caFile, pki!.caFile);

  const store = readStore(dir);
  store.profiles.actigraph!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir, store);
  const renewed = await runCli(['token', 'print', 'actigraph'], { configDir: dir, env });
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.equal(renewed.stdout, `${ids.issued[1]}\n`);
});

test('a private CA trusted through NODE_EXTRA_CA_CERTS, via an HTTPS_PROXY tunnel', {
  skip: noOpenssl,
}, async () => {
  const ids = await startIdentityServer({ tls: { key: pki!.key, cert: pki!.cert } });
  cleanups.push(() => ids.close());
  const seen = proxy.seen.length;
  const r = await runCli(recipe(`https://origin.test:${ids.port}/connect/token`), {
    configDir: configDir(),
    env: { ...env, NODE_EXTRA_CA_CERTS: pki!.caFile, HTTPS_PROXY: proxy.url },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ids.issued[0]}\n`);
  assert.deepEqual(proxy.seen.slice(seen), [`CONNECT origin.test:${ids.port}`]);
});
