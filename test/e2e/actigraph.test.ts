/**
 * `authctl actigraph token` through the built binary, as a CI script runs it, against the fake
 * IdentityServer: the one-line recipe, the cache, --force, renewal in `token print` across expiry,
 * exit codes, the stdout/stderr split, and that the secret shows up in no output at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actigraphArgs,
  DEFAULT_IDS_CLIENTS,
  recipeRunner,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { configDirPerTest, readStore, writeStore } from '../helpers/cli.js';

const CI = DEFAULT_IDS_CLIENTS[0]!;
const LIMITED = DEFAULT_IDS_CLIENTS[1]!;

const ids = useIdentityServer();
const configDir = configDirPerTest();
const { env, recipe, run, tokenRequests } = recipeRunner(ids, configDir, CI);

/** Rewrite the saved profile's expiry (the store format is the contract's JSON). */
function expireProfile(name: string, expiresAt: string): void {
  const store = readStore(configDir());
  store.profiles[name]!.expiresAt = expiresAt;
  writeStore(configDir(), store);
}

test('the CI recipe: token and one newline on stdout, one human line on stderr, exit 0', async () => {
  const n = tokenRequests();
  const r = await run(recipe(['--print']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ids().issued.at(-1)}\n`);
  assert.match(
    r.stderr,
    /^✓ Saved token for ci-client as profile 'actigraph' \(expires: \d{4}-\d\d-\d\dT[\d:]+Z \(in (59m|1h)\)\); renewal needs AUTHCTL_CLIENT_SECRET \(the secret was not saved\)\.\n$/,
  );
  assert.equal(tokenRequests(), n + 1);
  assert.equal(ids().requests.at(-1)!.form.client_secret, CI.secret, 'credentials in the body');
});

test('cached: zero requests and the same token; --force fetches a new one', async () => {
  const first = await run(recipe(['--print']));
  const n = tokenRequests();
  const again = await run(recipe(['--print']));
  assert.equal(again.code, 0);
  assert.equal(again.stdout, first.stdout);
  assert.equal(tokenRequests(), n, 'no token request');
  assert.match(
    again.stderr,
    /Using cached token for ci-client from profile 'actigraph' \(expires in (59m|1h)\)/,
  );
  const forced = await run(recipe(['--print', '--force']));
  assert.equal(forced.code, 0);
  assert.equal(tokenRequests(), n + 1);
  assert.notEqual(forced.stdout, first.stdout);
});

test('`authctl token print actigraph` keeps printing a valid token across expiry', async () => {
  assert.equal((await run(recipe())).code, 0);
  const old = readStore(configDir()).profiles.actigraph!.token;
  // Valid: printed from the store, no request.
  let n = tokenRequests();
  let r = await run(['token', 'print', 'actigraph']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${old}\n`);
  assert.equal(tokenRequests(), n);
  // Expired: renewed silently, then printed.
  expireProfile('actigraph', '2020-01-01T00:00:00Z');
  n = tokenRequests();
  r = await run(['token', 'print', 'actigraph']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'renewal is silent');
  assert.equal(tokenRequests(), n + 1);
  assert.equal(r.stdout, `${ids().issued.at(-1)}\n`);
  assert.notEqual(r.stdout, `${old}\n`);
  const saved = readStore(configDir()).profiles.actigraph!;
  assert.equal(saved.token, ids().issued.at(-1));
  assert.ok(Date.parse(saved.expiresAt as string) > Date.now() + 3500_000);
  // Within --min-ttl: renewed as well; header and export use the renewed token.
  expireProfile('actigraph', new Date(Date.now() + 20_000).toISOString().replace(/\.\d+Z$/, 'Z'));
  r = await run(['token', 'header', 'actigraph']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `Authorization: Bearer ${ids().issued.at(-1)}\n`);
  assert.equal(tokenRequests(), n + 2);
});

test('expired and no secret anywhere: token print exits 4 with the command to run', async () => {
  assert.equal((await run(recipe())).code, 0);
  expireProfile('actigraph', '2020-01-01T00:00:00Z');
  const n = tokenRequests();
  const r = await run(['token', 'print', 'actigraph'], {});
  assert.equal(r.code, 4);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^error: .*actigraph.*expired.*Set AUTHCTL_CLIENT_SECRET.*authctl actigraph token --client-id ci-client --scope CentrePoint/,
  );
  assert.equal(tokenRequests(), n);
});

test('exit codes: invalid_client 3, invalid_scope 1, no --scope 2, plain http 2, unknown flag 2', async () => {
  const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
    [recipe(), { AUTHCTL_CLIENT_SECRET: 'wrong' }, 3, /invalid_client.*Check the client id and secret/],
    [
      [
        'actigraph',
        'token',
        '--client-id',
        LIMITED.id,
        '--scope',
        'Analytics',
        '--token-url',
        ids().tokenUrl,
      ],
      { AUTHCTL_CLIENT_SECRET: LIMITED.secret },
      1,
      /scope not enabled for your client \(invalid_scope\)/,
    ],
    [
      ['actigraph', 'token', '--client-id', CI.id, '--token-url', ids().tokenUrl],
      env,
      2,
      /at least one --scope/,
    ],
    [actigraphArgs('http://auth.example.com/t', [], CI), env, 2, /plain http is refused/],
    [recipe(['--bogus']), env, 2, /unknown option '--bogus'/],
  ];
  for (const [args, e, code, re] of cases) {
    const r = await run(args, e);
    assert.equal(r.code, code, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')).length <= 1,
      true,
    );
  }
});

test('non-JSON error bodies through the binary: a readable line, exit 1', async () => {
  ids().inject({ kind: 'text400' });
  let r = await run(recipe());
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    // One line: the server's words, then the next step every error line ends with.
    /^error: ActiGraph token endpoint 127\.0\.0\.1:\d+ answered HTTP 400: Bad Request: the request could not be processed\. [^\n]+\.\n$/,
  );
  ids().inject({ kind: 'html502' }, 3);
  r = await run(recipe());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed \(HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx\)\. Try again later\./);
});

test('actigraph token --help shows the CI example', async () => {
  const r = await run(['actigraph', 'token', '--help']);
  assert.equal(r.code, 0);
  assert.match(
    r.stdout,
    /AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id my-client --scope CentrePoint --print/,
  );
});
