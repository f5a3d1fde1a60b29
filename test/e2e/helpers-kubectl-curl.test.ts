/**
 * The kubectl and curl helpers on the built binary: `token print --format exec-credential` is a
 * client.authentication.k8s.io/v1 ExecCredential (checked field by field against the shape kubectl
 * accepts), and `token header --curl` is a config line real `curl -K` reads back exactly, even for
 * tokens holding quotes and backslashes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { configDirPerTest, runCli, sampleProfile, writeStore } from '../helpers/cli.js';

const dir = configDirPerTest();
const FAR = '2099-01-01T00:00:00Z';

/** The ExecCredential shape kubectl (client-go) decodes: only these keys, of these types. */
function assertExecCredential(v: unknown, token: string, expiry: string | undefined): void {
  assert.ok(typeof v === 'object' && v !== null);
  const o = v as Record<string, unknown>;
  assert.deepEqual(Object.keys(o).sort(), ['apiVersion', 'kind', 'status']);
  assert.equal(o.apiVersion, 'client.authentication.k8s.io/v1');
  assert.equal(o.kind, 'ExecCredential');
  const st = o.status as Record<string, unknown>;
  assert.deepEqual(Object.keys(st).sort(), expiry ? ['expirationTimestamp', 'token'] : ['token']);
  assert.equal(st.token, token);
  if (expiry) {
    // RFC 3339 in UTC, as metav1.Time marshals.
    assert.match(String(st.expirationTimestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(st.expirationTimestamp, expiry);
  }
}

test('token print --format exec-credential: the ExecCredential kubectl expects, with and without expiry', async () => {
  writeStore(dir(), {
    version: 1,
    profiles: {
      k8s: sampleProfile({ token: 'kube-token-0001', expiresAt: FAR }),
      forever: sampleProfile({ token: 'kube-token-0002' }),
    },
  });
  const r = await runCli(['token', 'print', '--format', 'exec-credential', 'k8s'], { configDir: dir() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assertExecCredential(JSON.parse(r.stdout), 'kube-token-0001', FAR);
  const f = await runCli(['token', 'print', '--profile', 'forever', '--format', 'exec-credential'], {
    configDir: dir(),
  });
  assertExecCredential(JSON.parse(f.stdout), 'kube-token-0002', undefined);
  const plain = await runCli(['token', 'print', 'k8s', '--format', 'token'], { configDir: dir() });
  assert.equal(plain.stdout, 'kube-token-0001\n');
  const bad = await runCli(['token', 'print', 'k8s', '--format', 'yaml'], { configDir: dir() });
  assert.equal(bad.code, 2, bad.stderr);
  // An expired token that cannot be renewed: exit 4, nothing on stdout (kubectl then reports it).
  writeStore(dir(), { version: 1, profiles: { old: sampleProfile({ expiresAt: '2020-01-01T00:00:00Z' }) } });
  const old = await runCli(['token', 'print', '--format', 'exec-credential'], { configDir: dir() });
  assert.equal(old.code, 4);
  assert.equal(old.stdout, '');
});

const curlInstalled = ['/usr/bin/curl', '/usr/local/bin/curl'].some((p) => fs.existsSync(p));

test('token header --curl: real curl -K sends exactly the Authorization header', {
  skip: !curlInstalled && 'curl is not installed',
}, async () => {
  const seen: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // Visible ASCII a token may hold, including the characters curl's config syntax treats specially.
    const tokens = ['plain-token-123', 'q"uo\\te\\"#x', 'sp=ace:colon;semi\\\\'];
    for (const token of tokens) {
      writeStore(dir(), { version: 1, profiles: { api: sampleProfile({ token }) } });
      const h = await runCli(['token', 'header', '--curl', 'api'], { configDir: dir() });
      assert.equal(h.code, 0, h.stderr);
      assert.match(h.stdout, /^header = "Authorization: Bearer .*"\n$/);
      const cfg = path.join(dir(), 'curl.cfg');
      fs.writeFileSync(cfg, h.stdout, { mode: 0o600 });
      await new Promise<void>((resolve, reject) =>
        execFile('curl', ['-sS', '-K', cfg, url], (err, _o, stderr) =>
          err ? reject(new Error(stderr)) : resolve(),
        ),
      );
      assert.equal(seen.at(-1), `Bearer ${token}`);
    }
    // Pryv: the raw token, no scheme.
    writeStore(dir(), {
      version: 1,
      profiles: {
        p: sampleProfile({
          provider: 'pryv',
          flow: 'pryv-access',
          token: 'ckpryvcurl001',
          tokenType: 'pryv',
        }),
      },
    });
    const p = await runCli(['token', 'header', '--curl', 'p'], { configDir: dir() });
    assert.equal(p.stdout, 'header = "Authorization: ckpryvcurl001"\n');
  } finally {
    server.close();
  }
});
