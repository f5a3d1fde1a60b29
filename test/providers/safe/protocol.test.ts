import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkError, ProtocolError, RefusedError, UsageError } from '../../../src/errors.js';
import { DENIED_MESSAGE } from '../../../src/providers/safe/constants.js';
import {
  authRequestBody,
  bearerValue,
  checkApp,
  checkLauncherUrl,
  checkPermissions,
  classifyAnswer,
  parseGrant,
  processAuthorizeAnswer,
  processTokenAnswer,
  type SafeAnswerKind,
} from '../../../src/providers/safe/protocol.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6ImFiYyIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const URL_ = 'http://localhost:8100/auth';
const answer = (status: number, text: string) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json };
};

test('checkPermissions: exact, case-sensitive names; duplicates dropped; empty list valid', () => {
  assert.deepEqual(checkPermissions(undefined), []);
  assert.deepEqual(checkPermissions([]), []);
  assert.deepEqual(checkPermissions(['SAFE_DRIVE_ACCESS']), ['SAFE_DRIVE_ACCESS']);
  assert.deepEqual(checkPermissions(['LOW_LEVEL_API', 'SAFE_DRIVE_ACCESS', 'LOW_LEVEL_API']), [
    'LOW_LEVEL_API',
    'SAFE_DRIVE_ACCESS',
  ]);
  for (const bad of [
    'safe_drive_access',
    'Low_Level_Api',
    'SAFE_DRIVE_ACCESS ',
    '',
    'NFS',
    'SAFE_DRIVE_ACCESS,LOW_LEVEL_API',
  ]) {
    assert.throws(() => checkPermissions([bad]), UsageError, JSON.stringify(bad));
  }
});

test('checkPermissions: a wrongly-cased name gets a hint with the right spelling', () => {
  try {
    checkPermissions(['safe_drive_access']);
    assert.fail('expected a UsageError');
  } catch (e) {
    assert.ok(e instanceof UsageError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /unknown SAFE Launcher permission 'safe_drive_access'/);
    assert.match(e.hint ?? '', /case-sensitive; use SAFE_DRIVE_ACCESS/);
  }
});

test('checkApp: every value present and not blank, kept as given (no trimming)', () => {
  const ok = { name: ' Demo ', id: 'net.example.demo', version: '1.0', vendor: 'Example' };
  assert.deepEqual(checkApp(ok), ok);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...ok, name: '' }, /--app-name is required/],
    [{ ...ok, id: undefined }, /--app-id is required/],
    [{ ...ok, version: '   ' }, /--app-version must not be blank/],
    [{ ...ok, vendor: '\t\n' }, /--app-vendor must not be blank/],
    [{ ...ok, vendor: 3 }, /--app-vendor is required/],
  ];
  for (const [values, re] of cases) {
    assert.throws(
      () => checkApp(values),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  }
});

test('authRequestBody: {app:{name,id,version,vendor}, permissions}', () => {
  const body = authRequestBody({ vendor: 'V', version: '1', id: 'i', name: 'N' }, ['LOW_LEVEL_API']);
  assert.equal(
    JSON.stringify(body),
    '{"app":{"name":"N","id":"i","version":"1","vendor":"V"},"permissions":["LOW_LEVEL_API"]}',
  );
  assert.deepEqual(authRequestBody({ vendor: 'V', version: '1', id: 'i', name: 'N' }, []).permissions, []);
});

test('checkLauncherUrl: loopback http ok, prefixes kept, trailing slash dropped, others refused (exit 2)', () => {
  assert.equal(checkLauncherUrl('http://localhost:8100', false), 'http://localhost:8100');
  assert.equal(checkLauncherUrl('http://127.0.0.1:8100/', false), 'http://127.0.0.1:8100');
  assert.equal(checkLauncherUrl('http://localhost:8100/0.6/', false), 'http://localhost:8100/0.6');
  assert.equal(checkLauncherUrl('http://launcher.lan:8100', true), 'http://launcher.lan:8100');
  for (const bad of [
    'http://launcher.lan:8100',
    'ftp://localhost',
    'not a url',
    'http://localhost:8100/?x=1',
    'http://u:p@localhost:8100',
  ]) {
    assert.throws(
      () => checkLauncherUrl(bad, false),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2,
      bad,
    );
  }
});

test('bearerValue: exactly "Bearer <jwt>" with one space; non-JWT tokens refused', () => {
  const v = bearerValue(JWT);
  assert.equal(v, `Bearer ${JWT}`);
  assert.equal(v.indexOf(' '), 6);
  assert.equal(v.split(' ').length, 2);
  assert.throws(() => bearerValue('not-a-jwt'), ProtocolError);
  assert.throws(() => bearerValue('a.b c.d'), ProtocolError);
});

test("classifyAnswer: the Launcher's answer table, 401s told apart, text or JSON bodies", () => {
  const table: Array<[number, string, SafeAnswerKind, string | null, number | null]> = [
    [200, JSON.stringify({ token: JWT, permissions: [] }), 'ok', null, null],
    [200, 'OK', 'ok', 'OK', null],
    [401, 'Unauthorised', 'denied', 'Unauthorised', null],
    [401, 'Unauthorised\n', 'denied', 'Unauthorised', null],
    [401, 'Unauthorized', 'bad-token', 'Unauthorized', null],
    [401, '{"errorCode":400,"description":"Unauthorised"}', 'no-header', 'Unauthorised', 400],
    [401, '{"errorCode":401,"description":"Session expired"}', 'unauthorized', 'Session expired', 401],
    [401, '', 'unauthorized', null, null],
    [400, '{"errorCode":400,"description":"Fields are missing"}', 'bad-request', 'Fields are missing', 400],
    [
      400,
      '{"errorCode":400,"description":"Permission field is missing"}',
      'bad-request',
      'Permission field is missing',
      400,
    ],
    [
      400,
      '{"errorCode":400,"description":"Invalid permissions requested"}',
      'invalid-input',
      'Invalid permissions requested',
      400,
    ],
    [
      400,
      '{"errorCode":400,"description":"Values cannot be empty"}',
      'invalid-input',
      'Values cannot be empty',
      400,
    ],
    [400, 'Invalid permissions', 'invalid-input', 'Invalid permissions', null],
    [400, 'Fields are invalid', 'invalid-input', 'Fields are invalid', null],
    [400, '<pre>SyntaxError: Unexpected token</pre>', 'bad-request', 'SyntaxError: Unexpected token', null],
    [404, '{"errorCode":404,"description":"Endpoint Not Found"}', 'not-found', 'Endpoint Not Found', 404],
    [
      500,
      '{"errorCode":-12,"description":"CoreError::RequestTimeout"}',
      'server-error',
      'CoreError::RequestTimeout',
      -12,
    ],
    [503, 'Service Unavailable', 'server-error', 'Service Unavailable', null],
    [302, '', 'unexpected', null, null],
    [401, '{"error":"x"}', 'unauthorized', null, null],
  ];
  for (const [status, text, kind, description, errorCode] of table) {
    const a = classifyAnswer(answer(status, text));
    assert.deepEqual(a, { kind, status, description, errorCode }, `${status} ${text}`);
  }
});

test('classifyAnswer: control characters and long bodies are made safe for one line', () => {
  const a = classifyAnswer(answer(500, `\u001b[31mboom\u001b[0m\n${'x'.repeat(500)}`));
  assert.doesNotMatch(a.description ?? '', /\u001b|\n/);
  assert.ok((a.description ?? '').length <= 201);
});

test('processAuthorizeAnswer: exit code per answer, description shown', () => {
  const exits: Array<[number, string, number, RegExp]> = [
    [401, 'Unauthorised', 3, new RegExp(`^${DENIED_MESSAGE}$`)],
    [401, 'Unauthorized', 1, /rejected an Authorization header.*authctl sends none/],
    [401, '{"errorCode":400,"description":"Unauthorised"}', 1, /no Authorization header/],
    [
      400,
      '{"errorCode":400,"description":"Invalid permissions requested"}',
      2,
      /Invalid permissions requested \(HTTP 400, Launcher error code 400\)/,
    ],
    [
      400,
      '{"errorCode":400,"description":"Fields are missing"}',
      1,
      /rejected the request: Fields are missing/,
    ],
    [
      500,
      '{"errorCode":-12,"description":"CoreError::RequestTimeout"}',
      1,
      /failed: CoreError::RequestTimeout \(HTTP 500, Launcher error code -12\)/,
    ],
    [404, '{"errorCode":404,"description":"Endpoint Not Found"}', 1, /Endpoint Not Found/],
    [200, 'OK', 1, /without a JSON object/],
  ];
  for (const [status, text, code, re] of exits) {
    assert.throws(
      () => processAuthorizeAnswer(answer(status, text), URL_),
      (e: unknown) => (e as { exitCode?: number }).exitCode === code && re.test((e as Error).message),
      `${status} ${text}`,
    );
  }
  assert.throws(() => processAuthorizeAnswer(answer(401, 'Unauthorised'), URL_), RefusedError);
  assert.throws(() => processAuthorizeAnswer(answer(503, 'x'), URL_), NetworkError);
});

test('parseGrant: token must be a JWT, permissions an array of strings; field and URL named', () => {
  assert.deepEqual(parseGrant({ token: JWT, permissions: ['SAFE_DRIVE_ACCESS'] }, URL_), {
    token: JWT,
    permissions: ['SAFE_DRIVE_ACCESS'],
  });
  assert.deepEqual(parseGrant({ token: JWT, permissions: [] }, URL_).permissions, []);
  const bad: Array<[unknown, RegExp]> = [
    [null, /without a JSON object/],
    [[JWT], /without a JSON object/],
    [{ permissions: [] }, /'token'/],
    [{ token: 42, permissions: [] }, /'token'/],
    [{ token: 'abc.def', permissions: [] }, /field 'token'.*not a JWT/],
    [{ token: 'a b.c.d', permissions: [] }, /field 'token'.*not a JWT/],
    [{ token: 'bm90anNvbg.bm90anNvbg.x', permissions: [] }, /field 'token'.*not a JWT/],
    [{ token: JWT }, /field 'permissions'/],
    [{ token: JWT, permissions: 'SAFE_DRIVE_ACCESS' }, /field 'permissions'/],
    [{ token: JWT, permissions: [1] }, /field 'permissions'/],
  ];
  for (const [json, re] of bad) {
    assert.throws(
      () => parseGrant(json, URL_),
      (e: unknown) => e instanceof ProtocolError && re.test(e.message) && e.message.includes(URL_),
      JSON.stringify(json),
    );
  }
});

test('processTokenAnswer: 200 valid, token-401s invalid, no-header JSON 401 and others fail (exit 1)', () => {
  assert.equal(processTokenAnswer(answer(200, 'OK'), URL_), 'valid');
  assert.equal(processTokenAnswer(answer(401, 'Unauthorized'), URL_), 'invalid');
  assert.equal(processTokenAnswer(answer(401, 'Unauthorised'), URL_), 'invalid');
  for (const [s, t] of [
    [401, '{"errorCode":400,"description":"Unauthorised"}'],
    [500, '{"errorCode":-1,"description":"x"}'],
    [404, '{"errorCode":404,"description":"Endpoint Not Found"}'],
    [204, ''],
  ] as const) {
    assert.throws(
      () => processTokenAnswer(answer(s, t), URL_),
      (e: unknown) => (e as { exitCode?: number }).exitCode === 1,
    );
  }
});
