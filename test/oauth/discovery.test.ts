/** Table tests for authorization-server metadata (OIDC Discovery 1.0, RFC 8414): URLs and validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../src/errors.js';
import { discoveryUrls, sameIssuer, validateMetadata } from '../../src/oauth/discovery.js';

test('discoveryUrls: OIDC appends the well-known path; RFC 8414 inserts it before the issuer path', () => {
  assert.deepEqual(discoveryUrls('https://id.example.com'), [
    'https://id.example.com/.well-known/openid-configuration',
    'https://id.example.com/.well-known/oauth-authorization-server',
  ]);
  assert.deepEqual(discoveryUrls('https://id.example.com/tenant/1/'), [
    'https://id.example.com/tenant/1/.well-known/openid-configuration',
    'https://id.example.com/.well-known/oauth-authorization-server/tenant/1',
  ]);
});

test('sameIssuer tolerates one trailing slash and nothing else', () => {
  assert.equal(sameIssuer('https://a.example', 'https://a.example/'), true);
  assert.equal(sameIssuer('https://a.example/x', 'https://a.example/x'), true);
  assert.equal(sameIssuer('https://a.example', 'https://b.example'), false);
  assert.equal(sameIssuer('https://a.example', 'http://a.example'), false);
});

const doc = (over: Record<string, unknown> = {}) => ({
  issuer: 'https://id.example.com',
  token_endpoint: 'https://id.example.com/token',
  authorization_endpoint: 'https://id.example.com/auth',
  introspection_endpoint: 'https://id.example.com/introspect',
  revocation_endpoint: 'https://id.example.com/revoke',
  code_challenge_methods_supported: ['S256'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  ...over,
});

test('validateMetadata reads the endpoints authctl uses', () => {
  const m = validateMetadata(doc(), 'https://id.example.com/', 'u');
  assert.deepEqual(m, {
    issuer: 'https://id.example.com',
    tokenEndpoint: 'https://id.example.com/token',
    authorizationEndpoint: 'https://id.example.com/auth',
    revocationEndpoint: 'https://id.example.com/revoke',
    introspectionEndpoint: 'https://id.example.com/introspect',
    codeChallengeMethods: ['S256'],
    tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post'],
  });
});

test('validateMetadata refuses a different issuer (look-alike server) and malformed fields', () => {
  const cases: Array<[unknown, RegExp]> = [
    [doc({ issuer: 'https://evil.example' }), /names issuer 'https:\/\/evil.example'.*refusing/],
    [doc({ issuer: undefined }), /has no 'issuer'/],
    [doc({ token_endpoint: undefined }), /has no 'token_endpoint'/],
    [doc({ token_endpoint: 7 }), /'token_endpoint' is not a string/],
    [doc({ code_challenge_methods_supported: 'S256' }), /not a list of strings/],
    ['<html>', /is not a JSON object/],
    [null, /is not a JSON object/],
  ];
  for (const [d, re] of cases) {
    assert.throws(
      () => validateMetadata(d, 'https://id.example.com', 'https://id.example.com/.well-known/x'),
      (e: unknown) => e instanceof ProtocolError && re.test(e.message),
      JSON.stringify(d),
    );
  }
});
