/**
 * The SAFE Launcher emulator over real HTTP: POST /auth held open until someone decides on the
 * approval page, the plain-text 401s, GET and DELETE /auth, and the page's escaping.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type SafeSandbox, startSafe } from '../../src/sandbox/safe.js';

const servers: SafeSandbox[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function safe(opts: Parameters<typeof startSafe>[0] = {}) {
  const s = await startSafe(opts);
  servers.push(s);
  return s;
}

const app = { name: 'Demo', id: 'net.example.demo', version: '1.0', vendor: 'Example' };
const authorize = (s: SafeSandbox, body: unknown = { app, permissions: ['SAFE_DRIVE_ACCESS'] }) =>
  fetch(`${s.url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const decide = (s: SafeSandbox, id: string, decision: string) =>
  fetch(`${s.url}/sandbox/requests/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `decision=${decision}`,
  });

test('POST /auth waits for Allow on the approval page, then GET and DELETE /auth work with the token', async () => {
  const pending: string[] = [];
  const s = await safe({ onPending: ({ app: a, pageUrl }) => pending.push(`${String(a.name)} ${pageUrl}`) });
  const empty = await (await fetch(s.pageUrl)).text();
  assert.match(empty, /No app is waiting/);
  let answered = false;
  const post = authorize(s).then((r) => {
    answered = true;
    return r;
  });
  const held = await s.pending;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(answered, false, 'the POST is held open while nobody decides');
  assert.deepEqual(pending, [`Demo ${s.pageUrl}`]);
  const page = await (await fetch(s.pageUrl)).text();
  assert.match(
    page,
    /<strong class="app-name">Demo<\/strong> 1\.0 by Example \(<code>net\.example\.demo<\/code>\)/,
  );
  assert.match(page, /<code class="permission">SAFE_DRIVE_ACCESS<\/code>/);
  const done = await decide(s, held.id, 'allow');
  assert.equal(done.status, 200);
  assert.match(await done.text(), /Demo was allowed/);
  const r = await post;
  assert.equal(r.status, 200);
  const body = (await r.json()) as { token: string; permissions: string[] };
  assert.deepEqual(body.permissions, ['SAFE_DRIVE_ACCESS']);
  const bearer = { authorization: `Bearer ${body.token}` };
  assert.equal((await fetch(`${s.url}/auth`, { headers: bearer })).status, 200);
  const noHeader = await fetch(`${s.url}/auth`);
  assert.equal(noHeader.status, 401);
  assert.deepEqual(await noHeader.json(), { errorCode: 400, description: 'Unauthorised' });
  assert.equal((await fetch(`${s.url}/auth`, { method: 'DELETE', headers: bearer })).status, 200);
  await new Promise((res) => setTimeout(res, 20));
  const stale = await fetch(`${s.url}/auth`, { headers: bearer });
  assert.equal(stale.status, 401);
  assert.equal(await stale.text(), 'Unauthorized', 'a dead bearer: plain text, American spelling');
});

test('Deny answers the held POST with the plain-text 401 Unauthorised; approve auto and refuse decide at once', async () => {
  const s = await safe();
  const post = authorize(s);
  const held = await s.pending;
  await decide(s, held.id, 'deny');
  const r = await post;
  assert.equal(r.status, 401);
  assert.equal(await r.text(), 'Unauthorised');
  assert.equal((await decide(s, held.id, 'allow')).status, 404, 'already decided');

  const auto = await safe({ approve: 'auto' });
  assert.equal((await authorize(auto)).status, 200);
  const refuse = await safe({ approve: 'refuse' });
  const no = await authorize(refuse);
  assert.equal(no.status, 401);
  assert.equal(await no.text(), 'Unauthorised');
});

test('the approval page escapes the app fields', async () => {
  const s = await safe();
  const evil = { name: '<script>alert(1)</script>', id: '"><img src=x>', version: "1'", vendor: '&amp;' };
  const post = authorize(s, { app: evil, permissions: [] });
  const held = await s.pending;
  const page = await (await fetch(s.pageUrl)).text();
  assert.doesNotMatch(page, /<script>alert|<img src=x>/);
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page, /&quot;&gt;&lt;img src=x&gt;/);
  assert.match(page, /by &amp;amp;/);
  held.deny();
  await post;
});
