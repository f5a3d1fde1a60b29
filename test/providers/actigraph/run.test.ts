/**
 * The ActiGraph preset (and the generic engine's defaults) against the fake IdentityServer
 * token endpoint (docs/protocol-notes/actigraph.md): what goes on the wire, error mapping with IdentityServer's
 * always-400 errors, non-JSON bodies, retries, the cache, renewal and where secrets come from.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, test } from 'node:test';
import { usableProfile } from '../../../src/commands/renew.js';
import { decodeJwt } from '../../../src/lib/jwt.js';
import { clientCredentials } from '../../../src/oauth/cli/run.js';
import { token } from '../../../src/providers/actigraph/run.js';
import { savedParams } from '../../../src/store/profile.js';
import { DEFAULT_IDS_CLIENTS, type IdsFake, startIdentityServer } from '../../fakes/identityserver.js';
import { type TestContext, type TestContextOptions, testContext } from '../../helpers/context.js';

const CI = DEFAULT_IDS_CLIENTS[0]!;
const LIMITED = DEFAULT_IDS_CLIENTS[1]!;
const NO_CC = DEFAULT_IDS_CLIENTS[2]!;

let ids: IdsFake;
beforeEach(async () => {
  ids = await startIdentityServer();
});
afterEach(() => ids.close());

const contexts: TestContext[] = [];
after(() => {
  for (const c of contexts) c.cleanup();
});
function ctxWith(opts: TestContextOptions = { env: { AUTHCTL_CLIENT_SECRET: CI.secret } }): TestContext {
  const ctx = testContext(opts);
  contexts.push(ctx);
  return ctx;
}
const out = (ctx: TestContext) => ctx.stdout.join('');
const err = (ctx: TestContext) => ctx.stderr.join('');
const agOpts = (over: Record<string, unknown> = {}) => ({
  clientId: CI.id,
  scope: ['CentrePoint'],
  tokenUrl: ids.tokenUrl,
  profile: 'actigraph',
  ...over,
});
const exitOf = (code: number, re?: RegExp) => (e: Error & { exitCode?: number }) =>
  e.exitCode === code && (re === undefined || re.test(e.message));

test('the preset POSTs the documented form: credentials in the body, no Authorization header', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts({ print: true }));
  assert.equal(ids.requests.length, 1);
  const r = ids.requests[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.path, '/connect/token');
  assert.match(r.contentType ?? '', /^application\/x-www-form-urlencoded/);
  assert.equal(r.authorization, undefined);
  assert.deepEqual(r.form, {
    grant_type: 'client_credentials',
    scope: 'CentrePoint',
    client_id: CI.id,
    client_secret: CI.secret,
  });
  assert.equal(out(ctx), `${ids.issued[0]}\n`, '--print: the token and one newline');
  const p = ctx.store.get('actigraph');
  assert.equal(p.provider, 'actigraph');
  assert.equal(p.flow, 'client_credentials');
  assert.equal(p.tokenType, 'Bearer');
  assert.equal(p.subject, CI.id);
  assert.deepEqual(p.scopes, ['CentrePoint']);
  assert.deepEqual(savedParams(p), {
    tokenUrl: ids.tokenUrl,
    clientId: CI.id,
    authMethod: 'client_secret_post',
    scope: 'CentrePoint',
  });
  const left = Date.parse(p.expiresAt!) - Date.now();
  assert.ok(left > 3590_000 && left <= 3600_000, 'expires_in 3600 → absolute expiresAt');
  assert.equal(p.clientSecret, undefined);
  assert.ok(!err(ctx).includes(CI.secret), 'the secret is not in verbose logs or messages');
});

test('several scopes are sent space-joined in one parameter (+ when form-encoded)', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts({ scope: ['CentrePoint', 'Analytics DataRetrieval', 'CentrePoint'] }));
  assert.equal(ids.requests[0]!.form.scope, 'CentrePoint Analytics DataRetrieval');
  assert.match(ids.requests[0]!.body, /scope=CentrePoint\+Analytics\+DataRetrieval/);
  assert.deepEqual(ctx.store.get('actigraph').scopes, ['CentrePoint', 'Analytics', 'DataRetrieval']);
});

test('expires_in as a numeric string and an answer without scope are accepted', async () => {
  await ids.close();
  ids = await startIdentityServer({ expiresIn: '1800', omitScope: true });
  const ctx = ctxWith();
  await token(ctx, agOpts({ scope: ['DataAccess'] }));
  const p = ctx.store.get('actigraph');
  const left = Date.parse(p.expiresAt!) - Date.now();
  assert.ok(left > 1790_000 && left <= 1800_000);
  assert.deepEqual(p.scopes, ['DataAccess'], 'the requested scopes when the server does not list them');
});

test('at least one --scope is required (exit 2, before any request)', async () => {
  const ctx = ctxWith();
  await assert.rejects(token(ctx, agOpts({ scope: undefined })), exitOf(2, /at least one --scope/));
  await assert.rejects(token(ctx, agOpts({ scope: [' '] })), exitOf(2));
  assert.equal(ids.requests.length, 0);
});

test('an undocumented scope warns but is still sent; the server decides', async () => {
  const ctx = ctxWith();
  await assert.rejects(
    token(ctx, agOpts({ scope: ['CentrePoint', 'centrepoint'] })),
    exitOf(1, /scope not enabled for your client \(invalid_scope/),
  );
  assert.match(
    err(ctx),
    /warning: 'centrepoint' is not one of ActiGraph's documented scopes.*did you mean 'CentrePoint'/,
  );
  assert.equal(ids.requests[0]!.form.scope, 'CentrePoint centrepoint');
});

test('IdentityServer errors (always HTTP 400) map to exit codes', async () => {
  const cases: Array<[string, string, string[], number, RegExp]> = [
    [CI.id, 'wrong-secret', ['CentrePoint'], 3, /rejected the client credentials \(invalid_client\)/],
    ['nobody', 'x', ['CentrePoint'], 3, /invalid_client/],
    [NO_CC.id, NO_CC.secret, ['CentrePoint'], 3, /may not use this grant \(unauthorized_client\)/],
    [LIMITED.id, LIMITED.secret, ['Analytics'], 1, /scope not enabled for your client \(invalid_scope\)/],
  ];
  for (const [clientId, secret, scope, code, re] of cases) {
    const ctx = ctxWith({ env: { AUTHCTL_CLIENT_SECRET: secret } });
    await assert.rejects(
      token(ctx, agOpts({ clientId, scope })),
      (e: Error & { exitCode?: number; hint?: string }) =>
        exitOf(code, re)(e) && !e.message.includes(secret) && !(e.hint ?? '').includes(secret),
      clientId,
    );
    assert.equal(ctx.store.read().profiles.size, 0, 'nothing saved');
  }
  assert.equal(ids.requests.length, cases.length, '400 answers are not retried');
});

test('a plain-text 400 (as ActiGraph documents) is reported readably, exit 1', async () => {
  ids.inject({ kind: 'text400' });
  const ctx = ctxWith();
  await assert.rejects(
    token(ctx, agOpts()),
    exitOf(
      1,
      /ActiGraph token endpoint 127\.0\.0\.1:\d+ answered HTTP 400: Bad Request: the request could not be processed\.$/,
    ),
  );
  assert.equal(ids.requests.length, 1);
});

test('an HTML 502 page that persists through the retries is reported as text, exit 1', async () => {
  ids.inject({ kind: 'html502' }, 3);
  const ctx = ctxWith();
  await assert.rejects(
    token(ctx, agOpts()),
    (e: Error & { exitCode?: number }) =>
      e.exitCode === 1 &&
      /failed \(HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx\)/.test(e.message) &&
      !/[<>]/.test(e.message),
  );
  assert.equal(ids.requests.length, 3, 'one attempt plus two retries');
});

test('503 then success: retried with backoff, one token saved', async () => {
  ids.inject({ kind: '503' }, 2);
  const ctx = ctxWith();
  await token(ctx, agOpts({ print: true }));
  assert.equal(ids.requests.length, 3);
  assert.equal(out(ctx), `${ids.issued[0]}\n`);
});

test('429 with Retry-After then success: the wait follows Retry-After', async () => {
  ids.inject({ kind: '429', retryAfter: '1' });
  const ctx = ctxWith();
  const t0 = Date.now();
  await token(ctx, agOpts());
  const waited = ids.requests[1]!.at - ids.requests[0]!.at;
  assert.equal(ids.requests.length, 2);
  assert.ok(waited >= 950, `waited ${waited} ms for Retry-After: 1`);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(ctx.store.get('actigraph').token, ids.issued[0]);
});

test('cache: a token with more than 60 s left is reused with zero requests; --force fetches anew', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts({ print: true }));
  assert.equal(ids.requests.length, 1);
  await token(ctx, agOpts({ print: true, scope: ['CentrePoint'] }));
  assert.equal(ids.requests.length, 1, 'no request for the cached token');
  assert.equal(out(ctx), `${ids.issued[0]}\n${ids.issued[0]}\n`);
  assert.match(err(ctx), /Using cached token for ci-client from profile 'actigraph' \(expires in (59m|1h)\)/);

  await token(ctx, agOpts({ print: true, force: true }));
  assert.equal(ids.requests.length, 2, '--force');
  assert.equal(ctx.store.get('actigraph').token, ids.issued[1]);

  // 59 s left is not enough: fetch again.
  ctx.advance(3600_000 - 59_000);
  await token(ctx, agOpts());
  assert.equal(ids.requests.length, 3);
});

test('cache does not need the secret; a different client id is not served from it', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts());
  const noSecret = ctxWith({ configDir: ctx.store.dir });
  await token(noSecret, agOpts({ print: true }));
  assert.equal(out(noSecret), `${ids.issued[0]}\n`);
  await assert.rejects(token(noSecret, agOpts({ clientId: LIMITED.id })), exitOf(2, /no client secret/));
  assert.equal(ids.requests.length, 1);
});

test('renewal after expiry through the token print path, with the secret from the environment', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts({ scope: ['CentrePoint', 'Analytics'] }));
  ctx.advance(3600_000);
  const p = await usableProfile(ctx, 'actigraph', 30_000);
  assert.equal(ids.requests.length, 2);
  assert.equal(p.token, ids.issued[1]);
  assert.deepEqual(
    ids.requests[1]!.form,
    ids.requests[0]!.form,
    'the same request, body credentials included',
  );
  assert.equal(decodeJwt(p.token)?.payload.client_id, CI.id);
});

test('--save-secret stores the secret; later runs and renewal use it without the environment', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts({ saveSecret: true }));
  assert.equal(ctx.store.get('actigraph').clientSecret, CI.secret);
  const bare = ctxWith({ configDir: ctx.store.dir });
  bare.advance(3600_000);
  await usableProfile(bare, 'actigraph', 30_000);
  assert.equal(ids.requests.length, 2);
  assert.equal(bare.store.get('actigraph').clientSecret, CI.secret, 'kept across renewal');
  bare.advance(3600_000);
  await token(bare, agOpts());
  assert.equal(ids.requests.length, 3, 'the saved secret serves the login command too');
  assert.equal(ids.requests[2]!.form.client_secret, CI.secret);
});

test('--save-secret on a cached profile without a saved secret makes a real request', async () => {
  const ctx = ctxWith();
  await token(ctx, agOpts());
  await token(ctx, agOpts({ saveSecret: true }));
  assert.equal(ids.requests.length, 2);
  assert.equal(ctx.store.get('actigraph').clientSecret, CI.secret);
});

test('secret sources: --client-secret warns, --client-secret-stdin, a hidden prompt on a TTY', async () => {
  const flag = ctxWith({});
  await token(flag, agOpts({ clientSecret: CI.secret }));
  assert.match(err(flag), /warning: --client-secret puts the secret on the command line/);
  assert.ok(!err(flag).includes(CI.secret));

  const stdin = ctxWith({ stdin: `${CI.secret}\n` });
  await token(stdin, agOpts({ clientSecretStdin: true, force: true }));
  assert.equal(ids.requests[1]!.form.client_secret, CI.secret, 'the trailing newline is dropped');

  let asked = '';
  const tty = ctxWith({
    interactive: true,
    prompter: {
      password: async (message: string) => {
        asked = message;
        return CI.secret;
      },
    },
  });
  await token(tty, agOpts({ force: true }));
  assert.match(asked, /Client secret for ci-client/);
  assert.equal(ids.requests.length, 3);
});

test('no secret and no TTY: exit 2 naming AUTHCTL_CLIENT_SECRET, before any request', async () => {
  const ctx = ctxWith({});
  await assert.rejects(
    token(ctx, agOpts()),
    (e: Error & { exitCode?: number; hint?: string }) =>
      e.exitCode === 2 && /AUTHCTL_CLIENT_SECRET/.test(e.hint ?? ''),
  );
  assert.equal(ids.requests.length, 0);
});

test('the generic engine defaults to client_secret_basic with RFC 6749 §2.3.1 form-encoding; nothing secret in the body', async () => {
  const ctx = ctxWith();
  await clientCredentials(ctx, { tokenUrl: ids.tokenUrl, clientId: CI.id, scope: ['Analytics'], json: true });
  const r = ids.requests[0]!;
  assert.match(r.authorization ?? '', /^Basic /);
  const decoded = Buffer.from(r.authorization!.slice(6), 'base64').toString('utf8');
  assert.equal(decoded, 'ci-client:ci-s3cret%3Awith%2Bodd%2Fchars%3D%25');
  assert.deepEqual(r.form, { grant_type: 'client_credentials', scope: 'Analytics' });
  assert.ok(!r.body.includes('s3cret'));
  const summary = JSON.parse(out(ctx)) as Record<string, unknown>;
  assert.equal(summary.profile, 'oauth');
  assert.equal(summary.provider, 'oauth');
  assert.equal(summary.subject, CI.id);
  assert.deepEqual(summary.scopes, ['Analytics']);
  assert.equal(summary.renewable, true);
  assert.ok(!out(ctx).includes(ids.issued[0]!), '--json never shows the token');
});

test('--audience is sent as a form parameter and remembered for the cache', async () => {
  const ctx = ctxWith();
  const o = {
    tokenUrl: ids.tokenUrl,
    clientId: CI.id,
    audience: 'https://api.example.com',
    authMethod: 'client_secret_post',
  };
  await clientCredentials(ctx, o);
  assert.equal(ids.requests[0]!.form.audience, 'https://api.example.com');
  assert.equal(ids.requests[0]!.form.scope, undefined, 'no scope parameter when none is asked for');
  assert.deepEqual(ctx.store.get('oauth').scopes, CI.scopes, 'IdentityServer grants every allowed scope');
  await clientCredentials(ctx, o);
  assert.equal(ids.requests.length, 1);
  await clientCredentials(ctx, { ...o, audience: 'other' });
  assert.equal(ids.requests.length, 2);
});
