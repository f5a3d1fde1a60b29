/** Table tests for the pure token-endpoint protocol (src/oauth/protocol.ts): RFC 6749 §2.3.1, §5.1, §5.2. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureError, NetworkError, ProtocolError, RefusedError } from '../../src/errors.js';
import { noClientAuth } from '../../src/oauth/client-auth/none.js';
import { secretBasic } from '../../src/oauth/client-auth/secret-basic.js';
import { secretPost } from '../../src/oauth/client-auth/secret-post.js';
import {
  expiryIso,
  formEncode,
  oauthError,
  parseExpiresIn,
  processTokenResponse,
  type RawResponse,
  serverText,
} from '../../src/oauth/protocol.js';

const res = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json, headers };
};

test('formEncode follows application/x-www-form-urlencoded (space is +, reserved characters escaped)', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['a b', 'a+b'],
    ['a:b', 'a%3Ab'],
    ['s3cr/t+=%', 's3cr%2Ft%2B%3D%25'],
    ['é', '%C3%A9'],
  ];
  for (const [input, want] of cases) assert.equal(formEncode(input), want, input);
});

test('client_secret_basic form-encodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
  const a = secretBasic({ clientId: 'my client', secret: 'p:ss+/=', authMethod: 'client_secret_basic' });
  assert.deepEqual(a.form, []);
  const decoded = Buffer.from(a.headers.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
  assert.equal(decoded, 'my+client:p%3Ass%2B%2F%3D');
});

test('client_secret_post puts id and secret in the body, never a header', () => {
  const a = secretPost({ clientId: 'cid', secret: 'sec', authMethod: 'client_secret_post' });
  assert.deepEqual(a, {
    headers: {},
    form: [
      ['client_id', 'cid'],
      ['client_secret', 'sec'],
    ],
  });
});

test('no secret (public client) sends only client_id', () => {
  const c = { clientId: 'cid', authMethod: 'none' } as const;
  for (const a of [noClientAuth(c), secretBasic(c), secretPost(c)]) {
    assert.deepEqual(a, { headers: {}, form: [['client_id', 'cid']] });
  }
});

test('parseExpiresIn accepts numbers and numeric strings, rejects the rest', () => {
  const cases: Array<[unknown, number | undefined | 'invalid']> = [
    [3600, 3600],
    ['3600', 3600],
    [' 60 ', 60],
    [59.9, 59],
    [0, 0],
    [undefined, undefined],
    [null, undefined],
    [-1, 'invalid'],
    ['1h', 'invalid'],
    ['', 'invalid'],
    [true, 'invalid'],
    [Number.POSITIVE_INFINITY, 'invalid'],
  ];
  for (const [v, want] of cases) assert.equal(parseExpiresIn(v), want, String(v));
});

test('processTokenResponse reads an RFC 6749 §5.1 answer, normalising bearer and a string expires_in', () => {
  const set = processTokenResponse(
    res(200, { access_token: 'abc.def', token_type: 'bearer', expires_in: '3600', scope: 'a  b' }),
    'token endpoint x',
  );
  assert.deepEqual(set, { accessToken: 'abc.def', tokenType: 'Bearer', expiresIn: 3600, scope: ['a', 'b'] });
});

test('processTokenResponse keeps optional tokens and leaves out absent fields', () => {
  const set = processTokenResponse(
    res(200, { access_token: 'x', token_type: 'DPoP', refresh_token: 'r', id_token: 'i.d.t' }),
    'w',
  );
  assert.deepEqual(set, { accessToken: 'x', tokenType: 'DPoP', refreshToken: 'r', idToken: 'i.d.t' });
});

test('processTokenResponse rejects malformed success bodies naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ token_type: 'Bearer' }, /'access_token' is missing/],
    [{ access_token: '', token_type: 'Bearer' }, /'access_token' is missing/],
    [{ access_token: 'has space', token_type: 'Bearer' }, /'access_token' contains characters/],
    [{ access_token: 'x' }, /'token_type' is missing/],
    [{ access_token: 'x', token_type: 'Bearer', expires_in: 'soon' }, /'expires_in' is not a number/],
    [{ access_token: 'x', token_type: 'Bearer', scope: ['a'] }, /'scope' is not a string/],
    [{ access_token: 'x', token_type: 'Bearer', refresh_token: 5 }, /'refresh_token' is not a valid/],
    [[1, 2], /not a JSON object/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => processTokenResponse(res(200, body), 'token endpoint h'),
      (e: unknown) =>
        e instanceof ProtocolError && re.test(e.message) && e.message.includes('token endpoint h'),
      JSON.stringify(body),
    );
  }
  assert.throws(() => processTokenResponse(res(200, 'OK'), 'w'), /not a JSON object: OK/);
});

test('OAuth errors map to exit codes whatever the HTTP status (IdentityServer answers 400)', () => {
  const cases: Array<[string, number, number]> = [
    ['invalid_client', 400, 3],
    ['invalid_client', 401, 3],
    ['unauthorized_client', 400, 3],
    ['invalid_grant', 400, 3],
    ['access_denied', 400, 3],
    ['invalid_scope', 400, 1],
    ['invalid_request', 400, 1],
    ['unsupported_grant_type', 400, 1],
    ['invalid_target', 400, 1],
    ['invalid_client', 200, 3],
  ];
  for (const [error, status, code] of cases) {
    assert.throws(
      () => processTokenResponse(res(status, { error, error_description: 'server says why' }), 'ep'),
      (e: unknown) =>
        e instanceof FailureError || e instanceof RefusedError
          ? (e as { exitCode: number }).exitCode === code && (e as Error).message.includes('server says why')
          : false,
      `${error}/${status}`,
    );
  }
});

test('invalid_scope says the scope is not enabled; invalid_client says bad credentials', () => {
  assert.match(oauthError('invalid_scope', undefined, 'ep').message, /scope not enabled for your client/);
  const e = oauthError('invalid_client', undefined, 'ep');
  assert.match(e.message, /rejected the client credentials/);
  assert.match(e.hint ?? '', /AUTHCTL_CLIENT_SECRET/);
});

test('non-JSON error bodies are reported readably, by status', () => {
  const html =
    '<html><head><title>502 Bad Gateway</title><style>x{}</style></head><body><h1>502 Bad Gateway</h1></body></html>';
  const cases: Array<[RawResponse, new (...a: never[]) => Error, RegExp]> = [
    [res(400, 'Bad Request: nope\n'), ProtocolError, /answered HTTP 400: Bad Request: nope$/],
    [res(502, html), NetworkError, /failed \(HTTP 502: 502 Bad Gateway 502 Bad Gateway\)/],
    [res(401, 'Unauthorised'), RefusedError, /refused the request \(HTTP 401: Unauthorised\)/],
    [res(429, ''), NetworkError, /rate limiting requests \(HTTP 429\)/],
    [res(404, ''), ProtocolError, /answered HTTP 404$/],
  ];
  for (const [r, cls, re] of cases) {
    assert.throws(
      () => processTokenResponse(r, 'token endpoint h'),
      (e: unknown) => e instanceof cls && re.test((e as Error).message),
      r.text,
    );
  }
});

test('serverText strips markup and control characters and bounds the length', () => {
  assert.equal(serverText('<b>hi</b>\x1b[31m there\n'), 'hi [31m there');
  assert.equal(serverText('x'.repeat(300)).length, 201);
});

test('expiryIso gives absolute UTC without milliseconds, or null', () => {
  assert.equal(expiryIso(3600, Date.parse('2026-01-01T00:00:00.500Z')), '2026-01-01T01:00:00Z');
  assert.equal(expiryIso(undefined, 0), null);
});

test('a token response with a token over 64 KiB is refused, not saved', () => {
  for (const f of ['access_token', 'refresh_token', 'id_token']) {
    const body = { access_token: 'at', token_type: 'Bearer', [f]: 'x'.repeat(64 * 1024 + 1) };
    assert.throws(
      () => processTokenResponse(res(200, body), 'token endpoint h'),
      (e: unknown) => e instanceof ProtocolError && e.code === 'oauth.token_too_large',
      f,
    );
  }
  assert.equal(
    processTokenResponse(res(200, { access_token: 'a'.repeat(1000), token_type: 'Bearer' }), 'h').accessToken
      .length,
    1000,
  );
});
