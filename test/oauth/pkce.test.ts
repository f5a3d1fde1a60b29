import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  challengeS256,
  createAuthorizationSecrets,
  createNonce,
  createState,
  createVerifier,
  VERIFIER_RE,
} from '../../src/oauth/pkce.js';

test('S256 challenge matches the RFC 7636 Appendix B example', () => {
  assert.equal(
    challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  );
});

test('a verifier is 43–128 unreserved characters drawn from the injected random source', () => {
  const cases: Array<[number, number]> = [
    [32, 43],
    [48, 64],
    [96, 128],
  ];
  for (const [bytes, len] of cases) {
    const v = createVerifier(randomBytes, bytes);
    assert.equal(v.length, len, `${bytes} bytes`);
    assert.match(v, VERIFIER_RE);
  }
  // Too little or too much entropy cannot make a valid verifier (RFC 7636 §4.1).
  assert.throws(() => createVerifier(randomBytes, 31), RangeError);
  assert.throws(() => createVerifier(randomBytes, 97), RangeError);
  // The bytes come from ctx.random: a fixed source gives a fixed verifier.
  const fixed = (n: number) => Buffer.alloc(n, 0xab);
  assert.equal(createVerifier(fixed), createVerifier(fixed));
  assert.equal(createVerifier(fixed), Buffer.alloc(32, 0xab).toString('base64url'));
});

test('challengeS256 refuses a verifier outside the RFC alphabet or length', () => {
  for (const bad of ['short', 'a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(43)}+`, `${'a'.repeat(43)}/`]) {
    assert.throws(() => challengeS256(bad), RangeError, bad);
  }
  assert.equal(challengeS256('a'.repeat(128)).length, 43);
});

test('state and nonce carry 256 bits and differ every time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const s = createState(randomBytes);
    const n = createNonce(randomBytes);
    assert.ok(Buffer.from(s, 'base64url').length * 8 >= 128, 'state ≥ 128 bits');
    assert.equal(Buffer.from(s, 'base64url').length, 32);
    assert.match(s, /^[A-Za-z0-9_-]{43}$/);
    assert.match(n, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!seen.has(s) && !seen.has(n));
    seen.add(s);
    seen.add(n);
  }
});

test('createAuthorizationSecrets draws only what is asked for', () => {
  const all = createAuthorizationSecrets(randomBytes, { pkce: true, nonce: true });
  assert.ok(all.verifier && all.challenge && all.nonce && all.state);
  assert.equal(all.challenge, challengeS256(all.verifier));
  const none = createAuthorizationSecrets(randomBytes, { pkce: false, nonce: false });
  assert.deepEqual(Object.keys(none), ['state']);
});
