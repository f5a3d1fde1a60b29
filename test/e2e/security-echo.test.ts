/**
 * Servers that echo the request or send control characters: a token endpoint putting the request
 * body and headers into its error_description must not make authctl print the client secret, its
 * Basic header value or form-encoded form, or the refresh token; OAuth error_description and SAFE
 * error text with terminal control sequences never reach the terminal as such.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\rfake\u2028line';
const UNSAFE_BYTES = /[\u001b\u0007\u009b\u202e\r\u2028]/;
// Characters that form-encoding and Basic encoding change, so each form is a different string.
const SECRET = 'S3cr3t+/= with spaces&more';
const REFRESH = 'rt-rotating-refresh-token-777';

/** A token endpoint that answers 400 with the raw request (headers and body) in error_description. */
async function echoServer(extra = ''): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'invalid_client',
          error_description: `bad request ${extra} auth=${req.headers.authorization ?? ''} body=${body} decoded=${decodeURIComponent(body.replace(/\+/g, ' '))}`,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function assertNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `printed ${JSON.stringify(s)}: ${text}`);
}

/** Every form of the secret a client sends: raw, URL-encoded, form-encoded, in HTTP Basic. */
function forms(clientId: string, secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [
    secret,
    encodeURIComponent(secret),
    form,
    Buffer.from(`${clientId}:${form}`).toString('base64'),
    Buffer.from(`${clientId}:${secret}`).toString('base64'),
  ];
}

test('client credentials: a token endpoint echoing the request prints no form of the client secret', async () => {
  const srv = await echoServer(HOSTILE);
  const cfg = tempConfigDir();
  try {
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      const r = await runCli(
        [
          'oauth',
          'client-credentials',
          '--token-url',
          srv.url,
          '--client-id',
          'svc',
          '--auth-method',
          method,
          '--verbose',
        ],
        { configDir: cfg.dir, env: { AUTHCTL_CLIENT_SECRET: SECRET } },
      );
      assert.equal(r.code, 3, r.stderr); // invalid_client: refused
      assert.match(r.stderr, /^error: .*invalid_client.*bad request/m);
      assert.match(r.stderr, /\[redacted\]/);
      assertNoSecret(r.stdout + r.stderr, forms('svc', SECRET));
      assert.doesNotMatch(r.stdout + r.stderr, UNSAFE_BYTES);
    }
  } finally {
    cfg.cleanup();
    await srv.close();
  }
});

test('refresh: a token endpoint echoing the request prints neither the refresh token nor the saved secret', async () => {
  const srv = await echoServer();
  const cfg = tempConfigDir();
  try {
    writeStore(cfg.dir, {
      version: 1,
      profiles: {
        lp: sampleProfile({
          flow: 'authorization_code',
          expiresAt: '2020-01-01T00:00:00Z',
          refreshToken: REFRESH,
          clientSecret: SECRET,
          params: {
            tokenUrl: srv.url,
            clientId: 'app1',
            confidential: true,
            authMethod: 'client_secret_basic',
          },
        }),
      },
    });
    const r = await runCli(['token', 'refresh', 'lp'], { configDir: cfg.dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /\[redacted\]/);
    assertNoSecret(r.stdout + r.stderr, [REFRESH, ...forms('app1', SECRET)]);
  } finally {
    cfg.cleanup();
    await srv.close();
  }
});

test('SAFE Launcher error text with control characters reaches the terminal clean', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`Fields are missing ${HOSTILE}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const cfg = tempConfigDir();
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await runCli(
      [
        'safe',
        'authorize',
        '--app-name',
        'demo',
        '--app-id',
        'net.demo',
        '--app-version',
        '1.0',
        '--app-vendor',
        'me',
        '--launcher-url',
        url,
      ],
      { configDir: cfg.dir },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Fields are missing/);
    assert.doesNotMatch(r.stdout + r.stderr, UNSAFE_BYTES);
  } finally {
    cfg.cleanup();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
