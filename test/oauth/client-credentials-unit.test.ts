/** Table tests for the pure parts of the client-credentials flow and the ActiGraph preset. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildProfile,
  CACHE_MIN_TTL_MS,
  type ClientCredentialsSpec,
  isReusable,
  profileParams,
  sameRequest,
} from '../../src/oauth/grants/client-credentials.js';
import {
  ACTIGRAPH_SCOPES,
  ACTIGRAPH_TOKEN_URL,
  scopeWarnings,
} from '../../src/providers/actigraph/constants.js';
import { loginCommand } from '../../src/providers/index.js';
import { parseProfile } from '../../src/store/profile.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const spec = (over: Partial<ClientCredentialsSpec> = {}): ClientCredentialsSpec => ({
  provider: 'oauth',
  tokenUrl: 'https://id.example.com/token',
  clientId: 'svc',
  authMethod: 'client_secret_basic',
  scopes: ['a', 'b'],
  ...over,
});

const profile = (s: ClientCredentialsSpec, expiresIn: number | undefined) =>
  buildProfile(
    s,
    s.tokenUrl ?? 'https://id.example.com/token',
    { accessToken: 'tok', tokenType: 'Bearer', expiresIn },
    NOW,
  );

test('buildProfile records what renewal needs, absolute expiry, subject = client id, no secret', () => {
  const p = buildProfile(
    spec({ resource: ['urn:api'], audience: 'aud', caFile: '/ca.pem' }),
    'https://id.example.com/token',
    { accessToken: 'tok', tokenType: 'Bearer', expiresIn: 3600 },
    NOW,
  );
  assert.deepEqual(p, {
    provider: 'oauth',
    flow: 'client_credentials',
    token: 'tok',
    tokenType: 'Bearer',
    obtainedAt: '2026-03-01T12:00:00Z',
    expiresAt: '2026-03-01T13:00:00Z',
    subject: 'svc',
    scopes: ['a', 'b'],
    params: {
      tokenUrl: 'https://id.example.com/token',
      clientId: 'svc',
      authMethod: 'client_secret_basic',
      scope: ['a', 'b'],
      resource: ['urn:api'],
      audience: 'aud',
      caFile: '/ca.pem',
    },
  });
  assert.equal(parseProfile(p).ok, true, 'the store accepts it');
});

test('buildProfile prefers the granted scopes and keeps a secret only when given', () => {
  const p = buildProfile(
    spec(),
    'u',
    { accessToken: 't', tokenType: 'Bearer', scope: ['a'], refreshToken: 'r' },
    NOW,
    'sec',
  );
  assert.deepEqual(p.scopes, ['a']);
  assert.equal(p.expiresAt, null);
  assert.equal(p.clientSecret, 'sec');
  assert.equal(p.refreshToken, undefined, 'client credentials renew by asking again, not by refresh');
});

test('profileParams omits absent optional parameters and records the issuer', () => {
  assert.deepEqual(profileParams(spec({ scopes: [], issuer: 'https://id.example.com' }), 'https://t'), {
    tokenUrl: 'https://t',
    clientId: 'svc',
    authMethod: 'client_secret_basic',
    scope: [],
    issuer: 'https://id.example.com',
  });
});

test('sameRequest: same client, endpoint, scopes (any order), resource and audience', () => {
  const base = spec({ resource: ['urn:r'] });
  const p = profile(base, 3600);
  const cases: Array<[Partial<ClientCredentialsSpec>, boolean]> = [
    [{}, true],
    [{ scopes: ['b', 'a'] }, true],
    [{ authMethod: 'client_secret_post' }, true],
    [{ scopes: ['a'] }, false],
    [{ scopes: ['a', 'b', 'c'] }, false],
    [{ clientId: 'other' }, false],
    [{ tokenUrl: 'https://id.example.com/other' }, false],
    [{ resource: undefined }, false],
    [{ resource: ['urn:other'] }, false],
    [{ audience: 'x' }, false],
    [{ provider: 'actigraph' }, false],
    [{ tokenUrl: undefined, issuer: 'https://id.example.com' }, false],
  ];
  for (const [over, want] of cases)
    assert.equal(sameRequest(p, { ...base, ...over }), want, JSON.stringify(over));
});

test('sameRequest with --issuer matches on the issuer (no discovery needed for the cache)', () => {
  const s = spec({ tokenUrl: undefined, issuer: 'https://id.example.com' });
  const p = buildProfile(
    s,
    'https://id.example.com/discovered/token',
    { accessToken: 't', tokenType: 'Bearer' },
    NOW,
  );
  assert.equal(sameRequest(p, s), true);
  assert.equal(sameRequest(p, { ...s, issuer: 'https://other.example.com' }), false);
  assert.equal(sameRequest(p, spec({ tokenUrl: 'https://id.example.com/discovered/token' })), false);
});

test('isReusable needs more than 60 s left and a known expiry', () => {
  const s = spec();
  const p = profile(s, 3600);
  assert.equal(isReusable(p, s, NOW), true);
  assert.equal(isReusable(p, s, NOW + 3600_000 - CACHE_MIN_TTL_MS - 1000), true);
  assert.equal(isReusable(p, s, NOW + 3600_000 - CACHE_MIN_TTL_MS), false);
  assert.equal(isReusable(p, s, NOW + 3600_000 + 1), false);
  assert.equal(isReusable(profile(s, undefined), s, NOW), false, 'unknown expiry is not trusted');
});

test('ActiGraph scopes: the documented four pass; others warn, with a hint for case slips', () => {
  assert.deepEqual(scopeWarnings([...ACTIGRAPH_SCOPES]), []);
  const [w1, w2] = scopeWarnings(['centrepoint', 'Reports']);
  assert.match(
    w1!,
    /'centrepoint' is not one of ActiGraph's documented scopes.*did you mean 'CentrePoint'\?.*sending it anyway/,
  );
  assert.match(w2!, /'Reports' is not one of.*sending it anyway/);
  assert.doesNotMatch(w2!, /did you mean/);
});

test('the exit-4 hint names the command that gets the same token again', () => {
  const ag = buildProfile(
    spec({
      provider: 'actigraph',
      tokenUrl: ACTIGRAPH_TOKEN_URL,
      authMethod: 'client_secret_post',
      scopes: ['CentrePoint', 'Analytics'],
    }),
    ACTIGRAPH_TOKEN_URL,
    { accessToken: 't', tokenType: 'Bearer', scope: ['CentrePoint'] },
    NOW,
  );
  assert.equal(
    loginCommand('actigraph', ag),
    'AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id svc --scope CentrePoint --scope Analytics',
  );
  const local = { ...ag, params: { ...ag.params, tokenUrl: 'http://127.0.0.1:9/connect/token' } };
  assert.match(
    loginCommand('ci', local),
    / --token-url http:\/\/127\.0\.0\.1:9\/connect\/token --profile ci$/,
  );
  const oa = buildProfile(
    spec({
      tokenUrl: undefined,
      issuer: 'https://id.example.com',
      resource: ['urn:api'],
      authMethod: 'client_secret_post',
    }),
    'https://id.example.com/token',
    { accessToken: 't', tokenType: 'Bearer' },
    NOW,
  );
  assert.equal(
    loginCommand('oauth', oa),
    'AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials --issuer https://id.example.com --client-id svc --scope a --scope b --resource urn:api --auth-method client_secret_post',
  );
});
