/**
 * After a LivePerson login: refresh (rotation, no rotation, automatic on expiry, invalid_grant),
 * logout (confirmation, revoke with v=1.0 and the refresh token, failures) and token delete --revoke.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renewAndSave, usableProfile } from '../../../src/commands/renew.js';
import { AuthctlError, NoTokenError, RefusedError, UsageError } from '../../../src/errors.js';
import { provider } from '../../../src/providers/index.js';
import { login, logout } from '../../../src/providers/liveperson/run.js';
import { type FakeSentinel, leakedSecrets, useSentinelPerTest } from '../../fakes/sentinel.js';
import { contextPerTest, type TestContext, type TestContextOptions } from '../../helpers/context.js';

const sentinel = useSentinelPerTest();
const context = contextPerTest();

/** A fake Sentinel and a context holding a fresh LivePerson login saved as `liveperson`. */
async function loggedIn(
  o: { ctx?: Omit<TestContextOptions, 'onOpen'>; saveSecret?: boolean; expiresIn?: number } = {},
): Promise<{ fake: FakeSentinel; ctx: TestContext }> {
  const fake = await sentinel({ expiresIn: o.expiresIn });
  const ctx = context({ env: { AUTHCTL_CLIENT_SECRET: fake.clientSecret }, ...o.ctx, onOpen: fake.onOpen });
  await login(ctx, {
    account: fake.account,
    clientId: fake.clientId,
    domain: fake.url,
    redirectUri: fake.redirectUri,
    timeout: 10_000,
    saveSecret: o.saveSecret,
    clientSecretStdin: o.ctx?.stdin !== undefined,
  });
  fake.log.length = 0;
  ctx.stderr.length = 0;
  return { fake, ctx };
}

const output = (ctx: TestContext) => ctx.stdout.join('') + ctx.stderr.join('');

test('token refresh: v=2.0, secret in the body, rotated refresh token stored, old one dead', async () => {
  const { fake, ctx } = await loggedIn();
  const before = ctx.store.get('liveperson');
  const renewed = await renewAndSave(ctx, 'liveperson', 0, true);
  assert.notEqual(renewed.token, before.token);
  assert.notEqual(renewed.refreshToken, before.refreshToken);
  assert.ok(fake.refreshTokens.has(renewed.refreshToken!));
  assert.ok(!fake.refreshTokens.has(before.refreshToken!), 'the fake rotated the old refresh token out');
  assert.deepEqual(ctx.store.get('liveperson'), renewed, 'saved');
  // The subject and id_token from the login survive a refresh without id_token.
  assert.equal(renewed.subject, 'user-42');
  assert.equal(renewed.idToken, before.idToken);
  // No expires_in on refresh either: the 30-minute default again.
  assert.equal(Date.parse(renewed.expiresAt!) - Date.parse(renewed.obtainedAt), 30 * 60_000);
  const [r] = fake.requests('/token');
  assert.equal(r!.rawQuery, '?v=2.0');
  assert.equal(r!.headers.authorization, undefined);
  assert.deepEqual(r!.form, {
    grant_type: 'refresh_token',
    refresh_token: before.refreshToken,
    client_id: fake.clientId,
    client_secret: fake.clientSecret,
  });
  // A second refresh uses the rotated token.
  await renewAndSave(ctx, 'liveperson', 0, true);
  assert.equal(fake.requests('/token')[1]!.form.refresh_token, renewed.refreshToken);
  assert.deepEqual(leakedSecrets(fake, output(ctx)), []);
});

test('a refresh answered without refresh_token keeps the old one (RFC 6749 §6)', async () => {
  const { fake, ctx } = await loggedIn();
  fake.rotate = false;
  const before = ctx.store.get('liveperson');
  const renewed = await renewAndSave(ctx, 'liveperson', 0, true);
  assert.notEqual(renewed.token, before.token);
  assert.equal(renewed.refreshToken, before.refreshToken);
  assert.equal(ctx.store.get('liveperson').refreshToken, before.refreshToken);
});

test('an expired token is refreshed automatically (token print path); expires_in honoured', async () => {
  const { fake, ctx } = await loggedIn({ expiresIn: 600 });
  const before = ctx.store.get('liveperson');
  assert.equal(Date.parse(before.expiresAt!) - Date.parse(before.obtainedAt), 600_000);
  // Still fresh: no request.
  assert.equal((await usableProfile(ctx, 'liveperson', 30_000)).token, before.token);
  assert.equal(fake.log.length, 0);
  ctx.advance(11 * 60_000);
  const p = await usableProfile(ctx, 'liveperson', 30_000);
  assert.notEqual(p.token, before.token);
  assert.ok(fake.accessTokens.has(p.token));
  assert.equal(fake.requests('/token').length, 1);
});

test('without expires_in the token counts as expired after 30 minutes and is then refreshed', async () => {
  const { fake, ctx } = await loggedIn();
  ctx.advance(29 * 60_000);
  await usableProfile(ctx, 'liveperson', 30_000);
  assert.equal(fake.log.length, 0, 'fresh at 29 minutes');
  ctx.advance(2 * 60_000);
  await usableProfile(ctx, 'liveperson', 30_000);
  assert.equal(fake.requests('/token').length, 1, 'refreshed after 30 minutes');
});

test('refresh with invalid_grant → exit 4, the profile is kept', async () => {
  const { fake, ctx } = await loggedIn();
  const before = ctx.store.get('liveperson');
  fake.refreshTokens.clear();
  await assert.rejects(
    renewAndSave(ctx, 'liveperson', 0, true),
    (e: unknown) =>
      e instanceof NoTokenError &&
      e.exitCode === 4 &&
      /invalid_grant/.test(e.message) &&
      /liveperson login/.test(e.hint ?? ''),
  );
  assert.deepEqual(ctx.store.get('liveperson'), before);
});

test('refresh without any client secret → exit 4 naming AUTHCTL_CLIENT_SECRET, no request', async () => {
  const { fake, ctx } = await loggedIn();
  delete ctx.env.AUTHCTL_CLIENT_SECRET;
  ctx.advance(31 * 60_000);
  await assert.rejects(
    usableProfile(ctx, 'liveperson', 30_000),
    (e: unknown) => e instanceof NoTokenError && /AUTHCTL_CLIENT_SECRET/.test(e.hint ?? ''),
  );
  assert.equal(fake.log.length, 0);
});

test('a saved secret (--save-secret) is used for refresh and logout', async () => {
  const { fake, ctx } = await loggedIn({ saveSecret: true });
  delete ctx.env.AUTHCTL_CLIENT_SECRET;
  await renewAndSave(ctx, 'liveperson', 0, true);
  await logout(ctx, undefined, { yes: true });
  assert.equal(fake.requests('/token/revoke')[0]!.form.client_secret, fake.clientSecret);
  assert.equal(ctx.store.read().profiles.size, 0);
});

test('logout --yes: warns, revokes the current refresh token with v=1.0, deletes the profile', async () => {
  const { fake, ctx } = await loggedIn();
  await renewAndSave(ctx, 'liveperson', 0, true); // rotate: logout must use the newest token
  const rt = ctx.store.get('liveperson').refreshToken!;
  await logout(ctx, 'liveperson', { yes: true });
  const [rv] = fake.requests('/token/revoke');
  assert.equal(rv!.method, 'POST');
  assert.equal(rv!.rawQuery, '?v=1.0');
  assert.equal(rv!.headers.authorization, undefined);
  assert.deepEqual(rv!.form, { client_id: fake.clientId, client_secret: fake.clientSecret, token: rt });
  assert.ok(!fake.refreshTokens.has(rt), 'revoked at the fake');
  assert.equal(ctx.store.read().profiles.size, 0);
  const err = ctx.stderr.join('');
  assert.match(err, /ALL LivePerson applications/);
  assert.match(err, /Revoked the LivePerson session and deleted profile 'liveperson'/);
  assert.deepEqual(leakedSecrets(fake, output(ctx)), []);
});

test('logout without a TTY and without --yes → exit 2 naming --yes; nothing revoked or deleted', async () => {
  const { fake, ctx } = await loggedIn();
  await assert.rejects(
    logout(ctx, undefined, {}),
    (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /--yes/.test(`${e.message} ${e.hint}`),
  );
  assert.equal(fake.log.length, 0);
  assert.equal(ctx.store.read().profiles.size, 1);
  assert.match(ctx.stderr.join(''), /ALL LivePerson applications/);
});

test('logout on a TTY asks; "no" keeps everything (exit 3), "yes" logs out', async () => {
  const asked: string[] = [];
  let answer = false;
  const { fake, ctx } = await loggedIn({
    ctx: {
      interactive: true,
      prompter: {
        confirm: async (m, hint) => {
          asked.push(`${m} [${hint}]`);
          return answer;
        },
      },
    },
  });
  await assert.rejects(
    logout(ctx, undefined, {}),
    (e: unknown) => e instanceof RefusedError && /cancelled/.test(e.message),
  );
  assert.equal(fake.log.length, 0);
  assert.equal(ctx.store.read().profiles.size, 1);
  assert.match(asked[0]!, /Log user user-42 out of LivePerson account 12345678 in all applications/);
  assert.match(asked[0]!, /\[--yes\]/);
  answer = true;
  await logout(ctx, undefined, {});
  assert.equal(fake.requests('/token/revoke').length, 1);
  assert.equal(ctx.store.read().profiles.size, 0);
});

test('logout without any secret and without a TTY → exit 2 naming AUTHCTL_CLIENT_SECRET', async () => {
  const { fake, ctx } = await loggedIn();
  delete ctx.env.AUTHCTL_CLIENT_SECRET;
  await assert.rejects(
    logout(ctx, undefined, { yes: true }),
    (e: unknown) => e instanceof UsageError && /AUTHCTL_CLIENT_SECRET/.test(`${e.message} ${e.hint}`),
  );
  assert.equal(fake.log.length, 0);
  assert.equal(ctx.store.read().profiles.size, 1);
});

test('logout: an explicit --client-secret-stdin wins over the environment', async () => {
  const { fake, ctx } = await loggedIn({ ctx: { stdin: 'lp-client-secret-XYZ\n' } });
  ctx.env.AUTHCTL_CLIENT_SECRET = 'wrong';
  await logout(ctx, undefined, { yes: true, clientSecretStdin: true });
  assert.equal(fake.requests('/token/revoke')[0]!.form.client_secret, fake.clientSecret);
});

test('revoke failures keep the profile: 401 → exit 3, 500 → exit 1, 400 → exit 1', async () => {
  const { fake, ctx } = await loggedIn();
  const cases: Array<[number, string, number]> = [
    [401, 'invalid site or application id', 3],
    [500, '<html>oops</html>', 1],
    [400, '{"error":"invalid_request"}', 1],
  ];
  for (const [status, body, code] of cases) {
    fake.revokeFailure = { status, body };
    await assert.rejects(
      logout(ctx, undefined, { yes: true }),
      (e: unknown) => e instanceof AuthctlError && e.exitCode === code && /kept/.test(e.hint ?? ''),
      String(status),
    );
    assert.equal(ctx.store.read().profiles.size, 1, `kept after ${status}`);
  }
  // A wrong secret is the fake's own invalid_client (401).
  fake.revokeFailure = undefined;
  ctx.env.AUTHCTL_CLIENT_SECRET = 'wrong-secret';
  await assert.rejects(
    logout(ctx, undefined, { yes: true }),
    (e: unknown) => e instanceof RefusedError && /secret/.test(e.hint ?? ''),
  );
  assert.equal(ctx.store.read().profiles.size, 1);
  assert.ok(!output(ctx).includes('wrong-secret'));
});

test('a refresh token the server already considers invalid: the profile is deleted with a note', async () => {
  const { fake, ctx } = await loggedIn();
  fake.refreshTokens.clear();
  await logout(ctx, undefined, { yes: true });
  assert.equal(ctx.store.read().profiles.size, 0);
  assert.match(ctx.stderr.join(''), /already invalid/);
  assert.match(ctx.stderr.join(''), /Deleted profile 'liveperson'/);
});

test('logout refuses a profile of another provider', async () => {
  const { fake, ctx } = await loggedIn();
  const p = ctx.store.get('liveperson');
  await ctx.store.save('other', { ...p, provider: 'oauth' });
  await assert.rejects(
    logout(ctx, 'other', { yes: true }),
    (e: unknown) => e instanceof UsageError && /token delete other/.test(e.hint ?? ''),
  );
  assert.equal(fake.log.length, 0);
});

test('token delete --revoke hook revokes a LivePerson refresh token with a warning', async () => {
  const { fake, ctx } = await loggedIn();
  const p = ctx.store.get('liveperson');
  assert.equal(await provider('liveperson').revoke!(ctx, 'liveperson', p), 'revoked');
  assert.equal(fake.requests('/token/revoke')[0]!.form.token, p.refreshToken);
  assert.match(ctx.stderr.join(''), /ALL LivePerson applications/);
  // A failure throws so that token delete keeps the profile.
  fake.revokeFailure = { status: 500, body: 'down' };
  await assert.rejects(
    provider('liveperson').revoke!(ctx, 'liveperson', p),
    (e: unknown) => e instanceof AuthctlError && e.exitCode === 1,
  );
});
