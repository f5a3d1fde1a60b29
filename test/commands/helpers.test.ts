/** The pure parts of the helpers: git's credential input, setup-git's URL and helper line, curl quoting, the completion tree. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionTree } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/program.js';
import { parseCredentialInput } from '../../src/commands/git-credential.js';
import { credentialUrl, helperCommand } from '../../src/commands/setup-git.js';
import { curlQuote, execCredential } from '../../src/commands/token.js';
import { UsageError } from '../../src/errors.js';
import type { Profile } from '../../src/store/profile.js';

test('git credential input: key=value lines up to the blank line; list keys skipped; CR tolerated', () => {
  const m = parseCredentialInput(
    'protocol=https\r\nhost=git.example.com\nwwwauth[]=Basic realm=x\npath=a=b\n\nhost=after\n',
  );
  assert.deepEqual(
    [...m],
    [
      ['protocol', 'https'],
      ['host', 'git.example.com'],
      ['path', 'a=b'],
    ],
  );
});

test('setup-git: https for a host, http for loopback; host only; the helper runs this authctl by path', () => {
  assert.equal(credentialUrl('git.example.com'), 'https://git.example.com');
  assert.equal(credentialUrl('Git.Example.com:8443'), 'https://git.example.com:8443');
  assert.equal(credentialUrl('127.0.0.1:3000'), 'http://127.0.0.1:3000');
  assert.equal(credentialUrl('localhost'), 'http://localhost');
  assert.equal(credentialUrl('[::1]:8080'), 'http://[::1]:8080');
  for (const bad of ['https://x.example', 'x.example/path', 'user@x.example', '', 'a b'])
    assert.throws(() => credentialUrl(bad), UsageError, bad);
  assert.equal(
    helperCommand("o'k", "/opt/it's/authctl.js"),
    `!'/opt/it'\\''s/authctl.js' git-credential --profile 'o'\\''k'`,
  );
});

test('curl config quoting: backslash and double quote escaped, nothing else', () => {
  assert.equal(curlQuote('Authorization: Bearer a"b\\c'), '"Authorization: Bearer a\\"b\\\\c"');
  assert.equal(curlQuote("it's #1 = ok"), '"it\'s #1 = ok"');
});

test('ExecCredential: expiry only when known', () => {
  const base: Omit<Profile, 'token' | 'expiresAt'> = {
    provider: 'oauth',
    flow: 'client_credentials',
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    subject: null,
    scopes: [],
    params: {},
  };
  assert.deepEqual(execCredential({ ...base, token: 't', expiresAt: null }), {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: 't' },
  });
  assert.deepEqual(
    (
      execCredential({ ...base, token: 't', expiresAt: '2026-02-01T00:00:00Z' }).status as Record<
        string,
        unknown
      >
    ).expirationTimestamp,
    '2026-02-01T00:00:00Z',
  );
});

test('the completion tree comes from the program: every [profile] command also takes --profile', () => {
  const tree = completionTree(
    buildProgram(() => {
      throw new Error('no action runs here');
    }),
  );
  const byPath = new Map(tree.map((n) => [n.path, n]));
  for (const p of [
    'status',
    'logout',
    'token print',
    'token header',
    'token export',
    'token inspect',
    'token refresh',
    'token delete',
    'safe status',
    'safe revoke',
    'liveperson logout',
  ]) {
    const n = byPath.get(p);
    assert.ok(n, `${p} missing`);
    assert.equal(n.positional, 'profile', p);
    assert.ok(
      n.flags.some((f) => f.name === '--profile' && f.takesValue && f.profile),
      `${p} has no --profile`,
    );
  }
  assert.deepEqual(byPath.get('completion')!.positional, ['bash', 'zsh', 'fish', 'powershell']);
  assert.deepEqual(byPath.get('token export')!.flags.find((f) => f.name === '--shell')!.choices, [
    'bash',
    'zsh',
    'fish',
    'powershell',
    'cmd',
    'dotenv',
  ]);
  assert.ok(byPath.get('')!.subcommands.includes('git-credential'));
  assert.ok(!byPath.get('')!.subcommands.includes('__complete'));
});
