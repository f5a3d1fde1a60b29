/**
 * `authctl oauth client-credentials` through the built binary against the real oidc-provider:
 * discovery, the stdout/stderr split, exit codes, and renewal of an `oauth` profile in
 * `token print` / `token export`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { decodeJwt } from '../../src/lib/jwt.js';
import { startIdentityServer } from '../fakes/identityserver.js';
import { BASIC_CLIENT, JWT_RESOURCE, POST_CLIENT, useOidc } from '../fakes/oidc.js';
import { clientCredentialsArgs } from '../helpers/args.js';
import { readStore, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const op = useOidc();

const cleanups: Array<() => void> = [];
after(() => {
  for (const c of cleanups) c();
});
const configDir = () => {
  const t = tempConfigDir();
  cleanups.push(t.cleanup);
  return t.dir;
};
const basicEnv = { AUTHCTL_CLIENT_SECRET: BASIC_CLIENT.secret };

test('--issuer: discovery, then the token on stdout; introspection shows it active', async () => {
  const dir = configDir();
  const r = await runCli(
    clientCredentialsArgs(op().issuer, BASIC_CLIENT.id, '--scope', 'api:read', '--print'),
    { configDir: dir, env: basicEnv },
  );
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.replace(/\n$/, '');
  assert.equal(r.stdout, `${token}\n`);
  assert.match(
    r.stderr,
    /^✓ Saved token for cc-basic as profile 'oauth' \(expires: .*\(in (9|10)m\)\); renewal needs AUTHCTL_CLIENT_SECRET \(the secret was not saved\)\.\n$/,
  );
  const res = await fetch(`${op().issuer}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token,
      client_id: POST_CLIENT.id,
      client_secret: POST_CLIENT.secret,
    }).toString(),
  });
  const info = (await res.json()) as Record<string, unknown>;
  assert.equal(info.active, true);
  assert.equal(info.client_id, BASIC_CLIENT.id);
  const p = readStore(dir).profiles.oauth!;
  assert.equal(p.provider, 'oauth');
  assert.deepEqual(p.params, {
    tokenUrl: `${op().issuer}/token`,
    clientId: BASIC_CLIENT.id,
    authMethod: 'client_secret_basic',
    scope: 'api:read',
    issuer: op().issuer,
  });
});

test('--json prints the saved profile without the token; --resource reaches the token', async () => {
  const dir = configDir();
  const r = await runCli(
    [
      'oauth',
      'client-credentials',
      '--token-url',
      `${op().issuer}/token`,
      '--client-id',
      POST_CLIENT.id,
      '--auth-method',
      'client_secret_post',
      '--scope',
      'api:read api:write',
      '--resource',
      JWT_RESOURCE,
      '--json',
      '--profile',
      'svc',
    ],
    { configDir: dir, env: { AUTHCTL_CLIENT_SECRET: POST_CLIENT.secret } },
  );
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  const saved = readStore(dir).profiles.svc!;
  assert.equal(json.profile, 'svc');
  assert.equal(json.flow, 'client_credentials');
  assert.equal(json.subject, POST_CLIENT.id);
  assert.deepEqual((json.scopes as string[]).sort(), ['api:read', 'api:write']);
  assert.equal(r.stdout.includes(saved.token as string), false);
  assert.equal(decodeJwt(saved.token as string)?.payload.aud, JWT_RESOURCE);
});

test('wrong secret → exit 3, one line naming invalid_client, nothing saved', async () => {
  const dir = configDir();
  const r = await runCli(
    ['oauth', 'client-credentials', '--token-url', `${op().issuer}/token`, '--client-id', BASIC_CLIENT.id],
    { configDir: dir, env: { AUTHCTL_CLIENT_SECRET: 'not-the-secret' } },
  );
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^error: token endpoint 127\.0\.0\.1:\d+ rejected the client credentials \(invalid_client: client authentication failed\)\. Check the client id and secret \(AUTHCTL_CLIENT_SECRET\)\.\n$/,
  );
  assert.ok(!r.stderr.includes('not-the-secret'));
  assert.equal(fs.existsSync(path.join(dir, 'config.json')), false, 'no store written');
});

test('usage errors exit 2: neither endpoint flag, a bad --auth-method', async () => {
  const dir = configDir();
  let r = await runCli(['oauth', 'client-credentials', '--client-id', 'x'], {
    configDir: dir,
    env: basicEnv,
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: pass --issuer or --token-url\. /);
  r = await runCli(
    [
      'oauth',
      'client-credentials',
      '--token-url',
      `${op().issuer}/token`,
      '--client-id',
      'x',
      '--auth-method',
      'tls',
    ],
    { configDir: dir, env: basicEnv },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /argument 'tls' is invalid/);
});

test('an issuer without discovery documents: exit 1 saying what to pass instead', async () => {
  const ids = await startIdentityServer();
  try {
    const r = await runCli(['oauth', 'client-credentials', '--issuer', ids.url, '--client-id', 'x'], {
      configDir: configDir(),
      env: basicEnv,
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: could not discover the endpoints of http:\/\/127\.0\.0\.1:\d+: .*HTTP 404.*--token-url/,
    );
    assert.deepEqual(
      ids.requests.map((q) => q.path),
      ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
    );
  } finally {
    await ids.close();
  }
});

test('renewal of an oauth profile in token print and token export, with the secret from the environment', async () => {
  const dir = configDir();
  const login = await runCli(clientCredentialsArgs(op().issuer, BASIC_CLIENT.id, '--scope', 'api:write'), {
    configDir: dir,
    env: basicEnv,
  });
  assert.equal(login.code, 0, login.stderr);
  const store = readStore(dir);
  const old = store.profiles.oauth!.token as string;
  store.profiles.oauth!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir, store);
  const discoveries = op().requests.filter((q) => q.path.includes('.well-known')).length;
  const r = await runCli(['token', 'print', 'oauth'], { configDir: dir, env: basicEnv });
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(r.stdout, `${old}\n`);
  const fresh = readStore(dir).profiles.oauth!.token as string;
  assert.equal(r.stdout, `${fresh}\n`);
  assert.equal(
    op().requests.filter((q) => q.path.includes('.well-known')).length,
    discoveries,
    'renewal uses the saved token URL, no discovery',
  );
  const exp = await runCli(['token', 'export', 'oauth', '--shell', 'bash'], {
    configDir: dir,
    env: basicEnv,
  });
  assert.equal(exp.code, 0);
  assert.match(exp.stdout, new RegExp(`AUTHCTL_TOKEN='?${fresh.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'?`));
});
