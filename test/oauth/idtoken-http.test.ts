/**
 * ID tokens over plain http to a host that is not loopback (--insecure): OIDC Core §3.1.3.7 lets a
 * client skip the signature check only when TLS protected the token endpoint answer, so authctl
 * verifies the signature against the provider's JWKS there. The provider is the real oidc-provider
 * named `idp.test`, reached through a forwarding proxy on 127.0.0.1 that resolves that name — and
 * that can play the attacker on the wire by rewriting the token response.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type OidcServer, startOidc } from '../fakes/oidc.js';
import { type ProxyFake, startProxy } from '../fakes/proxy.js';
import { loginInBrowser } from '../helpers/oidc-browser.js';

let op: OidcServer;
let proxy: ProxyFake;
let tamper = false;

/** Change the ID token's subject, keeping its header and signature (an attacker without the key). */
function forgeIdToken(url: string, body: string): string {
  if (!tamper || !url.endsWith('/token')) return body;
  const json = JSON.parse(body) as Record<string, string>;
  if (!json.id_token) return body;
  const [h, p, s] = json.id_token.split('.');
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
  claims.sub = 'mallory';
  json.id_token = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  return JSON.stringify(json);
}

before(async () => {
  proxy = await startProxy({ hosts: { 'idp.test': '127.0.0.1' }, rewriteBody: forgeIdToken });
  // undici's EnvHttpProxyAgent reads the process environment (this file runs in its own process).
  process.env.HTTP_PROXY = proxy.url;
  op = await startOidc({
    issuerHost: 'idp.test',
    clients: [
      {
        client_id: 'pub',
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid',
      },
    ],
  });
});
after(async () => {
  delete process.env.HTTP_PROXY;
  await op.close();
  await proxy.close();
});

const run = (opts: Record<string, unknown> = {}) =>
  loginInBrowser(op.issuer, opts, {
    script: { origins: { [op.issuer]: `http://127.0.0.1:${op.port}` } },
    ctx: { insecure: true, env: { HTTP_PROXY: proxy.url } },
    ignoreBrowserErrors: true,
  });

test('over plain http to idp.test the ID token signature is verified against the JWKS', async () => {
  const jwksBefore = proxy.seen.filter((s) => s.endsWith('/jwks')).length;
  const r = await run();
  try {
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.ctx.store.get('oauth').subject, 'alice');
    assert.equal(
      proxy.seen.filter((s) => s.endsWith('/jwks')).length,
      jwksBefore + 1,
      'the keys were fetched',
    );
  } finally {
    r.ctx.cleanup();
  }
});

test('an ID token changed on the wire is refused (exit 1) and nothing is saved', async () => {
  tamper = true;
  try {
    const r = await run();
    try {
      assert.equal(r.error?.exitCode, 1);
      assert.equal(r.error?.code, 'oauth.id_token_signature');
      assert.match(r.error!.message, /signature does not verify/);
      assert.deepEqual([...r.ctx.store.read().profiles.keys()], []);
    } finally {
      r.ctx.cleanup();
    }
  } finally {
    tamper = false;
  }
});

test('without discovery there are no keys to verify with: the ID token is refused over plain http', async () => {
  const r = await run({
    issuer: undefined,
    authorizeUrl: `${op.issuer}/auth`,
    tokenUrl: `${op.issuer}/token`,
  });
  try {
    assert.equal(r.error?.code, 'oauth.id_token_unverifiable', r.error?.message);
    assert.deepEqual([...r.ctx.store.read().profiles.keys()], []);
  } finally {
    r.ctx.cleanup();
  }
});
