/**
 * Usage errors from the argument parser are one `error:` line with the same next step every time
 * (the --help of the command being parsed); errors from the commands end the same way. And a
 * browser login that cannot finish says, while waiting and when it gives up, what usually causes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../fakes/sentinel.js';
import { oauthLoginArgs } from '../helpers/args.js';
import { configDirPerTest, runCli } from '../helpers/cli.js';

const configDir = configDirPerTest();
const run = (args: string[]) => runCli(args, { configDir: configDir() });

const cases: Array<[string[], RegExp]> = [
  [
    ['pryv', 'request', '--app-id', 'a', '--permission', 'd:read', '--bogus'],
    /^error: unknown option '--bogus'\. Run 'authctl pryv request --help' for usage\.$/,
  ],
  [
    ['token', 'list', '--jsn'],
    /^error: unknown option '--jsn' \(did you mean --json\?\)\. Run 'authctl token list --help' for usage\.$/,
  ],
  [
    ['pryv', 'request'],
    /^error: required option '--app-id <id>' not specified\. Run 'authctl pryv request --help' for usage\.$/,
  ],
  [
    ['oauth', 'login', '--issuer'],
    /^error: option '--issuer <url>' argument missing\. Run 'authctl oauth login --help' for usage\.$/,
  ],
  [
    ['token', 'print', 'a', 'b'],
    /^error: too many arguments for 'print'\. Expected 1 argument but got 2\. Run 'authctl token print --help' for usage\.$/,
  ],
  [['frobnicate'], /^error: unknown command 'frobnicate'\. Run 'authctl --help' for usage\.$/],
  [
    ['token', 'pirnt'],
    /^error: unknown command 'pirnt' \(did you mean print\?\)\. Run 'authctl token --help' for usage\.$/,
  ],
  [
    ['token', 'export', '--shell', 'tcsh'],
    /^error: option '--shell <shell>' argument 'tcsh' is invalid\. Allowed choices are .*\. Run 'authctl token export --help' for usage\.$/,
  ],
  [
    ['token', 'delete', 'a', 'b'],
    /^error: too many arguments for 'delete'\. Expected 1 argument but got 2\. Run 'authctl token delete --help' for usage\.$/,
  ],
];

for (const [args, expected] of cases) {
  test(`usage error in one line: authctl ${args.join(' ')}`, async () => {
    const r = await run(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, expected);
  });
}

test('an error thrown without a hint still ends with the next step', async () => {
  const r = await run(['actigraph', 'token', '--client-id', ' ', '--scope', 'CentrePoint']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, "error: --client-id is empty. Run 'authctl actigraph token --help' for usage.\n");
});

test('a browser login that never returns: the waiting line and the timeout both name --redirect-uri / --client-id', async () => {
  const port = await freePort();
  const r = await run(oauthLoginArgs('unregistered', port, '--no-open', '--timeout', '2s'));
  assert.equal(r.code, 5, r.stderr);
  const cause =
    'If the browser shows an error about the redirect URI or client, check --redirect-uri / --client-id';
  const waiting = r.stderr.split('\n').find((l) => l.startsWith('Waiting for the browser'));
  assert.ok(waiting?.includes(cause), r.stderr);
  const error = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(error.length, 1, r.stderr);
  assert.match(
    error[0]!,
    /^error: the login was not finished within 2s\. If the browser shows an error about the redirect URI or client, check --redirect-uri \/ --client-id; /,
  );
});
