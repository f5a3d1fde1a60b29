/** Table tests for the pure Pryv access-request functions (src/providers/pryv/protocol.ts; docs/protocol-notes/pryv.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureError, ProtocolError, UsageError } from '../../../src/errors.js';
import { MAX_POLL_BACKOFF_MS, MIN_POLL_INTERVAL_MS } from '../../../src/providers/pryv/constants.js';
import {
  buildAccessRequestBody,
  buildApiEndpoint,
  classifyPollAnswer,
  cleanServerText,
  decomposeApiEndpoint,
  describeServerError,
  formatDuration,
  maskPollUrl,
  matchesApiTemplate,
  nextPollDelay,
  noWaitJson,
  type PollAnswer,
  parseAccessInfo,
  parseAppId,
  parseCreateResponse,
  parseDeviceName,
  parseLang,
  parsePermission,
  parsePermissions,
  parseServiceInfo,
  permissionScopes,
  type RawAnswer,
  requestedFromBody,
  serverError,
  serviceInfoUrlFromPollUrl,
  trustedApiEndpoint,
  withCliFlag,
} from '../../../src/providers/pryv/protocol.js';

const exit = (code: number) => (e: unknown) => (e as { exitCode?: number }).exitCode === code;

test('parseAppId trims and enforces 6–99 characters', () => {
  assert.equal(parseAppId('  my-app  '), 'my-app');
  assert.equal(parseAppId('a'.repeat(99)), 'a'.repeat(99));
  for (const bad of ['short', '     ab     ', 'a'.repeat(100), '', undefined, 42]) {
    assert.throws(() => parseAppId(bad), UsageError, String(bad));
  }
});

test('parsePermission: streamId:level[:defaultName] with every level', () => {
  const cases: Array<[string, { streamId: string; level: string; defaultName: string }]> = [
    ['diary:read', { streamId: 'diary', level: 'read', defaultName: 'diary' }],
    ['notes:contribute:Notes', { streamId: 'notes', level: 'contribute', defaultName: 'Notes' }],
    ['health:manage:My: Health', { streamId: 'health', level: 'manage', defaultName: 'My: Health' }],
    ['inbox:create-only', { streamId: 'inbox', level: 'create-only', defaultName: 'inbox' }],
    ['*:read', { streamId: '*', level: 'read', defaultName: '*' }],
    [
      ':_system:account:read',
      { streamId: ':_system:account', level: 'read', defaultName: ':_system:account' },
    ],
  ];
  for (const [raw, want] of cases) assert.deepEqual(parsePermission(raw), want, raw);
});

test('parsePermission rejects bad values with usage errors naming the value', () => {
  for (const bad of ['diary', 'diary:write', ':read', 'diary:read:', '', 'diary:', 'diary:READ']) {
    assert.throws(
      () => parsePermission(bad),
      (e: unknown) => e instanceof UsageError && e.message.includes(`'${bad}'`),
      bad,
    );
  }
});

test('parsePermissions needs at least one and one per stream', () => {
  assert.throws(() => parsePermissions(undefined), /at least one --permission/);
  assert.throws(() => parsePermissions([]), UsageError);
  assert.throws(() => parsePermissions(['a:read', 'a:manage']), /given twice/);
  assert.equal(parsePermissions(['a:read', 'b:manage']).length, 2);
});

test('parseLang and parseDeviceName', () => {
  assert.equal(parseLang('fr'), 'fr');
  assert.equal(parseLang('zh-CN'), 'zh-CN');
  assert.throws(() => parseLang(''), UsageError);
  assert.throws(() => parseLang('abcdef'), UsageError);
  assert.equal(parseDeviceName(undefined), undefined);
  assert.equal(parseDeviceName(' laptop '), 'laptop');
  assert.throws(() => parseDeviceName('  '), UsageError);
});

test('buildAccessRequestBody never sends expireAfter and adds deviceName only when given', () => {
  const permissions = parsePermissions(['diary:read']);
  const body = buildAccessRequestBody({ appId: 'my-app-id', permissions, lang: 'en' });
  assert.deepEqual(body, {
    requestingAppId: 'my-app-id',
    requestedPermissions: [{ streamId: 'diary', level: 'read', defaultName: 'diary' }],
    languageCode: 'en',
  });
  assert.ok(!('expireAfter' in body) && !('deviceName' in body));
  const withDevice = buildAccessRequestBody({
    appId: 'my-app-id',
    permissions,
    lang: 'en',
    deviceName: 'ci',
  });
  assert.equal(withDevice.deviceName, 'ci');
});

test('parseServiceInfo validates fields and adds trailing slashes', () => {
  const info = parseServiceInfo(
    {
      register: 'https://reg.pryv.me',
      access: 'https://access.pryv.me/access',
      api: 'https://{username}.pryv.me',
      name: 'Pryv Lab',
      extra: 1,
    },
    'here',
  );
  assert.deepEqual(info, {
    name: 'Pryv Lab',
    register: 'https://reg.pryv.me/',
    access: 'https://access.pryv.me/access/',
    api: 'https://{username}.pryv.me/',
  });
  const good = { name: 'n', access: 'https://a/access/', api: 'https://{username}.x/' };
  assert.equal(parseServiceInfo(good, 'here').register, undefined);
  const bad: Array<[unknown, RegExp]> = [
    [[], /not a JSON object/],
    [{ ...good, name: undefined }, /'name'/],
    [{ ...good, name: '' }, /'name'/],
    [{ ...good, access: 3 }, /'access'/],
    [{ ...good, api: undefined }, /'api'/],
    [{ ...good, api: 'https://pryv.me/' }, /\{username\}/],
    [{ ...good, register: 5 }, /'register'/],
  ];
  for (const [v, re] of bad) assert.throws(() => parseServiceInfo(v, 'here'), re);
});

test('serviceInfoUrlFromPollUrl derives open-pryv /reg/service/info only', () => {
  assert.equal(
    serviceInfoUrlFromPollUrl('https://pryv.example.com/reg/access/AbC-d_e'),
    'https://pryv.example.com/reg/service/info',
  );
  assert.equal(
    serviceInfoUrlFromPollUrl('http://127.0.0.1:3000/sub/reg/access/key123'),
    'http://127.0.0.1:3000/sub/reg/service/info',
  );
  assert.equal(serviceInfoUrlFromPollUrl('https://access.pryv.me/access/KEY'), undefined);
  assert.equal(serviceInfoUrlFromPollUrl('not a url'), undefined);
});

test('serverError / describeServerError read both error shapes', () => {
  const v1 = {
    id: 'INVALID_APP_ID',
    message: 'Invalid app ID',
    detail: '',
    errors: [],
    requestingAppId: 'x',
  };
  assert.deepEqual(serverError(v1), { id: 'INVALID_APP_ID', message: 'Invalid app ID' });
  assert.equal(
    describeServerError(400, { id: 'INVALID_LANGUAGE', message: 'Invalid language code', detail: 'Use 1-5' }),
    'Invalid language code: Use 1-5 (INVALID_LANGUAGE)',
  );
  const v2 = { error: { id: 'invalid-parameters', message: 'Missing or invalid requestingAppId' } };
  assert.equal(describeServerError(400, v2), 'Missing or invalid requestingAppId (invalid-parameters)');
  assert.equal(describeServerError(502, undefined), 'HTTP 502');
  assert.equal(describeServerError(500, 'text'), 'HTTP 500');
});

test('parseCreateResponse: v1 prefers authUrl, falls back to url; validates key and poll', () => {
  const v1 = {
    status: 'NEED_SIGNIN',
    code: 201,
    key: 'AbcdEfghIk012345',
    url: 'https://sw.pryv.me/access/access.html/?lang=en&key=AbcdEfghIk012345&poll=x',
    authUrl: 'https://sw.pryv.me/access/access.html/?&pollUrl=https%3A%2F%2Faccess.pryv.me%2Faccess%2FAbcd',
    poll: 'https://access.pryv.me/access/AbcdEfghIk012345',
    poll_rate_ms: 1000,
  };
  const c = parseCreateResponse(v1, 'w');
  assert.equal(c.authUrl, v1.authUrl);
  assert.equal(c.pollRateMs, 1000);
  assert.equal(parseCreateResponse({ ...v1, authUrl: undefined }, 'w').authUrl, v1.url);
  assert.equal(parseCreateResponse({ ...v1, poll_rate_ms: undefined }, 'w').pollRateMs, undefined);
  assert.equal(parseCreateResponse({ ...v1, poll_rate_ms: -5 }, 'w').pollRateMs, undefined);
  const v2 = {
    status: 'NEED_SIGNIN',
    key: 'a-b_c',
    authUrl: 'https://x/auth?poll=1',
    poll: 'https://x/reg/access/a-b_c',
  };
  assert.equal(parseCreateResponse(v2, 'w').key, 'a-b_c');
  for (const [v, re] of [
    [{ ...v1, key: undefined }, /'key'/],
    [{ ...v1, key: 'bad key/' }, /'key'/],
    [{ ...v1, poll: 7 }, /'poll'/],
    [{ ...v1, authUrl: undefined, url: undefined }, /authUrl/],
    [{ ...v1, status: 'ACCEPTED' }, /expected NEED_SIGNIN/],
    ['nope', /not a JSON object/],
  ] as Array<[unknown, RegExp]>) {
    assert.throws(() => parseCreateResponse(v, 'w'), re);
  }
});

test('withCliFlag appends cli=1 as lib-js does, keeping odd v1 queries and fragments', () => {
  const cases: Array<[string, string]> = [
    ['https://a/p', 'https://a/p?cli=1'],
    ['https://a/p?x=1', 'https://a/p?x=1&cli=1'],
    ['https://a/p/?&pollUrl=https%3A%2F%2Fb', 'https://a/p/?&pollUrl=https%3A%2F%2Fb&cli=1'],
    ['https://a/p?', 'https://a/p?cli=1'],
    ['https://a/p?x=1#frag', 'https://a/p?x=1&cli=1#frag'],
    ['https://a/p?cli=1', 'https://a/p?cli=1'],
  ];
  for (const [input, want] of cases) assert.equal(withCliFlag(input), want, input);
});

test('maskPollUrl hides the key (a bearer secret)', () => {
  assert.equal(
    maskPollUrl('https://access.pryv.me/access/SECRETKEY123'),
    'https://access.pryv.me/access/***',
  );
  assert.equal(maskPollUrl('http://127.0.0.1:9/reg/access/abc_DEF-1/'), 'http://127.0.0.1:9/reg/access/***/');
  assert.ok(!maskPollUrl('https://h/access/K?key=SECRET').includes('SECRET'));
});

const answer = (
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
  text?: string,
): RawAnswer => ({
  status,
  json,
  headers,
  text: text ?? (json === undefined ? '' : JSON.stringify(json)),
});
const classify = (r: RawAnswer) => classifyPollAnswer(r, 'W', Date.parse('2026-01-01T00:00:00Z'));

test('classifyPollAnswer: pending is HTTP 201, rate re-read, v1 and v2 shapes', () => {
  const v1 = classify(
    answer(201, {
      status: 'NEED_SIGNIN',
      code: 201,
      key: 'k',
      poll_rate_ms: 1000,
      requestingAppId: 'my-app',
      requestedPermissions: [{ streamId: 'a', level: 'read', defaultName: 'a' }],
      serviceInfo: { name: 'x' },
    }),
  );
  assert.deepEqual(v1, {
    kind: 'pending',
    pollRateMs: 1000,
    serviceInfo: { name: 'x' },
    appId: 'my-app',
    requestedPermissions: [{ streamId: 'a', level: 'read', defaultName: 'a' }],
  });
  const v2 = classify(answer(201, { status: 'NEED_SIGNIN', poll_rate_ms: 250 }));
  assert.equal(v2.kind === 'pending' && v2.pollRateMs, 250);
  const noRate = classify(answer(200, { status: 'NEED_SIGNIN' }));
  assert.equal(noRate.kind === 'pending' && noRate.pollRateMs, undefined);
});

test('classifyPollAnswer: ACCEPTED v1 (with apiEndpoint) and v2 (without); fields validated', () => {
  const v1 = classify(
    answer(200, {
      status: 'ACCEPTED',
      apiEndpoint: 'https://tok@alice.pryv.me/',
      username: 'alice',
      token: 'tok',
      code: 200,
      serviceInfo: {},
    }),
  );
  assert.deepEqual(v1, {
    kind: 'accepted',
    username: 'alice',
    token: 'tok',
    apiEndpoint: 'https://tok@alice.pryv.me/',
    serviceInfo: {},
  });
  const v2 = classify(answer(200, { status: 'ACCEPTED', username: 'alice', token: 'tok' }));
  assert.equal(v2.kind === 'accepted' && v2.apiEndpoint, undefined);
  for (const body of [
    { status: 'ACCEPTED', token: 'tok' },
    { status: 'ACCEPTED', username: 'alice' },
    { status: 'ACCEPTED', username: 'alice', token: 'has space' },
    { status: 'ACCEPTED', username: 'alice', token: 'tök' },
    { status: 'ACCEPTED', username: 'alice', token: 'tok', apiEndpoint: 5 },
  ]) {
    assert.throws(() => classify(answer(200, body)), ProtocolError, JSON.stringify(body));
  }
});

test('classifyPollAnswer: REFUSED is 403 + body; reasonID (v1) and reasonId (v2) both read', () => {
  const cases: Array<[unknown, PollAnswer]> = [
    [
      {
        status: 'REFUSED',
        reasonID: 'REASON_UNDEFINED',
        message: 'The user refused',
        code: 403,
        serviceInfo: {},
      },
      { kind: 'refused', reasonId: 'REASON_UNDEFINED', message: 'The user refused' },
    ],
    [
      { status: 'REFUSED', reasonId: 'REFUSED_BY_USER', message: 'No thanks' },
      { kind: 'refused', reasonId: 'REFUSED_BY_USER', message: 'No thanks' },
    ],
    [{ status: 'REFUSED' }, { kind: 'refused', reasonId: 'REASON_UNDEFINED', message: '' }],
  ];
  for (const [body, want] of cases) assert.deepEqual(classify(answer(403, body)), want);
});

test('classifyPollAnswer: ERROR shapes v1 {id,message,detail} and v2 {reasonId,message}', () => {
  assert.deepEqual(
    classify(
      answer(403, { status: 'ERROR', id: 'INTERNAL_ERROR', message: 'Boom', detail: 'disk', code: 403 }),
    ),
    { kind: 'error', id: 'INTERNAL_ERROR', message: 'Boom: disk' },
  );
  assert.deepEqual(classify(answer(403, { status: 'ERROR', reasonId: 'X_FAIL', message: 'Bad' })), {
    kind: 'error',
    id: 'X_FAIL',
    message: 'Bad',
  });
});

test('classifyPollAnswer: 400 is an unknown or expired key, never 404', () => {
  assert.deepEqual(
    classify(
      answer(400, { id: 'INVALID_KEY', message: 'Invalid access request key', detail: '', errors: [] }),
    ),
    { kind: 'expired', id: 'INVALID_KEY', message: 'Invalid access request key' },
  );
  assert.deepEqual(
    classify(answer(400, { error: { id: 'unknown-access-key', message: 'Unknown or expired access key' } })),
    { kind: 'expired', id: 'unknown-access-key', message: 'Unknown or expired access key' },
  );
  assert.equal(classify(answer(400, undefined)).kind, 'expired');
});

test('classifyPollAnswer: REDIRECTED 301 without Location uses poll or redirectUrl', () => {
  assert.deepEqual(
    classify(answer(301, { status: 'REDIRECTED', poll: 'https://b/reg/access/k', redirectUrl: 'x' })),
    {
      kind: 'redirected',
      poll: 'https://b/reg/access/k',
    },
  );
  assert.deepEqual(classify(answer(301, { status: 'REDIRECTED', redirectUrl: 'https://c/reg/access/k' })), {
    kind: 'redirected',
    poll: 'https://c/reg/access/k',
  });
  assert.throws(() => classify(answer(301, { status: 'REDIRECTED' })), ProtocolError);
});

test('classifyPollAnswer: 5xx, 429 and unparseable bodies are retried, Retry-After read', () => {
  const r500 = classify(
    answer(500, { id: 'INTERNAL_ERROR', message: 'Internal Error', detail: '', errors: [] }),
  );
  assert.equal(r500.kind, 'retry');
  assert.match((r500 as { reason: string }).reason, /HTTP 500 from W: Internal Error/);
  const r503 = classify(answer(503, undefined, { 'retry-after': '3' }, 'down'));
  assert.deepEqual(r503, { kind: 'retry', reason: 'HTTP 503 from W', retryAfterMs: 3000 });
  const r429 = classify(answer(429, undefined, { 'retry-after': '2' }, 'Too Many'));
  assert.equal(r429.kind === 'retry' && r429.retryAfterMs, 2000);
  const r429date = classify(answer(429, undefined, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 'x'));
  assert.equal(r429date.kind === 'retry' && r429date.retryAfterMs, 5000);
  const r429none = classify(answer(429, undefined, {}, 'x'));
  assert.equal(r429none.kind === 'retry' && r429none.retryAfterMs, undefined);
  const html = classify(answer(200, undefined, { 'content-type': 'text/html' }, '<html>'));
  assert.equal(html.kind, 'retry');
  assert.match((html as { reason: string }).reason, /unparseable answer from W \(HTTP 200, text\/html\)/);
  const empty = classify(answer(201, undefined, {}, ''));
  assert.match((empty as { reason: string }).reason, /empty body/);
});

test('classifyPollAnswer: other error bodies are terminal; unknown shapes are protocol errors', () => {
  const nf = classify(answer(404, { error: { id: 'unknown-resource', message: 'Unknown resource' } }));
  assert.deepEqual(nf, {
    kind: 'error',
    id: 'unknown-resource',
    message: 'Unknown resource (unknown-resource)',
  });
  assert.equal(classify(answer(404, undefined, {}, 'Not Found')).kind, 'error');
  assert.throws(() => classify(answer(200, { status: 'WAITING' })), /unexpected poll answer.*WAITING/);
  assert.throws(() => classify(answer(200, {})), /unexpected poll answer/);
  assert.throws(() => classify(answer(200, [1, 2])), /not a JSON object/);
  assert.throws(() => classify(answer(403, { status: 'NEED_SIGNIN' })), ProtocolError);
});

test('server text is cleaned of control characters before it is shown', () => {
  const r = classify(answer(403, { status: 'REFUSED', reasonId: 'R', message: 'no\u001b[31m red\nline' }));
  assert.equal(r.kind === 'refused' && r.message, 'no [31m red line');
  assert.equal(cleanServerText('x'.repeat(400)).length, 301);
  assert.equal(cleanServerText(undefined), '');
});

test('nextPollDelay: the server rate is a floor; failures back off, bounded; Retry-After honoured', () => {
  assert.equal(nextPollDelay(1000, 0), 1000);
  assert.equal(nextPollDelay(1000, 1), 2000);
  assert.equal(nextPollDelay(1000, 3), 8000);
  assert.equal(nextPollDelay(1000, 20), MAX_POLL_BACKOFF_MS);
  assert.equal(nextPollDelay(60_000, 3), 60_000);
  assert.equal(nextPollDelay(100, 1, 5000), 5000);
  assert.equal(nextPollDelay(100, 1, 10), 200);
  assert.equal(nextPollDelay(0, 0), MIN_POLL_INTERVAL_MS);
  for (let f = 0; f < 30; f++) assert.ok(nextPollDelay(250, f) >= 250);
});

test('buildApiEndpoint follows lib-js buildAPIEndpoint', () => {
  assert.equal(
    buildApiEndpoint('https://{username}.pryv.me/', 'tototp', 'token'),
    'https://token@tototp.pryv.me/',
  );
  assert.equal(buildApiEndpoint('https://host/{username}', 'bob', 't'), 'https://t@host/bob/');
  assert.equal(buildApiEndpoint('https://host/{username}/', 'bob'), 'https://host/bob/');
  assert.throws(() => buildApiEndpoint('{username}', 'bob'), ProtocolError);
});

test('decomposeApiEndpoint strips the token from the user info', () => {
  assert.deepEqual(decomposeApiEndpoint('https://tok@alice.pryv.me/'), {
    endpoint: 'https://alice.pryv.me/',
    token: 'tok',
  });
  assert.deepEqual(decomposeApiEndpoint('https://host/alice/'), {
    endpoint: 'https://host/alice/',
    token: undefined,
  });
  assert.deepEqual(decomposeApiEndpoint('https://t%40x@host'), { endpoint: 'https://host/', token: 't@x' });
});

test('matchesApiTemplate: subdomain and path styles; host, user, scheme, port must all match', () => {
  const sub = 'https://{username}.pryv.me/';
  const path = 'https://pryv.example.com/{username}/';
  const yes: Array<[string, string, string]> = [
    ['https://tok@alice.pryv.me/', sub, 'alice'],
    ['https://alice.pryv.me', sub, 'alice'],
    ['https://ALICE.Pryv.me/', sub, 'alice'],
    ['https://pryv.example.com/bob/', path, 'bob'],
    ['https://tok@pryv.example.com:443/bob', path, 'bob'],
  ];
  const no: Array<[string, string, string]> = [
    ['https://tok@alice.evil.com/', sub, 'alice'],
    ['https://bob.pryv.me/', sub, 'alice'],
    ['http://alice.pryv.me/', sub, 'alice'],
    ['https://alice.pryv.me:8443/', sub, 'alice'],
    ['https://pryv.example.com/bob/extra/', path, 'bob'],
    ['https://pryv.example.com/alice/', path, 'bob'],
    ['https://pryv.example.com/bob/?x=1', path, 'bob'],
    ['https://evil.com/x/', path, 'evil.com/x'],
    ['not a url', sub, 'alice'],
  ];
  for (const [ep, t, u] of yes) assert.ok(matchesApiTemplate(ep, t, u), `${ep} ${t} ${u}`);
  for (const [ep, t, u] of no) assert.ok(!matchesApiTemplate(ep, t, u), `${ep} ${t} ${u}`);
});

test('trustedApiEndpoint builds when absent and refuses untrusted endpoints', () => {
  const base = {
    username: 'alice',
    token: 'tok',
    apiTemplate: 'https://{username}.pryv.me/',
    insecure: false,
  };
  assert.equal(trustedApiEndpoint({ ...base, apiEndpoint: undefined }), 'https://alice.pryv.me/');
  assert.equal(
    trustedApiEndpoint({ ...base, apiEndpoint: 'https://tok@alice.pryv.me/' }),
    'https://alice.pryv.me/',
  );
  const loop = { ...base, apiTemplate: 'http://127.0.0.1:8080/{username}/' };
  assert.equal(trustedApiEndpoint({ ...loop, apiEndpoint: undefined }), 'http://127.0.0.1:8080/alice/');
  const refused: Array<[Parameters<typeof trustedApiEndpoint>[0], RegExp]> = [
    [{ ...base, apiEndpoint: 'https://tok@alice.evil.com/' }, /does not match the service's api template/],
    [{ ...base, apiEndpoint: 'http://tok@alice.pryv.me/' }, /plain http/],
    [{ ...base, apiTemplate: 'http://{username}.pryv.me/', apiEndpoint: undefined }, /plain http/],
    [{ ...base, apiEndpoint: 'https://other@alice.pryv.me/' }, /different token/],
    [{ ...base, apiEndpoint: 'ftp://tok@alice.pryv.me/' }, /does not use https/],
  ];
  for (const [input, re] of refused) {
    assert.throws(
      () => trustedApiEndpoint(input),
      (e: unknown) => e instanceof FailureError && e.exitCode === 1 && re.test(e.message),
      String(input.apiEndpoint),
    );
  }
  // --insecure lifts the http rule but never the template check.
  const insecure = { ...base, apiTemplate: 'http://{username}.pryv.me/', insecure: true };
  assert.equal(trustedApiEndpoint({ ...insecure, apiEndpoint: undefined }), 'http://alice.pryv.me/');
  assert.throws(() => trustedApiEndpoint({ ...insecure, apiEndpoint: 'http://alice.evil.com/' }), exit(1));
});

test('parseAccessInfo validates the shape and never keeps the token', () => {
  const info = parseAccessInfo(
    {
      id: 'acc1',
      token: 'SECRET-TOKEN',
      type: 'app',
      name: 'my-app',
      permissions: [
        { streamId: 'diary', level: 'read' },
        { feature: 'selfRevoke', setting: 'forbidden' },
      ],
      expires: 1_900_000_000,
      user: { username: 'alice' },
      calls: {},
    },
    'W',
  );
  assert.equal(info.expires, 1_900_000_000);
  assert.equal(info.username, 'alice');
  assert.deepEqual(info.summary, { id: 'acc1', type: 'app', name: 'my-app', expires: 1_900_000_000 });
  assert.ok(!JSON.stringify(info).includes('SECRET-TOKEN'));
  assert.deepEqual(permissionScopes(info.permissions), ['diary:read']);
  assert.equal(parseAccessInfo({ permissions: [] }, 'W').expires, null);
  for (const [v, re] of [
    [{}, /'permissions'/],
    [{ permissions: [{ streamId: 'a' }] }, /permissions\[0\]/],
    [{ permissions: [], expires: 'soon' }, /'expires'/],
    [{ permissions: [], expires: 1e20 }, /'expires'/],
    [{ permissions: [], user: 'alice' }, /'user'/],
    [{ permissions: [], user: { username: 5 } }, /'user.username'/],
    [null, /not a JSON object/],
  ] as Array<[unknown, RegExp]>) {
    assert.throws(() => parseAccessInfo(v, 'W'), re);
  }
});

test('requestedFromBody keeps stream permissions only, with their default names', () => {
  assert.deepEqual(
    requestedFromBody([
      { streamId: 'a', level: 'read', defaultName: 'A' },
      { streamId: 'b', level: 'contribute' },
      { feature: 'x' },
      'junk',
    ]),
    [
      { streamId: 'a', level: 'read', defaultName: 'A' },
      { streamId: 'b', level: 'contribute', defaultName: 'b' },
    ],
  );
  assert.deepEqual(requestedFromBody(undefined), []);
});

test('formatDuration and noWaitJson', () => {
  assert.equal(formatDuration(600_000), '10m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(2000), '2s');
  const out = JSON.parse(
    noWaitJson(
      { key: 'K', poll: 'https://p/access/K', authUrl: 'https://a', pollRateMs: undefined },
      'https://a?cli=1',
      1000,
    ),
  );
  assert.deepEqual(Object.keys(out), ['authUrl', 'poll', 'key', 'pollRateMs']);
  assert.deepEqual(out, {
    authUrl: 'https://a?cli=1',
    poll: 'https://p/access/K',
    key: 'K',
    pollRateMs: 1000,
  });
});
