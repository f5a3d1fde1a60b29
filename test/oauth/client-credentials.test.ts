/**
 * `oauth client-credentials` against the real oidc-provider (in-process, 127.0.0.1): Basic and post
 * client authentication (the Basic secret needs RFC 6749 §2.3.1 form-encoding), scopes, RFC 8707
 * resources, discovery, error mapping, the cache, renewal, and introspection of the issued token.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { renewAndSave, usableProfile } from '../../src/commands/renew.js';
import { decodeJwt } from '../../src/lib/jwt.js';
import { clientCredentials } from '../../src/oauth/cli/run.js';
import { savedParams } from '../../src/store/profile.js';
import { BASIC_CLIENT, JWT_RESOURCE, OPAQUE_RESOURCE, POST_CLIENT, useOidc } from '../fakes/oidc.js';
import { type TestContext, testContext } from '../helpers/context.js';

const op = useOidc();

const contexts: TestContext[] = [];
after(() => {
  for (const c of contexts) c.cleanup();
});
function ctxWith(secret: string | undefined): TestContext {
  const ctx = testContext(secret ? { env: { AUTHCTL_CLIENT_SECRET: secret } } : {});
  contexts.push(ctx);
  return ctx;
}

const allOutput = (ctx: TestContext) => ctx.stdout.join('') + ctx.stderr.join('');

/** POST the token to the provider's introspection endpoint (RFC 7662) as the given client. */
async function introspect(
  token: string,
  client: { id: string; secret: string },
): Promise<Record<string, unknown>> {
  const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2);
  const res = await fetch(`${op().issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${enc(client.id)}:${enc(client.secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }).toString(),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

const tokenRequests = () => op().requests.filter((r) => r.path === '/token').length;

/** `oauth client-credentials` at the provider's token endpoint as the Basic client, with `opts`. */
const atBasic = (ctx: TestContext, opts: Partial<Parameters<typeof clientCredentials>[1]>) =>
  clientCredentials(ctx, { tokenUrl: `${op().issuer}/token`, clientId: BASIC_CLIENT.id, ...opts });

test('client_secret_basic (default) with a secret that needs form-encoding; introspection shows it active', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await atBasic(ctx, {
    scope: ['api:read'],
    print: true,
    profile: 'basic',
  });
  const token = ctx.stdout.join('').trim();
  assert.ok(token.length > 20);
  const p = ctx.store.get('basic');
  assert.equal(p.token, token);
  assert.equal(p.provider, 'oauth');
  assert.equal(p.flow, 'client_credentials');
  assert.equal(p.subject, BASIC_CLIENT.id);
  assert.deepEqual(p.scopes, ['api:read']);
  assert.equal(savedParams(p).authMethod, 'client_secret_basic');
  assert.equal(p.clientSecret, undefined, 'not saved without --save-secret');
  const left = Date.parse(p.expiresAt!) - Date.now();
  assert.ok(left > 590_000 && left <= 600_000, `expiry from expires_in=600 (${left} ms left)`);
  const info = await introspect(token, BASIC_CLIENT);
  assert.equal(info.active, true);
  assert.equal(info.client_id, BASIC_CLIENT.id);
  assert.equal(info.scope, 'api:read');
  assert.ok(!allOutput(ctx).includes(BASIC_CLIENT.secret), 'secret never printed');
});

test('client_secret_post sends the credentials in the body', async () => {
  const ctx = ctxWith(POST_CLIENT.secret);
  await clientCredentials(ctx, {
    tokenUrl: `${op().issuer}/token`,
    clientId: POST_CLIENT.id,
    authMethod: 'client_secret_post',
    scope: ['api:read api:write'],
    profile: 'post',
  });
  assert.equal(ctx.stdout.join(''), '', 'nothing on stdout without --print/--json');
  const p = ctx.store.get('post');
  assert.deepEqual(p.scopes.sort(), ['api:read', 'api:write']);
  assert.equal(savedParams(p).scope, 'api:read api:write');
  assert.equal((await introspect(p.token, POST_CLIENT)).active, true);
});

test('wrong secret → exit 3 naming invalid_client; the secret is in no message', async () => {
  const wrong = 'definitely-wrong-secret';
  const ctx = ctxWith(wrong);
  await assert.rejects(
    atBasic(ctx, { profile: 'bad' }),
    (e: Error & { exitCode?: number; hint?: string }) =>
      e.exitCode === 3 &&
      /rejected the client credentials \(invalid_client/.test(e.message) &&
      !e.message.includes(wrong) &&
      !(e.hint ?? '').includes(wrong),
  );
  assert.ok(!allOutput(ctx).includes(wrong));
  assert.equal(ctx.store.read().profiles.has('bad'), false, 'nothing saved');
});

test('a scope the client may not use → invalid_scope, exit 1 with the server description', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await assert.rejects(
    atBasic(ctx, {
      scope: ['api:admin'],
      profile: 's',
    }),
    (e: Error & { exitCode?: number }) =>
      e.exitCode === 1 &&
      /scope not enabled for your client \(invalid_scope: requested scope is not allowed/.test(e.message),
  );
});

test('--resource (RFC 8707): the JWT access token names the resource as its audience', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await atBasic(ctx, {
    scope: ['api:read'],
    resource: JWT_RESOURCE,
    profile: 'jwt',
  });
  const p = ctx.store.get('jwt');
  const jwt = decodeJwt(p.token);
  assert.ok(jwt, 'a JWT access token');
  assert.equal(jwt.payload.aud, JWT_RESOURCE);
  assert.equal(jwt.payload.client_id, BASIC_CLIENT.id);
  assert.equal(jwt.payload.scope, 'api:read');
  assert.equal(savedParams(p).resource, JWT_RESOURCE);
});

test('--resource with an opaque-token resource server: introspection shows the audience', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await atBasic(ctx, {
    scope: ['api:write'],
    resource: OPAQUE_RESOURCE,
    profile: 'opaque',
  });
  const info = await introspect(ctx.store.get('opaque').token, BASIC_CLIENT);
  assert.equal(info.active, true);
  assert.equal(info.aud, OPAQUE_RESOURCE);
  assert.equal(info.scope, 'api:write');
});

test('an unknown resource is reported with the server description (exit 1)', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await assert.rejects(
    atBasic(ctx, {
      resource: 'urn:unknown:api',
      profile: 'r',
    }),
    (e: Error & { exitCode?: number }) => e.exitCode === 1 && /invalid_target/.test(e.message),
  );
});

test('--issuer discovers the token endpoint; a second run is served from the cache with no request', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  const opts = {
    issuer: op().issuer,
    clientId: BASIC_CLIENT.id,
    scope: ['api:read'],
    print: true,
    profile: 'disc',
  };
  const before = op().requests.length;
  await clientCredentials(ctx, opts);
  const p = ctx.store.get('disc');
  assert.equal(savedParams(p).tokenUrl, `${op().issuer}/token`);
  assert.equal(savedParams(p).issuer, op().issuer);
  assert.ok(
    op()
      .requests.slice(before)
      .some((r) => r.path === '/.well-known/openid-configuration'),
    'discovery fetched',
  );
  const first = ctx.stdout.join('');
  const count = op().requests.length;
  await clientCredentials(ctx, opts);
  assert.equal(op().requests.length, count, 'no network call at all for the cached token');
  assert.equal(ctx.stdout.join(''), first + first, 'the same token printed again');
  assert.match(
    ctx.stderr.join(''),
    /Using cached token for cc-basic from profile 'disc' \(expires in (9|10)m\)/,
  );
  // --force fetches anew.
  await clientCredentials(ctx, { ...opts, force: true });
  assert.ok(op().requests.length > count);
  assert.notEqual(ctx.store.get('disc').token, p.token);
});

test('a different scope set is not served from the cache', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  const base = { tokenUrl: `${op().issuer}/token`, clientId: BASIC_CLIENT.id, profile: 'sc' };
  await clientCredentials(ctx, { ...base, scope: ['api:read'] });
  const n = tokenRequests();
  await clientCredentials(ctx, { ...base, scope: ['api:read', 'api:write'] });
  assert.equal(tokenRequests(), n + 1);
  assert.deepEqual(ctx.store.get('sc').scopes.sort(), ['api:read', 'api:write']);
});

test('renewal: an expired profile is renewed with its saved parameters (token print path)', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  await atBasic(ctx, {
    scope: ['api:read'],
    resource: JWT_RESOURCE,
    profile: 'renew',
  });
  const old = ctx.store.get('renew');
  ctx.advance(601_000);
  const renewed = await usableProfile(ctx, 'renew', 30_000);
  assert.notEqual(renewed.token, old.token);
  assert.deepEqual(renewed.params, old.params);
  assert.equal(decodeJwt(renewed.token)?.payload.aud, JWT_RESOURCE, 'the resource is sent again');
  assert.equal(ctx.store.get('renew').token, renewed.token, 'saved');
  // Without a secret anywhere, renewal is exit 4 naming AUTHCTL_CLIENT_SECRET.
  const noSecret = testContext({ configDir: ctx.store.dir });
  noSecret.advance(1_300_000);
  await assert.rejects(
    renewAndSave(noSecret, 'renew', 30_000, true),
    (e: Error & { exitCode?: number; hint?: string }) =>
      e.exitCode === 4 && /AUTHCTL_CLIENT_SECRET/.test(e.hint ?? ''),
  );
});

test('usage errors: neither or both of --issuer/--token-url, a bad --resource, plain http to a remote host', async () => {
  const ctx = ctxWith(BASIC_CLIENT.secret);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /pass --issuer or --token-url/],
    [{ issuer: op().issuer, tokenUrl: `${op().issuer}/token` }, /either --issuer or --token-url, not both/],
    [{ tokenUrl: `${op().issuer}/token`, resource: 'not a uri' }, /--resource/],
    [{ tokenUrl: `${op().issuer}/token`, resource: 'https://api.example.com/#frag' }, /without a fragment/],
    [{ tokenUrl: 'http://id.example.com/token' }, /plain http is refused/],
    [{ issuer: 'http://id.example.com' }, /plain http is refused/],
  ];
  const n = op().requests.length;
  for (const [o, re] of cases) {
    await assert.rejects(
      clientCredentials(ctx, { clientId: BASIC_CLIENT.id, profile: 'u', ...o }),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && re.test(e.message),
      JSON.stringify(o),
    );
  }
  assert.equal(op().requests.length, n, 'no request before a usage error');
});
