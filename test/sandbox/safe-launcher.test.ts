/** Pins the fake Launcher's quirks (docs/protocol-notes/safe.md) so the flow tests run against a faithful fake. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { decodeJwt } from '../../src/lib/jwt.js';
import { startFakeLauncher, useFakeLauncher } from '../fakes/safe-launcher.js';

interface Raw {
  status: number;
  type: string;
  body: string;
}

function raw(
  url: string,
  method: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const app = { name: 'Demo', id: 'net.example.demo', version: '1.0', vendor: 'Example' };
const json = { 'content-type': 'application/json' };

const fake = useFakeLauncher({ policy: 'allow' });

test('fake: POST /auth validation order and exact JSON bodies', async () => {
  const cases: Array<[unknown, string]> = [
    [{}, 'Fields are missing'],
    [{ app: { ...app, vendor: '' }, permissions: [] }, 'Fields are missing'],
    [{ app: { ...app, name: '  ' } }, 'Values cannot be empty'],
    [{ app }, 'Permission field is missing'],
    [{ app, permissions: 'SAFE_DRIVE_ACCESS' }, 'Invalid permissions requested'],
    [{ app, permissions: null }, 'Invalid permissions requested'],
    [{ app, permissions: ['safe_drive_access'] }, 'Invalid permissions requested'],
  ];
  for (const [body, description] of cases) {
    const r = await raw(`${fake().url}/auth`, 'POST', { headers: json, body: JSON.stringify(body) });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body, JSON.stringify({ errorCode: 400, description }));
  }
  // A non-JSON content type is not parsed: "Fields are missing" even for a good body.
  const t = await raw(`${fake().url}/auth`, 'POST', {
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ app, permissions: [] }),
  });
  assert.equal(t.status, 400);
  assert.equal(t.body, '{"errorCode":400,"description":"Fields are missing"}');
});

test('fake: allow mints an HS256 JWT {id, iat}; identical app+permissions reuse the session', async () => {
  const body = JSON.stringify({ app, permissions: ['SAFE_DRIVE_ACCESS'] });
  const a = await raw(`${fake().url}/0.6/auth`, 'POST', { headers: json, body });
  assert.equal(a.status, 200);
  const ga = JSON.parse(a.body) as { token: string; permissions: string[] };
  assert.deepEqual(ga.permissions, ['SAFE_DRIVE_ACCESS']);
  const d = decodeJwt(ga.token);
  assert.equal(d?.header.alg, 'HS256');
  assert.deepEqual(Object.keys(d?.payload ?? {}), ['id', 'iat']);
  const before = fake().sessionCount();
  const b = await raw(`${fake().url}/0.5/auth`, 'POST', { headers: json, body });
  const gb = JSON.parse(b.body) as { token: string };
  assert.equal(fake().sessionCount(), before, 'same app + permissions → same session');
  assert.equal(decodeJwt(gb.token)?.payload.id, d?.payload.id);
  // Different permissions → a new session.
  await raw(`${fake().url}/auth`, 'POST', { headers: json, body: JSON.stringify({ app, permissions: [] }) });
  assert.equal(fake().sessionCount(), before + 1);
});

test('fake: strict Authorization middleware, even on POST /auth', async () => {
  const token = fake().mint(app, ['LOW_LEVEL_API']);
  const ok = await raw(`${fake().url}/auth`, 'GET', { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual([ok.status, ok.body], [200, 'OK']);
  const lower = await raw(`${fake().url}/auth`, 'GET', { headers: { authorization: `bearer ${token}` } });
  assert.equal(lower.status, 200, 'the scheme is compared case-insensitively');
  for (const bad of [
    `Bearer  ${token}`,
    `Bearer ${token} x`,
    `Token ${token}`,
    `JWT ${token}`,
    'Bearer a.b',
    `Bearer ${token}x`,
  ]) {
    const r = await raw(`${fake().url}/auth`, 'GET', { headers: { authorization: bad } });
    assert.deepEqual([r.status, r.body], [401, 'Unauthorized'], bad);
  }
  const post = await raw(`${fake().url}/auth`, 'POST', {
    headers: { ...json, authorization: 'Bearer stale.jwt.value' },
    body: JSON.stringify({ app, permissions: [] }),
  });
  assert.deepEqual([post.status, post.body], [401, 'Unauthorized']);
});

test('fake: GET/DELETE without header → JSON 401 errorCode 400; DELETE 200 at once; 404; /health', async () => {
  for (const m of ['GET', 'DELETE']) {
    const r = await raw(`${fake().url}/auth`, m);
    assert.equal(r.status, 401);
    assert.equal(r.body, '{"errorCode":400,"description":"Unauthorised"}');
  }
  const token = fake().mint(app, []);
  const del = await raw(`${fake().url}/auth`, 'DELETE', { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual([del.status, del.body], [200, 'OK']);
  await new Promise((r) => setImmediate(r));
  const after = await raw(`${fake().url}/auth`, 'GET', { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual([after.status, after.body], [401, 'Unauthorized']);
  const nf = await raw(`${fake().url}/0.4/auth`, 'GET');
  assert.deepEqual([nf.status, nf.body], [404, '{"errorCode":404,"description":"Endpoint Not Found"}']);
  const h = await raw(`${fake().url}/health`, 'GET');
  assert.deepEqual([h.status, h.body], [200, 'OK']);
});

test('fake: deny and not-logged-in answer 401 text "Unauthorised"; held requests wait for the test', async () => {
  const f = await startFakeLauncher();
  try {
    const body = JSON.stringify({ app, permissions: [] });
    const p = raw(`${f.url}/auth`, 'POST', { headers: json, body });
    const h = await f.pending;
    assert.equal(h.app.id, app.id);
    h.deny();
    const r = await p;
    assert.deepEqual([r.status, r.body], [401, 'Unauthorised']);
    f.loggedIn = false;
    const n = await raw(`${f.url}/auth`, 'POST', { headers: json, body });
    assert.deepEqual([n.status, n.body], [401, 'Unauthorised']);
    assert.equal(f.held.length, 0);
  } finally {
    await f.close();
  }
});
