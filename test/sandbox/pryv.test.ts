/**
 * The Pryv.io emulator over real HTTP, as any client sees it: the open-pryv.io v2 access-request
 * shapes (201 NEED_SIGNIN on create and poll, 200 ACCEPTED, 403 REFUSED, 400 unknown key), the
 * request lifetime, the consent page's form, automatic approval, and the core: access-info,
 * events with the permission levels enforced, and a token deleting its own access.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type PryvOptions, type PryvSandbox, startPryv } from '../../src/sandbox/pryv.js';

const servers: PryvSandbox[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function pryv(opts: PryvOptions = {}): Promise<PryvSandbox> {
  const s = await startPryv({ pollRateMs: 20, ...opts });
  servers.push(s);
  return s;
}

interface Res {
  status: number;
  json: Record<string, unknown>;
  text: string;
  headers: Headers;
}

async function call(url: string, init: RequestInit = {}): Promise<Res> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: r.status, json, text, headers: r.headers };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const PERMS = [
  { streamId: 'diary', level: 'read', defaultName: 'Diary' },
  { streamId: 'notes', level: 'contribute', defaultName: 'Notes' },
  { streamId: 'inbox', level: 'create-only', defaultName: 'Inbox' },
];

async function create(s: PryvSandbox, body: Record<string, unknown> = {}) {
  const info = await call(s.serviceInfoUrl);
  assert.equal(info.status, 200);
  return post(String(info.json.access), {
    requestingAppId: 'sandbox-test-app',
    requestedPermissions: PERMS,
    ...body,
  });
}

test('v2 by default: /reg/service/info, 201 NEED_SIGNIN with exactly authUrl, poll and poll_rate_ms; polls 201 while pending', async () => {
  const s = await pryv();
  const info = await call(`${s.base}/reg/service/info`);
  assert.equal(info.json.access, `${s.base}/reg/access/`);
  assert.equal(info.json.api, `${s.base}/{username}/`, 'path-style (DNS-less) api template');
  const c = await create(s);
  assert.equal(c.status, 201);
  assert.deepEqual(Object.keys(c.json).sort(), ['authUrl', 'key', 'poll', 'poll_rate_ms', 'status']);
  assert.equal(c.json.status, 'NEED_SIGNIN');
  assert.equal(c.json.poll, `${s.base}/reg/access/${c.json.key}`);
  assert.equal(c.json.poll_rate_ms, 20);
  const p = await call(String(c.json.poll));
  assert.equal(p.status, 201);
  assert.equal(p.json.status, 'NEED_SIGNIN');
  assert.equal(p.json.requestingAppId, 'sandbox-test-app');
  // v2 validation: an empty permission list is refused.
  const bad = await post(`${s.base}/reg/access/`, { requestingAppId: 'x', requestedPermissions: [] });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, {
    error: { id: 'invalid-parameters', message: 'Missing or invalid requestedPermissions' },
  });
});

test('unknown key is 400 (never 404); ACCEPTED is 200 with apiEndpoint; REFUSED is 403', async () => {
  const s = await pryv();
  const unknown = await call(`${s.base}/reg/access/nosuchkey12345`);
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.json, {
    error: { id: 'unknown-access-key', message: 'Unknown or expired access key' },
  });

  const a = await create(s);
  const accepted = s.accept(String(a.json.key));
  const p = await call(String(a.json.poll));
  assert.equal(p.status, 200);
  assert.deepEqual(p.json, {
    status: 'ACCEPTED',
    username: 'alice',
    token: accepted.token,
    apiEndpoint: `http://${accepted.token}@127.0.0.1:${s.port}/alice/`,
  });
  // A terminal state is not consumed by reading it.
  assert.equal((await call(String(a.json.poll))).status, 200);

  const r = await create(s);
  s.refuse(String(r.json.key));
  const refused = await call(String(r.json.poll));
  assert.equal(refused.status, 403);
  assert.equal(refused.json.status, 'REFUSED');
  assert.equal(refused.json.reasonId, 'REFUSED_BY_USER');
});

test('request lifetime: v2 fixes it at creation (expireAfter in ms), then polls get 400', async () => {
  let now = 1_000_000;
  const s = await pryv({ now: () => now, requestTtlMs: 60_000 });
  const c = await create(s);
  now += 59_000;
  assert.equal((await call(String(c.json.poll))).status, 201);
  now += 2_000;
  assert.equal((await call(String(c.json.poll))).status, 400, 'expired after the lifetime');
  // expireAfter is the lifetime in milliseconds on v2: 3600 means 3.6 s.
  const short = await create(s, { expireAfter: 3600 });
  now += 3_700;
  const gone = await call(String(short.json.poll));
  assert.equal(gone.status, 400);
  assert.equal((gone.json.error as Record<string, unknown>).id, 'unknown-access-key');
});

test('v1 restarts the lifetime on every write and reports a consent-page refusal as REASON_UNDEFINED', async () => {
  let now = 5_000_000;
  const s = await pryv({ generation: 'v1', now: () => now, requestTtlMs: 10_000 });
  const c = await create(s);
  assert.equal(c.status, 201);
  now += 9_000;
  s.refuse(String(c.json.key));
  now += 9_000;
  const p = await call(String(c.json.poll));
  assert.equal(p.status, 403, 'still there: the refusal restarted the clock');
  assert.equal(p.json.reasonID, 'REASON_UNDEFINED');
  now += 2_000;
  const gone = await call(String(c.json.poll));
  assert.equal(gone.status, 400);
  assert.equal(gone.json.id, 'INVALID_KEY');
});

test('the consent page lists the app and permissions; its Accept and Refuse buttons settle the request', async () => {
  const s = await pryv();
  const c = await create(s);
  const page = await call(String(c.json.authUrl));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.text, /<strong id="app">sandbox-test-app<\/strong>/);
  assert.match(page.text, /<code>stream diary<\/code> \(Diary\): <strong>read<\/strong>/);
  assert.match(page.text, /<code>stream inbox<\/code> \(Inbox\): <strong>create-only<\/strong>/);
  assert.match(page.text, /id="accept"/);
  assert.match(page.text, /id="refuse"/);
  const form = (decision: string, key: unknown) =>
    call(`${s.base}/auth/access.html`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: String(key), decision }).toString(),
    });
  const done = await form('accept', c.json.key);
  assert.equal(done.status, 200);
  assert.match(done.text, /Access granted/);
  assert.equal((await call(String(c.json.poll))).json.status, 'ACCEPTED');

  const c2 = await create(s);
  const no = await form('refuse', c2.json.key);
  assert.match(no.text, /Access refused/);
  assert.equal((await call(String(c2.json.poll))).status, 403);
  assert.equal((await form('accept', 'unknown-key-123')).status, 404);
});

test('the consent page escapes what the app sent', async () => {
  const s = await pryv();
  const evil = '<img src=x onerror=alert(1)>"\'&';
  const c = await create(s, {
    requestingAppId: evil,
    requestedPermissions: [{ streamId: '<script>x</script>', level: 'read', defaultName: '"><b>' }],
  });
  const page = await call(String(c.json.authUrl));
  assert.doesNotMatch(page.text, /<img|<script>x|"><b>/);
  assert.match(page.text, /&lt;img src=x onerror=alert\(1\)&gt;&quot;&#39;&amp;/);
  assert.match(page.text, /&lt;script&gt;x&lt;\/script&gt;/);
});

test('approve auto accepts and approve refuse refuses every request without a page', async () => {
  const auto = await pryv({ approve: 'auto' });
  const a = await create(auto);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal((await call(String(a.json.poll))).status, 200);
  const refuse = await pryv({ approve: 'refuse' });
  const r = await create(refuse);
  await new Promise((res) => setTimeout(res, 30));
  assert.equal((await call(String(r.json.poll))).status, 403);
});

test('core: access-info, events with read / contribute / create-only enforced, then self-deletion', async () => {
  const s = await pryv();
  const c = await create(s);
  const { token } = s.accept(String(c.json.key));
  const api = `${s.base}/alice/`;
  const auth = { authorization: token };

  const info = await call(`${api}access-info`, { headers: auth });
  assert.equal(info.status, 200);
  assert.equal(info.json.name, 'sandbox-test-app');
  assert.deepEqual(
    info.json.permissions,
    PERMS.map(({ defaultName: _d, ...p }) => p),
  );

  // contribute: create and read; create-only: create but not read; read: read but not create.
  const made = await post(`${api}events`, { streamIds: ['notes'], type: 'note/txt', content: 'hello' }, auth);
  assert.equal(made.status, 201);
  assert.equal((made.json.event as Record<string, unknown>).content, 'hello');
  assert.equal(
    (await post(`${api}events`, { streamIds: ['inbox'], type: 'note/txt', content: 'in' }, auth)).status,
    201,
  );
  const denied = await post(`${api}events`, { streamIds: ['diary'], type: 'note/txt', content: 'no' }, auth);
  assert.equal(denied.status, 403);
  assert.equal((denied.json.error as Record<string, unknown>).id, 'forbidden');
  assert.equal(
    (await post(`${api}events`, { streamIds: ['elsewhere'], type: 'note/txt' }, auth)).status,
    403,
  );
  assert.equal((await post(`${api}events`, { streamIds: ['notes'], type: 'Not A Type' }, auth)).status, 400);

  const all = await call(`${api}events`, { headers: auth });
  assert.equal(all.status, 200);
  assert.deepEqual(
    (all.json.events as Array<Record<string, unknown>>).map((e) => e.content),
    ['hello'],
    'events of a create-only stream are not readable',
  );
  assert.equal((await call(`${api}events?streams[]=inbox`, { headers: auth })).status, 403);
  assert.equal((await call(`${api}events?streams[]=notes&auth=${token}`)).status, 200, '?auth= works too');

  // A bad token is 403 invalid-access-token, not 401.
  const bad = await call(`${api}access-info`, { headers: { authorization: 'nope' } });
  assert.equal(bad.status, 403);
  assert.equal((bad.json.error as Record<string, unknown>).id, 'invalid-access-token');

  // Another app's access cannot be deleted with this token; its own can, and then it is dead.
  const c2 = await create(s);
  const other = s.accept(String(c2.json.key));
  const otherId = String(
    (await call(`${api}access-info`, { headers: { authorization: other.token } })).json.id,
  );
  assert.equal((await call(`${api}accesses/${otherId}`, { method: 'DELETE', headers: auth })).status, 403);
  assert.equal((await call(`${api}accesses/nosuch`, { method: 'DELETE', headers: auth })).status, 404);
  const del = await call(`${api}accesses/${String(info.json.id)}`, { method: 'DELETE', headers: auth });
  assert.equal(del.status, 200);
  assert.deepEqual(del.json.accessDeletion, { id: info.json.id });
  assert.equal((await call(`${api}access-info`, { headers: auth })).status, 403);
});

test('an expired access answers 403 forbidden "Access has expired."', async () => {
  const s = await pryv({ accessExpires: Math.floor(Date.now() / 1000) - 10 });
  const c = await create(s);
  const { token } = s.accept(String(c.json.key));
  const r = await call(`${s.base}/alice/access-info`, { headers: { authorization: token } });
  assert.equal(r.status, 403);
  assert.deepEqual(r.json.error, { id: 'forbidden', message: 'Access has expired.' });
});

test('the request log has one line per request and never the poll key or a query value', async () => {
  const lines: string[] = [];
  const s = await pryv({ log: (l) => lines.push(l) });
  const c = await create(s);
  await call(String(c.json.poll));
  const { token } = s.accept(String(c.json.key));
  await call(`${s.base}/alice/events?auth=${token}&streams[]=diary`);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0]!, /^GET \/reg\/service\/info 200 \d+ms$/);
  assert.match(lines[1]!, /^POST \/reg\/access\/ 201 /);
  assert.match(lines[2]!, /^GET \/reg\/access\/… 201 /);
  assert.match(lines[3]!, /^GET \/alice\/events\?auth&streams\[\] 200 /);
  for (const l of lines) {
    assert.ok(!l.includes(String(c.json.key)), `poll key in: ${l}`);
    assert.ok(!l.includes(token), `token in: ${l}`);
  }
});
