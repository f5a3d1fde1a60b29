import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, FailureError, ProtocolError, RefusedError, UsageError } from '../../src/errors.js';
import {
  authorizationError,
  buildAuthorizeUrl,
  parseCallback,
  parsePastedUrl,
  parseRedirectUri,
  redirectUriWithPort,
} from '../../src/oauth/authorize.js';

test('buildAuthorizeUrl keeps the endpoint query and adds every parameter once', () => {
  const u = new URL(
    buildAuthorizeUrl('https://sentinel.example/sentinel/api/account/123/authorize?v=1.0', {
      clientId: 'app id',
      redirectUri: 'http://127.0.0.1:5000/callback',
      state: 'st',
      scopes: ['openid', 'offline_access'],
      codeChallenge: 'ch',
      nonce: 'nn',
      resource: ['https://api.example/'],
      extra: [['prompt', 'consent']],
    }),
  );
  assert.equal(u.searchParams.get('v'), '1.0');
  assert.equal(u.searchParams.get('response_type'), 'code');
  assert.equal(u.searchParams.get('client_id'), 'app id');
  assert.equal(u.searchParams.get('redirect_uri'), 'http://127.0.0.1:5000/callback');
  assert.equal(u.searchParams.get('scope'), 'openid offline_access');
  assert.equal(u.searchParams.get('code_challenge'), 'ch');
  assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(u.searchParams.get('nonce'), 'nn');
  assert.equal(u.searchParams.get('resource'), 'https://api.example/');
  assert.equal(u.searchParams.get('prompt'), 'consent');
  for (const k of u.searchParams.keys()) assert.equal(u.searchParams.getAll(k).length, 1, k);
});

test('buildAuthorizeUrl leaves out what was not asked for', () => {
  const u = new URL(
    buildAuthorizeUrl('https://id.example/auth', {
      clientId: 'c',
      redirectUri: 'http://localhost:8976/callback',
      state: 's',
      scopes: [],
    }),
  );
  assert.deepEqual([...u.searchParams.keys()].sort(), [
    'client_id',
    'redirect_uri',
    'response_type',
    'state',
  ]);
});

test('parseRedirectUri: loopback http is listenable; an omitted or zero port means a free one', () => {
  const cases: Array<[string, { hostname: string; port: number; path: string }]> = [
    ['http://127.0.0.1:0/callback', { hostname: '127.0.0.1', port: 0, path: '/callback' }],
    ['http://127.0.0.1/callback', { hostname: '127.0.0.1', port: 0, path: '/callback' }],
    ['http://127.0.0.1:80/cb', { hostname: '127.0.0.1', port: 80, path: '/cb' }],
    ['http://localhost:8976/callback', { hostname: 'localhost', port: 8976, path: '/callback' }],
    ['http://[::1]:9000/x/y', { hostname: '::1', port: 9000, path: '/x/y' }],
    ['http://127.0.0.1:7000', { hostname: '127.0.0.1', port: 7000, path: '/' }],
  ];
  for (const [raw, want] of cases) {
    const t = parseRedirectUri(raw, { manual: false });
    assert.deepEqual({ hostname: t.hostname, port: t.port, path: t.path }, want, raw);
    assert.equal(t.listenable, true);
    assert.equal(t.raw, raw);
  }
});

test('parseRedirectUri refuses what authctl cannot listen on (unless --manual with https)', () => {
  for (const bad of [
    'https://app.example/callback',
    'http://example.com:8080/callback',
    'http://127.0.0.1:5000/callback#frag',
    'not a url',
    'ftp://127.0.0.1/cb',
  ]) {
    assert.throws(
      () => parseRedirectUri(bad, { manual: false }),
      (e: unknown) =>
        e instanceof UsageError && e.exitCode === ExitCode.usage && e.message.includes('--redirect-uri'),
      bad,
    );
  }
  const manual = parseRedirectUri('https://app.example/callback', { manual: true });
  assert.equal(manual.listenable, false);
  assert.throws(() => parseRedirectUri('http://example.com/cb', { manual: true }), UsageError);
});

test('redirectUriWithPort fills in the listener port and never rewrites a fixed one', () => {
  const t = (raw: string) => parseRedirectUri(raw, { manual: false });
  assert.equal(
    redirectUriWithPort(t('http://127.0.0.1:0/callback'), 41234),
    'http://127.0.0.1:41234/callback',
  );
  assert.equal(redirectUriWithPort(t('http://127.0.0.1/callback?x=1'), 5), 'http://127.0.0.1:5/callback?x=1');
  assert.equal(redirectUriWithPort(t('http://[::1]/cb'), 7), 'http://[::1]:7/cb');
  assert.equal(redirectUriWithPort(t('http://localhost:8976/callback'), 1), 'http://localhost:8976/callback');
  assert.equal(redirectUriWithPort(t('http://127.0.0.1:7000'), 1), 'http://127.0.0.1:7000');
});

const exp = { state: 'expected-state-value', providerLabel: 'the authorization server' };
const cb = (q: string) => new URL(`http://127.0.0.1:5000/callback?${q}`);

test('parseCallback returns the code when the state matches exactly', () => {
  assert.deepEqual(parseCallback(cb('code=abc&state=expected-state-value'), exp), { code: 'abc' });
  assert.deepEqual(
    parseCallback(cb('code=abc&state=expected-state-value&iss=https%3A%2F%2Fid.example'), {
      ...exp,
      issuer: 'https://id.example',
      issRequired: true,
    }),
    { code: 'abc' },
  );
});

test('RFC 9207 §2.4: iss is compared as a plain string, and required when the server advertises it', () => {
  const withSlash = cb('code=abc&state=expected-state-value&iss=https%3A%2F%2Fid.example%2F');
  assert.throws(
    () => parseCallback(withSlash, { ...exp, issuer: 'https://id.example' }),
    (e: Error & { code?: string }) => e.code === 'oauth.iss_mismatch' && /mix-up/.test(e.message),
  );
  const without = cb('code=abc&state=expected-state-value');
  assert.throws(
    () => parseCallback(without, { ...exp, issuer: 'https://id.example', issRequired: true }),
    (e: Error & { code?: string; exitCode?: number }) =>
      e.code === 'oauth.iss_missing' && e.exitCode === 1 && /carries no 'iss'/.test(e.message),
  );
  // A server that does not advertise the parameter may leave it out.
  assert.deepEqual(parseCallback(without, { ...exp, issuer: 'https://id.example' }), { code: 'abc' });
});

test('parseCallback rejects a missing, different or repeated state with exit 1, before looking at anything else', () => {
  const cases = [
    'code=abc',
    'code=abc&state=',
    'code=abc&state=expected-state-valuE',
    'code=abc&state=expected-state-value-',
    'code=abc&state=expected-state-valu',
    'error=access_denied',
    'error=access_denied&state=wrong',
  ];
  for (const q of cases) {
    assert.throws(
      () => parseCallback(cb(q), exp),
      (e: unknown) => e instanceof FailureError && e.exitCode === 1 && /state/.test(e.message),
      q,
    );
  }
  assert.throws(
    () => parseCallback(cb('code=a&state=expected-state-value&state=expected-state-value'), exp),
    ProtocolError,
  );
  // The forged error is mentioned but does not decide the exit code.
  assert.throws(() => parseCallback(cb('error=access_denied&state=x'), exp), /claimed error 'access_denied'/);
});

test('parseCallback maps callback errors: access_denied is exit 3, others exit 1', () => {
  assert.throws(
    () =>
      parseCallback(
        cb('error=access_denied&error_description=User%20said%20no&state=expected-state-value'),
        exp,
      ),
    (e: unknown) => e instanceof RefusedError && e.exitCode === 3 && e.message.includes('User said no'),
  );
  for (const code of ['invalid_scope', 'server_error', 'unauthorized_client', 'login_required', 'weird']) {
    assert.throws(
      () => parseCallback(cb(`error=${code}&state=expected-state-value`), exp),
      (e: unknown) => e instanceof FailureError && e.exitCode === 1 && e.message.includes(code),
      code,
    );
  }
});

test('parseCallback: iss mismatch (RFC 9207) and a missing code are rejected', () => {
  assert.throws(
    () =>
      parseCallback(cb('code=a&state=expected-state-value&iss=https%3A%2F%2Fevil.example'), {
        ...exp,
        issuer: 'https://id.example',
      }),
    (e: unknown) => e instanceof FailureError && /evil\.example/.test(e.message),
  );
  assert.throws(() => parseCallback(cb('state=expected-state-value'), exp), ProtocolError);
  assert.throws(() => parseCallback(cb('state=expected-state-value&code='), exp), ProtocolError);
});

test('authorizationError keeps descriptions printable and bounded', () => {
  const e = authorizationError('server_error', `line1\nline2\u0007${'x'.repeat(1000)}`, 'LivePerson');
  assert.ok(!/[\n\u0007]/.test(e.message));
  assert.ok(e.message.length < 400);
  assert.ok(e.hint);
});

test('parsePastedUrl accepts the full URL, a bare query, and trims quotes', () => {
  const r = 'http://127.0.0.1:5000/callback';
  assert.equal(
    parsePastedUrl('  http://127.0.0.1:5000/callback?code=a&state=b \n', r).searchParams.get('code'),
    'a',
  );
  assert.equal(
    parsePastedUrl('"http://127.0.0.1:5000/callback?code=a&state=b"', r).searchParams.get('state'),
    'b',
  );
  assert.equal(parsePastedUrl('?code=a&state=b', r).searchParams.get('code'), 'a');
  assert.equal(parsePastedUrl('code=a&state=b', r).pathname, '/callback');
  assert.throws(() => parsePastedUrl('   ', r), UsageError);
  assert.throws(() => parsePastedUrl('not a url', r), UsageError);
});
