import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, UsageError } from '../../../src/errors.js';
import type { TokenSet } from '../../../src/oauth/protocol.js';
import {
  authorizeRequestUrl,
  DEFAULT_LIFETIME_S,
  DEFAULT_REDIRECT_URI,
  domainApiUrl,
  idTokenClaims,
  livePersonExpiry,
  livePersonProfile,
  normaliseSentinelBase,
  parseDomainResponse,
  sentinelEndpoints,
  validateAccount,
} from '../../../src/providers/liveperson/protocol.js';
import { parseProfile } from '../../../src/store/profile.js';
import { sentinelIdToken } from '../../fakes/sentinel.js';

const where = 'https://api.liveperson.net/api/account/123/service/sentinel/baseURI.json?version=***';

test('validateAccount accepts letters and digits and rejects anything that could bend a URL path', () => {
  for (const ok of ['12345678', 'le12345678', 'A1']) assert.equal(validateAccount(ok), ok);
  for (const bad of ['', '12/34', '../x', '12 34', '12?x=1', 'é1', 'a'.repeat(65), undefined]) {
    assert.throws(() => validateAccount(bad), UsageError, String(bad));
  }
});

test('domainApiUrl builds the documented lookup with version=1.0', () => {
  assert.equal(
    domainApiUrl('https://api.liveperson.net/', '12345678'),
    'https://api.liveperson.net/api/account/12345678/service/sentinel/baseURI.json?version=1.0',
  );
  assert.equal(
    domainApiUrl('http://127.0.0.1:9/prefix', 'abc'),
    'http://127.0.0.1:9/prefix/api/account/abc/service/sentinel/baseURI.json?version=1.0',
  );
});

test('parseDomainResponse reads the single-service shape (top-level baseURI)', () => {
  assert.equal(
    parseDomainResponse(
      { service: 'sentinel', account: '123', baseURI: 'va.sentinel.liveperson.net' },
      where,
    ),
    'va.sentinel.liveperson.net',
  );
  // No `service` member at all is fine too; a trailing slash is dropped.
  assert.equal(
    parseDomainResponse({ baseURI: 'va.sentinel.liveperson.net/' }, where),
    'va.sentinel.liveperson.net',
  );
  assert.equal(parseDomainResponse({ baseURI: '127.0.0.1:8080' }, where), '127.0.0.1:8080');
});

test('parseDomainResponse finds the case-sensitive sentinel entry in baseURIs[]', () => {
  const body = {
    baseURIs: [
      { service: 'agentVep', account: '123', baseURI: 'va.agentvep.liveperson.net' },
      { service: 'Sentinel', account: '123', baseURI: 'wrong.example' },
      { service: 'sentinel', account: '123', baseURI: 'lo.sentinel.liveperson.net' },
    ],
  };
  assert.equal(parseDomainResponse(body, where), 'lo.sentinel.liveperson.net');
});

test('parseDomainResponse rejects wrong answers naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /JSON object/],
    ['va.sentinel', /JSON object/],
    [{}, /neither 'baseURI' nor 'baseURIs'/],
    [{ baseURIs: [{ service: 'agentVep', baseURI: 'x' }] }, /no 'sentinel' service/],
    [{ baseURIs: [{ service: 'sentinel' }] }, /baseURIs\[service='sentinel'\]\.baseURI' is missing/],
    [{ baseURI: 42 }, /'baseURI' is missing or not a string/],
    [{ baseURI: '' }, /'baseURI' is missing/],
    [{ service: 'agentVep', baseURI: 'x.example' }, /service 'agentVep' instead of 'sentinel'/],
    [{ baseURI: 'https://x.example/path' }, /not a host name/],
    [{ baseURI: 'x.example/evil' }, /not a host name/],
    [{ baseURI: 'user@x.example' }, /not a host name/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => parseDomainResponse(body, where),
      (e: unknown) =>
        e instanceof ProtocolError && re.test(e.message) && e.message.includes('api.liveperson.net'),
      JSON.stringify(body),
    );
  }
});

test('normaliseSentinelBase drops trailing slashes and a /sentinel suffix, refuses query and credentials', () => {
  assert.equal(
    normaliseSentinelBase(new URL('https://va.sentinel.liveperson.net/')),
    'https://va.sentinel.liveperson.net',
  );
  assert.equal(normaliseSentinelBase(new URL('https://h.example/sentinel/')), 'https://h.example');
  assert.equal(normaliseSentinelBase(new URL('http://127.0.0.1:9/proxy')), 'http://127.0.0.1:9/proxy');
  assert.equal(normaliseSentinelBase(new URL('https://h.example/?a=1')), null);
  assert.equal(normaliseSentinelBase(new URL('https://u:p@h.example/')), null);
});

test('sentinelEndpoints carries v=1.0 / v=2.0 / v=1.0 and the /sentinel/api prefix', () => {
  const e = sentinelEndpoints('https://va.sentinel.liveperson.net', '12345678');
  const root = 'https://va.sentinel.liveperson.net/sentinel/api/account/12345678';
  assert.deepEqual(e, {
    authorizeUrl: `${root}/authorize?v=1.0`,
    tokenUrl: `${root}/token?v=2.0`,
    revokeUrl: `${root}/token/revoke?v=1.0`,
  });
});

test('authorizeRequestUrl: v=1.0, response_type=code, client_id, redirect_uri, state; no PKCE, no scope', () => {
  const e = sentinelEndpoints('https://va.sentinel.liveperson.net', '12345678');
  const u = new URL(authorizeRequestUrl(e, 'app 1', DEFAULT_REDIRECT_URI, 's&t'));
  assert.equal(u.pathname, '/sentinel/api/account/12345678/authorize');
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    v: '1.0',
    response_type: 'code',
    client_id: 'app 1',
    redirect_uri: 'http://localhost:8976/callback',
    state: 's&t',
  });
});

test('expiry: expires_in when sent, else the 30 minutes LivePerson recommends', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(DEFAULT_LIFETIME_S, 1800);
  assert.equal(livePersonExpiry(undefined, now), '2026-01-01T00:30:00Z');
  assert.equal(livePersonExpiry(3600, now), '2026-01-01T01:00:00Z');
  assert.equal(livePersonExpiry(0, now), '2026-01-01T00:00:00Z');
});

test('idTokenClaims decodes the documented claims and drops mistyped ones', () => {
  const t = sentinelIdToken({
    sub: 'user-7',
    aud: 'app-1',
    iss: 'Sentinel',
    iat: 1,
    exp: 2,
    is_admin: true,
    is_lpa: 'false',
    extra: 'ignored',
  });
  assert.deepEqual(idTokenClaims(t, 'x'), {
    sub: 'user-7',
    aud: 'app-1',
    iss: 'Sentinel',
    iat: 1,
    exp: 2,
    is_admin: true,
    is_lpa: false,
  });
  assert.deepEqual(idTokenClaims(sentinelIdToken({ sub: 99, aud: 7, exp: 'soon', is_admin: 'yes' }), 'x'), {
    sub: '99',
  });
  assert.throws(
    () => idTokenClaims('not-a-jwt', 'the token endpoint'),
    /the token endpoint: 'id_token' is not a JWT/,
  );
});

const login = {
  account: '12345678',
  domain: 'https://va.sentinel.liveperson.net',
  endpoints: sentinelEndpoints('https://va.sentinel.liveperson.net', '12345678'),
  clientId: 'app-install-1',
  redirectUri: DEFAULT_REDIRECT_URI,
};

test('livePersonProfile maps tokens, id_token claims and renewal params; no secret unless asked', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const idToken = sentinelIdToken({
    sub: 'user-42',
    aud: 'app-x',
    iss: 'Sentinel',
    exp: 1767229200,
    is_admin: false,
    is_lpa: true,
  });
  const tokens: TokenSet = { accessToken: 'at-1', tokenType: 'Bearer', refreshToken: 'rt-1', idToken };
  const p = livePersonProfile(tokens, login, now, 'token endpoint');
  assert.equal(p.provider, 'liveperson');
  assert.equal(p.flow, 'authorization_code');
  assert.equal(p.token, 'at-1');
  assert.equal(p.refreshToken, 'rt-1');
  assert.equal(p.idToken, idToken);
  assert.equal(p.subject, 'user-42');
  assert.equal(p.obtainedAt, '2026-01-01T00:00:00Z');
  assert.equal(p.expiresAt, '2026-01-01T00:30:00Z');
  assert.deepEqual(p.scopes, []);
  assert.equal(p.clientSecret, undefined);
  assert.deepEqual(p.params, {
    account: '12345678',
    domain: 'https://va.sentinel.liveperson.net',
    authorizeUrl: 'https://va.sentinel.liveperson.net/sentinel/api/account/12345678/authorize?v=1.0',
    tokenUrl: 'https://va.sentinel.liveperson.net/sentinel/api/account/12345678/token?v=2.0',
    revokeUrl: 'https://va.sentinel.liveperson.net/sentinel/api/account/12345678/token/revoke?v=1.0',
    clientId: 'app-install-1',
    authMethod: 'client_secret_post',
    confidential: true,
    redirectUri: 'http://localhost:8976/callback',
    defaultExpiresIn: 1800,
  });
  assert.deepEqual(p.details, {
    expiresInFromServer: false,
    userId: 'user-42',
    appId: 'app-x',
    issuer: 'Sentinel',
    isAdmin: false,
    isLpa: true,
    idTokenExpiresAt: '2026-01-01T01:00:00Z',
  });
  // What the store would read back is valid.
  assert.equal(parseProfile(JSON.parse(JSON.stringify(p))).ok, true);
});

test('livePersonProfile honours expires_in, keeps the secret only when given, tolerates no id_token', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const p = livePersonProfile(
    { accessToken: 'at', tokenType: 'Bearer', expiresIn: 600 },
    { ...login, clientSecret: 's3cret' },
    now,
    'x',
  );
  assert.equal(p.expiresAt, '2026-01-01T00:10:00Z');
  assert.equal(p.subject, null);
  assert.equal(p.clientSecret, 's3cret');
  assert.equal(p.refreshToken, undefined);
  assert.deepEqual(p.details, { expiresInFromServer: true });
});
