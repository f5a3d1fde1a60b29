/**
 * The HTTP client (src/http/client.ts, node:http/node:https) in process against real servers on
 * 127.0.0.1: timeouts, body cap, retries, Retry-After, redirects, error lines with stable codes,
 * redacted verbose logs, and no use of fetch.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, test } from 'node:test';
import { NetworkError, ProtocolError } from '../../src/errors.js';
import { createHttpClient, type HttpClientOptions } from '../../src/http/client.js';

const servers: Array<http.Server | net.Server> = [];
after(() => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    s.close();
  }
});

async function serve(handler: http.RequestListener, port = 0): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const logs: string[] = [];
const client = (o: Partial<HttpClientOptions> = {}) =>
  createHttpClient({ insecure: false, debug: (l) => logs.push(l), backoffMs: 20, ...o });
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

test('fetch is never used', async () => {
  const url = await serve((req, res) => res.end(JSON.stringify({ ok: true, ua: req.headers['user-agent'] })));
  const real = globalThis.fetch;
  globalThis.fetch = () => {
    throw new Error('fetch called');
  };
  try {
    const r = await client().request({ method: 'GET', url: `${url}/x` });
    assert.deepEqual(r.json, { ok: true, ua: 'authctl' });
  } finally {
    globalThis.fetch = real;
  }
});

test('form and JSON bodies, headers, status and text', async () => {
  const url = await serve(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    res.setHeader('x-echo-type', req.headers['content-type'] ?? '');
    res.end(JSON.stringify({ method: req.method, body, len: req.headers['content-length'] }));
  });
  const f = await client().request({ method: 'POST', url, form: { a: '1 2', b: 'é' } });
  assert.equal(f.status, 200);
  assert.equal(f.headers['x-echo-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  assert.deepEqual(f.json, { method: 'POST', body: 'a=1+2&b=%C3%A9', len: '14' });
  const j = await client().request({ method: 'POST', url, json: { k: 'v' } });
  assert.deepEqual(j.json, { method: 'POST', body: '{"k":"v"}', len: '9' });
});

test('header timeout per attempt, whole-body timeout, 1 MiB cap', async () => {
  const hang = await serve(() => {});
  const t0 = Date.now();
  await assert.rejects(
    client().request({ method: 'GET', url: hang, timeoutMs: 1000 }),
    (e) =>
      e instanceof NetworkError && /did not answer within 1s/.test(e.message) && code('network.timeout')(e),
  );
  assert.ok(Date.now() - t0 < 3000);
  const drip = await serve((_req, res) => {
    res.writeHead(200);
    const t = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(t));
  });
  await assert.rejects(
    client().request({ method: 'GET', url: drip, bodyTimeoutMs: 1000 }),
    (e) => /did not answer within 1s/.test((e as Error).message) && code('network.timeout')(e),
  );
  const huge = await serve((_req, res) => res.end('x'.repeat(1024 * 1024 + 1)));
  await assert.rejects(
    client().request({ method: 'GET', url: huge }),
    (e) => e instanceof ProtocolError && /larger than 1024 KiB; refusing it/.test(e.message),
  );
  const ok = await serve((_req, res) => res.end('x'.repeat(1024 * 1024)));
  assert.equal((await client().request({ method: 'GET', url: ok })).text.length, 1024 * 1024);
});

test('retries with backoff on 5xx and resets, Retry-After on 429, redirects never followed', async () => {
  let n = 0;
  const flaky = await serve((req, res) => {
    n++;
    if (n === 1) return req.socket.destroy();
    if (n === 2) return res.writeHead(503).end('busy');
    res.end('{"ok":1}');
  });
  const r = await client().request({ method: 'POST', url: flaky, retries: 2 });
  assert.equal(r.status, 200);
  assert.equal(n, 3);
  // Without retries, the reset is one clear line with its code.
  n = 0;
  await assert.rejects(
    client().request({ method: 'POST', url: flaky }),
    (e) => /was closed before the answer was complete/.test((e as Error).message) && code('network.reset')(e),
  );

  const at: number[] = [];
  const limited = await serve((_req, res) => {
    at.push(Date.now());
    if (at.length === 1) return res.writeHead(429, { 'retry-after': '1' }).end();
    res.end('{}');
  });
  assert.equal((await client().request({ method: 'GET', url: limited, retries: 1 })).status, 200);
  assert.ok(at[1]! - at[0]! >= 950, `waited ${at[1]! - at[0]!} ms`);

  let hits = 0;
  const target = await serve((_req, res) => {
    hits++;
    res.end();
  });
  const redirect = await serve((_req, res) => res.writeHead(302, { location: target }).end());
  const red = await client().request({ method: 'GET', url: redirect, retries: 2 });
  assert.equal(red.status, 302);
  assert.equal(red.headers.location, target);
  assert.equal(hits, 0);
});

test('one-line errors with stable codes: refused, TLS, DNS', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await assert.rejects(
    client().request({ method: 'GET', url: `http://127.0.0.1:${closed}/` }),
    (e) =>
      (e as Error).message === `cannot connect to 127.0.0.1:${closed}: connection refused` &&
      code('network.refused')(e),
  );
  const plain = await serve((_req, res) => res.end('plain'));
  await assert.rejects(
    client().request({ method: 'GET', url: plain.replace('http:', 'https:') }),
    (e) => /^TLS failure talking to 127\.0\.0\.1:\d+ \(/.test((e as Error).message) && code('network.tls')(e),
  );
  await assert.rejects(
    client().request({ method: 'GET', url: 'https://auth.authctl-test.invalid/x' }),
    (e) => /cannot resolve auth\.authctl-test\.invalid/.test((e as Error).message) && code('network.dns')(e),
  );
});

test('a port that fetch blocks (the Fetch standard "bad port" list) works over node:http', async () => {
  let url: string | undefined;
  for (const port of [6666, 6667, 6668, 6669, 6697, 10080]) {
    try {
      url = await serve((_req, res) => res.end('{"ok":true}'), port);
      break;
    } catch {
      /* in use: try the next one */
    }
  }
  if (!url) return;
  assert.deepEqual((await client().request({ method: 'GET', url })).json, { ok: true });
});

test('verbose lines carry method, redacted URL, status and time only', async () => {
  const url = await serve((_req, res) => res.end('{}'));
  logs.length = 0;
  await client().request({
    method: 'POST',
    url: `${url}/token?code=SECRET-CODE&state=s`,
    headers: { authorization: 'Basic U0VDUkVU' },
    form: { client_secret: 'SECRET' },
  });
  assert.equal(logs.length, 1);
  assert.match(
    logs[0]!,
    /^POST http:\/\/127\.0\.0\.1:\d+\/token\?code=\*\*\*&state=\*\*\* -> 200 \(\d+ ms\)$/,
  );
});
