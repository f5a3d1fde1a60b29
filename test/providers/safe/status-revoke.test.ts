/** `safe status`, `safe revoke`, `token header/inspect/delete --revoke` with SAFE profiles (docs/protocol-notes/safe.md). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { deleteCmd, header, inspect } from '../../../src/commands/token.js';
import { revoke, status } from '../../../src/providers/safe/run.js';
import {
  type FakeApp,
  type FakeLauncher,
  safeAppProfile,
  startFakeLauncher,
  useFakeLauncherPerTest,
} from '../../fakes/safe-launcher.js';
import { readStore, sampleProfile, writeStore } from '../../helpers/cli.js';
import { contextPerTest, type TestContext } from '../../helpers/context.js';

const launcher = useFakeLauncherPerTest();
const context = contextPerTest();

const app: FakeApp = { name: 'Demo App', id: 'net.example.demo', version: '1.0', vendor: 'Example' };

/** A fake Launcher with a session, and a store holding its token as profile `safe` (and `extra`). */
async function setup(
  extra: Record<string, unknown> = {},
): Promise<{ fake: FakeLauncher; ctx: TestContext; token: string }> {
  const fake = await launcher();
  const ctx = context();
  const token = fake.mint(app, ['SAFE_DRIVE_ACCESS']);
  writeStore(ctx.env.AUTHCTL_CONFIG_DIR!, {
    version: 1,
    profiles: {
      safe: safeAppProfile(token, fake.url, app, { details: { app, permissions: ['SAFE_DRIVE_ACCESS'] } }),
      ...extra,
    },
  });
  return { fake, ctx, token };
}

const exitCode = (code: number, re?: RegExp) => (e: unknown) => {
  assert.equal((e as { exitCode?: number }).exitCode, code, String((e as Error).message));
  if (re) assert.match(`${(e as Error).message}. ${(e as { hint?: string }).hint ?? ''}`, re);
  return true;
};
const saved = (ctx: TestContext) => readStore(ctx.env.AUTHCTL_CONFIG_DIR!).profiles;

test('status: valid token → exit 0, "valid" line, exactly "Bearer <jwt>" sent to GET /auth', async () => {
  const { fake, ctx, token } = await setup();
  await status(ctx, undefined, {});
  const get = fake.requestsTo('GET', '/auth');
  assert.equal(get.length, 1);
  assert.equal(get[0]!.headers.authorization, `Bearer ${token}`);
  assert.match(ctx.stderr.join(''), /^valid: the SAFE Launcher at .* accepts the token of profile 'safe'/m);
  assert.deepEqual(ctx.stdout, []);
});

test('status after a Launcher restart → exit 4 "invalid" with the re-authorize command', async () => {
  const { fake, ctx } = await setup();
  fake.forgetSessions();
  await assert.rejects(
    status(ctx, 'safe', {}),
    exitCode(
      4,
      /token of profile 'safe' is invalid.*restarted, its user logged out, or the token was revoked.*authctl safe authorize --app-name 'Demo App' --app-id net\.example\.demo --app-version 1\.0 --app-vendor Example --permission SAFE_DRIVE_ACCESS --launcher-url http:\/\/127\.0\.0\.1:\d+$/,
    ),
  );
});

test('status after the token was revoked elsewhere → exit 4', async () => {
  const { fake, ctx } = await setup();
  // Another app instance with the same identity got a token for the same session and revoked it.
  const other = fake.mint(app, ['SAFE_DRIVE_ACCESS']);
  const r = await fetch(`${fake.url}/auth`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${other}` },
  });
  assert.equal(r.status, 200);
  await new Promise((res) => setTimeout(res, 20));
  await assert.rejects(status(ctx, undefined, {}), exitCode(4, /is invalid/));
});

test('status: wrong provider → exit 2; no such profile → 4; several profiles → 2; nothing sent', async () => {
  const { fake, ctx } = await setup({ ci: sampleProfile() });
  await assert.rejects(
    status(ctx, 'ci', {}),
    exitCode(2, /'ci' is a oauth profile, not a SAFE Launcher one/),
  );
  await assert.rejects(status(ctx, 'nope', {}), exitCode(4, /no profile named 'nope'/));
  // Without a name, `safe status` picks among SAFE profiles only: two of them → exit 2.
  const file = path.join(ctx.env.AUTHCTL_CONFIG_DIR!, 'config.json');
  const store = JSON.parse(fs.readFileSync(file, 'utf8'));
  store.profiles.other = { ...store.profiles.safe };
  fs.writeFileSync(file, JSON.stringify(store));
  await assert.rejects(
    status(ctx, undefined, {}),
    exitCode(2, /several safe profiles exist \(safe, other\)/),
  );
  assert.equal(fake.requests.length, 0);
});

test('status: Launcher down → exit 1 "not running"; --launcher-url overrides the saved URL', async () => {
  const { fake, ctx } = await setup();
  const down = await startFakeLauncher();
  const downUrl = down.url;
  await down.close();
  await assert.rejects(
    status(ctx, undefined, { launcherUrl: downUrl }),
    exitCode(
      1,
      /^SAFE Launcher is not running at http:\/\/127\.0\.0\.1:\d+; start it and log in\. .*do not survive a Launcher restart/,
    ),
  );
  await assert.rejects(
    status(ctx, undefined, { launcherUrl: 'http://launcher.example:8100' }),
    exitCode(2, /plain http/),
  );
  await status(ctx, undefined, { launcherUrl: `${fake.url}/0.6` });
  assert.equal(fake.requestsTo('GET', '/auth')[0]!.path, '/0.6/auth');
});

test('header strictness: a saved token that is not a JWT is never sent (exit 1)', async () => {
  const { fake, ctx } = await setup({
    odd: sampleProfile({ provider: 'safe', flow: 'safe-launcher', token: 'not-a-jwt', params: {} }),
  });
  await assert.rejects(status(ctx, 'odd', { launcherUrl: fake.url }), exitCode(1, /not a JWT/));
  assert.equal(fake.requests.length, 0);
});

test('revoke: DELETE /auth with the bearer header, then the profile is deleted', async () => {
  const { fake, ctx, token } = await setup({ ci: sampleProfile() });
  await revoke(ctx, 'safe', {});
  const del = fake.requestsTo('DELETE', '/auth');
  assert.equal(del.length, 1);
  assert.equal(del[0]!.headers.authorization, `Bearer ${token}`);
  assert.deepEqual(Object.keys(saved(ctx)), ['ci']);
  assert.match(ctx.stderr.join(''), /Revoked the token at the SAFE Launcher and deleted profile 'safe'/);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fake.sessionCount(), 0, 'the Launcher session is gone');
});

test('revoke of a token the Launcher already forgot still deletes the profile, with a note', async () => {
  const { fake, ctx } = await setup();
  fake.forgetSessions();
  await revoke(ctx, undefined, {});
  assert.deepEqual(saved(ctx), {});
  assert.match(ctx.stderr.join(''), /note: the SAFE Launcher no longer knew this token/);
  assert.match(ctx.stderr.join(''), /Deleted profile 'safe'/);
});

test('revoke with the Launcher down → exit 1, profile kept, hint names authctl token delete', async () => {
  const { fake, ctx } = await setup();
  const before = fs.readFileSync(ctx.store.file, 'utf8');
  await fake.close();
  await assert.rejects(
    revoke(ctx, undefined, {}),
    exitCode(
      1,
      /not running at .*; start it and log in\. The token was not revoked and profile 'safe' was kept.*authctl token delete safe/,
    ),
  );
  assert.equal(fs.readFileSync(ctx.store.file, 'utf8'), before);
});

test('revoke of a non-SAFE profile → exit 2 and nothing deleted', async () => {
  const { fake, ctx } = await setup({ ci: sampleProfile() });
  await assert.rejects(revoke(ctx, 'ci', {}), exitCode(2));
  assert.deepEqual(Object.keys(saved(ctx)).sort(), ['ci', 'safe']);
  assert.equal(fake.requests.length, 0);
});

test('token header safe → "Authorization: Bearer <jwt>"', async () => {
  const { ctx, token } = await setup();
  await header(ctx, 'safe', {});
  assert.deepEqual(ctx.stdout, [`Authorization: Bearer ${token}\n`]);
});

test('token inspect safe shows the decoded JWT claims and the app identity, token masked', async () => {
  const { ctx, token } = await setup();
  await inspect(ctx, 'safe', { json: true });
  const data = JSON.parse(ctx.stdout.join('')) as {
    token: string;
    jwt: { header: Record<string, unknown>; claims: Record<string, unknown> };
    details: { app: FakeApp; permissions: string[] };
    expiresAt: null;
  };
  assert.equal(data.jwt.header.alg, 'HS256');
  assert.deepEqual(Object.keys(data.jwt.claims), ['id', 'iat']);
  assert.deepEqual(data.details.app, app);
  assert.deepEqual(data.details.permissions, ['SAFE_DRIVE_ACCESS']);
  assert.equal(data.expiresAt, null);
  assert.ok(!ctx.stdout.join('').includes(token));
  ctx.stdout.length = 0;
  await inspect(ctx, 'safe', {});
  const text = ctx.stdout.join('');
  assert.match(text, /Expires:\s+no expiry/);
  assert.match(text, /"vendor": "Example"/);
  assert.match(text, /JWT claims:.*\n.*"id": /);
  assert.ok(!text.includes(token));
});

test('token delete --revoke revokes at the Launcher; with the Launcher down the profile is kept', async () => {
  const { fake, ctx, token } = await setup();
  await deleteCmd(ctx, 'safe', { revoke: true });
  assert.equal(fake.requestsTo('DELETE', '/auth')[0]!.headers.authorization, `Bearer ${token}`);
  assert.deepEqual(saved(ctx), {});
  assert.match(ctx.stderr.join(''), /Revoked the token at the SAFE Launcher/);

  const again = await setup();
  await again.fake.close();
  await assert.rejects(deleteCmd(again.ctx, 'safe', { revoke: true }), exitCode(1, /was kept/));
  assert.deepEqual(Object.keys(saved(again.ctx)), ['safe']);
});
