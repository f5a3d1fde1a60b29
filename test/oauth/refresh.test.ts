/**
 * Refresh tokens (RFC 6749 §6) for authorization-code profiles: `token refresh`, automatic refresh in
 * `token print`, rotation against the real oidc-provider, and what fake endpoints do wrong.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { header, print, refresh } from '../../src/commands/token.js';
import { AuthctlError, ExitCode } from '../../src/errors.js';
import {
  type AuthorizationCodeParams,
  type AuthorizationCodeProfile,
  savedParams,
} from '../../src/store/profile.js';
import { nativeApp, type OidcServer, useOidc } from '../fakes/oidc.js';
import { startScriptedTokenEndpoint, unsignedJwt } from '../fakes/token-endpoint.js';
import { runCli } from '../helpers/cli.js';
import { type TestContext, type TestContextOptions, testContext } from '../helpers/context.js';
import { loginInBrowser } from '../helpers/oidc-browser.js';

const PUBLIC = 'refresh-cli';
const CONFIDENTIAL = 'refresh-conf';
const SECRET = 'refresh-secret';
const client = nativeApp('openid offline_access api:read');

const rotating = useOidc({
  clients: [{ client_id: PUBLIC, token_endpoint_auth_method: 'none', ...client }],
});
// A server that does not rotate: the refresh response carries no refresh_token.
const keeping = useOidc({
  clients: [
    {
      client_id: CONFIDENTIAL,
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    },
  ],
  config: { rotateRefreshToken: () => false },
});

/** Log in through the provider's pages and return the context holding profile `name`. */
async function loggedIn(
  op: OidcServer,
  clientId: string,
  ctxOpts: TestContextOptions = {},
  name = 'oauth',
): Promise<TestContext> {
  const r = await loginInBrowser(
    op.issuer,
    { clientId, scope: ['openid offline_access'], profile: name },
    { ctx: ctxOpts, ignoreBrowserErrors: true },
  );
  if (r.error) throw r.error;
  return r.ctx;
}

/** POST a refresh grant directly, as a replaying attacker would. */
async function replay(op: OidcServer, refreshToken: string): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: PUBLIC,
    }),
  });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
}

test('token refresh rotates: the new refresh token is stored and the old one is rejected afterwards', async () => {
  const ctx = await loggedIn(rotating(), PUBLIC);
  try {
    const before = ctx.store.get('oauth');
    assert.ok(before.refreshToken);
    await refresh(ctx, 'oauth', {});
    const after1 = ctx.store.get('oauth');
    assert.notEqual(after1.token, before.token);
    assert.ok(after1.refreshToken);
    assert.notEqual(after1.refreshToken, before.refreshToken, 'rotated');
    assert.ok(after1.idToken, 'the ID token from the refresh passed the OIDC Core §12.2 checks');
    assert.equal(after1.subject, before.subject);
    assert.deepEqual(after1.params, before.params);
    assert.match(ctx.stderr.join(''), /Renewed profile 'oauth'/);
    // The stored (new) refresh token works once more…
    await refresh(ctx, 'oauth', {});
    const after2 = ctx.store.get('oauth');
    assert.notEqual(after2.refreshToken, after1.refreshToken);
    // …and the first one, already used, is refused by the server.
    assert.deepEqual(await replay(rotating(), before.refreshToken!), { status: 400, error: 'invalid_grant' });
    assert.ok(!ctx.stderr.join('').includes(after2.refreshToken!), 'no refresh token in messages');
  } finally {
    ctx.cleanup();
  }
});

test('token print refreshes an expired token silently and prints exactly the new token', async () => {
  const ctx = await loggedIn(rotating(), PUBLIC);
  try {
    const p = ctx.store.get('oauth');
    await ctx.store.save('oauth', { ...p, expiresAt: '2020-01-01T00:00:00Z' });
    ctx.stdout.length = 0;
    await print(ctx, 'oauth', {});
    const q = ctx.store.get('oauth');
    assert.notEqual(q.token, p.token);
    assert.deepEqual(ctx.stdout, [`${q.token}\n`]);
    assert.ok(Date.parse(q.expiresAt!) > Date.now());
    // Fresh now: header uses it without another refresh.
    ctx.stdout.length = 0;
    await header(ctx, 'oauth', {});
    assert.deepEqual(ctx.stdout, [`Authorization: Bearer ${q.token}\n`]);
    assert.equal(ctx.store.get('oauth').refreshToken, q.refreshToken);
  } finally {
    ctx.cleanup();
  }
});

test('a server that sends no new refresh token: the old one is kept (confidential client, secret from the environment)', async () => {
  const ctx = await loggedIn(keeping(), CONFIDENTIAL, { env: { AUTHCTL_CLIENT_SECRET: SECRET } });
  try {
    const p = ctx.store.get('oauth');
    assert.equal(savedParams(p).confidential, true);
    await refresh(ctx, 'oauth', {});
    const q = ctx.store.get('oauth');
    assert.notEqual(q.token, p.token);
    assert.equal(q.refreshToken, p.refreshToken, 'kept (RFC 6749 §6)');
    // Without the secret it cannot be renewed: exit 4 naming AUTHCTL_CLIENT_SECRET.
    delete ctx.env.AUTHCTL_CLIENT_SECRET;
    await ctx.store.save('oauth', { ...q, expiresAt: '2020-01-01T00:00:00Z' });
    await assert.rejects(
      print(ctx, 'oauth', {}),
      (e: unknown) =>
        e instanceof AuthctlError &&
        e.exitCode === ExitCode.noToken &&
        /AUTHCTL_CLIENT_SECRET/.test(e.hint ?? ''),
    );
  } finally {
    ctx.cleanup();
  }
});

test('invalid_grant is exit 4 telling the user to log in again; the store is untouched', async () => {
  const ctx = await loggedIn(rotating(), PUBLIC);
  try {
    const p = ctx.store.get('oauth');
    await ctx.store.save('oauth', {
      ...p,
      refreshToken: 'revoked-or-bogus',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    const bytes = fs.readFileSync(ctx.store.file);
    for (const cmd of [() => refresh(ctx, 'oauth', {}), () => print(ctx, 'oauth', {})]) {
      await assert.rejects(cmd(), (e: unknown) => {
        assert.ok(e instanceof AuthctlError);
        assert.equal(e.exitCode, ExitCode.noToken);
        assert.match(e.message, /invalid_grant/);
        assert.match(
          e.hint ?? '',
          new RegExp(`authctl oauth login --issuer ${rotating().issuer} --client-id ${PUBLIC}`),
        );
        assert.ok(!e.message.includes('revoked-or-bogus'));
        return true;
      });
      assert.deepEqual(fs.readFileSync(ctx.store.file), bytes, 'nothing written');
    }
    assert.equal(ctx.store.get('oauth').idToken, p.idToken, 'the rest of the profile is still there');
  } finally {
    ctx.cleanup();
  }
});

function profile(
  tokenUrl: string,
  over: Partial<AuthorizationCodeProfile> = {},
  params: AuthorizationCodeParams = {},
): AuthorizationCodeProfile {
  return {
    provider: 'oauth',
    flow: 'authorization_code',
    token: 'old-access',
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    expiresAt: '2020-01-01T00:00:00Z',
    subject: 'u1',
    scopes: ['openid', 'api:read'],
    refreshToken: 'old-refresh',
    params: {
      authorizeUrl: 'http://127.0.0.1:9/auth',
      tokenUrl,
      clientId: 'c1',
      authMethod: 'none',
      confidential: false,
      scope: ['openid', 'api:read'],
      ...params,
    },
    ...over,
  };
}

test('the refresh request: public client id in the body, resource again, no scope; defaultExpiresIn when expires_in is absent', async () => {
  const fake = await startScriptedTokenEndpoint(() => ({ access_token: 'new-access', token_type: 'bearer' }));
  const ctx = testContext();
  try {
    await ctx.store.save(
      'p',
      profile(fake.url, {}, { resource: ['https://api.example/'], defaultExpiresIn: 1800 }),
    );
    const t0 = Date.now();
    await refresh(ctx, 'p', {});
    const { form, headers } = fake.requests[0]!;
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'old-refresh');
    assert.equal(form.get('client_id'), 'c1');
    assert.equal(form.get('resource'), 'https://api.example/');
    assert.equal(form.get('scope'), null);
    assert.equal(headers.authorization, undefined);
    const q = ctx.store.get('p');
    assert.equal(q.token, 'new-access');
    assert.equal(q.refreshToken, 'old-refresh');
    assert.deepEqual(q.scopes, ['openid', 'api:read']);
    const exp = Date.parse(q.expiresAt!);
    assert.ok(exp >= t0 + 1799_000 && exp <= Date.now() + 1801_000, 'LivePerson-style default lifetime');
  } finally {
    ctx.cleanup();
    await fake.close();
  }
});

test('a confidential profile authenticates with the saved method; granted scopes replace the old ones', async () => {
  const fake = await startScriptedTokenEndpoint(() => ({
    access_token: 'n',
    token_type: 'Bearer',
    scope: 'openid',
    expires_in: 60,
  }));
  const ctx = testContext({ env: { AUTHCTL_CLIENT_SECRET: 's:1' } });
  try {
    await ctx.store.save(
      'p',
      profile(fake.url, {}, { confidential: true, authMethod: 'client_secret_basic' }),
    );
    await refresh(ctx, 'p', {});
    const { form, headers } = fake.requests[0]!;
    assert.equal(headers.authorization, `Basic ${Buffer.from('c1:s%3A1').toString('base64')}`);
    assert.equal(form.get('client_secret'), null);
    assert.deepEqual(ctx.store.get('p').scopes, ['openid']);
  } finally {
    ctx.cleanup();
    await fake.close();
  }
});

test('a connection reset is not retried (the server may already have rotated the token) and changes nothing', async () => {
  const fake = await startScriptedTokenEndpoint(() => null);
  const ctx = testContext();
  try {
    await ctx.store.save('p', profile(fake.url));
    const bytes = fs.readFileSync(ctx.store.file);
    await assert.rejects(
      refresh(ctx, 'p', {}),
      (e: unknown) => e instanceof AuthctlError && e.exitCode === ExitCode.failure,
    );
    assert.equal(fake.requests.length, 1, 'exactly one attempt');
    assert.deepEqual(fs.readFileSync(ctx.store.file), bytes);
  } finally {
    ctx.cleanup();
    await fake.close();
  }
});

test('a refreshed ID token for another subject is rejected and nothing is saved', async () => {
  const now = Math.floor(Date.now() / 1000);
  const old = unsignedJwt({ iss: 'https://id.example', sub: 'u1', aud: 'c1', exp: now - 10 });
  const fake = await startScriptedTokenEndpoint(() => ({
    access_token: 'n',
    token_type: 'Bearer',
    id_token: unsignedJwt({ iss: 'https://id.example', sub: 'intruder', aud: 'c1', exp: now + 600 }),
  }));
  const ctx = testContext();
  try {
    await ctx.store.save('p', profile(fake.url, { idToken: old }));
    const bytes = fs.readFileSync(ctx.store.file);
    await assert.rejects(refresh(ctx, 'p', {}), /different subject/);
    assert.deepEqual(fs.readFileSync(ctx.store.file), bytes);
  } finally {
    ctx.cleanup();
    await fake.close();
  }
});

test('CLI: authctl token refresh, then token print, against the rotating provider; invalid_grant is exit 4', async () => {
  const ctx = await loggedIn(rotating(), PUBLIC, {}, 'cli');
  try {
    const p = ctx.store.get('cli');
    const configDir = ctx.env.AUTHCTL_CONFIG_DIR!;
    const r = await runCli(['token', 'refresh', 'cli'], { configDir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Renewed profile 'cli'/);
    const q = ctx.store.get('cli');
    assert.notEqual(q.refreshToken, p.refreshToken);
    const printed = await runCli(['token', 'print', 'cli'], { configDir });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${q.token}\n`);
    // Replaying the old refresh token: the server refuses (and revokes the grant) → exit 4.
    await ctx.store.save('cli', { ...q, refreshToken: p.refreshToken! });
    const bad = await runCli(['token', 'refresh', 'cli'], { configDir });
    assert.equal(bad.code, ExitCode.noToken, bad.stderr);
    assert.match(bad.stderr, /^error: .*invalid_grant.*Log in again: authctl oauth login/m);
    assert.ok(!bad.stderr.includes(p.refreshToken!));
  } finally {
    ctx.cleanup();
  }
});
