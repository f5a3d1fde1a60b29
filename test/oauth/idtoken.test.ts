import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, ProtocolError } from '../../src/errors.js';
import { checkIdToken, subjectFromClaims } from '../../src/oauth/idtoken.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A compact JWS with a dummy signature: authctl decodes, it does not verify. */
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const nowS = now / 1000;
const good = {
  iss: 'https://id.example',
  sub: 'user-1',
  aud: 'cli',
  exp: nowS + 600,
  iat: nowS - 5,
  nonce: 'n-1',
};
const expect = { clientId: 'cli', issuer: 'https://id.example', nonce: 'n-1', nowMs: now };

test('a matching ID token returns its claims', () => {
  assert.equal(checkIdToken(jwt(good), expect).sub, 'user-1');
  // aud as an array holding the client id (single audience).
  assert.equal(checkIdToken(jwt({ ...good, aud: ['cli'] }), expect).sub, 'user-1');
  // several audiences with azp naming us.
  assert.equal(checkIdToken(jwt({ ...good, aud: ['cli', 'api'], azp: 'cli' }), expect).sub, 'user-1');
  // exp a little in the past is within the clock skew.
  assert.ok(checkIdToken(jwt({ ...good, exp: nowS - 60 }), expect));
  // unknown issuer (explicit endpoints): only presence is required.
  assert.ok(checkIdToken(jwt({ ...good, iss: 'https://other.example' }), { ...expect, issuer: undefined }));
});

test('ID token claim failures are exit 1 and name the problem', () => {
  const cases: Array<[string, string, Partial<typeof expect>?]> = [
    [jwt({ ...good, nonce: 'n-2' }), 'nonce'],
    [jwt({ ...good, nonce: undefined }), 'nonce'],
    [jwt({ ...good, aud: 'someone-else' }), 'someone-else'],
    [jwt({ ...good, aud: ['a', 'b'] }), 'client'],
    [jwt({ ...good, aud: ['cli', 'api'] }), 'azp'],
    [jwt({ ...good, aud: ['cli', 'api'], azp: 'api' }), 'api'],
    [jwt({ ...good, azp: 'other' }), 'other'],
    [jwt({ ...good, aud: [] }), 'aud'],
    [jwt({ ...good, aud: 42 }), 'aud'],
    [jwt({ ...good, iss: 'https://evil.example' }), 'evil.example'],
    [jwt({ ...good, iss: undefined }), 'iss'],
    [jwt({ ...good, exp: nowS - 121 }), 'expired'],
    [jwt({ ...good, exp: String(nowS + 600) }), 'exp'],
    [jwt({ ...good, exp: undefined }), 'exp'],
    [jwt({ ...good, iat: nowS + 3600 }), 'iat'],
    [jwt({ ...good, sub: '' }), 'sub'],
    ['not-a-jwt', 'JWT'],
    ['a.b', 'JWT'],
  ];
  for (const [token, word, over] of cases) {
    assert.throws(
      () => checkIdToken(token, { ...expect, ...over }),
      (e: unknown) =>
        e instanceof ProtocolError &&
        e.exitCode === ExitCode.failure &&
        e.message.includes(word) &&
        /nothing was saved/.test(e.message),
      `${word}: ${token.slice(0, 60)}`,
    );
  }
});

test('the nonce is only required when one was sent (refresh)', () => {
  assert.ok(checkIdToken(jwt({ ...good, nonce: undefined }), { ...expect, nonce: undefined }));
});

test('a refreshed ID token must keep the subject and issuer (OIDC Core §12.2)', () => {
  const previous = { ...good };
  assert.ok(checkIdToken(jwt({ ...good, nonce: undefined }), { ...expect, nonce: undefined, previous }));
  assert.throws(
    () => checkIdToken(jwt({ ...good, sub: 'user-2' }), { ...expect, nonce: undefined, previous }),
    /different subject/,
  );
});

test('messages never echo the token and keep claim values printable', () => {
  const token = jwt({ ...good, aud: `evil\n<b>${'x'.repeat(500)}` });
  assert.throws(
    () => checkIdToken(token, expect),
    (e: unknown) =>
      e instanceof Error && !e.message.includes(token) && !e.message.includes('\n') && e.message.length < 300,
  );
});

test('subjectFromClaims prefers preferred_username, then email, then sub', () => {
  assert.equal(subjectFromClaims({ sub: 's', email: 'e@x', preferred_username: 'pu' }), 'pu');
  assert.equal(subjectFromClaims({ sub: 's', email: 'e@x' }), 'e@x');
  assert.equal(subjectFromClaims({ sub: 's', preferred_username: ' ' }), 's');
  assert.equal(subjectFromClaims({ sub: 42 }), null);
  assert.equal(subjectFromClaims(undefined), null);
});

test('iss is compared as a plain string (OIDC Core §3.1.3.7): a trailing slash is another issuer', () => {
  assert.throws(
    () => checkIdToken(jwt({ ...good, iss: 'https://id.example/' }), expect),
    /issued by 'https:\/\/id\.example\/', not 'https:\/\/id\.example'/,
  );
});

test("an ID token with alg 'none' is refused (OIDC Core §2), whatever its claims", () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  for (const alg of ['none', 'None', 'NONE']) {
    const t = `${b64({ alg })}.${b64(good)}.`;
    assert.throws(() => checkIdToken(t, expect), /unsigned \(alg 'none'\)/, alg);
  }
  assert.throws(() => checkIdToken(`${b64({ typ: 'JWT' })}.${b64(good)}.`, expect), /unsigned/);
});
