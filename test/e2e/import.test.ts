/**
 * `authctl token import` on the built binary: the token on stdin (or inside a Pryv apiEndpoint),
 * verified with the provider unless --no-verify, expiry from the flags, the server or the JWT's
 * `exp`, and the imported profile usable by the token commands.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { useFakePryv } from '../fakes/pryv.js';
import { configDirPerTest, readStore, runCli } from '../helpers/cli.js';

/** Nothing was written: no store file at all. */
const nothingSaved = (d: string) => assert.equal(fs.existsSync(path.join(d, 'config.json')), false);

const pryv = useFakePryv({ generation: 'v2' });
const dir = configDirPerTest();

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;

function register(token: string, expires?: number) {
  pryv().accesses.set(token, {
    id: `acc-${token}`,
    username: 'alice',
    token,
    permissions: [{ streamId: 'diary', level: 'read' }],
    name: 'import-test',
    type: 'app',
    ...(expires !== undefined ? { expires } : {}),
  });
}

test('Pryv: an apiEndpoint with the token inside is split, verified with access-info, and saved', async () => {
  register('ckimportpryv0001', 4_102_444_800);
  const ep = `http://ckimportpryv0001@127.0.0.1:${new URL(pryv().base).port}/alice/`;
  const r = await runCli(
    ['token', 'import', '--profile', 'diary', '--provider', 'pryv', '--api-endpoint', ep],
    {
      configDir: dir(),
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^✓ Imported the token as profile 'diary' \(verified for alice\) \(expires: 2100-01-01T00:00:00Z/m,
  );
  const p = readStore(dir()).profiles.diary!;
  assert.equal(p.token, 'ckimportpryv0001');
  assert.equal(p.subject, 'alice');
  assert.deepEqual(p.scopes, ['diary:read']);
  assert.equal(p.expiresAt, '2100-01-01T00:00:00Z');
  assert.deepEqual((p.params as Record<string, unknown>).apiEndpoint, `${pryv().base}/alice/`);
  assert.equal(pryv().requests.at(-1)!.path, '/alice/access-info');
  assert.equal(pryv().requests.at(-1)!.authorization, 'ckimportpryv0001');
  // The token commands work with it (Pryv's raw-token header, the apiEndpoint with the token).
  const h = await runCli(['token', 'header', 'diary'], { configDir: dir() });
  assert.equal(h.stdout, 'Authorization: ckimportpryv0001\n');
  const x = await runCli(['token', 'export', 'diary', '--shell', 'dotenv'], { configDir: dir() });
  assert.match(x.stdout, new RegExp(`AUTHCTL_API_ENDPOINT='${ep.replace(/[.?]/g, '\\$&')}'`));
});

test('Pryv: token on stdin; a rejected token is exit 4 and nothing is saved; --no-verify saves unchecked', async () => {
  const args = [
    'token',
    'import',
    '--profile',
    'diary',
    '--provider',
    'pryv',
    '--api-endpoint',
    `${pryv().base}/alice/`,
  ];
  const bad = await runCli(args, { configDir: dir(), input: 'ckunknownimport1\n' });
  assert.equal(bad.code, 4, bad.stderr);
  assert.match(bad.stderr, /^error: the Pryv server rejects the token .*Nothing was saved/m);
  nothingSaved(dir());
});

test('Pryv --no-verify and an explicit expiry; token never read from argv', async () => {
  const r = await runCli(
    [
      'token',
      'import',
      '--profile',
      'x',
      '--provider',
      'pryv',
      '--api-endpoint',
      `${pryv().base}/alice/`,
      '--no-verify',
      '--expires-in',
      '1h',
    ],
    { configDir: dir(), input: 'cknoverifytok001\n' },
  );
  assert.equal(r.code, 0, r.stderr);
  const p = readStore(dir()).profiles.x!;
  assert.equal(p.token, 'cknoverifytok001');
  assert.ok(Date.parse(p.expiresAt as string) > Date.now() + 3_500_000);
  assert.equal((p.details as Record<string, unknown>).verified, false);
  const extra = await runCli(
    ['token', 'import', 'cknoverifytok001', '--profile', 'y', '--provider', 'oauth'],
    {
      configDir: dir(),
    },
  );
  assert.equal(extra.code, 2, extra.stderr);
});

test('OAuth: a JWT gets its expiry and subject from its claims; refresh token from the second stdin line', async () => {
  const token = jwt({ sub: 'svc-7', exp: 4_102_444_800 });
  const r = await runCli(
    [
      'token',
      'import',
      '--profile',
      'api',
      '--provider',
      'oauth',
      '--refresh-token-stdin',
      '--token-url',
      'http://127.0.0.1:9/token',
      '--client-id',
      'cli-app',
      '--json',
    ],
    { configDir: dir(), input: `${token}\nrefresh-token-value-0001\n` },
  );
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(summary.expiresAt, '2100-01-01T00:00:00Z');
  assert.equal(summary.subject, 'svc-7');
  assert.equal(summary.hasRefreshToken, true);
  assert.ok(!r.stdout.includes(token) && !r.stdout.includes('refresh-token-value-0001'));
  const p = readStore(dir()).profiles.api!;
  assert.equal(p.refreshToken, 'refresh-token-value-0001');
  const t = await runCli(['token', 'print', '--profile', 'api'], { configDir: dir() });
  assert.equal(t.stdout, `${token}\n`);
});

test('usage errors before anything is read or saved: exit 2, one error line', async () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['--provider', 'pryv'], 'tok', /--api-endpoint/],
    [
      ['--provider', 'oauth', '--expires-in', '1h', '--expires-at', '2030-01-01T00:00:00Z'],
      'tok',
      /cannot be used together/,
    ],
    [['--provider', 'oauth', '--expires-at', 'tomorrow'], 'tok', /not an ISO 8601 time/],
    [['--provider', 'oauth'], '', /no token was read from stdin/],
    [['--provider', 'oauth', '--refresh-token-stdin'], 'a\nb\n', /needs --token-url and --client-id/],
    [['--provider', 'oauth'], 'two words\n', /not a token/],
    [['--provider', 'nope'], 'tok', /--provider/],
    [['--provider', 'pryv', '--api-endpoint', 'http://alice.pryv.example/'], 'tok', /http/],
    // A Pryv or SAFE profile has no token endpoint or client: nothing could use them.
    [
      [
        '--provider',
        'pryv',
        '--api-endpoint',
        'https://alice.pryv.example/',
        '--token-url',
        'https://t.example/',
      ],
      'tok',
      /are for OAuth providers, not --provider pryv/,
    ],
    [['--provider', 'safe', '--client-id', 'c'], 'tok', /are for OAuth providers, not --provider safe/],
  ];
  for (const [extra, input, re] of cases) {
    const r = await runCli(['token', 'import', '--profile', 'p', ...extra], { configDir: dir(), input });
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    const errs = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errs.length, 1, r.stderr);
    assert.match(errs[0]!, re);
  }
  nothingSaved(dir());
});
