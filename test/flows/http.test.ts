/**
 * The HTTP engine as the token flows use it, through the built binary: proxies from the
 * environment (a real forwarding proxy records what it carried), a private CA via --ca-file or
 * NODE_EXTRA_CA_CERTS against an https fake with a certificate made at test time, and a clear
 * line when nothing listens.
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

/** A self-signed certificate for 127.0.0.1, made with openssl; null when openssl is missing. */
function makeCert(): { key: string; cert: string; certFile: string } | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-tls-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
}

const tls = makeCert();
const noOpenssl = tls ? false : 'SKIPPED: openssl is not available to make a test certificate';
if (!tls) process.stderr.write(`notice: ${noOpenssl}\n`);

let plain: IdsFake;
let proxy: ProxyFake;
before(async () => {
  plain = await startIdentityServer();
  proxy = await startProxy();
  cleanups.push(
    () => plain.close(),
    () => proxy.close(),
  );
});

test('HTTP_PROXY: the token request goes through the proxy', async () => {
  const dir = configDir();
  const seen = proxy.seen.length;
  const r = await runCli(recipe(plain.tokenUrl), { configDir: dir, env: { ...env, HTTP_PROXY: proxy.url } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${plain.issued.at(-1)}\n`);
  const carried = proxy.seen.slice(seen);
  assert.ok(
    carried.some((s) => s.includes(`127.0.0.1:${plain.port}`)),
    `the proxy carried the request (${carried.join(', ')})`,
  );
});

test('NO_PROXY exempts a host from the proxy', async () => {
  const dir = configDir();
  const seen = proxy.seen.length;
  const r = await runCli(recipe(plain.tokenUrl), {
    configDir: dir,
    env: { ...env, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(proxy.seen.length, seen, 'nothing went through the proxy');
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
  const ids = await startIdentityServer({ tls: { key: tls!.key, cert: tls!.cert } });
  cleanups.push(() => ids.close());
  const dir = configDir();
  const untrusted = await runCli(recipe(ids.tokenUrl), { configDir: dir, env });
  assert.equal(untrusted.code, 1);
  assert.match(
    untrusted.stderr,
    /^error: TLS failure talking to 127\.0\.0\.1:\d+ \(.+\)\. .*--ca-file <pem>/,
  );
  assert.equal(ids.requests.length, 0);

  const ok = await runCli(recipe(ids.tokenUrl, ['--ca-file', tls!.certFile]), { configDir: dir, env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `${ids.issued[0]}\n`);
  assert.equal((readStore(dir).profiles.actigraph!.params as Record<string, unknown>).caFile, tls!.certFile);

  // Renewal in `token print` uses the saved CA file.
  const store = readStore(dir);
  store.profiles.actigraph!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir, store);
  const renewed = await runCli(['token', 'print', 'actigraph'], { configDir: dir, env });
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.equal(renewed.stdout, `${ids.issued[1]}\n`);
});

test('https with a private CA trusted through NODE_EXTRA_CA_CERTS, via an HTTPS_PROXY tunnel', {
  skip: noOpenssl,
}, async () => {
  const ids = await startIdentityServer({ tls: { key: tls!.key, cert: tls!.cert } });
  cleanups.push(() => ids.close());
  const seen = proxy.seen.length;
  const r = await runCli(recipe(ids.tokenUrl), {
    configDir: configDir(),
    env: { ...env, NODE_EXTRA_CA_CERTS: tls!.certFile, HTTPS_PROXY: proxy.url },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ids.issued[0]}\n`);
  assert.ok(proxy.seen.slice(seen).includes(`CONNECT 127.0.0.1:${ids.port}`), 'tunnelled with CONNECT');
});
