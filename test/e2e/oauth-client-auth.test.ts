/**
 * Client authentication beyond secrets, as a user runs it (built binary) against the real
 * oidc-provider: private_key_jwt with RSA and EC keys (RFC 7523), client_secret_jwt, mutual TLS
 * with an openssl-made CA and a self-signed certificate (RFC 8705, via mtls_endpoint_aliases),
 * a federated client assertion re-read on renewal, DPoP refused clearly, and bad input exit 2.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { type OidcServer, startOidc } from '../fakes/oidc.js';
import { makeCerts, type TestCerts } from '../fakes/tls-certs.js';
import { clientCredentialsArgs } from '../helpers/args.js';
import { configDirPerTest, readStore, runCli } from '../helpers/cli.js';

const cc = {
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api:read api:write',
};
const SECRET_JWT = { id: 'cc-secret-jwt', secret: 'hs256-secret-of-enough-length-0123456789' };

/** An RFC 7638 thumbprint, computed independently of authctl. */
const thumbprint = (jwk: Record<string, unknown>) =>
  crypto
    .createHash('sha256')
    .update(
      JSON.stringify(
        jwk.kty === 'EC'
          ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
          : { e: jwk.e, kty: jwk.kty, n: jwk.n },
      ),
    )
    .digest('base64url');

let op: OidcServer;
let certs: TestCerts;
let keyDir: string;
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ci = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pub = (k: crypto.KeyObject, kid?: string) => {
  const jwk = k.export({ format: 'jwk' }) as Record<string, unknown>;
  return { ...jwk, kid: kid ?? thumbprint(jwk) };
};
const files: Record<string, string> = {};

before(async () => {
  certs = makeCerts();
  keyDir = fs.mkdtempSync(path.join(certs.dir, 'keys-'));
  const write = (name: string, pem: string, mode = 0o600) => {
    const f = path.join(keyDir, name);
    fs.writeFileSync(f, pem, { mode });
    fs.chmodSync(f, mode);
    files[name] = f;
  };
  write('rsa.pem', rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  write('ec.pem', ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString());
  write('open.pem', rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o644);
  write(
    'ed25519.pem',
    crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  const self = new crypto.X509Certificate(fs.readFileSync(certs.selfSignedCert));
  op = await startOidc({
    mtls: certs,
    clients: [
      {
        client_id: 'pk-rsa',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [pub(rsa.publicKey)] },
        ...cc,
      },
      {
        client_id: 'pk-ec',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [pub(ec.publicKey, 'ec-key-1')] },
        ...cc,
      },
      {
        client_id: SECRET_JWT.id,
        client_secret: SECRET_JWT.secret,
        token_endpoint_auth_method: 'client_secret_jwt',
        ...cc,
      },
      {
        client_id: 'mtls-ca',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: certs.clientSubject,
        tls_client_certificate_bound_access_tokens: true,
        ...cc,
      },
      {
        client_id: 'mtls-self',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: {
          keys: [
            { ...(self.publicKey.export({ format: 'jwk' }) as object), x5c: [self.raw.toString('base64')] },
          ],
        },
        tls_client_certificate_bound_access_tokens: true,
        ...cc,
      },
      // The federated client: its registered key is the CI system's, which signs the assertions.
      {
        client_id: 'ci-federated',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [pub(ci.publicKey)] },
        ...cc,
      },
    ],
  });
});
after(async () => {
  await op.close();
  certs.cleanup();
});
const dir = configDirPerTest();

const ccArgs = (clientId: string, ...more: string[]) =>
  clientCredentialsArgs(op.issuer, clientId, '--scope', 'api:read', ...more);
const lastGrant = (clientId: string) => op.grants.filter((g) => g.clientId === clientId).at(-1);

test('private_key_jwt with an RSA key: RS256, kid = the RFC 7638 thumbprint; renewal signs a new assertion', async () => {
  const r = await runCli(ccArgs('pk-rsa', '--private-key', files['rsa.pem']!, '--profile', 'rsa'), {
    configDir: dir(),
  });
  assert.equal(r.code, 0, r.stderr);
  const g = lastGrant('pk-rsa')!;
  assert.equal(g.event, 'grant.success');
  assert.equal(g.clientAuthMethod, 'private_key_jwt');
  const p = readStore(dir()).profiles.rsa!;
  const params = p.params as Record<string, unknown>;
  assert.equal(params.authMethod, 'private_key_jwt');
  assert.equal(params.privateKeyFile, files['rsa.pem']);
  assert.ok(!JSON.stringify(p).includes('PRIVATE KEY'), 'no key material in the store');
  const again = await runCli(['token', 'refresh', 'rsa'], { configDir: dir() });
  assert.equal(again.code, 0, again.stderr);
  const g2 = lastGrant('pk-rsa')!;
  assert.equal(g2.event, 'grant.success');
  assert.notEqual(g2.assertionJti, g.assertionJti, 'a fresh jti per assertion');
});

test('private_key_jwt with an EC P-256 key (ES256) and --key-id; a wrong kid is refused (exit 3)', async () => {
  const r = await runCli(ccArgs('pk-ec', '--private-key', files['ec.pem']!, '--key-id', 'ec-key-1'), {
    configDir: dir(),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lastGrant('pk-ec')!.clientAuthMethod, 'private_key_jwt');
  // The same key under a kid the client did not register: the provider finds no key (invalid_client).
  const bad = await runCli(
    ccArgs('pk-ec', '--private-key', files['ec.pem']!, '--key-id', 'other', '--force'),
    {
      configDir: dir(),
    },
  );
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /invalid_client/);
});

test('client_secret_jwt: an HS256 assertion keyed with the secret', async () => {
  const r = await runCli(ccArgs(SECRET_JWT.id, '--auth-method', 'client_secret_jwt', '--print'), {
    configDir: dir(),
    env: { AUTHCTL_CLIENT_SECRET: SECRET_JWT.secret },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.trim().length > 10);
  assert.equal(lastGrant(SECRET_JWT.id)!.clientAuthMethod, 'client_secret_jwt');
  const wrong = await runCli(ccArgs(SECRET_JWT.id, '--auth-method', 'client_secret_jwt', '--force'), {
    configDir: dir(),
    env: { AUTHCTL_CLIENT_SECRET: 'not-the-secret-but-long-enough-000000000' },
  });
  assert.equal(wrong.code, 3, wrong.stderr);
});

test('tls_client_auth through mtls_endpoint_aliases: the token goes over TLS with the CA-signed certificate and is bound to it', async () => {
  const before = op.requests.length;
  const r = await runCli(
    ccArgs(
      'mtls-ca',
      '--auth-method',
      'tls_client_auth',
      '--cert',
      certs.clientCert,
      '--key',
      certs.clientKey,
      '--ca-file',
      certs.caCert,
      '--profile',
      'mtls',
    ),
    { configDir: dir() },
  );
  assert.equal(r.code, 0, r.stderr);
  const posts = op.requests.slice(before).filter((q) => q.method === 'POST');
  assert.deepEqual(
    posts,
    [{ method: 'POST', path: '/token', tls: true }],
    'the token request used the mTLS alias',
  );
  assert.equal(lastGrant('mtls-ca')!.clientAuthMethod, 'tls_client_auth');
  const expected = crypto
    .createHash('sha256')
    .update(new crypto.X509Certificate(fs.readFileSync(certs.clientCert)).raw)
    .digest('base64url');
  assert.equal(op.saved.at(-1)!.x5t, expected, 'certificate-bound access token (RFC 8705 §3)');
  const params = readStore(dir()).profiles.mtls!.params as Record<string, unknown>;
  assert.equal(params.tokenUrl, `${op.mtlsOrigin}/token`);
  assert.equal(params.certFile, certs.clientCert);
  // Renewal presents the certificate again.
  const again = await runCli(['token', 'refresh', 'mtls'], { configDir: dir() });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(lastGrant('mtls-ca')!.event, 'grant.success');
  // --auth-method none cannot authenticate a client-credentials request: exit 2 before sending.
  const none = await runCli(
    [
      'oauth',
      'client-credentials',
      '--token-url',
      `${op.mtlsOrigin}/token`,
      '--client-id',
      'mtls-ca',
      '--auth-method',
      'none',
      '--ca-file',
      certs.caCert,
    ],
    { configDir: dir() },
  );
  assert.equal(none.code, 2, none.stderr);
});

test('self_signed_tls_client_auth with a self-signed certificate', async () => {
  const r = await runCli(
    ccArgs(
      'mtls-self',
      '--auth-method',
      'self_signed_tls_client_auth',
      '--cert',
      certs.selfSignedCert,
      '--key',
      certs.selfSignedKey,
      '--ca-file',
      certs.caCert,
    ),
    { configDir: dir() },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lastGrant('mtls-self')!.clientAuthMethod, 'self_signed_tls_client_auth');
});

test('federated client assertion from a file: re-read on every renewal (a reused one would be a replay)', async () => {
  const file = path.join(dir(), 'ci-token.jwt');
  const assertion = async () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: pub(ci.publicKey).kid as string })
      .setIssuer('ci-federated')
      .setSubject('ci-federated')
      .setAudience(`${op.issuer}/token`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(ci.privateKey);
  fs.writeFileSync(file, `${await assertion()}\n`);
  const r = await runCli(ccArgs('ci-federated', '--client-assertion-file', file, '--profile', 'ci'), {
    configDir: dir(),
  });
  assert.equal(r.code, 0, r.stderr);
  const first = lastGrant('ci-federated')!;
  assert.equal(first.clientAuthMethod, 'private_key_jwt');
  const params = readStore(dir()).profiles.ci!.params as Record<string, unknown>;
  assert.equal(params.clientAssertionFile, file);
  const listed = await runCli(['token', 'list', '--json'], { configDir: dir() });
  assert.equal(JSON.parse(listed.stdout)[0].renewable, true, 'renewable without any secret');
  // The CI system issues a new token; renewal must send it, not the first one.
  fs.writeFileSync(file, await assertion());
  const again = await runCli(['token', 'refresh', 'ci'], { configDir: dir() });
  assert.equal(again.code, 0, again.stderr);
  const second = lastGrant('ci-federated')!;
  assert.equal(second.event, 'grant.success');
  assert.notEqual(second.assertionJti, first.assertionJti);
  // The same assertion again is a replay the provider refuses: that is why it is re-read.
  const replay = await runCli(['token', 'refresh', 'ci'], { configDir: dir() });
  assert.notEqual(replay.code, 0);
  assert.match(replay.stderr, /invalid_client/);
  // The CI job ended and the file is gone: no usable token (exit 4), naming the command to run.
  fs.rmSync(file);
  const gone = await runCli(['token', 'refresh', 'ci'], { configDir: dir() });
  assert.equal(gone.code, 4, gone.stderr);
  assert.match(
    gone.stderr,
    /^error: profile 'ci' cannot be renewed: --client-assertion-file .* ENOENT\. Run: authctl oauth client-credentials --issuer .* --client-assertion-file /m,
  );
  // From an environment variable.
  const env = await runCli(ccArgs('ci-federated', '--client-assertion-env', 'CI_OIDC', '--force'), {
    configDir: dir(),
    env: { CI_OIDC: await assertion() },
  });
  assert.equal(env.code, 0, env.stderr);
});

test('a private key readable by others is used with a warning naming chmod 600', async () => {
  const r = await runCli(ccArgs('pk-rsa', '--private-key', files['open.pem']!), { configDir: dir() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: --private-key .*open\.pem can be read by other users \(mode 644\); run: chmod 600/,
  );
});

test('DPoP demands are reported as unsupported (exit 1), not as "Log in again"', async () => {
  // oidc-provider hides why it refuses a DPoP-bound client without a proof (a generic invalid_grant),
  // so this endpoint answers as Okta (invalid_dpop_proof), Keycloak (a description naming DPoP)
  // and Auth0 (use_dpop_nonce with a DPoP-Nonce header) document.
  const answers: Array<{ status: number; headers: Record<string, string>; body: object }> = [
    {
      status: 400,
      headers: {},
      body: { error: 'invalid_dpop_proof', error_description: 'The DPoP proof JWT header is missing.' },
    },
    {
      status: 400,
      headers: {},
      body: { error: 'invalid_request', error_description: 'DPoP proof is missing' },
    },
    {
      status: 400,
      headers: { 'dpop-nonce': 'n-1' },
      body: {
        error: 'use_dpop_nonce',
        error_description: 'Authorization server requires nonce in DPoP proof',
      },
    },
    {
      status: 401,
      headers: { 'www-authenticate': 'DPoP error="invalid_token", algs="ES256"' },
      body: { error: 'invalid_client' },
    },
  ];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers.shift()!;
      res
        .writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
        .end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  try {
    for (let i = 0; i < 4; i++) {
      const r = await runCli(['oauth', 'client-credentials', '--token-url', url, '--client-id', 'c'], {
        configDir: dir(),
        env: { AUTHCTL_CLIENT_SECRET: 's' },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^error: token endpoint .* wants DPoP-bound tokens .*; authctl does not support DPoP\. /m,
      );
      assert.doesNotMatch(r.stderr, /Log in again/);
    }
  } finally {
    server.close();
  }
});

test('bad client-authentication input is exit 2 before any request', async () => {
  const n = op.requests.length;
  const cases: Array<[string[], RegExp, Record<string, string>?]> = [
    [
      ccArgs('pk-rsa', '--private-key', '/nonexistent/key.pem'),
      /--private-key: cannot read \/nonexistent\/key\.pem: ENOENT/,
    ],
    [ccArgs('pk-rsa', '--private-key', certs.clientCert), /is not a PEM private key/],
    [
      ccArgs('pk-rsa', '--private-key', files['ed25519.pem']!),
      /an? ed25519 key cannot sign a client assertion/,
    ],
    [
      ccArgs('pk-rsa', '--private-key', files['rsa.pem']!, '--signing-alg', 'ES256'),
      /--signing-alg ES256 does not fit a RSA key/,
    ],
    [ccArgs('pk-rsa', '--auth-method', 'private_key_jwt'), /needs --private-key/],
    [
      ccArgs('pk-rsa', '--private-key', files['rsa.pem']!, '--auth-method', 'client_secret_basic'),
      /--private-key is for --auth-method private_key_jwt/,
    ],
    [ccArgs('mtls-ca', '--auth-method', 'tls_client_auth'), /needs --cert <pem> and --key <pem>/],
    [ccArgs('mtls-ca', '--cert', certs.clientCert), /--cert needs --key/],
    [ccArgs('mtls-ca', '--cert', '/nonexistent.pem', '--key', certs.clientKey), /--cert: cannot read/],
    [
      ccArgs('mtls-ca', '--cert', certs.clientCert, '--key', certs.selfSignedKey),
      /does not belong to the certificate/,
    ],
    [
      ccArgs('ci', '--client-assertion-env', 'NOT_SET_ANYWHERE'),
      /--client-assertion-env NOT_SET_ANYWHERE: the variable is not set/,
    ],
    [ccArgs('ci', '--client-assertion-file', files['rsa.pem']!), /does not hold a JWT/],
    [
      ccArgs('ci', '--client-assertion-file', 'a', '--client-assertion-env', 'B'),
      /either --client-assertion-file or --client-assertion-env/,
    ],
    [ccArgs('ci', '--token-param', 'oops'), /--token-param 'oops' is not name=value/],
  ];
  for (const [args, re, env] of cases) {
    const r = await runCli(args, { configDir: dir(), env: env ?? {} });
    assert.equal(r.code, 2, `${args.slice(4).join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.slice(4).join(' '));
  }
  assert.equal(op.requests.length, n, 'no request reached the provider');
});
