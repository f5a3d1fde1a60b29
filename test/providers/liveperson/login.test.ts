/**
 * `liveperson login` in-process against the fake Sentinel: the browser hook plays the user, GETting
 * the authorize URL and following the redirect to authctl's loopback listener.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthctlError,
  FailureError,
  InterruptedError,
  ProtocolError,
  RefusedError,
  TimeoutError,
  UsageError,
} from '../../../src/errors.js';
import { requestToken } from '../../../src/oauth/token-endpoint.js';
import { login } from '../../../src/providers/liveperson/run.js';
import { savedParams } from '../../../src/store/profile.js';
import {
  type FakeSentinel,
  freePort,
  httpGet,
  leakedSecrets,
  startSentinel,
  useSentinelPerTest,
} from '../../fakes/sentinel.js';
import { contextPerTest, type TestContext } from '../../helpers/context.js';

const sentinel = useSentinelPerTest();
const context = contextPerTest();

interface Setup {
  fake: FakeSentinel;
  ctx: TestContext;
  redirectUri: string;
  opts: Record<string, unknown>;
  /** The page the loopback listener showed the "browser". */
  page: () => Promise<{ status: number; body: string; location: string | undefined }>;
}

async function setup(
  o: {
    env?: Record<string, string>;
    shape?: 'single' | 'list';
    expiresIn?: number;
    browse?: boolean;
    host?: 'localhost' | '127.0.0.1';
  } = {},
): Promise<Setup> {
  const fake = await sentinel({ domainShape: o.shape, expiresIn: o.expiresIn }, o.host);
  const { redirectUri } = fake;
  let pagePromise: Promise<{ status: number; body: string; location: string | undefined }> | undefined;
  const ctx = context({
    env: o.env ?? { AUTHCTL_CLIENT_SECRET: fake.clientSecret },
    onOpen: (url) => {
      if (o.browse !== false) pagePromise = fake.clickThrough(url);
      return true;
    },
  });
  return {
    fake,
    ctx,
    redirectUri,
    opts: {
      account: fake.account,
      clientId: fake.clientId,
      domainApi: fake.url,
      redirectUri,
      timeout: 10_000,
      profile: 'liveperson',
    },
    page: async () => {
      assert.ok(pagePromise, 'the browser was never opened');
      return pagePromise;
    },
  };
}

const output = (ctx: TestContext) => ctx.stdout.join('') + ctx.stderr.join('');

test('login through domain discovery (single shape) saves tokens, subject from id_token, no secret', async () => {
  const { fake, ctx, redirectUri, opts, page } = await setup();
  await login(ctx, opts);
  const p = ctx.store.get('liveperson');
  assert.equal(p.provider, 'liveperson');
  assert.equal(p.flow, 'authorization_code');
  assert.ok(fake.accessTokens.has(p.token), 'the saved token is one the fake issued');
  assert.ok(p.refreshToken && fake.refreshTokens.has(p.refreshToken));
  assert.ok(p.idToken);
  assert.equal(p.subject, 'user-42');
  assert.equal(p.clientSecret, undefined);
  assert.equal(savedParams(p).domain, fake.url);
  assert.equal(savedParams(p).redirectUri, redirectUri);
  assert.equal(savedParams(p).tokenUrl, `${fake.url}/sentinel/api/account/${fake.account}/token?v=2.0`);
  // No expires_in from the fake: 30 minutes from now.
  assert.equal(Date.parse(p.expiresAt!) - Date.parse(p.obtainedAt), 30 * 60_000);
  assert.equal((p.details as Record<string, unknown>).isAdmin, true);
  assert.equal((p.details as Record<string, unknown>).expiresInFromServer, false);

  // The browser was shown the success page only after the exchange.
  const shown = await page();
  assert.equal(shown.status, 200);
  assert.match(shown.body, /LivePerson/);

  // Wire: discovery, authorize (v=1.0, no PKCE, no scope), token (v=2.0, secret in the body only).
  assert.equal(fake.requests('/baseURI.json').length, 1);
  const [authz] = fake.requests('/authorize');
  assert.deepEqual(Object.keys(authz!.query).sort(), [
    'client_id',
    'redirect_uri',
    'response_type',
    'state',
    'v',
  ]);
  assert.equal(authz!.query.v, '1.0');
  assert.equal(authz!.query.response_type, 'code');
  assert.equal(authz!.query.redirect_uri, redirectUri);
  assert.ok(authz!.query.state!.length >= 22, 'state carries at least 128 bits');
  const [tok] = fake.requests('/token');
  assert.equal(tok!.rawQuery, '?v=2.0');
  assert.equal(tok!.headers.authorization, undefined);
  assert.match(tok!.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
  assert.equal(tok!.form.client_id, fake.clientId);
  assert.equal(tok!.form.client_secret, fake.clientSecret);
  assert.equal(tok!.form.grant_type, 'authorization_code');
  assert.equal(tok!.form.redirect_uri, authz!.query.redirect_uri, 'byte-identical redirect_uri');
  assert.equal(tok!.form.code_verifier, undefined);

  assert.deepEqual(ctx.stdout, [], 'nothing on stdout without --print/--json');
  assert.match(
    ctx.stderr.join(''),
    /Logged in to LivePerson account 12345678 as user-42; saved as profile 'liveperson'/,
  );
  assert.deepEqual(leakedSecrets(fake, output(ctx)), [], 'no secret in stdout/stderr/verbose lines');
});

test('discovery accepts the baseURIs[] list shape', async () => {
  const { fake, ctx, opts } = await setup({ shape: 'list' });
  await login(ctx, opts);
  assert.equal(savedParams(ctx.store.get('liveperson')).domain, fake.url);
  assert.equal(fake.requests('/baseURI.json')[0]!.query.version, '1.0');
});

test('--domain as a host (loopback → http) and as a base URL skip the domain API', async () => {
  for (const domain of ['HOST', 'URL/sentinel/']) {
    const { fake, ctx, opts } = await setup();
    const d = domain.replace('HOST', fake.host).replace('URL', fake.url);
    await login(ctx, { ...opts, domain: d, domainApi: 'https://unused.invalid' });
    assert.equal(fake.requests('/baseURI.json').length, 0, d);
    assert.equal(savedParams(ctx.store.get('liveperson')).domain, fake.url, d);
  }
});

test('expires_in is honoured when the server sends it; --save-secret stores the secret; --json prints the summary', async () => {
  const { fake, ctx, opts } = await setup({ expiresIn: 7200 });
  await login(ctx, { ...opts, saveSecret: true, json: true, profile: 'lp2' });
  const p = ctx.store.get('lp2');
  assert.equal(Date.parse(p.expiresAt!) - Date.parse(p.obtainedAt), 7200_000);
  assert.equal(p.clientSecret, fake.clientSecret);
  const json = JSON.parse(ctx.stdout.join('')) as Record<string, unknown>;
  assert.equal(json.profile, 'lp2');
  assert.equal(json.subject, 'user-42');
  assert.equal(json.renewable, true);
  assert.deepEqual(leakedSecrets(fake, output(ctx)), []);
});

test('--print writes exactly the access token to stdout', async () => {
  const { ctx, opts } = await setup();
  await login(ctx, { ...opts, print: true });
  assert.equal(ctx.stdout.join(''), `${ctx.store.get('liveperson').token}\n`);
});

test('the user denying access → exit 3, nothing saved, no token request', async () => {
  const { fake, ctx, opts, page } = await setup();
  fake.deny = true;
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) => e instanceof RefusedError && e.exitCode === 3 && /access_denied/.test(e.message),
  );
  assert.equal(fake.requests('/token').length, 0);
  assert.equal(ctx.store.read().profiles.size, 0);
  assert.notEqual((await page()).status, 200);
});

test('a callback with a different state → exit 1 before any code exchange', async () => {
  const { fake, ctx, opts } = await setup();
  fake.tamperState = true;
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) => e instanceof FailureError && e.exitCode === 1 && /state/.test(e.message),
  );
  assert.equal(fake.requests('/token').length, 0);
  assert.equal(ctx.store.read().profiles.size, 0);
});

test('codes are single-use: replaying the code authctl exchanged is refused (invalid_grant)', async () => {
  const { fake, ctx, opts } = await setup();
  await login(ctx, opts);
  const tok = fake.requests('/token')[0]!;
  await assert.rejects(
    requestToken(ctx, {
      tokenUrl: `${fake.url}/sentinel/api/account/${fake.account}/token?v=2.0`,
      client: { clientId: fake.clientId, secret: fake.clientSecret, authMethod: 'client_secret_post' },
      params: { grant_type: 'authorization_code', code: tok.form.code, redirect_uri: tok.form.redirect_uri },
    }),
    (e: unknown) => e instanceof RefusedError && /invalid_grant/.test(e.message),
  );
  assert.equal(fake.requests('/token').length, 2, 'authctl exchanged the code exactly once');
});

test('missing client secret without a TTY → exit 2 naming AUTHCTL_CLIENT_SECRET, before any request', async () => {
  const { fake, ctx, opts } = await setup({ env: {} });
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) => e instanceof UsageError && /AUTHCTL_CLIENT_SECRET/.test(`${e.message} ${e.hint}`),
  );
  assert.equal(fake.log.length, 0);
});

test('the secret can come from --client-secret-stdin', async () => {
  const fake = await sentinel();
  const ctx = context({ stdin: `${fake.clientSecret}\n`, onOpen: fake.onOpen });
  await login(ctx, {
    account: fake.account,
    clientId: fake.clientId,
    domain: fake.url,
    redirectUri: fake.redirectUri,
    clientSecretStdin: true,
    timeout: 10_000,
  });
  assert.equal(fake.requests('/token')[0]!.form.client_secret, fake.clientSecret);
});

test('bad flags fail with exit 2 before any request', async () => {
  const { fake, ctx, opts } = await setup();
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ account: '12/../34' }, /--account/],
    [{ account: '' }, /--account/],
    [{ clientId: '  ' }, /--client-id/],
    [{ domain: 'http://sentinel.example.com' }, /--domain: plain http is refused/],
    [{ domain: 'https://h.example/?x=1' }, /--domain must be a host or a base URL/],
    [{ domainApi: 'http://api.example.com' }, /--domain-api: plain http is refused/],
    [{ redirectUri: 'https://app.example.com/cb' }, /--redirect-uri/],
  ];
  for (const [over, re] of cases) {
    await assert.rejects(
      login(ctx, { ...opts, ...over }),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message),
      JSON.stringify(over),
    );
  }
  assert.equal(fake.log.length, 0);
});

test('domain API 401 (invalid site) and 400 are clear exit-1 errors; nothing is opened', async () => {
  const { fake, ctx, opts } = await setup();
  fake.domainStatus = 401;
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) =>
      e instanceof AuthctlError &&
      e.exitCode === 1 &&
      /not a valid site/.test(e.message) &&
      /--account/.test(e.hint ?? ''),
  );
  fake.domainStatus = 400;
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) => e instanceof AuthctlError && e.exitCode === 1 && /HTTP 400/.test(e.message),
  );
  // An account the fake does not know is its own 401.
  fake.domainStatus = undefined;
  await assert.rejects(login(ctx, { ...opts, account: '999' }), /not a valid site/);
  assert.deepEqual(ctx.opened, []);
});

test('a host from the domain API is checked as a server-provided URL', async () => {
  const { fake, ctx, opts } = await setup();
  fake.domainHost = 'sentinel.example.com/evil?x';
  await assert.rejects(
    login(ctx, opts),
    (e: unknown) => e instanceof ProtocolError && /not a host name/.test(e.message),
  );
  fake.domainHost = 'https://sentinel.example.com';
  await assert.rejects(login(ctx, opts), ProtocolError);
  assert.deepEqual(ctx.opened, []);
});

test('an unregistered redirect URI is refused by Sentinel and the login times out (exit 5)', async () => {
  const { fake, ctx, opts } = await setup();
  const port = await freePort();
  const other = `http://127.0.0.1:${port}/callback`;
  await assert.rejects(
    login(ctx, { ...opts, redirectUri: other, timeout: 600 }),
    (e: unknown) => e instanceof TimeoutError && e.exitCode === 5,
  );
  assert.equal(fake.requests('/authorize')[0]!.query.redirect_uri, other);
  assert.equal(fake.requests('/token').length, 0);
});

test('the loopback listener answers only its callback path', async () => {
  const { fake, ctx, opts, redirectUri } = await setup({ browse: false });
  const p = login(ctx, opts);
  // Wait for the URL to be opened (the listener is up by then).
  for (let i = 0; i < 100 && ctx.opened.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  const stray = await httpGet(redirectUri.replace('/callback', '/other'));
  assert.equal(stray.status, 404);
  await fake.clickThrough(ctx.opened[0]!);
  await p;
  assert.equal(ctx.store.get('liveperson').provider, 'liveperson');
});

test('the default redirect URI http://localhost:8976/callback is used and received', async () => {
  const fake = await startSentinel();
  try {
    const ctx = context({ env: { AUTHCTL_CLIENT_SECRET: fake.clientSecret }, onOpen: fake.onOpen });
    await login(ctx, { account: fake.account, clientId: fake.clientId, domain: fake.host, timeout: 10_000 });
    assert.equal(fake.requests('/authorize')[0]!.query.redirect_uri, 'http://localhost:8976/callback');
    assert.equal(savedParams(ctx.store.get('liveperson')).redirectUri, 'http://localhost:8976/callback');
  } finally {
    await fake.close();
  }
});

test('the redirect port already in use → exit 1 naming --redirect-uri, before the browser opens', async () => {
  const { fake, ctx, opts, redirectUri } = await setup();
  const net = await import('node:net');
  const squatter = net.createServer();
  await new Promise<void>((resolve) =>
    squatter.listen(Number(new URL(redirectUri).port), '127.0.0.1', resolve),
  );
  try {
    await assert.rejects(
      login(ctx, opts),
      (e: unknown) =>
        e instanceof FailureError && /already in use/.test(e.message) && /--redirect-uri/.test(e.hint ?? ''),
    );
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
  assert.deepEqual(ctx.opened, []);
  assert.equal(fake.requests('/authorize').length, 0);
});

test('Ctrl-C while waiting for the browser → exit 130, nothing saved, listener closed', async () => {
  const { fake, ctx, opts, redirectUri } = await setup({ browse: false });
  const p = login(ctx, opts);
  for (let i = 0; i < 100 && ctx.opened.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  ctx.controller.abort(new InterruptedError());
  await assert.rejects(p, (e: unknown) => e instanceof InterruptedError && e.exitCode === 130);
  assert.equal(ctx.store.read().profiles.size, 0);
  await assert.rejects(httpGet(redirectUri), /ECONNREFUSED/);
  assert.equal(fake.requests('/token').length, 0);
});
