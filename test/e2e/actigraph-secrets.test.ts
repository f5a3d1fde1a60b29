/**
 * Client secrets through the built binary (secrets never on argv by necessity: docs/security.md): where they
 * come from, what happens without one, and that a secret shows up in no output of any command.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_IDS_CLIENTS, recipeRunner, useIdentityServer } from '../fakes/identityserver.js';
import { type CliResult, configDirPerTest, readStore } from '../helpers/cli.js';

const CI = DEFAULT_IDS_CLIENTS[0]!;

const ids = useIdentityServer();
const configDir = configDirPerTest();
const { recipe, run, tokenRequests } = recipeRunner(ids, configDir, CI);

test('no secret and no TTY: exit 2 naming AUTHCTL_CLIENT_SECRET, nothing on stdout', async () => {
  const r = await run(recipe(['--print']), {});
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: no client secret\. Set AUTHCTL_CLIENT_SECRET/);
});

test('--client-secret works but warns; --client-secret-stdin reads the pipe', async () => {
  const flag = await run(recipe(['--client-secret', CI.secret, '--print']), {});
  assert.equal(flag.code, 0, flag.stderr);
  assert.match(flag.stderr, /warning: --client-secret puts the secret on the command line/);
  const n = tokenRequests();
  const piped = await run(recipe(['--client-secret-stdin', '--force', '--print']), {}, `${CI.secret}\n`);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(tokenRequests(), n + 1);
  assert.equal(ids().requests.at(-1)!.form.client_secret, CI.secret);
  assert.doesNotMatch(piped.stderr, /warning/);
});

test('the secret appears in no output: login (verbose, json), token list, inspect, export', async () => {
  const results: CliResult[] = [];
  results.push(await run(recipe(['--verbose', '--json', '--save-secret'])));
  results.push(await run(recipe(['--verbose', '--print', '--force'])));
  results.push(await run(['token', 'list']));
  results.push(await run(['token', 'list', '--json']));
  results.push(await run(['token', 'inspect', 'actigraph']));
  results.push(await run(['token', 'inspect', 'actigraph', '--json', '--show-token']));
  results.push(await run(['token', 'export', 'actigraph', '--shell', 'bash']));
  results.push(await run(recipe(['--force']), { AUTHCTL_CLIENT_SECRET: 'wrong' }));
  for (const r of results) {
    const all = r.stdout + r.stderr;
    assert.ok(!all.includes(CI.secret), `secret leaked:\n${all}`);
    assert.ok(!all.includes(encodeURIComponent(CI.secret)), 'not even encoded');
  }
  assert.equal(
    results.slice(0, 7).every((r) => r.code === 0),
    true,
  );
  const json = JSON.parse(results[0]!.stdout) as Record<string, unknown>;
  assert.equal(json.provider, 'actigraph');
  assert.equal(json.flow, 'client_credentials');
  assert.equal(JSON.stringify(json).includes(ids().issued.at(-2)!), false, '--json has no token');
  assert.match(results[0]!.stderr, /\[verbose\] POST http:\/\/127\.0\.0\.1:\d+\/connect\/token -> 200/);
  const inspect = JSON.parse(results[5]!.stdout) as Record<string, unknown>;
  assert.equal(inspect.clientSecretSaved, true, 'inspect says a secret is saved, without showing it');
  assert.equal(
    readStore(configDir()).profiles.actigraph!.clientSecret,
    CI.secret,
    'it is in the 0600 store as asked',
  );
});
