/**
 * `status` and `logout` for OAuth profiles against the real oidc-provider: RFC 7662 introspection
 * for a client that can authenticate, OIDC userinfo for a public client's `openid` token, RFC 7009
 * revocation (refresh token, else access token) with the client authenticated as at the token
 * endpoint — and afterwards the server no longer accepts the token.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { logout } from '../../../src/commands/logout.js';
import { status } from '../../../src/commands/status.js';
import { AuthctlError } from '../../../src/errors.js';
import { clientCredentials, login } from '../../../src/oauth/cli/run.js';
import { BASIC_CLIENT, nativeApp, POST_CLIENT, useOidc } from '../../fakes/oidc.js';
import { type TestContext, testContext } from '../../helpers/context.js';
import { browse } from '../../helpers/oidc-browser.js';

const PUBLIC = 'status-cli';
const cleanups: Array<() => void> = [];
const op = useOidc({
  clients: [
    {
      client_id: PUBLIC,
      token_endpoint_auth_method: 'none',
      ...nativeApp('openid offline_access profile'),
    },
  ],
});
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function ctxWith(env: Record<string, string> = {}): TestContext {
  const ctx = testContext({ env });
  cleanups.push(() => ctx.cleanup());
  return ctx;
}

/** Run status and return its JSON rows and the exit code it would end with. */
async function statusOf(ctx: TestContext, name: string) {
  ctx.stdout.length = 0;
  let code = 0;
  try {
    await status(ctx, name, { json: true });
  } catch (e) {
    if (!(e instanceof AuthctlError)) throw e;
    code = e.exitCode;
  }
  return { code, rows: JSON.parse(ctx.stdout.join('')) as Array<Record<string, unknown>> };
}

const hits = (path: string) => op().requests.filter((r) => r.path === path).length;

for (const [label, client, method] of [
  ['Basic', BASIC_CLIENT, 'client_secret_basic'],
  ['post', POST_CLIENT, 'client_secret_post'],
] as const) {
  test(`client credentials (${label}): introspection says active; logout revokes the access token; then inactive`, async () => {
    const ctx = ctxWith({ AUTHCTL_CLIENT_SECRET: client.secret });
    await clientCredentials(ctx, {
      issuer: op().issuer,
      clientId: client.id,
      authMethod: method,
      scope: ['api:read'],
      profile: 'svc',
    });
    const saved = ctx.store.get('svc');
    await ctx.store.save('copy', saved);
    const introspections = hits('/token/introspection');
    const before = await statusOf(ctx, 'svc');
    assert.equal(before.code, 0);
    assert.deepEqual(
      [before.rows[0]!.check, before.rows[0]!.checkedWith, before.rows[0]!.valid],
      ['online', 'introspection (RFC 7662)', true],
    );
    assert.equal(hits('/token/introspection'), introspections + 1);

    const revocations = hits('/token/revocation');
    await logout(ctx, 'svc', {});
    assert.equal(hits('/token/revocation'), revocations + 1);
    assert.match(ctx.stderr.join(''), /Revoked the token at OAuth \(profile 'svc'\)\./);
    assert.equal(ctx.store.read().profiles.has('svc'), false);

    const afterward = await statusOf(ctx, 'copy');
    assert.equal(afterward.code, 4);
    assert.equal(afterward.rows[0]!.valid, false);
    assert.match(String(afterward.rows[0]!.detail), /not active/);
  });
}

test('a confidential profile without its secret: status falls back to expiry; logout is exit 2 naming AUTHCTL_CLIENT_SECRET and keeps the profile', async () => {
  const ctx = ctxWith({ AUTHCTL_CLIENT_SECRET: BASIC_CLIENT.secret });
  await clientCredentials(ctx, {
    issuer: op().issuer,
    clientId: BASIC_CLIENT.id,
    scope: ['api:read'],
    profile: 'svc',
  });
  const noSecret = testContext({ configDir: ctx.env.AUTHCTL_CONFIG_DIR! });
  const r = await statusOf(noSecret, 'svc');
  assert.equal(r.code, 0);
  assert.equal(r.rows[0]!.check, 'none');
  await assert.rejects(
    logout(noSecret, 'svc', {}),
    (e: unknown) =>
      e instanceof AuthctlError &&
      e.exitCode === 2 &&
      /AUTHCTL_CLIENT_SECRET/.test(e.message) &&
      /was kept/.test(e.hint ?? ''),
  );
  assert.equal(noSecret.store.read().profiles.has('svc'), true);
});

test('public client with openid: status asks userinfo; logout revokes the refresh token and the grant dies with it', async () => {
  let browsing: Promise<unknown> | undefined;
  const ctx = testContext({
    onOpen: (url) => {
      browsing = browse(url, {});
      return true;
    },
  });
  cleanups.push(() => ctx.cleanup());
  await login(ctx, {
    issuer: op().issuer,
    clientId: PUBLIC,
    scope: ['openid offline_access'],
    open: true,
    timeout: 10_000,
    profile: 'me',
  });
  await browsing;
  const p = ctx.store.get('me');
  assert.ok(p.refreshToken, 'no refresh token issued');
  await ctx.store.save('copy', p);

  const userinfo = hits('/me');
  const introspections = hits('/token/introspection');
  const before = await statusOf(ctx, 'me');
  assert.equal(before.code, 0, JSON.stringify(before.rows));
  assert.deepEqual(
    [before.rows[0]!.check, before.rows[0]!.checkedWith, before.rows[0]!.valid],
    ['online', 'OpenID Connect userinfo', true],
  );
  assert.equal(hits('/me'), userinfo + 1);
  // A public client cannot authenticate at the introspection endpoint: not tried.
  assert.equal(hits('/token/introspection'), introspections);

  ctx.stderr.length = 0;
  await logout(ctx, 'me', {});
  assert.match(ctx.stderr.join(''), /Revoked the token at OAuth \(profile 'me'\)\./);
  // The refresh token was revoked (RFC 7009 §2.1): its grant, and the access token, are gone too.
  const afterward = await statusOf(ctx, 'copy');
  assert.equal(afterward.code, 4, JSON.stringify(afterward.rows));
  assert.equal(afterward.rows[0]!.checkedWith, 'OpenID Connect userinfo');
  assert.equal(afterward.rows[0]!.valid, false);
});

test('an OAuth profile without an issuer: no revocation endpoint can be known, deleted locally with a note', async () => {
  const ctx = ctxWith({ AUTHCTL_CLIENT_SECRET: BASIC_CLIENT.secret });
  await clientCredentials(ctx, {
    tokenUrl: `${op().issuer}/token`,
    clientId: BASIC_CLIENT.id,
    scope: ['api:read'],
    profile: 'svc',
  });
  const r = await statusOf(ctx, 'svc');
  assert.equal(r.rows[0]!.check, 'none');
  await logout(ctx, 'svc', {});
  assert.match(
    ctx.stderr.join(''),
    /OAuth has no token revocation that authctl can call; deleting 'svc' locally only/,
  );
});
