/**
 * `oauth login` in-process against the real oidc-provider (login and consent through its development
 * interaction pages, driven over HTTP), plus a few small fake token endpoints for what a correct
 * provider never does (wrong nonce or audience, a slow exchange).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { AuthctlError, ExitCode, InterruptedError } from '../../src/errors.js';
import { login } from '../../src/oauth/cli/run.js';
import { savedParams } from '../../src/store/profile.js';
import { nativeApp, startOidc } from '../fakes/oidc.js';
import { startScriptedTokenEndpoint, unsignedJwt } from '../fakes/token-endpoint.js';
import { type TestContext, type TestContextOptions, testContext } from '../helpers/context.js';
import { useServer } from '../helpers/fixture.js';
import { type BrowserLogin, type BrowserScript, browse, loginInBrowser } from '../helpers/oidc-browser.js';

const PUBLIC = 'authctl-cli';
const CONFIDENTIAL = 'authctl-conf';
const CONF_SECRET = 'conf:s3cret/+';
const loginClient = nativeApp('openid offline_access profile email api:read');

const tokenRequests: string[] = [];
const challengeMethods: unknown[] = [];

const op = useServer(async () => {
  const server = await startOidc({
    clients: [
      { client_id: PUBLIC, token_endpoint_auth_method: 'none', ...loginClient },
      {
        client_id: CONFIDENTIAL,
        client_secret: CONF_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        ...loginClient,
      },
    ],
  });
  // Koa composed the middleware when the harness started, so count token requests by their events.
  const provider = server.provider as unknown as {
    on(ev: string, fn: (m: { codeChallengeMethod?: unknown }) => void): void;
  };
  provider.on('grant.success', () => tokenRequests.push('ok'));
  provider.on('grant.error', () => tokenRequests.push('error'));
  provider.on('authorization_code.saved', (code) => challengeMethods.push(code.codeChallengeMethod));
  return server;
});

/** `oauth login` in-process at the provider as the public client (the browser opened, 10 s), then `opts`. */
const loginAt = (ctx: TestContext, opts: Record<string, unknown> = {}) =>
  login(ctx, { issuer: op().issuer, clientId: PUBLIC, open: true, timeout: 10_000, ...opts });

interface Run extends BrowserLogin {
  tokenRequests: number;
}

/** Run `oauth login` with `opts`; the "browser" follows `script` when the URL is opened. */
async function run(
  opts: Record<string, unknown>,
  script: BrowserScript | null = {},
  ctxOpts: TestContextOptions = {},
): Promise<Run> {
  const before = tokenRequests.length;
  const r = await loginInBrowser(
    op().issuer,
    { clientId: PUBLIC, scope: ['openid offline_access'], profile: 'oauth', ...opts },
    { script, ctx: ctxOpts },
  );
  return { ...r, tokenRequests: tokenRequests.length - before };
}

const stderr = (r: Run) => r.ctx.stderr.join('');

test('full login: PKCE S256, state, nonce; tokens checked and saved; success page after the exchange', async () => {
  const seen = challengeMethods.length;
  const r = await run({});
  try {
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.page?.status, 200);
    assert.match(r.page?.body ?? '', /Login complete/);
    assert.deepEqual(challengeMethods.slice(seen), ['S256'], 'the provider stored an S256 challenge');
    assert.equal(r.tokenRequests, 1);
    const authorize = new URL(r.ctx.opened[0]!);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((authorize.searchParams.get('state') ?? '').length >= 22);
    assert.ok(authorize.searchParams.get('nonce'));
    assert.equal(authorize.searchParams.get('prompt'), 'consent');
    const p = r.ctx.store.get('oauth');
    assert.equal(p.provider, 'oauth');
    assert.equal(p.flow, 'authorization_code');
    assert.equal(p.subject, 'alice');
    assert.ok(p.refreshToken, 'refresh token stored');
    assert.ok(p.idToken);
    assert.deepEqual(p.scopes.sort(), ['offline_access', 'openid']);
    assert.equal(savedParams(p).issuer, op().issuer);
    assert.equal(savedParams(p).authorizeUrl, `${op().issuer}/auth`);
    assert.equal(savedParams(p).tokenUrl, `${op().issuer}/token`);
    assert.equal(savedParams(p).clientId, PUBLIC);
    assert.equal(savedParams(p).authMethod, 'none');
    assert.equal(savedParams(p).confidential, false);
    assert.equal(savedParams(p).scope, 'openid offline_access');
    assert.match(String(savedParams(p).redirectUri), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(p.clientSecret, undefined);
    assert.ok(p.expiresAt);
    // Secrets never reach stderr (the authorize URL carries only public values).
    const err = stderr(r);
    for (const s of [p.token, p.refreshToken!, p.idToken!]) assert.ok(!err.includes(s));
    const cbUrl = new URL(r.page!.callbackUrl);
    assert.ok(!err.includes(cbUrl.searchParams.get('code')!), 'the code is never logged');
    assert.deepEqual(r.ctx.stdout, []);
  } finally {
    r.ctx.cleanup();
  }
});

test('--print puts exactly the token on stdout; explicit endpoints work without discovery; --timeout 0 waits', async () => {
  const r = await run({
    issuer: undefined,
    timeout: 0,
    authorizeUrl: `${op().issuer}/auth`,
    tokenUrl: `${op().issuer}/token`,
    scope: ['openid'],
    print: true,
  });
  try {
    assert.equal(r.error, undefined, r.error?.message);
    const p = r.ctx.store.get('oauth');
    assert.deepEqual(r.ctx.stdout, [`${p.token}\n`]);
    assert.equal(savedParams(p).issuer, undefined);
    assert.equal(p.refreshToken, undefined, 'no offline_access, no refresh token');
    assert.match(stderr(r), /no refresh token was issued/);
    assert.ok(!stderr(r).includes('.well-known'), 'no discovery');
  } finally {
    r.ctx.cleanup();
  }
});

test('a confidential client authenticates with the secret from AUTHCTL_CLIENT_SECRET (not saved)', async () => {
  const r = await run({ clientId: CONFIDENTIAL }, {}, { env: { AUTHCTL_CLIENT_SECRET: CONF_SECRET } });
  try {
    assert.equal(r.error, undefined, r.error?.message);
    const p = r.ctx.store.get('oauth');
    assert.equal(savedParams(p).confidential, true);
    assert.equal(savedParams(p).authMethod, 'client_secret_basic');
    assert.equal(p.clientSecret, undefined);
    assert.ok(!stderr(r).includes(CONF_SECRET));
  } finally {
    r.ctx.cleanup();
  }
  // A wrong secret is refused at the token endpoint (exit 3) and the browser sees an error page.
  const bad = await run({ clientId: CONFIDENTIAL }, {}, { env: { AUTHCTL_CLIENT_SECRET: 'nope' } });
  try {
    assert.equal(bad.error?.exitCode, ExitCode.refused);
    assert.equal(bad.page?.status, 400);
    assert.match(bad.page?.body ?? '', /Login failed/);
    assert.deepEqual([...bad.ctx.store.read().profiles.keys()], []);
  } finally {
    bad.ctx.cleanup();
  }
});

test('--resource goes into both requests: the access token is minted for that API', async () => {
  const resource = 'urn:authctl:test-api';
  const r = await run({ scope: ['openid api:read'], resource });
  try {
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(new URL(r.ctx.opened[0]!).searchParams.get('resource'), resource);
    const p = r.ctx.store.get('oauth');
    const claims = JSON.parse(Buffer.from(p.token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.aud, resource);
    assert.equal(savedParams(p).resource, resource);
  } finally {
    r.ctx.cleanup();
  }
});

test('the user cancels at the provider: access_denied is exit 3, nothing saved, no token request', async () => {
  const r = await run({}, { deny: true });
  try {
    assert.equal(r.error?.exitCode, ExitCode.refused);
    assert.match(r.error?.message ?? '', /access_denied/);
    assert.equal(r.page?.status, 400);
    assert.match(r.page?.body ?? '', /access_denied/);
    assert.equal(r.tokenRequests, 0);
    assert.deepEqual([...r.ctx.store.read().profiles.keys()], []);
  } finally {
    r.ctx.cleanup();
  }
});

test('a tampered state is rejected with exit 1 before any code exchange', async () => {
  for (const rewrite of [
    (u: URL) => {
      u.searchParams.set('state', `${u.searchParams.get('state')}x`);
      return u;
    },
    (u: URL) => {
      u.searchParams.delete('state');
      return u;
    },
  ]) {
    const r = await run({}, { rewriteCallback: rewrite });
    try {
      assert.equal(r.error?.exitCode, ExitCode.failure);
      assert.match(r.error?.message ?? '', /state/);
      assert.equal(r.tokenRequests, 0, 'no token request');
      assert.equal(r.page?.status, 400);
      assert.match(r.page?.body ?? '', /Login failed/);
      assert.deepEqual([...r.ctx.store.read().profiles.keys()], []);
    } finally {
      r.ctx.cleanup();
    }
  }
});

/** Answer the authorize URL the way the provider would, without a provider: straight to the callback. */
function callbackFor(authorizeUrl: string, params: Record<string, string>): URL {
  const a = new URL(authorizeUrl);
  const cb = new URL(a.searchParams.get('redirect_uri')!);
  cb.searchParams.set('state', a.searchParams.get('state')!);
  for (const [k, v] of Object.entries(params)) cb.searchParams.set(k, v);
  return cb;
}

async function fetchPage(url: URL): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

test('an ID token with a wrong nonce or audience is exit 1 and nothing is saved', async () => {
  for (const [name, claims] of [
    ['nonce', { nonce: 'not-the-one-sent', aud: PUBLIC }],
    ['someone-else', { aud: 'someone-else' }],
  ] as Array<[string, Record<string, unknown>]>) {
    let nonce = '';
    const fake = await startScriptedTokenEndpoint(() => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 60,
      id_token: unsignedJwt({
        iss: 'https://id.example',
        sub: 'u',
        exp: Math.floor(Date.now() / 1000) + 60,
        nonce,
        ...claims,
      }),
    }));
    let page: Promise<{ status: number; body: string }> | undefined;
    const ctx = testContext({
      onOpen: (url) => {
        nonce = new URL(url).searchParams.get('nonce')!;
        page = fetchPage(callbackFor(url, { code: 'c0de' }));
        return true;
      },
    });
    try {
      await assert.rejects(
        login(ctx, {
          authorizeUrl: 'http://127.0.0.1:9/authorize',
          tokenUrl: fake.url,
          clientId: PUBLIC,
          scope: ['openid'],
          open: true,
          timeout: 10_000,
          profile: 'oauth',
        }),
        (e: unknown) =>
          e instanceof AuthctlError && e.exitCode === ExitCode.failure && e.message.includes(name),
        name,
      );
      assert.equal((await page!).status, 400);
      assert.equal(fake.requests.length, 1);
      assert.equal(fake.requests[0]!.form.get('grant_type'), 'authorization_code');
      assert.ok(fake.requests[0]!.form.get('code_verifier'));
      assert.equal(fake.requests[0]!.form.get('client_id'), PUBLIC);
      assert.deepEqual([...ctx.store.read().profiles.keys()], []);
    } finally {
      ctx.cleanup();
      await fake.close();
    }
  }
});

test('the code is exchanged before the success page; a second callback is told the login already finished', async () => {
  const fake = await startScriptedTokenEndpoint(() => ({ access_token: 'at-2', token_type: 'bearer' }), 300);
  let first: Promise<{ status: number; body: string; at: number }> | undefined;
  let second: Promise<{ status: number; body: string }> | undefined;
  const ctx = testContext({
    onOpen: (url) => {
      const cb = callbackFor(url, { code: 'c1' });
      first = fetchPage(cb).then((p) => ({ ...p, at: Date.now() }));
      second = new Promise((r) => setTimeout(r, 100)).then(() => fetchPage(callbackFor(url, { code: 'c2' })));
      return true;
    },
  });
  try {
    await login(ctx, {
      authorizeUrl: 'http://127.0.0.1:9/authorize',
      tokenUrl: fake.url,
      clientId: PUBLIC,
      open: true,
      timeout: 10_000,
      profile: 'oauth',
    });
    const f = await first!;
    assert.equal(f.status, 200);
    assert.match(f.body, /Login complete/);
    const s = await second!;
    assert.equal(s.status, 409);
    assert.match(s.body, /already finished/);
    assert.equal(fake.requests.length, 1, 'only the first code is exchanged');
    assert.equal(fake.requests[0]!.form.get('code'), 'c1');
    const p = ctx.store.get('oauth');
    assert.equal(p.token, 'at-2');
    assert.equal(p.tokenType, 'Bearer');
    assert.equal(p.expiresAt, null);
    assert.equal(p.subject, null);
  } finally {
    ctx.cleanup();
    await fake.close();
  }
});

test('a hostile error_description is shown escaped in the page, and is exit 1', async () => {
  // Whole tags are dropped from server text anyway; a half tag and quotes must be escaped.
  const hostile = `<script>alert("pwned")</script>"'><img src=x onerror=alert(1)//`;
  let page: Promise<{ status: number; body: string }> | undefined;
  const ctx = testContext({
    onOpen: (url) => {
      page = fetchPage(callbackFor(url, { error: 'server_error', error_description: hostile }));
      return true;
    },
  });
  try {
    await assert.rejects(
      login(ctx, {
        authorizeUrl: 'http://127.0.0.1:9/authorize',
        tokenUrl: 'http://127.0.0.1:9/token',
        clientId: PUBLIC,
        open: true,
        timeout: 10_000,
      }),
      (e: unknown) =>
        e instanceof AuthctlError && e.exitCode === ExitCode.failure && /server_error/.test(e.message),
    );
    const p = await page!;
    assert.equal(p.status, 400);
    assert.ok(!p.body.includes('<script>alert'), 'script not injected');
    assert.ok(!p.body.includes('<img'), 'img not injected');
    assert.ok(p.body.includes('&quot;&#39;&gt;&lt;img src=x onerror=alert(1)//'));
  } finally {
    ctx.cleanup();
  }
});

test('--manual prints the URL, opens nothing, and takes the pasted redirect', async () => {
  let pasted = 0;
  const ctx: TestContext = testContext({
    interactive: true,
    prompter: {
      input: async () => {
        pasted++;
        const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(ctx.stderr.join(''))![1]!;
        const r = await browse(url, { stopAtCallback: true });
        return ` ${r.callbackUrl}\n`;
      },
    },
  });
  try {
    await loginAt(ctx, {
      scope: ['openid'],
      manual: true,
      profile: 'm',
    });
    assert.deepEqual(ctx.opened, []);
    assert.equal(pasted, 1);
    assert.match(ctx.stderr.join(''), /paste it here/);
    assert.equal(ctx.store.get('m').subject, 'alice');
  } finally {
    ctx.cleanup();
  }
});

test('--manual: a pasted URL with the wrong state is exit 1; without a terminal --manual is exit 2', async () => {
  const ctx: TestContext = testContext({
    interactive: true,
    prompter: {
      input: async () => {
        const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(ctx.stderr.join(''))![1]!;
        const r = await browse(url, { stopAtCallback: true });
        return r.callbackUrl.replace(/state=[^&]+/, 'state=forged');
      },
    },
  });
  const before = tokenRequests.length;
  try {
    await assert.rejects(
      loginAt(ctx, { manual: true }),
      (e: unknown) => e instanceof AuthctlError && e.exitCode === ExitCode.failure && /state/.test(e.message),
    );
    assert.equal(tokenRequests.length, before);
  } finally {
    ctx.cleanup();
  }
  const noTty = testContext({ interactive: false });
  try {
    await assert.rejects(
      loginAt(noTty, { manual: true }),
      (e: unknown) =>
        e instanceof AuthctlError && e.exitCode === ExitCode.usage && /--manual/.test(e.message),
    );
    assert.ok(!noTty.stderr.join('').includes('.well-known'), 'fails before any request');
  } finally {
    noTty.cleanup();
  }
});

test('no browser but a terminal: the paste prompt is offered, and a callback that arrives first cancels it', async () => {
  let cancelled: AbortSignal | undefined;
  const ctx: TestContext = testContext({
    interactive: true,
    onOpen: (url) => {
      void browse(url, {});
      return false;
    },
    prompter: {
      input: (_m, _h, cancel) => {
        cancelled = cancel;
        return new Promise((_resolve, reject) => {
          cancel?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortPromptError' })),
          );
        });
      },
    },
  });
  try {
    await loginAt(ctx, {
      scope: ['openid'],
    });
    assert.match(ctx.stderr.join(''), /Could not open a browser/);
    assert.ok(cancelled, 'the prompt was offered');
    assert.equal(cancelled?.aborted, true, 'and cancelled once the callback won');
    assert.ok(ctx.store.get('oauth').token);
  } finally {
    ctx.cleanup();
  }
});

test('no browser and no terminal: keeps listening and says the URL must be opened elsewhere', async () => {
  const ctx: TestContext = testContext({
    interactive: false,
    onOpen: () => false,
  });
  const waiting = (async () => {
    for (let i = 0; i < 100; i++) {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(ctx.stderr.join(''));
      if (m && /Could not open a browser/.test(ctx.stderr.join(''))) return browse(m[1]!, {});
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no URL printed');
  })();
  try {
    await loginAt(ctx, {
      scope: ['openid'],
    });
    assert.equal((await waiting).status, 200);
    assert.match(ctx.stderr.join(''), /ssh -L/);
  } finally {
    ctx.cleanup();
  }
});

test('timeout is exit 5 and Ctrl-C is exit 130; the store is left as it was', async () => {
  for (const kind of ['timeout', 'interrupt'] as const) {
    const ctx = testContext({
      onOpen: () => {
        if (kind === 'interrupt') setTimeout(() => ctx.controller.abort(new InterruptedError('SIGINT')), 150);
        return true;
      },
    });
    await ctx.store.save('oauth', {
      provider: 'oauth',
      flow: 'authorization_code',
      token: 'old-token',
      tokenType: 'Bearer',
      obtainedAt: '2026-01-01T00:00:00Z',
      expiresAt: null,
      subject: 'old',
      scopes: [],
      params: {},
    });
    const file = ctx.store.file;
    const beforeBytes = fs.readFileSync(file);
    const t0 = Date.now();
    try {
      await assert.rejects(
        loginAt(ctx, {
          timeout: kind === 'timeout' ? 400 : 10_000,
        }),
        (e: unknown) =>
          e instanceof AuthctlError &&
          e.exitCode === (kind === 'timeout' ? ExitCode.timeout : ExitCode.interrupted) &&
          (kind === 'interrupt' || /--timeout/.test(e.hint ?? '')),
        kind,
      );
      assert.ok(Date.now() - t0 < 3000, 'gave up promptly');
      assert.deepEqual(fs.readFileSync(file), beforeBytes, 'store untouched');
    } finally {
      ctx.cleanup();
    }
  }
});

test('a redirect port already in use is exit 1 naming --redirect-uri', async () => {
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  const ctx = testContext();
  try {
    await assert.rejects(
      loginAt(ctx, {
        redirectUri: `http://127.0.0.1:${port}/callback`,
      }),
      (e: unknown) =>
        e instanceof AuthctlError &&
        e.exitCode === ExitCode.failure &&
        e.message.includes(String(port)) &&
        /--redirect-uri/.test(`${e.message} ${e.hint}`),
    );
    assert.deepEqual(ctx.opened, [], 'no browser opened');
  } finally {
    blocker.close();
    ctx.cleanup();
  }
});

test('flag errors are exit 2 before any request', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ issuer: undefined }, /--issuer/],
    [{ issuer: undefined, authorizeUrl: 'https://id.example/auth' }, /--token-url/],
    [{ issuer: undefined, tokenUrl: 'https://id.example/token' }, /--authorize-url/],
    [{ authorizeUrl: 'https://id.example/auth', tokenUrl: 'https://id.example/token' }, /not both/],
    [{ issuer: 'http://id.example' }, /plain http/],
    [{ redirectUri: 'https://app.example/callback' }, /--redirect-uri/],
    [{ redirectUri: 'http://127.0.0.1:5000/cb#x' }, /fragment/],
    [{ resource: 'not a uri' }, /--resource/],
    [{ saveSecret: true }, /--save-secret/],
    [{ clientId: ' ' }, /--client-id/],
  ];
  for (const [opts, re] of cases) {
    const ctx = testContext();
    try {
      await assert.rejects(
        loginAt(ctx, { open: true, timeout: 1000, ...opts }),
        (e: unknown) => e instanceof AuthctlError && e.exitCode === ExitCode.usage && re.test(e.message),
        JSON.stringify(opts),
      );
      assert.ok(!ctx.stderr.join('').includes('GET '), 'no request');
    } finally {
      ctx.cleanup();
    }
  }
});
