/** JWT decoding for display (RFC 7519 §7.2 steps without signature checks; src/protocol/jwt.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt, looksLikeJwt } from '../../src/lib/jwt.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const jwt = (header: unknown, payload: unknown, sig = 'c2ln') => `${b64(header)}.${b64(payload)}.${sig}`;

test('a valid JWT decodes to its header and claims', () => {
  const t = jwt({ alg: 'RS256', kid: 'k1' }, { sub: 'user-1', exp: 1767225600, scope: 'a b', name: 'Zoë' });
  assert.ok(looksLikeJwt(t));
  assert.deepEqual(decodeJwt(t), {
    header: { alg: 'RS256', kid: 'k1' },
    payload: { sub: 'user-1', exp: 1767225600, scope: 'a b', name: 'Zoë' },
  });
});

test('an unsecured JWT (empty signature) still decodes', () => {
  const t = jwt({ alg: 'none' }, { sub: 'x' }, '');
  assert.ok(looksLikeJwt(t));
  assert.deepEqual(decodeJwt(t)?.payload, { sub: 'x' });
});

test('anything else is not a JWT: null, never an exception', () => {
  const cases = [
    '',
    'opaque-token',
    'ckr4z8k3l0001abcd', // Pryv-style token
    'a.b', // two parts
    `${b64({ alg: 'x' })}.${b64({ sub: 1 })}`, // two parts of valid JSON
    'a.b.c.d.e', // JWE has five parts; not decoded
    `.${b64({ sub: 1 })}.sig`, // empty header
    `${b64({ alg: 'x' })}..sig`, // empty payload
    `${b64('not json')}.${b64({ sub: 1 })}.sig`,
    `${b64({ alg: 'x' })}.${b64('not json')}.sig`,
    `${b64({ alg: 'x' })}.${b64([1, 2])}.sig`, // JSON, but not an object
    `${b64({ alg: 'x' })}.${b64('null')}.sig`,
    `${b64('"str"')}.${b64({ sub: 1 })}.sig`,
    '!!!.@@@.###',
    'eyJ.eyJ.x',
  ];
  for (const c of cases) assert.equal(decodeJwt(c), null, c);
  assert.equal(looksLikeJwt('a.b'), false);
  assert.equal(looksLikeJwt('a b.c.d'), false);
  assert.equal(looksLikeJwt('a.b.c.d'), false);
});
