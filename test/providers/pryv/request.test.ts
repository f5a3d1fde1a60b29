/**
 * `pryv request` / `pryv poll` in process, against the fake register (test/fakes/pryv.ts) over
 * real HTTP: every terminal state, the quirks in docs/protocol-notes/pryv.md and its polling rules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { poll, type RequestOptions, request } from '../../../src/providers/pryv/run.js';
import { type Profile, savedParams } from '../../../src/store/profile.js';
import { type FakePryv, type FakePryvOptions, startFakePryv } from '../../fakes/pryv.js';
import { writeStore } from '../../helpers/cli.js';
import { type TestContext, type TestContextOptions, testContext } from '../../helpers/context.js';

const fakes: FakePryv[] = [];
const contexts: TestContext[] = [];
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  for (const c of contexts) c.cleanup();
});

async function fake(opts: Partial<FakePryvOptions> & Pick<FakePryvOptions, 'generation'>): Promise<FakePryv> {
  const f = await startFakePryv({ pollRateMs: 40, ...opts });
  fakes.push(f);
  return f;
}

function ctxFor(opts: TestContextOptions = {}): TestContext {
  const c = testContext(opts);
  contexts.push(c);
  return c;
}

function opts(f: FakePryv, over: Partial<RequestOptions> = {}): RequestOptions {
  return {
    appId: 'my-app-id',
    permission: ['diary:read', 'notes:contribute:Notes'],
    serviceInfo: f.serviceInfoUrl,
    lang: 'en',
    timeout: 10_000,
    profile: 'pryv',
    ...over,
  };
}

/** Resolve once `fn` returns something truthy (checked every 5 ms). */
async function waitFor<T>(fn: () => T | undefined | false | null, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Start an async call without an unhandled rejection; await `.done` for the error (or null). */
function start(p: Promise<void>): { done: Promise<unknown> } {
  return {
    done: p.then(
      () => null,
      (e: unknown) => e,
    ),
  };
}

function saved(ctx: TestContext, name = 'pryv'): Profile | undefined {
  return ctx.store.read().profiles.get(name);
}

const exitCode = (e: unknown) => (e as { exitCode?: number } | null)?.exitCode;
const verboseLines = (ctx: TestContext) => ctx.stderr.filter((l) => l.startsWith('[verbose]')).join('');

/** Start a request, wait for its key and at least `polls` polls. */
async function begin(f: FakePryv, ctx: TestContext, over: Partial<RequestOptions> = {}, polls = 1) {
  const run = start(request(ctx, opts(f, over)));
  const key = await waitFor(() => f.keys()[0]);
  await waitFor(() => f.polls(key).length >= polls);
  return { run, key };
}

test('v1: accepted → token verified with access-info and saved without the token in apiEndpoint', async () => {
  const f = await fake({ generation: 'v1' });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx, { deviceName: 'build box' });
  const { token } = f.accept(key, { username: 'alice' });
  assert.equal(await run.done, null);

  const p = saved(ctx)!;
  assert.equal(p.provider, 'pryv');
  assert.equal(p.flow, 'pryv-access');
  assert.equal(p.token, token);
  assert.equal(p.tokenType, 'pryv');
  assert.equal(p.subject, 'alice');
  assert.deepEqual(p.scopes, ['diary:read', 'notes:contribute']);
  assert.equal(p.expiresAt, null);
  assert.deepEqual(savedParams(p), {
    apiEndpoint: `${f.base}/alice/`,
    username: 'alice',
    serviceInfoUrl: f.serviceInfoUrl,
    appId: 'my-app-id',
    // What was requested, with default names: the renewal parameters (the re-login hint).
    permissions: ['diary:read', 'notes:contribute:Notes'],
  });
  assert.equal((p.details as { verified: boolean }).verified, true);
  assert.ok(!JSON.stringify(p.details).includes(token), 'details never hold the token');

  // The create body: exactly these fields, no expireAfter, POSTed to serviceInfo.access.
  assert.deepEqual(f.createBodies[0], {
    requestingAppId: 'my-app-id',
    requestedPermissions: [
      { streamId: 'diary', level: 'read', defaultName: 'diary' },
      { streamId: 'notes', level: 'contribute', defaultName: 'Notes' },
    ],
    languageCode: 'en',
    deviceName: 'build box',
  });
  assert.ok(f.requests.some((r) => r.method === 'POST' && r.path === '/access/'));
  // v1 authUrl (the odd `?&pollUrl=` form) is opened, with cli=1.
  assert.equal(ctx.opened.length, 1);
  assert.match(ctx.opened[0]!, /\/auth\/access\.html\?&pollUrl=.*&cli=1$/);
  // URL printed on stderr before the spinner line.
  const err = ctx.stderr.join('');
  assert.ok(
    err.indexOf(ctx.opened[0]!) >= 0 && err.indexOf(ctx.opened[0]!) < err.indexOf('Waiting for approval'),
  );
  // access-info got the raw token, no "Bearer".
  const ai = f.requests.find((r) => r.path === '/alice/access-info')!;
  assert.equal(ai.authorization, token);
  assert.deepEqual(ctx.stdout, []);
  // The poll key never reaches the verbose log.
  assert.ok(!verboseLines(ctx).includes(key));
  assert.match(verboseLines(ctx), /GET http:\/\/127\.0\.0\.1:\d+\/access\/\*\*\* -> 201/);
});

test('v2: accepted without apiEndpoint → built from the api template; --print prints the token', async () => {
  const f = await fake({ generation: 'v2', accessExpires: 1_900_000_000 });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx, { print: true, profile: 'lab' });
  assert.match(ctx.opened[0]!, /\?lang=en&key=.*&poll=.*&cli=1$/);
  const { token } = f.accept(key, { username: 'bob', apiEndpoint: null });
  assert.equal(await run.done, null);
  const p = saved(ctx, 'lab')!;
  assert.equal(savedParams(p).apiEndpoint, `${f.base}/bob/`);
  assert.equal(savedParams(p).serviceInfoUrl, `${f.base}/reg/service/info`);
  assert.equal(p.expiresAt, new Date(1_900_000_000_000).toISOString().replace('.000Z', 'Z'));
  assert.deepEqual(ctx.stdout, [`${token}\n`]);
  assert.ok(f.requests.some((r) => r.method === 'POST' && r.path === '/reg/access/'));
});

test('v1: refused by the user → exit 3 with REASON_UNDEFINED and the message', async () => {
  const f = await fake({ generation: 'v1' });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx);
  f.refuse(key); // app-web-auth3 sends reasonId; v1 stores reasonID REASON_UNDEFINED
  const e = await run.done;
  assert.equal(exitCode(e), 3);
  assert.match(
    (e as Error).message,
    /refused: The user refused to give access to the requested permissions \(REASON_UNDEFINED\)/,
  );
  assert.equal(saved(ctx), undefined);
  // Stops at once on a terminal state: exactly one poll saw REFUSED.
  assert.equal(f.polls(key).filter((r) => r.status === 403).length, 1);
});

test('v2: refused → exit 3 with reasonId (with --timeout 0 = no limit of our own)', async () => {
  const f = await fake({ generation: 'v2' });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx, { timeout: 0 }, 2);
  f.refuse(key, { reasonId: 'REFUSED_BY_USER', message: 'Not today' });
  const e = await run.done;
  assert.equal(exitCode(e), 3);
  assert.match((e as Error).message, /Not today \(REFUSED_BY_USER\)/);
  assert.equal(saved(ctx), undefined);
});

test('ERROR state → exit 1 with the server message, both shapes', async () => {
  for (const generation of ['v1', 'v2'] as const) {
    const f = await fake({ generation });
    const ctx = ctxFor();
    const { run, key } = await begin(f, ctx);
    if (generation === 'v1')
      f.error(key, { id: 'CORE_DOWN', message: 'Core unreachable', detail: 'try later' });
    else f.error(key, { reasonId: 'CORE_DOWN', message: 'Core unreachable' });
    const e = await run.done;
    assert.equal(exitCode(e), 1, generation);
    assert.match((e as Error).message, /reported an error: Core unreachable.*\(CORE_DOWN\)/, generation);
    assert.equal(saved(ctx), undefined);
  }
});

test('expired key (400) → exit 5, both shapes', async () => {
  for (const generation of ['v1', 'v2'] as const) {
    const f = await fake({ generation });
    const ctx = ctxFor();
    const { run, key } = await begin(f, ctx);
    f.expire(key);
    const e = await run.done;
    assert.equal(exitCode(e), 5, generation);
    assert.match(
      (e as Error).message,
      generation === 'v1'
        ? /expired or is unknown.*INVALID_KEY/
        : /expired or is unknown.*unknown-access-key/,
    );
  }
});

test('5xx, garbage and 429 (Retry-After) during polling are tolerated, then accepted', async () => {
  const f = await fake({ generation: 'v1', pollRateMs: 30 });
  f.failNextPolls(1, { status: 503 });
  f.failNextPolls(1, { garbage: true });
  f.failNextPolls(1, { status: 500 });
  f.failNextPolls(1, { status: 429, retryAfter: '1' });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx, {}, 5);
  f.accept(key);
  assert.equal(await run.done, null);
  const polls = f.polls(key);
  assert.deepEqual(
    polls.slice(0, 5).map((r) => r.status),
    [503, 200, 500, 429, 201],
  );
  const gaps = polls.slice(1).map((r, i) => r.at - polls[i]!.at);
  // Backoff doubles after consecutive failures (30 → 60 → 120 → 240) and Retry-After: 1 is honoured.
  assert.ok(gaps[0]! >= 55, `gap after first failure ${gaps[0]}`);
  assert.ok(gaps[1]! >= 115, `gap after second failure ${gaps[1]}`);
  assert.ok(gaps[3]! >= 995, `gap after 429 Retry-After: 1 was ${gaps[3]}`);
  assert.ok(saved(ctx));
});

test('changed poll_rate_ms is honoured and never exceeded; an absent one keeps the previous', async () => {
  const f = await fake({ generation: 'v2', pollRateMs: 40 });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx, {}, 3);
  const changedAt = performance.now();
  f.setPollRate(200);
  await waitFor(() => f.polls(key).filter((r) => r.at > changedAt).length >= 3);
  f.setPollRate(null);
  const nullAt = performance.now();
  await waitFor(() => f.polls(key).filter((r) => r.at > nullAt).length >= 2);
  f.accept(key);
  assert.equal(await run.done, null);
  const polls = f.polls(key);
  const slack = 5;
  for (let i = 1; i < polls.length; i++) {
    const prev = polls[i - 1]!;
    const gap = polls[i]!.at - prev.at;
    // The answer to `prev` carried 40 before the change, 200 after it, nothing (→ keep 200) after null.
    const rate = prev.at > changedAt ? 200 : 40;
    assert.ok(gap >= rate - slack, `poll ${i}: gap ${gap.toFixed(1)} ms < rate ${rate}`);
  }
  // And it does follow the server (not stuck on a slower schedule): before the change, gaps near 40 ms.
  const early = polls.slice(1).filter((r, i) => polls[i]!.at < changedAt && r.at < changedAt);
  const earlyGaps = early.map((r) => r.at - polls[polls.indexOf(r) - 1]!.at);
  assert.ok(earlyGaps.length >= 2 && Math.min(...earlyGaps) < 150, `early gaps ${earlyGaps.join(', ')}`);
});

test('--timeout passes → exit 5 naming the timeout', async () => {
  const f = await fake({ generation: 'v1', pollRateMs: 30 });
  const ctx = ctxFor();
  const t0 = Date.now();
  const e = await start(request(ctx, opts(f, { timeout: 300 }))).done;
  const took = Date.now() - t0;
  assert.equal(exitCode(e), 5);
  assert.match((e as Error).message, /no decision within 300ms \(--timeout\)/);
  assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
  assert.equal(saved(ctx), undefined);
});

test('a server failing until the deadline → exit 5 reporting the last failure, key masked', async () => {
  const f = await fake({ generation: 'v1', pollRateMs: 20 });
  f.failNextPolls(1000, { status: 503 });
  const ctx = ctxFor();
  const e = await start(request(ctx, opts(f, { timeout: 400 }))).done;
  assert.equal(exitCode(e), 5);
  assert.match(
    (e as Error).message,
    /gave up after 400ms \(--timeout\).*last failure: HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/access\/\*\*\*/,
  );
  assert.ok(!(e as Error).message.includes(f.lastKey()));
  // Bounded backoff: far fewer polls than 400/20.
  assert.ok(f.polls().length <= 6, `${f.polls().length} polls`);
});

test('v2 REDIRECTED (301, no Location) is followed to the new poll URL', async () => {
  const a = await fake({ generation: 'v2' });
  const b = await fake({ generation: 'v2' });
  const ctx = ctxFor();
  const { run, key } = await begin(a, ctx);
  a.redirect(key, b);
  await waitFor(() => b.polls(key).length >= 1);
  // Same platform: the core behind `a` knows the access created through `b`.
  const { token } = b.accept(key, { username: 'carol', apiEndpoint: null });
  a.accesses.set(token, b.accesses.get(token)!);
  assert.equal(await run.done, null);
  assert.equal(savedParams(saved(ctx)!).apiEndpoint, `${a.base}/carol/`);
  assert.equal(a.polls(key).filter((r) => r.status === 301).length, 1);
  assert.ok(!verboseLines(ctx).includes(key));
});

test('a REDIRECTED poll URL with plain http to a non-loopback host is refused (exit 1)', async () => {
  const f = await fake({ generation: 'v2' });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx);
  f.settle(key, { status: 'REDIRECTED', redirectUrl: 'http://core2.example.com/reg/access/abc' });
  const e = await run.done;
  assert.equal(exitCode(e), 1);
  assert.match((e as Error).message, /plain http/);
});

test('--no-wait prints {authUrl, poll, key, pollRateMs} and polls nothing; pryv poll finishes (v1)', async () => {
  const f = await fake({ generation: 'v1' });
  const ctx = ctxFor();
  assert.equal(await start(request(ctx, opts(f, { wait: false }))).done, null);
  const out = JSON.parse(ctx.stdout.join(''));
  assert.deepEqual(Object.keys(out), ['authUrl', 'poll', 'key', 'pollRateMs']);
  assert.equal(out.key, f.lastKey());
  assert.equal(out.poll, f.pollUrl(out.key));
  assert.equal(out.pollRateMs, 40);
  assert.equal(out.authUrl, ctx.opened[0]);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(f.polls().length, 0);
  assert.equal(saved(ctx), undefined);

  const ctx2 = ctxFor({ configDir: ctx.env.AUTHCTL_CONFIG_DIR! });
  const run = start(poll(ctx2, out.poll, { timeout: 5000, profile: 'later', json: true }));
  await waitFor(() => f.polls().length >= 1);
  const { token } = f.accept(out.key, { username: 'davey' });
  assert.equal(await run.done, null);
  const p = saved(ctx2, 'later')!;
  assert.equal(p.token, token);
  assert.equal(savedParams(p).apiEndpoint, `${f.base}/davey/`);
  // From the service info embedded in v1 poll bodies: register + service/info.
  assert.equal(savedParams(p).serviceInfoUrl, `${f.base}/service/info`);
  assert.equal(savedParams(p).appId, 'my-app-id');
  assert.deepEqual(p.scopes, ['diary:read', 'notes:contribute']);
  const summary = JSON.parse(ctx2.stdout.join(''));
  assert.equal(summary.profile, 'later');
  assert.ok(!ctx2.stdout.join('').includes(token));
});

test('pryv poll on v2, already accepted: service info derived from /reg/access/<key>', async () => {
  const f = await fake({ generation: 'v2' });
  const ctx = ctxFor();
  assert.equal(await start(request(ctx, opts(f, { wait: false, open: false }))).done, null);
  assert.deepEqual(ctx.opened, []);
  const out = JSON.parse(ctx.stdout.join(''));
  f.accept(out.key, { username: 'erin', apiEndpoint: null });
  const ctx2 = ctxFor();
  assert.equal(await start(poll(ctx2, out.poll, { timeout: 5000 })).done, null);
  const p = saved(ctx2)!;
  assert.equal(savedParams(p).serviceInfoUrl, `${f.base}/reg/service/info`);
  assert.equal(savedParams(p).apiEndpoint, `${f.base}/erin/`);
  assert.equal(savedParams(p).appId, undefined, 'no app id: absent (0.1 saved null)');
  assert.deepEqual(p.scopes, ['diary:read', 'notes:contribute']); // from access-info
  assert.ok(f.requests.some((r) => r.method === 'GET' && r.path === '/reg/service/info'));
});

test('pryv poll with no way to learn the service info fails clearly (exit 1) and saves nothing', async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ACCEPTED', username: 'frank', token: 'tok-frank' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const ctx = ctxFor();
  const e = await start(poll(ctx, `http://127.0.0.1:${port}/custom/access/KEY1234567`, { timeout: 2000 }))
    .done;
  assert.equal(exitCode(e), 1);
  assert.match((e as Error).message, /cannot check the returned apiEndpoint/);
  assert.equal(saved(ctx), undefined);
});

test('Ctrl-C while waiting → exit 130 and the store is untouched', async () => {
  const f = await fake({ generation: 'v1' });
  const ctx = ctxFor();
  const file = writeStore(ctx.env.AUTHCTL_CONFIG_DIR!, {
    version: 1,
    profiles: {
      pryv: {
        provider: 'pryv',
        flow: 'pryv-access',
        token: 'old-token',
        tokenType: 'pryv',
        obtainedAt: '2026-01-01T00:00:00Z',
        expiresAt: null,
        subject: 'alice',
        scopes: [],
        params: {},
      },
    },
  });
  const before = fs.readFileSync(file);
  const { run, key } = await begin(f, ctx, {}, 2);
  ctx.controller.abort();
  const e = await run.done;
  assert.equal(exitCode(e), 130);
  // Even if the user approves now, nothing is saved.
  f.accept(key);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(fs.readFileSync(file), before);
  assert.deepEqual(
    fs.readdirSync(path.dirname(file)).filter((n) => !n.endsWith('.lock')),
    ['config.json'],
  );
});

test('an untrusted apiEndpoint (other host, or plain http) → exit 1, nothing saved, nothing verified', async () => {
  const cases: Array<[string, RegExp]> = [
    ['https://TOKEN@alice.evil.example.com/', /does not match the service's api template/],
    ['http://TOKEN@alice.pryv.example.com/', /plain http apiEndpoint/],
    ['http://TOKEN@127.0.0.2:1/alice/', /does not match/],
  ];
  for (const [endpoint, re] of cases) {
    const f = await fake({ generation: 'v1' });
    const ctx = ctxFor();
    const { run, key } = await begin(f, ctx);
    f.accept(key, { token: 'TOKEN', apiEndpoint: endpoint });
    const e = await run.done;
    assert.equal(exitCode(e), 1, endpoint);
    assert.match((e as Error).message, re, endpoint);
    assert.ok(!(e as Error).message.includes('TOKEN@'), 'the token is not echoed');
    assert.equal(saved(ctx), undefined);
    assert.equal(f.requests.filter((r) => r.path.endsWith('access-info')).length, 0);
  }
});

test('access-info rejects the token (403) → exit 4; 5xx → exit 1; --no-verify skips it', async () => {
  const f = await fake({ generation: 'v1', registerAcceptedTokens: false });
  let ctx = ctxFor();
  let b = await begin(f, ctx);
  f.accept(b.key);
  let e = await b.run.done;
  assert.equal(exitCode(e), 4);
  assert.match((e as Error).message, /token rejected by 127\.0\.0\.1:\d+ .*invalid-access-token/);
  assert.equal(saved(ctx), undefined);

  const g = await fake({ generation: 'v2' });
  g.failAccessInfo(500);
  g.failAccessInfo(500);
  g.failAccessInfo(500);
  ctx = ctxFor({ backoffMs: 5 });
  b = await begin(g, ctx);
  g.accept(b.key);
  e = await b.run.done;
  assert.equal(exitCode(e), 1);
  assert.match((e as Error).message, /access-info answered .*HTTP 500|Forced failure/);
  assert.equal(saved(ctx), undefined);

  const h = await fake({ generation: 'v1', registerAcceptedTokens: false });
  ctx = ctxFor();
  b = await begin(h, ctx, { verify: false });
  h.accept(b.key, { username: 'ginny' });
  assert.equal(await b.run.done, null);
  const p = saved(ctx)!;
  assert.deepEqual(p.scopes, ['diary:read', 'notes:contribute']);
  assert.equal((p.details as { verified: boolean }).verified, false);
  assert.equal(h.requests.filter((r) => r.path.endsWith('access-info')).length, 0);
});

test('bad input → exit 2 before any request (the fake sees nothing)', async () => {
  const f = await fake({ generation: 'v1' });
  const bad: Array<[Partial<RequestOptions>, RegExp]> = [
    [{ appId: 'short' }, /--app-id/],
    [{ appId: `   ${'x'.repeat(4)}   ` }, /--app-id/],
    [{ appId: 'y'.repeat(100) }, /--app-id/],
    [{ permission: undefined }, /at least one --permission/],
    [{ permission: ['diary:write'] }, /unknown level 'write'/],
    [{ permission: [':read'] }, /expected streamId:level/],
    [{ lang: 'toolong' }, /--lang/],
    [{ deviceName: '' }, /--device-name/],
    [{ timeout: -1 }, /--timeout/],
    [{ serviceInfo: 'http://reg.example.com/service/info' }, /plain http is refused/],
    [{ serviceInfo: 'not a url' }, /--service-info: not a valid URL/],
  ];
  for (const [over, re] of bad) {
    const ctx = ctxFor();
    const e = await start(request(ctx, opts(f, over))).done;
    assert.equal(exitCode(e), 2, JSON.stringify(over));
    assert.match((e as Error).message, re);
  }
  const ctx = ctxFor();
  const e = await start(poll(ctx, 'http://example.com/access/KEY', { timeout: 1000 })).done;
  assert.equal(exitCode(e), 2);
  assert.equal(f.requests.length, 0);
});

test('--insecure lets a plain http non-loopback --service-info through (then: connection refused, exit 1)', async () => {
  const f = await fake({ generation: 'v1' });
  const url = 'http://0.0.0.0:1/service/info';
  const refused = await start(request(ctxFor(), opts(f, { serviceInfo: url }))).done;
  assert.equal(exitCode(refused), 2);
  const e = await start(request(ctxFor({ insecure: true }), opts(f, { serviceInfo: url }))).done;
  assert.equal(exitCode(e), 1);
  assert.match((e as Error).message, /0\.0\.0\.0:1/);
});

test('create rejected by the register → exit 1 with its message, both error shapes', async () => {
  for (const [generation, re] of [
    ['v1', /rejected the access request: Invalid app ID \(INVALID_APP_ID\)/],
    ['v2', /rejected the access request: Missing or invalid requestingAppId \(invalid-parameters\)/],
  ] as const) {
    const f = await fake({ generation });
    f.failNextCreate();
    const ctx = ctxFor();
    const e = await start(request(ctx, opts(f))).done;
    assert.equal(exitCode(e), 1);
    assert.match((e as Error).message, re);
    assert.equal(f.polls().length, 0);
  }
});

test('service info without trailing slashes is normalised; a bad one stops before POST', async () => {
  const strip = (info: Record<string, unknown>) => {
    const out = { ...info };
    for (const k of ['access', 'api', 'register']) out[k] = String(out[k]).replace(/\/$/, '');
    return out;
  };
  const f = await fake({ generation: 'v1', serviceInfo: strip });
  const ctx = ctxFor();
  const { run, key } = await begin(f, ctx);
  f.accept(key, { username: 'hanky' });
  assert.equal(await run.done, null);
  assert.ok(f.requests.some((r) => r.method === 'POST' && r.path === '/access/'));
  assert.equal(savedParams(saved(ctx)!).apiEndpoint, `${f.base}/hanky/`);

  const g = await fake({ generation: 'v1', serviceInfo: (i) => ({ ...i, api: 'http://127.0.0.1/' }) });
  const e = await start(request(ctxFor(), opts(g))).done;
  assert.equal(exitCode(e), 1);
  assert.match((e as Error).message, /no \{username\} placeholder/);
  assert.equal(g.requests.filter((r) => r.method === 'POST').length, 0);

  const h = await fake({
    generation: 'v1',
    serviceInfo: (i) => ({ ...i, access: 'http://reg.example.com/access/' }),
  });
  const e2 = await start(request(ctxFor(), opts(h))).done;
  assert.equal(exitCode(e2), 1);
  assert.match((e2 as Error).message, /plain http/);
});

test('browser that cannot open: says so and keeps waiting; --qr draws a QR code on stderr', async () => {
  const f = await fake({ generation: 'v2' });
  const ctx = ctxFor({ onOpen: () => false });
  const { run, key } = await begin(f, ctx, { qr: true });
  f.accept(key);
  assert.equal(await run.done, null);
  const err = ctx.stderr.join('');
  assert.match(err, /Could not open a browser; open the URL above yourself/);
  assert.match(err, /[█▀▄]{10,}/);
  assert.ok(err.indexOf(ctx.opened[0]!) < err.search(/[█▀▄]/), 'URL first, then the QR code');
  assert.deepEqual(ctx.stdout, []);
});
