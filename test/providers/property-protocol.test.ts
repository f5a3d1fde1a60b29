/**
 * Property tests (fast-check) on the OAuth / OpenID Connect parsers in src/protocol/: random and
 * mutated server answers give a valid result or a coded error (AuthctlError), never another
 * exception; a valid result never carries a token that fails TOKEN_RE, and turns into a profile the
 * store accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FailureError } from '../../src/errors.js';
import { checkUrl } from '../../src/http/url.js';
import { decodeJwt } from '../../src/lib/jwt.js';
import { parseCallback, parsePastedUrl, parseRedirectUri } from '../../src/oauth/authorize.js';
import { validateMetadata } from '../../src/oauth/discovery.js';
import { buildProfile, type ClientCredentialsSpec } from '../../src/oauth/grants/client-credentials.js';
import { checkIdToken, subjectFromClaims } from '../../src/oauth/idtoken.js';
import { expiryIso, oauthError, processTokenResponse, serverText } from '../../src/oauth/protocol.js';
import { parseProfile, TOKEN_RE } from '../../src/store/profile.js';
import {
  answer,
  assertToken,
  codedOrValid,
  hostileString,
  hostileValue,
  mutated,
  RUNS,
  rawAnswer,
} from '../reliability/arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const tokenBody = {
  access_token: 'eyJhbGciOi.eyJzdWIiOi.sig-nature',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'rt-0123456789',
  id_token: 'aGVhZA.cGF5bG9hZA.c2ln',
  scope: 'api:read api:write',
};

const spec: ClientCredentialsSpec = {
  provider: 'oauth',
  tokenUrl: 'https://as.example/token',
  clientId: 'client-1',
  authMethod: 'client_secret_basic',
  scopes: ['api:read'],
};

test('processTokenResponse: a valid result, or a coded error; valid results make a storable profile', () => {
  fc.assert(
    fc.property(rawAnswer(answer(tokenBody)), (res) => {
      codedOrValid(
        () => processTokenResponse(res, 'token endpoint as.example'),
        (set) => {
          assertToken(set.accessToken, 'access_token');
          assertToken(set.refreshToken, 'refresh_token');
          assertToken(set.idToken, 'id_token');
          // The type goes into an Authorization header (`token header`, exec): no CR/LF or spaces.
          assert.match(set.tokenType, TOKEN_RE, `token_type ${JSON.stringify(set.tokenType)}`);
          if (set.expiresIn !== undefined)
            assert.ok(Number.isSafeInteger(set.expiresIn) && set.expiresIn >= 0);
          for (const s of set.scope ?? []) assert.match(s, /^[\x21-\x7e]+$/, `scope ${JSON.stringify(s)}`);
          // What the flows do next must not crash either: expiry and the profile the store re-reads.
          const iso = expiryIso(set.expiresIn, NOW);
          if (iso !== null) assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          const profile = buildProfile(spec, spec.tokenUrl!, set, NOW);
          const back = parseProfile(JSON.parse(JSON.stringify(profile)));
          assert.ok(back.ok, `the store would reject ${JSON.stringify(profile)}`);
        },
      );
    }),
    { numRuns: RUNS * 2 },
  );
});

test('oauthError and serverText: coded, one printable line, bounded', () => {
  fc.assert(
    fc.property(hostileString, fc.option(hostileString, { nil: undefined }), (code, desc) => {
      const e = oauthError(code, desc, 'token endpoint x');
      assert.ok(e instanceof FailureError || e.exitCode === 3);
      assert.doesNotMatch(e.message, /[\x00-\x1f\x7f]/);
      const t = serverText(`${code}${desc ?? ''}`);
      assert.ok(t.length <= 201);
      assert.doesNotMatch(t, /[\x00-\x1f\x7f]/);
    }),
    { numRuns: RUNS },
  );
});

const issuer = 'https://as.example';
const metaBody = {
  issuer,
  token_endpoint: `${issuer}/token`,
  authorization_endpoint: `${issuer}/authorize`,
  revocation_endpoint: `${issuer}/revoke`,
  introspection_endpoint: `${issuer}/introspect`,
  code_challenge_methods_supported: ['S256'],
  token_endpoint_auth_methods_supported: ['client_secret_basic'],
};

test('validateMetadata: valid metadata names the issuer asked for; endpoints then pass or fail checkUrl with a coded error', () => {
  fc.assert(
    fc.property(answer(metaBody), (doc) => {
      codedOrValid(
        () => validateMetadata(doc, issuer, `${issuer}/.well-known/openid-configuration`),
        (m) => {
          assert.equal(m.issuer.replace(/\/$/, ''), issuer);
          assert.equal(typeof m.tokenEndpoint, 'string');
          for (const u of [m.tokenEndpoint, m.authorizationEndpoint, m.revocationEndpoint]) {
            if (u !== undefined)
              codedOrValid(() => checkUrl(u, { insecure: false, source: 'server', label: 'token_endpoint' }));
          }
        },
      );
    }),
    { numRuns: RUNS },
  );
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const claims = {
  iss: issuer,
  aud: 'client-1',
  azp: 'client-1',
  sub: 'user-1',
  exp: NOW / 1000 + 600,
  iat: NOW / 1000,
  nonce: 'n-0S6_WzA2Mj',
};

test('checkIdToken: random and mutated ID tokens are accepted only when aud, nonce, iss and exp hold', () => {
  const idToken = fc.oneof(
    { weight: 4, arbitrary: mutated(claims).map((c) => `${b64({ alg: 'RS256' })}.${b64(c)}.sig`) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: hostileValue.map((p) => `${b64({ alg: 'none' })}.${b64(p ?? null)}.`) },
  );
  fc.assert(
    fc.property(idToken, fc.boolean(), (t, withPrevious) => {
      codedOrValid(
        () =>
          checkIdToken(t, {
            clientId: 'client-1',
            issuer,
            nonce: claims.nonce,
            nowMs: NOW,
            previous: withPrevious ? { sub: 'user-1', iss: issuer } : undefined,
          }),
        (c) => {
          const aud = typeof c.aud === 'string' ? [c.aud] : (c.aud as string[]);
          assert.ok(aud.includes('client-1'), 'aud holds the client id');
          assert.equal(c.nonce, claims.nonce, 'the nonce of this login');
          assert.equal(String(c.iss).replace(/\/$/, ''), issuer);
          assert.ok(typeof c.exp === 'number' && c.exp + 120 > NOW / 1000);
          const s = subjectFromClaims(c);
          assert.ok(s === null || !/[\x00-\x1f\x7f]/.test(s));
        },
      );
    }),
    { numRuns: RUNS * 2 },
  );
});

test('decodeJwt never throws, whatever the input', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        hostileString,
        fc.tuple(hostileString, hostileString, hostileString).map((p) => p.join('.')),
      ),
      (t) => {
        const r = decodeJwt(t);
        assert.ok(r === null || (typeof r.payload === 'object' && typeof r.header === 'object'));
      },
    ),
    { numRuns: RUNS },
  );
});

const STATE = 'c3RhdGUtb2YtdGhpcy1sb2dpbi0yNTYtYml0cw';

test('parseCallback: a code comes back only with the exact state; a wrong or missing state is exit 1 whatever else the callback says', () => {
  const param = fc.tuple(
    fc.oneof(
      fc.constantFrom('state', 'code', 'error', 'error_description', 'iss'),
      fc.string({ maxLength: 6 }),
    ),
    fc.oneof(
      fc.constantFrom(
        STATE,
        `${STATE}x`,
        STATE.slice(1),
        'access_denied',
        'abc123',
        issuer,
        'https://evil.example',
      ),
      hostileString,
    ),
  );
  fc.assert(
    fc.property(fc.array(param, { maxLength: 6 }), fc.boolean(), (pairs, withIssuer) => {
      const u = new URL('http://127.0.0.1:4321/callback');
      for (const [k, v] of pairs) u.searchParams.append(k, v);
      const states = u.searchParams.getAll('state');
      let result: { code: string } | undefined;
      let error: unknown;
      try {
        result = parseCallback(u, {
          state: STATE,
          issuer: withIssuer ? issuer : undefined,
          providerLabel: 'AS',
        });
      } catch (e) {
        error = e;
      }
      codedOrValid(() => {
        if (error) throw error;
        return result!;
      });
      if (states.length !== 1 || states[0] !== STATE) {
        assert.ok(error instanceof FailureError && (error as FailureError).exitCode === 1, 'refused, exit 1');
      } else if (result) {
        assert.equal(u.searchParams.getAll('code').length, 1);
        assert.equal(result.code, u.searchParams.get('code'));
        assert.notEqual(result.code, '');
        assert.equal(u.searchParams.has('error'), false, 'an error callback never yields a code');
      }
    }),
    { numRuns: RUNS * 2 },
  );
});

test('parsePastedUrl and parseRedirectUri: a URL / a listenable loopback target, or a usage error', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        hostileString,
        fc.webUrl(),
        fc.constantFrom('?code=a&state=b', 'code=x', "'http://127.0.0.1:1/cb?x=1'"),
      ),
      fc.boolean(),
      (raw, manual) => {
        codedOrValid(
          () => parsePastedUrl(raw, 'http://127.0.0.1:8976/callback'),
          (u) => assert.ok(u instanceof URL),
          false,
        );
        codedOrValid(
          () => parseRedirectUri(raw, { manual }),
          (t) => {
            if (t.listenable) {
              assert.equal(new URL(t.raw).protocol, 'http:');
              assert.ok(
                ['127.0.0.1', 'localhost', '::1'].some(
                  (h) =>
                    t.hostname === h || t.hostname.startsWith('127.') || t.hostname.endsWith('.localhost'),
                ),
              );
            } else {
              assert.ok(manual, 'only --manual takes a non-loopback redirect');
              assert.equal(new URL(t.raw).protocol, 'https:');
            }
            assert.ok(Number.isInteger(t.port) && t.port >= 0 && t.port <= 65535);
          },
          false,
        );
      },
    ),
    { numRuns: RUNS },
  );
});
