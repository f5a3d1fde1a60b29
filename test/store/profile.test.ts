/** Profile records: field-by-field validation of what is read back, and the derived header values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationValue, PROVIDERS } from '../../src/providers/index.js';
import { apiEndpointWithToken } from '../../src/providers/pryv/index.js';
import { expiresAtMs, type Profile, parseProfile, TOKEN_RE } from '../../src/store/profile.js';
import { sampleProfile } from '../helpers/cli.js';

test('parseProfile accepts a complete record, optional fields included', () => {
  const ok = [
    sampleProfile(),
    sampleProfile({ expiresAt: '2026-01-01T01:00:00.123Z', subject: null }),
    sampleProfile({ refreshToken: 'r', idToken: 'i', clientSecret: 's', details: { app: { id: 'x' } } }),
    sampleProfile({ params: { a: 'x', b: 1, c: true, d: null, e: ['x', 'y'] } }),
    sampleProfile({ provider: 'pryv', flow: 'pryv-access', tokenType: 'pryv' }),
  ];
  for (const raw of ok) {
    const r = parseProfile(raw);
    assert.ok(r.ok, JSON.stringify(raw));
  }
});

test('parseProfile: a provider the registry does not list is a damaged profile', () => {
  const names = PROVIDERS.map((p) => p.name);
  assert.deepEqual(parseProfile(sampleProfile({ provider: 'github' }), names), {
    ok: false,
    reason: "missing or invalid field 'provider'",
  });
  assert.equal(parseProfile(sampleProfile({ provider: 'actigraph' }), names).ok, true);
});

test('parseProfile names the first bad field', () => {
  const table: Array<[unknown, string]> = [
    [null, 'not an object'],
    [[1], 'not an object'],
    ['x', 'not an object'],
    [sampleProfile({ provider: 'Not A Name' }), "missing or invalid field 'provider'"],
    [sampleProfile({ flow: 'implicit' }), "missing or invalid field 'flow'"],
    [sampleProfile({ token: undefined }), "missing or invalid field 'token'"],
    [sampleProfile({ token: '' }), "missing or invalid field 'token'"],
    [sampleProfile({ token: 'has space' }), "missing or invalid field 'token'"],
    [sampleProfile({ token: 'new\nline' }), "missing or invalid field 'token'"],
    [sampleProfile({ token: 'ünïcode' }), "missing or invalid field 'token'"],
    [sampleProfile({ tokenType: '' }), "missing or invalid field 'tokenType'"],
    [sampleProfile({ obtainedAt: '2026-01-01' }), "missing or invalid field 'obtainedAt'"],
    [sampleProfile({ obtainedAt: '2026-01-01T00:00:00+02:00' }), "missing or invalid field 'obtainedAt'"],
    [sampleProfile({ expiresAt: 1767225600 }), "missing or invalid field 'expiresAt'"],
    [sampleProfile({ expiresAt: undefined }), "missing or invalid field 'expiresAt'"],
    [sampleProfile({ subject: 42 }), "missing or invalid field 'subject'"],
    [sampleProfile({ scopes: 'a b' }), "missing or invalid field 'scopes'"],
    [sampleProfile({ scopes: [1] }), "missing or invalid field 'scopes'"],
    [sampleProfile({ refreshToken: 5 }), "missing or invalid field 'refreshToken'"],
    [sampleProfile({ idToken: {} }), "missing or invalid field 'idToken'"],
    [sampleProfile({ clientSecret: true }), "missing or invalid field 'clientSecret'"],
    [sampleProfile({ params: undefined }), "missing or invalid field 'params'"],
    [sampleProfile({ params: { nested: { x: 1 } } }), "missing or invalid field 'params'"],
    [sampleProfile({ params: { list: [1, 2] } }), "missing or invalid field 'params'"],
    [sampleProfile({ details: [] }), "missing or invalid field 'details'"],
  ];
  for (const [raw, reason] of table) {
    const r = parseProfile(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    if (!r.ok) assert.equal(r.reason, reason, JSON.stringify(raw));
  }
});

test('TOKEN_RE: visible ASCII only', () => {
  for (const t of ['abc', 'a.b-c_d~e+f/g=', '!"#$%&\'()*+,-./~', 'x'.repeat(5000)])
    assert.ok(TOKEN_RE.test(t), t);
  for (const t of ['', 'a b', 'a\tb', 'a\nb', 'é', 'a\u0000', '\u2018x\u2019', 'a\x7f'])
    assert.ok(!TOKEN_RE.test(t), t);
});

test('authorizationValue: Bearer normalised, other types kept, Pryv raw', () => {
  const p = (over: Record<string, unknown>) => sampleProfile(over) as unknown as Profile;
  assert.equal(authorizationValue(p({ token: 't1', tokenType: 'bearer' })), 'Bearer t1');
  assert.equal(authorizationValue(p({ token: 't1', tokenType: 'BEARER' })), 'Bearer t1');
  assert.equal(authorizationValue(p({ token: 't1', tokenType: 'DPoP' })), 'DPoP t1');
  assert.equal(authorizationValue(p({ token: 't1', tokenType: 'pryv', provider: 'pryv' })), 't1');
  assert.equal(authorizationValue(p({ token: 't1', tokenType: 'Bearer', provider: 'pryv' })), 't1');
});

test("apiEndpointWithToken: Pryv's own form, token as user info", () => {
  const p = (apiEndpoint: unknown) =>
    sampleProfile({
      provider: 'pryv',
      flow: 'pryv-access',
      token: 'ck1',
      params: { apiEndpoint },
    }) as unknown as Profile;
  assert.equal(apiEndpointWithToken(p('https://bob.pryv.me/')), 'https://ck1@bob.pryv.me/');
  assert.equal(apiEndpointWithToken(p('http://127.0.0.1:3000/bob/')), 'http://ck1@127.0.0.1:3000/bob/');
  assert.equal(apiEndpointWithToken(p(undefined)), null);
  assert.equal(apiEndpointWithToken(p('bob.pryv.me')), null);
});

test('expiresAtMs', () => {
  const p = (expiresAt: unknown) => sampleProfile({ expiresAt }) as unknown as Profile;
  assert.equal(expiresAtMs(p(null)), null);
  assert.equal(expiresAtMs(p('2026-01-01T00:00:00Z')), Date.UTC(2026, 0, 1));
});
