/**
 * `oauth login` at enterprise depth, in-process against the real oidc-provider: pushed
 * authorization requests (required by discovery, required per client, asked with --par), the
 * authorization-request parameters (--audience, --prompt, --login-hint, --acr-values, --max-age,
 * --param), every --resource in both requests and in the refresh, --token-param, and
 * private_key_jwt for a confidential login.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { renewAndSave } from '../../src/commands/renew.js';
import { login } from '../../src/oauth/cli/run.js';
import { savedParams } from '../../src/store/profile.js';
import { JWT_RESOURCE, nativeApp, type OidcServer, OPAQUE_RESOURCE, useOidc } from '../fakes/oidc.js';
import { startScriptedTokenEndpoint, unsignedJwt } from '../fakes/token-endpoint.js';
import { testContext } from '../helpers/context.js';
import { browse, loginInBrowser } from '../helpers/oidc-browser.js';

const native = nativeApp('openid offline_access api:read');
const key = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
let keyFile: string;

const op = useOidc(() => {
  keyFile = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'authctl-key-')), 'k.pem');
  fs.writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const pubJwk = key.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  // Registered under its RFC 7638 thumbprint, the kid authctl sends by default.
  const kid = crypto
    .createHash('sha256')
    .update(JSON.stringify({ crv: pubJwk.crv, kty: pubJwk.kty, x: pubJwk.x, y: pubJwk.y }))
    .digest('base64url');
  const jwk = { ...pubJwk, kid };
  return {
    clients: [
      { client_id: 'pub', token_endpoint_auth_method: 'none', ...native },
      {
        client_id: 'par-only',
        token_endpoint_auth_method: 'none',
        require_pushed_authorization_requests: true,
        ...native,
      },
      {
        client_id: 'pkjwt-app',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
        ...native,
      },
    ],
  };
});
const parRequired = useOidc({
  clients: [{ client_id: 'pub', token_endpoint_auth_method: 'none', ...native }],
  config: {
    features: { pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true } },
  },
});
after(() => {
  fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
});

/** Run a login whose browser signs in and consents at the provider. */
const run = (server: OidcServer, opts: Record<string, unknown>) =>
  loginInBrowser(server.issuer, opts, { script: { login: 'erin' }, ignoreBrowserErrors: true });

test('PAR is used when discovery says require_pushed_authorization_requests: the browser gets only client_id and request_uri', async () => {
  const r = await run(parRequired(), {});
  try {
    assert.equal(r.error, undefined, r.error?.message);
    const opened = new URL(r.ctx.opened[0]!);
    assert.deepEqual([...opened.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(opened.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);
    const events = parRequired().grants.map((g) => g.event);
    assert.ok(events.includes('pushed_authorization_request.success'), events.join(','));
    assert.ok(events.includes('grant.success'));
    assert.equal(savedParams(r.ctx.store.get('oauth')).par, true);
  } finally {
    r.ctx.cleanup();
  }
});

test('a client that requires PAR is refused without --par and logs in with it', async () => {
  const without = await run(op(), { clientId: 'par-only' });
  try {
    assert.ok(without.error, 'refused');
    assert.match(without.error!.message, /invalid_request|Pushed Authorization Request/i);
  } finally {
    without.ctx.cleanup();
  }
  const withPar = await run(op(), { clientId: 'par-only', par: true });
  try {
    assert.equal(withPar.error, undefined, withPar.error?.message);
    const par = op().grants.filter(
      (g) => g.clientId === 'par-only' && g.event === 'pushed_authorization_request.success',
    );
    assert.equal(par.length, 1);
    // The pushed parameters, as the provider recorded them.
    assert.equal(par[0]!.params.code_challenge_method, 'S256');
    assert.equal(par[0]!.params.scope, 'openid');
  } finally {
    withPar.ctx.cleanup();
  }
});

test('authorization parameters reach the provider: audience, prompt, login_hint, acr_values, max_age, --param', async () => {
  const r = await run(op(), {
    audience: 'https://api.example.test',
    prompt: 'login',
    loginHint: 'erin@example.test',
    acrValues: 'urn:mace:incommon:iap:silver',
    maxAge: '300',
    param: ['ui_locales=de', 'claims_locales=fr'],
    scope: ['openid offline_access'],
  });
  try {
    assert.equal(r.error, undefined, r.error?.message);
    const q = new URL(r.ctx.opened[0]!).searchParams;
    assert.equal(q.get('audience'), 'https://api.example.test');
    assert.equal(q.get('prompt'), 'login', '--prompt replaces the consent prompt added for offline_access');
    assert.equal(q.getAll('prompt').length, 1);
    assert.equal(q.get('login_hint'), 'erin@example.test');
    assert.equal(q.get('acr_values'), 'urn:mace:incommon:iap:silver');
    assert.equal(q.get('max_age'), '300');
    assert.equal(q.get('ui_locales'), 'de');
    const auth = op()
      .grants.filter((g) => g.event === 'authorization.success')
      .at(-1)!;
    assert.equal(auth.params.login_hint, 'erin@example.test');
    assert.equal(auth.params.acr_values, 'urn:mace:incommon:iap:silver');
    assert.equal(String(auth.params.max_age), '300');
    assert.equal(auth.params.ui_locales, 'de');
    assert.equal(auth.params.prompt, 'login');
  } finally {
    r.ctx.cleanup();
  }
});

test('bad authorization parameters are exit 2 before anything is opened', async () => {
  for (const [opts, re] of [
    [{ param: ['novalue'] }, /--param 'novalue' is not name=value/],
    [{ param: ['=x'] }, /--param '=x' is not name=value/],
    [{ maxAge: '5m' }, /--max-age '5m' is not a number of seconds/],
    [{ tokenParam: ['x'] }, /--token-param 'x' is not name=value/],
    [
      { par: true, issuer: undefined, authorizeUrl: `${op().issuer}/auth`, tokenUrl: `${op().issuer}/token` },
      /--par needs --issuer/,
    ],
  ] as const) {
    const r = await run(op(), opts);
    try {
      assert.equal(r.error?.exitCode, 2, JSON.stringify(opts));
      assert.match(r.error!.message, re);
      assert.deepEqual(r.ctx.opened, []);
    } finally {
      r.ctx.cleanup();
    }
  }
});

test('a confidential login with private_key_jwt: the code exchange is authenticated by a signed assertion', async () => {
  const r = await run(op(), { clientId: 'pkjwt-app', privateKey: keyFile });
  try {
    assert.equal(r.error, undefined, r.error?.message);
    const g = op()
      .grants.filter((x) => x.clientId === 'pkjwt-app' && x.event === 'grant.success')
      .at(-1)!;
    assert.equal(g.clientAuthMethod, 'private_key_jwt');
    assert.equal(g.grantType, 'authorization_code');
    assert.equal(savedParams(r.ctx.store.get('oauth')).privateKeyFile, keyFile);
  } finally {
    r.ctx.cleanup();
  }
});

test('every --resource goes into the authorization request, the code exchange and the refresh; --token-param too', async () => {
  // A scripted token endpoint shows the exact form; oidc-provider authorizes the two resources.
  const ep = await startScriptedTokenEndpoint((form) => ({
    access_token: `at-${form.get('grant_type')}`,
    token_type: 'Bearer',
    expires_in: 600,
    refresh_token: 'rt-1',
    id_token: unsignedJwt({
      iss: op().issuer,
      aud: 'pub',
      sub: 'erin',
      exp: Math.floor(Date.now() / 1000) + 600,
      nonce: form.get('nonce') ?? undefined,
    }),
  }));
  let browsing: Promise<unknown> | undefined;
  const ctx = testContext({
    onOpen: (url) => {
      browsing = browse(url);
      return true;
    },
  });
  try {
    await login(ctx, {
      authorizeUrl: `${op().issuer}/auth`,
      tokenUrl: ep.url,
      clientId: 'pub',
      scope: ['api:read'],
      resource: [JWT_RESOURCE, OPAQUE_RESOURCE],
      tokenParam: ['tenant=blue'],
      open: true,
      timeout: 10_000,
    }).catch((e) => {
      throw e;
    });
    await browsing;
    const q = new URL(ctx.opened[0]!).searchParams;
    assert.deepEqual(q.getAll('resource'), [JWT_RESOURCE, OPAQUE_RESOURCE]);
    const code = ep.requests[0]!.form;
    assert.equal(code.get('grant_type'), 'authorization_code');
    assert.deepEqual(code.getAll('resource'), [JWT_RESOURCE, OPAQUE_RESOURCE]);
    assert.equal(code.get('tenant'), 'blue');
    const p = ctx.store.get('oauth');
    assert.deepEqual(savedParams(p).resource, [JWT_RESOURCE, OPAQUE_RESOURCE]);
    await renewAndSave(ctx, 'oauth', 0, true);
    const refresh = ep.requests[1]!.form;
    assert.equal(refresh.get('grant_type'), 'refresh_token');
    assert.deepEqual(
      refresh.getAll('resource'),
      [JWT_RESOURCE, OPAQUE_RESOURCE],
      'no longer flattened to one',
    );
    assert.equal(refresh.get('tenant'), 'blue');
  } finally {
    ctx.cleanup();
    await ep.close();
  }
});
