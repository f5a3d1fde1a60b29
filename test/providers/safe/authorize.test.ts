/** `safe authorize` against the fake Launcher over real HTTP (docs/protocol-notes/safe.md). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { InterruptedError } from '../../../src/errors.js';
import { decodeJwt } from '../../../src/lib/jwt.js';
import { DENIED_MESSAGE, WAITING_TEXT } from '../../../src/providers/safe/constants.js';
import { authorize } from '../../../src/providers/safe/run.js';
import {
  type FakeLauncher,
  type FakeLauncherOptions,
  safeProfile,
  useFakeLauncherPerTest,
} from '../../fakes/safe-launcher.js';
import { readStore, sampleProfile, writeStore } from '../../helpers/cli.js';
import { contextPerTest, type TestContext } from '../../helpers/context.js';

const launcher = useFakeLauncherPerTest();
const context = contextPerTest();

async function setup(o: FakeLauncherOptions = {}): Promise<{ fake: FakeLauncher; ctx: TestContext }> {
  return { fake: await launcher(o), ctx: context() };
}

const base = (fake: FakeLauncher, extra: Record<string, unknown> = {}) => ({
  appName: 'Demo App',
  appId: 'net.example.demo',
  appVersion: '1.0.2',
  appVendor: 'Example Ltd',
  permission: ['SAFE_DRIVE_ACCESS'],
  launcherUrl: fake.url,
  timeout: 10_000,
  profile: 'safe',
  ...extra,
});

const exitCode = (code: number, re?: RegExp) => (e: unknown) => {
  assert.equal((e as { exitCode?: number }).exitCode, code, String((e as Error).message));
  if (re) assert.match(`${(e as Error).message}. ${(e as { hint?: string }).hint ?? ''}`, re);
  return true;
};

const storeFile = (ctx: TestContext) => ctx.store.file;
const profiles = (ctx: TestContext) =>
  fs.existsSync(storeFile(ctx)) ? readStore(ctx.env.AUTHCTL_CONFIG_DIR!).profiles : {};

test('allow after a delay: POST is held open, then the JWT is saved with the app identity', async () => {
  const { fake, ctx } = await setup();
  const started = Date.now();
  const run = authorize(
    ctx,
    base(fake, { permission: ['LOW_LEVEL_API', 'SAFE_DRIVE_ACCESS', 'LOW_LEVEL_API'] }),
  );
  const held = await fake.pending;
  assert.ok(ctx.stderr.includes(`${WAITING_TEXT}\n`), 'the waiting line is shown while the POST is held');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(fake.held.length, 1, 'still waiting for the user after 400 ms');
  held.allow();
  await run;
  assert.ok(Date.now() - started >= 400);

  const post = fake.requestsTo('POST', '/auth');
  assert.equal(post.length, 1, 'exactly one POST (no retry)');
  assert.match(String(post[0]!.headers['content-type']), /^application\/json/);
  assert.equal(post[0]!.headers.authorization, undefined);
  assert.deepEqual(JSON.parse(post[0]!.body), {
    app: { name: 'Demo App', id: 'net.example.demo', version: '1.0.2', vendor: 'Example Ltd' },
    permissions: ['LOW_LEVEL_API', 'SAFE_DRIVE_ACCESS'],
  });
  assert.equal(fake.requestsTo('GET', '/health').length, 1, 'probed /health first');

  const p = profiles(ctx).safe as Record<string, unknown>;
  assert.equal(p.provider, 'safe');
  assert.equal(p.flow, 'safe-launcher');
  assert.equal(p.tokenType, 'Bearer');
  assert.equal(p.expiresAt, null);
  assert.equal(p.subject, 'net.example.demo');
  assert.deepEqual(p.scopes, ['LOW_LEVEL_API', 'SAFE_DRIVE_ACCESS']);
  assert.deepEqual(p.params, {
    launcherUrl: fake.url,
    appName: 'Demo App',
    appId: 'net.example.demo',
    appVersion: '1.0.2',
    appVendor: 'Example Ltd',
  });
  assert.deepEqual(p.details, {
    app: { name: 'Demo App', id: 'net.example.demo', version: '1.0.2', vendor: 'Example Ltd' },
    permissions: ['LOW_LEVEL_API', 'SAFE_DRIVE_ACCESS'],
  });
  assert.ok(decodeJwt(String(p.token))?.payload.id, 'a JWT with the session id');
  assert.deepEqual(ctx.stdout, [], 'nothing on stdout without --print/--json');
  const err = ctx.stderr.join('');
  assert.match(err, /saved its token as profile 'safe' \(expires: no expiry\)/);
  assert.ok(!err.includes(String(p.token)), 'the token never reaches stderr');
});

test('--print writes exactly the token; --json the summary without the token', async () => {
  const { fake, ctx } = await setup({ policy: 'allow' });
  await authorize(ctx, base(fake, { print: true }));
  const token = String((profiles(ctx).safe as Record<string, unknown>).token);
  assert.deepEqual(ctx.stdout, [`${token}\n`]);

  ctx.stdout.length = 0;
  await authorize(ctx, base(fake, { json: true, profile: 'other', permission: [] }));
  const out = JSON.parse(ctx.stdout.join('')) as Record<string, unknown>;
  assert.equal(out.profile, 'other');
  assert.equal(out.provider, 'safe');
  assert.deepEqual(out.scopes, []);
  assert.equal(out.expiresAt, null);
  assert.ok(!ctx.stdout.join('').includes(String((profiles(ctx).other as Record<string, unknown>).token)));
});

test('an empty permission list is valid and sent as []', async () => {
  const { fake, ctx } = await setup({ policy: 'allow' });
  await authorize(ctx, base(fake, { permission: undefined }));
  assert.deepEqual(JSON.parse(fake.requestsTo('POST', '/auth')[0]!.body).permissions, []);
  assert.deepEqual((profiles(ctx).safe as Record<string, unknown>).scopes, []);
});

test('deny → exit 3 with the "denied or not logged in" explanation; nothing saved', async () => {
  const { fake, ctx } = await setup();
  const run = authorize(ctx, base(fake));
  setTimeout(() => void fake.denyNext(), 100);
  await assert.rejects(run, exitCode(3, new RegExp(DENIED_MESSAGE)));
  assert.match(DENIED_MESSAGE, /denied.*not logged in|denied.*nobody is logged in/);
  assert.deepEqual(profiles(ctx), {});
});

test('Launcher not logged in → immediate 401 "Unauthorised" → exit 3', async () => {
  const { fake, ctx } = await setup({ loggedIn: false });
  const t = Date.now();
  await assert.rejects(authorize(ctx, base(fake)), exitCode(3, /denied it, or nobody is logged in/));
  assert.ok(Date.now() - t < 2000);
  assert.deepEqual(profiles(ctx), {});
});

test('--timeout → exit 5; the held POST is aborted (the Launcher sees the client go away)', async () => {
  const { fake, ctx } = await setup();
  const t = Date.now();
  const heldP = fake.pending;
  await assert.rejects(authorize(ctx, base(fake, { timeout: 300 })), exitCode(5, /within 300ms.*--timeout/));
  const elapsed = Date.now() - t;
  assert.ok(elapsed >= 290 && elapsed < 3000, `elapsed ${elapsed}`);
  const held = await heldP;
  await held.abandoned;
  assert.ok(held.gone, 'the held POST was abandoned by authctl');
  assert.equal(fake.held.length, 0);
  assert.equal(fake.requestsTo('POST', '/auth').length, 1, 'not retried');
  assert.deepEqual(profiles(ctx), {});
});

test('Ctrl-C while waiting → exit 130, request aborted, store untouched', async () => {
  const { fake, ctx } = await setup();
  writeStore(ctx.env.AUTHCTL_CONFIG_DIR!, { version: 1, profiles: { keep: sampleProfile() } });
  const before = fs.readFileSync(storeFile(ctx), 'utf8');
  const run = authorize(ctx, base(fake));
  const held = await fake.pending;
  ctx.controller.abort(new InterruptedError('SIGINT'));
  await assert.rejects(run, exitCode(130));
  await held.abandoned;
  assert.ok(held.gone);
  held.allow(); // too late: the user clicks Allow after authctl gave up
  assert.equal(fs.readFileSync(storeFile(ctx), 'utf8'), before);
});

test('invalid input → exit 2 before any request reaches the Launcher', async () => {
  const { fake, ctx } = await setup({ policy: 'allow' });
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [
      { permission: ['safe_drive_access'] },
      /unknown SAFE Launcher permission 'safe_drive_access'.*case-sensitive/,
    ],
    [{ permission: ['SAFE_DRIVE_ACCESS', 'NFS'] }, /unknown SAFE Launcher permission 'NFS'/],
    [{ appName: '' }, /--app-name is required/],
    [{ appVendor: '   ' }, /--app-vendor must not be blank/],
    [{ appVersion: '\t' }, /--app-version must not be blank/],
    [{ appId: undefined }, /--app-id is required/],
    [{ launcherUrl: 'http://launcher.example.com:8100' }, /--launcher-url: plain http is refused/],
    [{ launcherUrl: 'localhost:8100' }, /--launcher-url/],
  ];
  for (const [over, re] of bad) {
    await assert.rejects(authorize(ctx, base(fake, over)), exitCode(2, re), JSON.stringify(over));
  }
  assert.equal(fake.requests.length, 0);
  assert.deepEqual(profiles(ctx), {});
});

test('Launcher not running → exit 1 "SAFE Launcher is not running at <url>; start it and log in."', async () => {
  const { fake, ctx } = await setup();
  const url = fake.url;
  await fake.close();
  await assert.rejects(
    authorize(ctx, base(fake, { launcherUrl: url })),
    exitCode(
      1,
      new RegExp(`^SAFE Launcher is not running at ${url.replace(/\./g, '\\.')}; start it and log in\\. `),
    ),
  );
  assert.ok(!ctx.stderr.includes(`${WAITING_TEXT}\n`), 'the probe answers before any spinner');
});

test('JSON error bodies are shown: old Launcher permission set (exit 2), FFI failure (exit 1), wrong path (exit 1)', async () => {
  const { fake, ctx } = await setup({ policy: 'allow', knownPermissions: ['SAFE_DRIVE_ACCESS'] });
  await assert.rejects(
    authorize(ctx, base(fake, { permission: ['LOW_LEVEL_API'] })),
    exitCode(
      2,
      /rejected the request: Invalid permissions requested \(HTTP 400, Launcher error code 400\).*older than API 0\.6/,
    ),
  );
  fake.failNextAllow({ errorCode: -12, description: 'CoreError::RequestTimeout' });
  await assert.rejects(
    authorize(ctx, base(fake)),
    exitCode(1, /SAFE Launcher failed: CoreError::RequestTimeout \(HTTP 500, Launcher error code -12\)/),
  );
  await assert.rejects(
    authorize(ctx, base(fake, { launcherUrl: `${fake.url}/0.4` })),
    exitCode(1, /Endpoint Not Found \(HTTP 404, Launcher error code 404\).*--launcher-url/),
  );
  assert.deepEqual(profiles(ctx), {});
});

test('a stale saved profile never puts an Authorization header on the POST; the profile is replaced', async () => {
  const { fake, ctx } = await setup({ policy: 'allow' });
  const stale = fake.mint(
    { name: 'Demo App', id: 'net.example.demo', version: '1.0.2', vendor: 'Example Ltd' },
    [],
  );
  fake.forgetSessions();
  writeStore(ctx.env.AUTHCTL_CONFIG_DIR!, {
    version: 1,
    profiles: {
      safe: safeProfile(stale, fake.url),
    },
  });
  await authorize(ctx, base(fake));
  for (const r of fake.requests) assert.equal(r.headers.authorization, undefined, `${r.method} ${r.path}`);
  const p = profiles(ctx).safe as Record<string, unknown>;
  assert.notEqual(p.token, stale);
  assert.equal(p.subject, 'net.example.demo');
});

test('routes under /0.6 work; re-authorizing the same app reuses the Launcher session', async () => {
  const { fake, ctx } = await setup({ policy: 'allow' });
  await authorize(ctx, base(fake, { launcherUrl: `${fake.url}/0.6/` }));
  assert.equal(fake.requestsTo('POST', '/auth')[0]!.path, '/0.6/auth');
  const first = (profiles(ctx).safe as Record<string, unknown>).token as string;
  await authorize(ctx, base(fake, { launcherUrl: `${fake.url}/0.6`, profile: 'again' }));
  const second = (profiles(ctx).again as Record<string, unknown>).token as string;
  assert.equal(fake.sessionCount(), 1);
  assert.equal(decodeJwt(first)?.payload.id, decodeJwt(second)?.payload.id);
  const params = (profiles(ctx).safe as { params: Record<string, unknown> }).params;
  assert.equal(params.launcherUrl, `${fake.url}/0.6`, 'saved without the trailing slash');
});

test('--timeout 0 means no limit: authctl waits until the user decides', async () => {
  const { fake, ctx } = await setup();
  const run = authorize(ctx, base(fake, { timeout: 0 }));
  setTimeout(() => void fake.allowNext(), 150);
  await run;
  assert.equal((profiles(ctx).safe as Record<string, unknown>).provider, 'safe');
});
