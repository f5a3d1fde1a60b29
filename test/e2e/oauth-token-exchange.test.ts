/**
 * `authctl oauth token-exchange` (RFC 8693) as a CI job runs it (built binary) against the real
 * oidc-provider with an RFC 8693 grant registered on it: the subject token is a JWT the provider
 * itself signed (the stand-in for a GitHub Actions OIDC token), read from a file; renewal re-reads
 * the file; an actor token is passed along; errors and bad input exit as documented.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type OidcServer, startOidc, TOKEN_EXCHANGE_GRANT } from '../fakes/oidc.js';
import { configDirPerTest, readStore, runCli, writeStore } from '../helpers/cli.js';

const CLIENT = { id: 'ci-exchange', secret: 'exchange-secret-1' };
let op: OidcServer;
before(async () => {
  op = await startOidc({
    tokenExchange: true,
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [TOKEN_EXCHANGE_GRANT],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read api:write',
      },
    ],
  });
});
after(() => op.close());
const dir = configDirPerTest();
const env = { AUTHCTL_CLIENT_SECRET: CLIENT.secret };

/** A "GitHub Actions" OIDC token: signed by the provider, for this client. */
const ciToken = (sub = 'repo:acme/app:ref:refs/heads/main') => op.issueJwt({ sub, aud: CLIENT.id });

const exchangeArgs = (file: string, ...more: string[]) => [
  'oauth',
  'token-exchange',
  '--issuer',
  op.issuer,
  '--client-id',
  CLIENT.id,
  '--subject-token-file',
  file,
  '--audience',
  'https://api.example.test',
  '--scope',
  'api:read',
  ...more,
];

test('exchange a file-based subject token; the profile renews by exchanging the re-read file', async () => {
  const file = path.join(dir(), 'oidc-token');
  fs.writeFileSync(file, await ciToken());
  const r = await runCli(exchangeArgs(file, '--profile', 'gh', '--json'), { configDir: dir(), env });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.flow, 'token_exchange');
  assert.equal(summary.renewable, true);
  assert.equal(summary.params.subjectTokenFile, file);
  assert.equal(summary.params.issuedTokenType, 'urn:ietf:params:oauth:token-type:access_token');
  assert.match(
    r.stderr,
    /Exchanged the subject token for an access token; saved for ci-exchange as profile 'gh'/,
  );
  const first = op.exchanges.at(-1)!;
  assert.equal(first.subjectSub, 'repo:acme/app:ref:refs/heads/main');
  assert.equal(first.audience, 'https://api.example.test');
  const g = op.grants.filter((x) => x.grantType === TOKEN_EXCHANGE_GRANT).at(-1)!;
  assert.equal(g.event, 'grant.success');
  assert.equal(g.params.subject_token_type, 'urn:ietf:params:oauth:token-type:jwt');
  assert.ok(
    !fs.readFileSync(path.join(dir(), 'config.json'), 'utf8').includes(fs.readFileSync(file, 'utf8')),
    'the subject token is not stored',
  );

  // The CI system hands out a new token; an expired profile is renewed with it by token print.
  fs.writeFileSync(file, await ciToken('repo:acme/app:ref:refs/heads/release'));
  const store = readStore(dir());
  store.profiles.gh!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir(), store);
  const p = await runCli(['token', 'print', 'gh'], { configDir: dir(), env });
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, `${readStore(dir()).profiles.gh!.token}\n`);
  const second = op.exchanges.at(-1)!;
  assert.equal(second.subjectSub, 'repo:acme/app:ref:refs/heads/release');
  assert.notEqual(second.subjectJti, first.subjectJti);

  // The file is gone (the job ended): renewal is exit 4 naming the command to run.
  fs.rmSync(file);
  const gone = await runCli(['token', 'refresh', 'gh'], { configDir: dir(), env });
  assert.equal(gone.code, 4, gone.stderr);
  assert.match(
    gone.stderr,
    /^error: profile 'gh' cannot be renewed: --subject-token-file .* cannot read it: ENOENT\. Run: authctl oauth token-exchange --issuer /m,
  );
});

test('subject token from an environment variable, with an actor token', async () => {
  const actorFile = path.join(dir(), 'actor');
  fs.writeFileSync(actorFile, await op.issueJwt({ sub: 'deploy-bot' }));
  const r = await runCli(
    [
      'oauth',
      'token-exchange',
      '--token-url',
      `${op.issuer}/token`,
      '--client-id',
      CLIENT.id,
      '--subject-token-env',
      'CI_TOKEN',
      '--actor-token-file',
      actorFile,
      '--print',
    ],
    { configDir: dir(), env: { ...env, CI_TOKEN: await ciToken() } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.trim().length > 10);
  assert.equal(op.exchanges.at(-1)!.actorSub, 'deploy-bot');
  const g = op.grants.filter((x) => x.grantType === TOKEN_EXCHANGE_GRANT).at(-1)!;
  assert.equal(g.params.actor_token_type, 'urn:ietf:params:oauth:token-type:jwt');
});

test('a subject token the provider does not accept is refused (exit 3)', async () => {
  const file = path.join(dir(), 'other');
  fs.writeFileSync(file, await op.issueJwt({ sub: 'x', aud: 'someone-else' }));
  const r = await runCli(exchangeArgs(file), { configDir: dir(), env });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /invalid_grant: subject_token rejected/);
  assert.ok(!fs.existsSync(path.join(dir(), 'config.json')));
});

test('bad input is exit 2 before any request', async () => {
  const file = path.join(dir(), 'tok');
  fs.writeFileSync(file, await ciToken());
  const n = op.requests.length;
  const base = ['oauth', 'token-exchange', '--issuer', op.issuer, '--client-id', CLIENT.id];
  for (const [args, re, extra] of [
    [base, /pass --subject-token-file or --subject-token-env/],
    [
      [...base, '--subject-token-file', file, '--subject-token-env', 'X'],
      /either --subject-token-file or --subject-token-env, not both/,
    ],
    [
      [...base, '--subject-token-env', 'UNSET_VAR_1'],
      /--subject-token-env UNSET_VAR_1: the variable is not set/,
    ],
    [
      [...base, '--subject-token-file', '/nonexistent'],
      /--subject-token-file \/nonexistent: cannot read it: ENOENT/,
    ],
    [
      [...base, '--subject-token-file', file, '--actor-token-type', 'urn:x'],
      /--actor-token-type needs --actor-token-file/,
    ],
    [
      [...base, '--subject-token-file', file, '--resource', 'relative/path'],
      /--resource: 'relative\/path' is not an absolute URI/,
    ],
    [[...base, '--subject-token-env', 'EMPTY'], /the variable is not set/, { EMPTY: '' }],
  ] as Array<[string[], RegExp, Record<string, string>?]>) {
    const r = await runCli(args, { configDir: dir(), env: { ...env, ...extra } });
    assert.equal(r.code, 2, `${args.slice(6).join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.equal(op.requests.length, n);
});
