/**
 * Hostile server answers through the binary, against purpose-built servers: a Pryv register whose
 * apiEndpoint points at another host, at plain http, or carries another token, whose consent or poll
 * URL is plain http to a remote host, or whose token or user name holds CR/LF; an OAuth login whose
 * callback has a wrong or missing `state`, whose ID token has the wrong `aud` or `nonce`, or whose
 * token response tries header injection through `access_token` or `token_type`; a discovery document
 * that redirects elsewhere; a store whose token type would inject a header. Each is refused (exit 1),
 * nothing is saved, and no code is exchanged after a bad callback. (Export quoting of any byte is in
 * test/cli/property-flags.test.ts.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { freePort } from '../fakes/sentinel.js';
import { assertFailure } from '../helpers/assert.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { startFaultServer } from './fault-servers.js';

type Json = Record<string, unknown>;

/** A tiny JSON server: `route(method, path, body)` returns [status, json, headers?] or undefined (404). */
async function jsonServer(
  route: (
    method: string,
    path: string,
    body: string,
  ) => [number, unknown, Record<string, string>?] | undefined,
) {
  const requests: Array<{ method: string; path: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, body });
      const a = route(req.method ?? '', path, body);
      const [status, json, headers] = a ?? [404, { error: 'not found' }];
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
after(() => Promise.all(closers.map((c) => c())));

// ---------------------------------------------------------------------------------------------
// Pryv: the register answers ACCEPTED at once; each case is picked by the requesting app id.

const TOKEN = 'ckhostile0123456789';
let pryvUrl = '';
const pryvCases: Record<string, { created?: Json; accepted?: Json }> = {};
before(async () => {
  const s = await jsonServer((method, path, body) => {
    const base = pryvUrl;
    if (method === 'GET' && path === '/service/info') {
      return [
        200,
        { name: 'Hostile', register: `${base}/`, access: `${base}/access/`, api: `${base}/{username}/` },
      ];
    }
    if (method === 'POST' && path === '/access/') {
      const app = String((JSON.parse(body) as Json).requestingAppId);
      const c = pryvCases[app]!;
      return [
        201,
        {
          status: 'NEED_SIGNIN',
          key: `key-${app}`,
          poll: `${base}/access/${app}`,
          authUrl: `${base}/auth.html?key=${app}`,
          poll_rate_ms: 50,
          ...c.created,
        },
      ];
    }
    const m = /^\/access\/(.+)$/.exec(path);
    if (method === 'GET' && m) {
      const accepted = { status: 'ACCEPTED', username: 'alice', token: TOKEN, ...pryvCases[m[1]!]?.accepted };
      return [200, accepted];
    }
    return undefined;
  });
  pryvUrl = s.url;
  closers.push(s.close);
});

const pryvHostile: Array<[string, { created?: Json; accepted?: Json }, RegExp]> = [
  [
    'apiEndpoint-other-host',
    { accepted: { apiEndpoint: `https://${TOKEN}@alice.evil.example/` } },
    /does not match the service's api template/,
  ],
  [
    'apiEndpoint-plain-http',
    { accepted: { apiEndpoint: `http://${TOKEN}@alice.pryv.example/` } },
    /plain http apiEndpoint.*refusing it/,
  ],
  [
    'apiEndpoint-other-token',
    { accepted: { apiEndpoint: 'TEMPLATE-OTHER-TOKEN' } },
    /carries a different token/,
  ],
  [
    'authUrl-plain-http',
    { created: { authUrl: 'http://consent.evil.example/auth?x=1' } },
    /plain http URL for consent\.evil\.example/,
  ],
  [
    'poll-plain-http',
    { created: { poll: 'http://poll.evil.example/access/x' } },
    /plain http URL for poll\.evil\.example/,
  ],
  [
    'token-with-crlf',
    { accepted: { token: `${TOKEN}\r\nX-Injected: 1` } },
    /invalid field 'token' \(must be visible ASCII\)/,
  ],
  [
    'username-with-escape',
    { accepted: { username: 'alice\u001b[2J' } },
    /does not match the service's api template/,
  ],
];

test('Pryv: hostile apiEndpoint, consent and poll URLs, tokens and user names are refused; nothing saved', async (t) => {
  const results = await Promise.all(
    pryvHostile.map(async ([name, c, message]) => {
      const answer = structuredClone(c);
      if (answer.accepted?.apiEndpoint === 'TEMPLATE-OTHER-TOKEN') {
        answer.accepted.apiEndpoint = `${pryvUrl.replace('://', '://other-token@')}/alice/`;
      }
      pryvCases[name] = answer;
      const { dir, cleanup } = tempConfigDir();
      try {
        const r = await runCli(
          [
            'pryv',
            'request',
            '--service-info',
            `${pryvUrl}/service/info`,
            '--app-id',
            name,
            '--permission',
            'diary:read',
            '--no-open',
            '--timeout',
            '10s',
            '--verbose',
          ],
          { configDir: dir },
        );
        const line = assertFailure(r, 1, message);
        assert.equal(fs.existsSync(`${dir}/config.json`), false, `${name}: nothing saved`);
        assert.doesNotMatch(r.stderr, /\x1b\[2J|X-Injected/, `${name}: hostile text echoed`);
        return `${name}: ${line.slice(0, 110)}`;
      } finally {
        cleanup();
      }
    }),
  );
  for (const s of results) t.diagnostic(s);
});

// ---------------------------------------------------------------------------------------------
// OAuth login: the test plays the browser (it reads the authorize URL authctl prints and calls the
// loopback callback itself); a hostile token endpoint answers per authorization code.

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const idToken = (claims: Json) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;
let as: Awaited<ReturnType<typeof jsonServer>>;
/** code → token response (built once the nonce of that login is known). */
const tokenAnswers = new Map<string, [number, unknown, Record<string, string>?]>();
before(async () => {
  as = await jsonServer((method, path, body) => {
    if (method !== 'POST' || path !== '/token') return undefined;
    const code = new URLSearchParams(body).get('code') ?? '';
    return tokenAnswers.get(code) ?? [400, { error: 'invalid_grant' }];
  });
  closers.push(as.close);
});

interface LoginCase {
  name: string;
  /** The callback query the "browser" sends, from the real state. */
  callback: (state: string) => string;
  /** The token endpoint's answer for this login, from the real nonce. */
  answer?: (nonce: string) => [number, unknown, Record<string, string>?];
  code: number;
  message?: RegExp;
}

const goodClaims = (nonce: string) => ({
  iss: 'https://as.example',
  aud: 'hostile-client',
  sub: 'user-1',
  exp: Math.floor(Date.now() / 1000) + 600,
  iat: Math.floor(Date.now() / 1000),
  nonce,
});
const tokens = (nonce: string, over: Json = {}, claims: Json = {}): [number, unknown] => [
  200,
  {
    access_token: 'hostile-access-token-1',
    token_type: 'Bearer',
    expires_in: 600,
    id_token: idToken({ ...goodClaims(nonce), ...claims }),
    ...over,
  },
];

const loginCases: LoginCase[] = [
  {
    name: 'control: an honest login',
    callback: (s) => `code=c-ok&state=${s}`,
    answer: (n) => tokens(n),
    code: 0,
  },
  {
    name: 'callback with a wrong state',
    callback: (s) => `code=c-ws&state=${s}x`,
    answer: (n) => tokens(n),
    code: 1,
    message: /'state' does not match this login/,
  },
  {
    name: 'callback without state',
    callback: () => 'code=c-ns',
    answer: (n) => tokens(n),
    code: 1,
    message: /carried no 'state'/,
  },
  {
    name: 'access_denied with a wrong state (not exit 3)',
    callback: () => 'error=access_denied&state=forged',
    code: 1,
    message: /does not match this login \(it claimed error 'access_denied'\)/,
  },
  {
    name: 'ID token for another audience',
    callback: (s) => `code=c-aud&state=${s}`,
    answer: (n) => tokens(n, {}, { aud: 'someone-else', azp: undefined }),
    code: 1,
    message: /ID token is meant for someone-else, not client 'hostile-client'/,
  },
  {
    name: 'ID token with another nonce',
    callback: (s) => `code=c-nonce&state=${s}`,
    answer: (n) => tokens(n, {}, { nonce: `${n}-replayed` }),
    code: 1,
    message: /'nonce' does not match this login/,
  },
  {
    name: 'ID token without nonce',
    callback: (s) => `code=c-nononce&state=${s}`,
    answer: (n) => tokens(n, {}, { nonce: undefined }),
    code: 1,
    message: /no 'nonce' claim/,
  },
  {
    name: 'access token with CR/LF (header injection)',
    callback: (s) => `code=c-crlf&state=${s}`,
    answer: (n) => tokens(n, { access_token: 'abc\r\nX-Injected: 1' }),
    code: 1,
    message: /'access_token' contains characters not allowed/,
  },
  {
    name: 'token type with CR/LF (header injection)',
    callback: (s) => `code=c-type&state=${s}`,
    answer: (n) => tokens(n, { token_type: 'Bearer\r\nX-Injected: 1' }),
    code: 1,
    message: /'token_type' contains characters not allowed/,
  },
  {
    name: 'token endpoint redirecting elsewhere',
    callback: (s) => `code=c-302&state=${s}`,
    answer: () => [302, {}, { location: 'https://attacker.example/steal' }],
    code: 1,
    message: /HTTP 302/,
  },
];

test('OAuth login: forged callbacks, ID tokens for someone else and header injection are refused; nothing saved', async (t) => {
  const results = await Promise.all(
    loginCases.map(async (c) => {
      const { dir, cleanup } = tempConfigDir();
      try {
        const file = writeStore(dir, { version: 1, profiles: { bystander: sampleProfile() } });
        const before = fs.readFileSync(file);
        const port = await freePort();
        const tokenRequestsBefore = as.requests.length;
        let callbackStatus = 0;
        let code = '';
        const r = await runCli(
          [
            'oauth',
            'login',
            '--authorize-url',
            `${as.url}/authorize`,
            '--token-url',
            `${as.url}/token`,
            '--client-id',
            'hostile-client',
            '--scope',
            'openid',
            '--redirect-uri',
            `http://127.0.0.1:${port}/callback`,
            '--no-open',
            '--timeout',
            '15s',
            '--profile',
            'victim',
            '--verbose',
          ],
          {
            configDir: dir,
            onSpawn: (child) => {
              let stderr = '';
              let sent = false;
              child.stderr?.on('data', (d: Buffer) => {
                stderr += d.toString();
                const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
                if (!m || sent || !/Waiting for the browser/.test(stderr)) return;
                sent = true;
                const auth = new URL(m[1]!);
                const state = auth.searchParams.get('state') ?? '';
                const nonce = auth.searchParams.get('nonce') ?? '';
                const query = c.callback(state);
                code = new URLSearchParams(query).get('code') ?? '';
                if (c.answer && code) tokenAnswers.set(code, c.answer(nonce));
                http
                  .get(`http://127.0.0.1:${port}/callback?${query}`, (res) => {
                    callbackStatus = res.statusCode ?? 0;
                    res.resume();
                  })
                  .on('error', () => {});
              });
            },
          },
        );
        // This login's token requests (the cases run at once against one server): by their code.
        const exchanged = code
          ? as.requests
              .slice(tokenRequestsBefore)
              .filter((q) => new URLSearchParams(q.body).get('code') === code)
          : [];
        if (c.code === 0) {
          assert.equal(r.code, 0, `${c.name}: ${r.stderr}`);
          assert.equal(exchanged.length, 1);
          assert.ok(fs.readFileSync(file, 'utf8').includes('hostile-access-token-1'), 'saved');
          return `${c.name}: exit 0 (the harness works)`;
        }
        const line = assertFailure(r, c.code, c.message);
        assert.deepEqual(fs.readFileSync(file), before, `${c.name}: the store changed`);
        assert.doesNotMatch(r.stderr, /X-Injected/, `${c.name}: injected text echoed`);
        if (/state/.test(c.name)) {
          assert.equal(exchanged.length, 0, `${c.name}: a code was exchanged after a bad callback`);
          assert.ok(callbackStatus >= 400, `${c.name}: the browser got an error page (${callbackStatus})`);
        }
        return `${c.name}: ${line.slice(0, 110)}`;
      } finally {
        cleanup();
      }
    }),
  );
  for (const s of results) t.diagnostic(s);
});

// ---------------------------------------------------------------------------------------------

test('discovery redirected to another host is not followed (exit 1, nothing saved)', async () => {
  const s = await startFaultServer('redirect-remote');
  closers.push(s.close);
  const { dir, cleanup } = tempConfigDir();
  try {
    const r = await runCli(
      ['oauth', 'client-credentials', '--issuer', s.url, '--client-id', 'c', '--verbose'],
      {
        configDir: dir,
        env: { AUTHCTL_CLIENT_SECRET: 'hostile-secret-value' },
      },
    );
    assertFailure(r, 1, /could not discover the endpoints/);
    assert.equal(s.requests.length, 2, 'both discovery URLs tried once each, no redirect followed');
    assert.equal(fs.existsSync(`${dir}/config.json`), false);
  } finally {
    cleanup();
  }
});

test('a store whose token or token type holds CR/LF never produces a header: exit 1 naming the damaged profile', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    writeStore(dir, {
      version: 1,
      profiles: {
        crlfToken: sampleProfile({ token: 'abc\r\nX-Injected: 1' }),
        crlfType: sampleProfile({ tokenType: 'Bearer\r\nX-Injected: 1' }),
      },
    });
    for (const name of ['crlfToken', 'crlfType']) {
      for (const cmd of [
        ['token', 'header', name],
        ['token', 'print', name],
        ['token', 'export', name],
      ]) {
        const r = await runCli(cmd, { configDir: dir });
        assertFailure(r, 1, new RegExp(`profile '${name}' in .* is damaged`));
        assert.doesNotMatch(r.stdout + r.stderr, /X-Injected/);
      }
    }
  } finally {
    cleanup();
  }
});
