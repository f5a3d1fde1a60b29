/**
 * `authctl token …` and `authctl exec` end to end on the built binary, byte for byte
 * (README "Using tokens", "Where tokens live", "Exit codes"). Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertFailure, assertOutput } from '../helpers/assert.js';
import {
  binPath,
  cliEnv,
  configDirPerTest,
  readStore,
  runCli,
  sampleProfile,
  tempConfigDir,
  writeStore,
} from '../helpers/cli.js';
import { runShell } from '../helpers/shells.js';

const FAR = '2099-01-01T00:00:00Z';
const configDir = configDirPerTest();
const tmp = tempConfigDir();
const MARK = path.join(tmp.dir, 'pwned');
/** A token a hostile server could hand out: valid (visible ASCII) yet full of shell syntax. */
const HOSTILE = ["h'", '"', '$HOME', '`id`', '\\', `$(touch\${IFS}${MARK})`, '%!^;&|<>'].join('');
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const JWT = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'svc-42', aud: 'api', exp: 4070908800 })}.c2lnbmF0dXJl`;

const profiles = () => ({
  plain: sampleProfile({
    token: 'tok-plain',
    expiresAt: FAR,
    subject: 'client-1',
    scopes: ['read', 'write'],
  }),
  ci: sampleProfile({ token: HOSTILE, expiresAt: FAR }),
  pryv: sampleProfile({
    provider: 'pryv',
    flow: 'pryv-access',
    token: 'ckpryvtoken0001',
    tokenType: 'pryv',
    subject: 'bob',
    scopes: ['diary:read'],
    params: { apiEndpoint: 'https://bob.pryv.me/', appId: 'my-app-id' },
  }),
  jwt: sampleProfile({
    flow: 'authorization_code',
    token: JWT,
    refreshToken: 'refresh-secret-value-1234',
    expiresAt: FAR,
    subject: 'svc-42',
    params: { issuer: 'https://id.example.com', clientId: 'cli-app' },
  }),
  expired: sampleProfile({
    flow: 'authorization_code',
    token: 'tok-expired-000',
    expiresAt: '2020-01-01T00:00:00Z',
    params: { issuer: 'https://id.example.com', clientId: 'cli-app' },
  }),
  dmg: { provider: 'oauth', flow: 'client_credentials', token: 'tok-damaged-xyz' },
});
const ALL_TOKENS = [
  'tok-plain',
  HOSTILE,
  'ckpryvtoken0001',
  JWT,
  'refresh-secret-value-1234',
  'tok-expired-000',
];

let store: string;
before(() => {
  store = writeStore(tmp.dir, { version: 1, profiles: profiles() });
});
after(() => tmp.cleanup());

/** runCli on the shared store, with SHELL unset unless given. */
const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { configDir: tmp.dir, env: { SHELL: undefined, ...env } });

describe('token print / header', () => {
  test('token print | cat: exactly the token and one newline, nothing on stderr', async () => {
    const [a, b] = await Promise.all([run(['token', 'print', 'plain']), run(['token', 'print', 'ci'])]);
    assertOutput(a, 'tok-plain\n');
    assertOutput(b, `${HOSTILE}\n`);
    // Literally through a shell pipe, as users do.
    const r = runShell('sh', `"${process.execPath}" "${binPath}" token print plain | cat`, cliEnv(tmp.dir));
    assert.equal(r.stdout, 'tok-plain\n');
    assert.equal(r.stderr, '');
  });

  test('token header: Bearer for OAuth, the raw token for Pryv', async () => {
    const [a, b] = await Promise.all([run(['token', 'header', 'plain']), run(['token', 'header', 'pryv'])]);
    assertOutput(a, 'Authorization: Bearer tok-plain\n');
    assertOutput(b, 'Authorization: ckpryvtoken0001\n');
  });
});

describe('token export', () => {
  const plainExpected: Record<string, string> = {
    bash: "export AUTHCTL_TOKEN='tok-plain'\nexport AUTHCTL_AUTHORIZATION='Bearer tok-plain'\nexport AUTHCTL_TOKEN_EXPIRES_AT='2099-01-01T00:00:00Z'\n",
    zsh: "export AUTHCTL_TOKEN='tok-plain'\nexport AUTHCTL_AUTHORIZATION='Bearer tok-plain'\nexport AUTHCTL_TOKEN_EXPIRES_AT='2099-01-01T00:00:00Z'\n",
    fish: "set -gx AUTHCTL_TOKEN 'tok-plain'\nset -gx AUTHCTL_AUTHORIZATION 'Bearer tok-plain'\nset -gx AUTHCTL_TOKEN_EXPIRES_AT '2099-01-01T00:00:00Z'\n",
    powershell:
      "$env:AUTHCTL_TOKEN = 'tok-plain'\n$env:AUTHCTL_AUTHORIZATION = 'Bearer tok-plain'\n$env:AUTHCTL_TOKEN_EXPIRES_AT = '2099-01-01T00:00:00Z'\n",
    cmd: 'set "AUTHCTL_TOKEN=tok-plain"\nset "AUTHCTL_AUTHORIZATION=Bearer tok-plain"\nset "AUTHCTL_TOKEN_EXPIRES_AT=2099-01-01T00:00:00Z"\n',
    dotenv:
      "AUTHCTL_TOKEN='tok-plain'\nAUTHCTL_AUTHORIZATION='Bearer tok-plain'\nAUTHCTL_TOKEN_EXPIRES_AT='2099-01-01T00:00:00Z'\n",
  };

  test('every --shell, exact text (with the expiry when known)', async () => {
    const shells = Object.keys(plainExpected);
    const results = await Promise.all(shells.map((s) => run(['token', 'export', 'plain', '--shell', s])));
    shells.forEach((s, i) => {
      assertOutput(results[i]!, plainExpected[s]!);
    });
  });

  test('default shell: bash when SHELL is unset or unknown, else from $SHELL', async () => {
    const [none, fish, pwsh, sh] = await Promise.all([
      run(['token', 'export', 'plain']),
      run(['token', 'export', 'plain'], { SHELL: '/usr/bin/fish' }),
      run(['token', 'export', 'plain'], { SHELL: '/usr/bin/pwsh' }),
      run(['token', 'export', 'plain'], { SHELL: '/bin/sh' }),
    ]);
    assertOutput(none, plainExpected.bash!);
    assertOutput(fish, plainExpected.fish!);
    assertOutput(pwsh, plainExpected.powershell!);
    assertOutput(sh, plainExpected.bash!);
  });

  test('Pryv: raw-token Authorization and AUTHCTL_API_ENDPOINT in Pryv form; no expiry line', async () => {
    assertOutput(
      await run(['token', 'export', 'pryv']),
      "export AUTHCTL_TOKEN='ckpryvtoken0001'\nexport AUTHCTL_AUTHORIZATION='ckpryvtoken0001'\nexport AUTHCTL_API_ENDPOINT='https://ckpryvtoken0001@bob.pryv.me/'\n",
    );
  });

  test('--prefix replaces AUTHCTL_ in every name; a bad prefix is exit 2', async () => {
    const [ok, bad] = await Promise.all([
      run(['token', 'export', 'pryv', '--prefix', 'PRYV_', '--shell', 'dotenv']),
      run(['token', 'export', 'pryv', '--prefix', 'MY-']),
    ]);
    assertOutput(
      ok,
      "PRYV_TOKEN='ckpryvtoken0001'\nPRYV_AUTHORIZATION='ckpryvtoken0001'\nPRYV_API_ENDPOINT='https://ckpryvtoken0001@bob.pryv.me/'\n",
    );
    assertFailure(bad, 2, /invalid variable name 'MY-TOKEN'/);
  });

  test('eval "$(authctl token export)" in real bash reproduces a hostile token and runs nothing', async () => {
    const env = cliEnv(tmp.dir, { SHELL: undefined });
    const cli = `"${process.execPath}" "${binPath}"`;
    const r = runShell(
      'bash',
      `eval "$(${cli} token export ci)" && printf '%s\\0' "$AUTHCTL_TOKEN" "$AUTHCTL_AUTHORIZATION" "$AUTHCTL_TOKEN_EXPIRES_AT"`,
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.split('\0').slice(0, 3), [HOSTILE, `Bearer ${HOSTILE}`, FAR]);
    assert.equal(fs.existsSync(MARK), false, 'nothing in the token was executed');
  });

  test('--shell cmd refuses a value cmd.exe cannot hold (exit 2, nothing on stdout)', async () => {
    assertFailure(
      await run(['token', 'export', 'ci', '--shell', 'cmd']),
      2,
      /AUTHCTL_TOKEN contains characters cmd\.exe cannot hold safely.*--shell powershell/,
    );
  });
});

describe('token list / inspect', () => {
  test('token list: a table with masked tokens; damaged profiles warned about; no token anywhere', async () => {
    const r = await run(['token', 'list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^PROFILE\s+PROVIDER\s+FLOW\s+SUBJECT\s+TOKEN\s+EXPIRES\s+RENEWABLE$/);
    const names = lines.slice(1).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names.sort(), ['ci', 'expired', 'jwt', 'plain', 'pryv']);
    assert.match(
      r.stdout,
      /^plain\s+oauth\s+client_credentials\s+client-1\s+\*{8}\s+2099-01-01T00:00:00Z \(in \d+d/m,
    );
    assert.match(r.stdout, /^expired\s.*2020-01-01T00:00:00Z \(expired .* ago\)\s+no$/m);
    assert.match(r.stdout, /^pryv\s.*no expiry/m);
    for (const t of ALL_TOKENS) {
      assert.ok(!r.stdout.includes(t) && !r.stderr.includes(t), `token ${t.slice(0, 8)}… leaked`);
    }
    assert.match(
      r.stderr,
      /^warning: profile 'dmg' in .*config\.json is damaged \(missing or invalid field/m,
    );
    assert.doesNotMatch(r.stderr, /^error:/m);
  });

  test('token list --json: the documented fields, ISO dates or null, no token field', async () => {
    const [r, withSecret] = await Promise.all([
      run(['token', 'list', '--json']),
      run(['token', 'list', '--json'], { AUTHCTL_CLIENT_SECRET: 's3cret' }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(items));
    assert.equal(items.length, 5);
    for (const it of items) {
      for (const k of [
        'profile',
        'provider',
        'flow',
        'subject',
        'scopes',
        'obtainedAt',
        'expiresAt',
        'renewable',
      ])
        assert.ok(k in it, `${k} in ${JSON.stringify(it)}`);
      assert.ok(!('token' in it) && !('refreshToken' in it) && !('clientSecret' in it));
      assert.ok(
        it.expiresAt === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(String(it.expiresAt)),
      );
      assert.equal(typeof it.renewable, 'boolean');
    }
    const plain = items.find((i) => i.profile === 'plain')!;
    assert.deepEqual(
      {
        provider: plain.provider,
        flow: plain.flow,
        subject: plain.subject,
        scopes: plain.scopes,
        obtainedAt: plain.obtainedAt,
        expiresAt: plain.expiresAt,
        renewable: plain.renewable,
      },
      {
        provider: 'oauth',
        flow: 'client_credentials',
        subject: 'client-1',
        scopes: ['read', 'write'],
        obtainedAt: '2026-01-01T00:00:00Z',
        expiresAt: FAR,
        renewable: false, // client credentials without a secret available
      },
    );
    assert.equal(items.find((i) => i.profile === 'pryv')!.expiresAt, null);
    assert.equal(items.find((i) => i.profile === 'jwt')!.renewable, true, 'has a refresh token');
    for (const t of ALL_TOKENS) assert.ok(!r.stdout.includes(t));
    const plain2 = (JSON.parse(withSecret.stdout) as Array<Record<string, unknown>>).find(
      (i) => i.profile === 'plain',
    )!;
    assert.equal(plain2.renewable, true, 'client credentials with AUTHCTL_CLIENT_SECRET set');
  });

  test('token inspect: masked, JWT claims decoded, expiry absolute and relative', async () => {
    const [r, shown, json, shownJson] = await Promise.all([
      run(['token', 'inspect', 'jwt']),
      run(['token', 'inspect', 'jwt', '--show-token']),
      run(['token', 'inspect', 'jwt', '--json']),
      run(['token', 'inspect', 'jwt', '--json', '--show-token']),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(JWT) && !r.stdout.includes('refresh-secret-value-1234'));
    assert.match(r.stdout, /^Token:\s+eyJh…\*{4} \(\d+ chars\)$/m);
    assert.match(r.stdout, /^Refresh:\s+refr…\*{4} \(25 chars\)$/m);
    assert.match(r.stdout, /^Parameters:\n {2}issuer: https:\/\/id\.example\.com\n {2}clientId: cli-app$/m);
    assert.match(r.stdout, /^Expires:\s+2099-01-01T00:00:00Z \(in \d+d( \d+h)?\)$/m);
    assert.match(r.stdout, /"sub": "svc-42"/);
    assert.match(r.stdout, /"exp": 4070908800/);
    assert.equal(r.stderr, '');
    assert.match(shown.stdout, new RegExp(`^Token:\\s+${JWT}$`, 'm'), '--show-token shows it');
    assert.match(shown.stdout, /^Refresh:\s+refresh-secret-value-1234$/m);
    const data = JSON.parse(json.stdout) as {
      token: string;
      refreshToken: string;
      jwt: { claims: { sub: string } };
    };
    assert.equal(data.jwt.claims.sub, 'svc-42');
    assert.ok(!json.stdout.includes(JWT) && !json.stdout.includes('refresh-secret-value-1234'));
    assert.match(data.refreshToken, /^refr…\*{4} \(25 chars\)$/);
    const full = JSON.parse(shownJson.stdout) as { token: string; refreshToken: string };
    assert.equal(full.token, JWT);
    assert.equal(full.refreshToken, 'refresh-secret-value-1234');
  });
});

describe('profiles, expiry and exit codes', () => {
  test('an unknown profile is exit 4, naming the known ones', async () => {
    const [print, inspect, del] = await Promise.all([
      run(['token', 'print', 'nope']),
      run(['token', 'inspect', 'nope']),
      run(['token', 'delete', 'nope']),
    ]);
    assertFailure(print, 4, /no profile named 'nope'.*Known profiles: .*plain/);
    assertFailure(inspect, 4, /no profile named 'nope'/);
    assertFailure(del, 4, /no profile named 'nope'/);
  });

  test('several profiles and none named: exit 2 listing them; AUTHCTL_PROFILE picks one', async () => {
    const [none, env, argWins] = await Promise.all([
      run(['token', 'print']),
      run(['token', 'print'], { AUTHCTL_PROFILE: 'pryv' }),
      run(['token', 'print', 'plain'], { AUTHCTL_PROFILE: 'pryv' }),
    ]);
    assertFailure(none, 2, /several profiles exist \(.*plain.*\).*AUTHCTL_PROFILE/);
    assertOutput(env, 'ckpryvtoken0001\n');
    assertOutput(argWins, 'tok-plain\n');
  });

  test('the only profile is used when none is named; an empty store lists nothing', async () => {
    const dir = configDir();
    writeStore(dir, { version: 1, profiles: { solo: sampleProfile({ token: 'tok-solo' }) } });
    const [print, header] = await Promise.all([
      runCli(['token', 'print'], { configDir: dir }),
      runCli(['token', 'header'], { configDir: dir }),
    ]);
    assertOutput(print, 'tok-solo\n');
    assertOutput(header, 'Authorization: Bearer tok-solo\n');
    const empty = path.join(dir, 'empty');
    const [none, list, json] = await Promise.all([
      runCli(['token', 'print'], { configDir: empty }),
      runCli(['token', 'list'], { configDir: empty }),
      runCli(['token', 'list', '--json'], { configDir: empty }),
    ]);
    assertFailure(none, 4, /no profiles saved yet/);
    assert.equal(list.code, 0);
    assert.equal(list.stdout, '');
    assert.match(list.stderr, /^No profiles saved yet\./);
    assertOutput(json, '[]\n');
  });

  test('an expired, non-renewable token is exit 4 with the command to run', async () => {
    const [print, header, exp] = await Promise.all([
      run(['token', 'print', 'expired']),
      run(['token', 'header', 'expired']),
      run(['token', 'export', 'expired']),
    ]);
    for (const r of [print, header, exp]) {
      assertFailure(
        r,
        4,
        /the token of profile 'expired' expired at 2020-01-01T00:00:00Z.*Run: authctl oauth login --issuer https:\/\/id\.example\.com --client-id cli-app --profile expired/,
      );
    }
  });

  test('--min-ttl: less than that left is exit 4 even though still valid', async () => {
    // Written just before the runs, with margins that survive a slow, loaded machine.
    const dir = configDir();
    const p = (token: string, ms: number) =>
      sampleProfile({
        flow: 'authorization_code',
        token,
        expiresAt: new Date(Date.now() + ms).toISOString(),
        params: { issuer: 'https://id.example.com', clientId: 'cli-app' },
      });
    writeStore(dir, {
      version: 1,
      profiles: { soon: p('tok-soon', 25_000), later: p('tok-later', 600_000) },
    });
    const r = (args: string[]) => runCli(['token', ...args], { configDir: dir });
    const [soonDefault, soonShort, laterDefault, laterLong, laterEqualish] = await Promise.all([
      r(['print', 'soon']), // 25 s left < 30 s default
      r(['print', 'soon', '--min-ttl', '1s']),
      r(['print', 'later']), // 10 min left
      r(['header', 'later', '--min-ttl', '15m']),
      r(['export', 'later', '--min-ttl', '5m']),
    ]);
    assertFailure(
      soonDefault,
      4,
      /'soon' expires at .*, less than the 30s --min-ttl away.*Run: authctl oauth login/,
    );
    assertOutput(soonShort, 'tok-soon\n');
    assertOutput(laterDefault, 'tok-later\n');
    assertFailure(laterLong, 4, /less than the 900s --min-ttl away/);
    assert.equal(laterEqualish.code, 0, laterEqualish.stderr);
  });

  test('token delete removes the profile (and a damaged one); the rest is kept', async () => {
    const dir = configDir();
    writeStore(dir, { version: 1, profiles: profiles() });
    const r = await runCli(['token', 'delete', 'plain'], { configDir: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Deleted profile 'plain'/);
    assert.ok(!('plain' in readStore(dir).profiles));
    assertFailure(await runCli(['token', 'print', 'plain'], { configDir: dir }), 4);
    assert.equal((await runCli(['token', 'delete', 'dmg'], { configDir: dir })).code, 0);
    assert.deepEqual(Object.keys(readStore(dir).profiles).sort(), ['ci', 'expired', 'jwt', 'pryv']);
  });
});

describe('the store seen from the CLI', () => {
  test('a damaged profile: list shows the healthy ones, print names the file (exit 1)', async () => {
    const r = await run(['token', 'print', 'dmg']);
    assertFailure(
      r,
      1,
      new RegExp(`profile 'dmg' in ${store.replace(/[.]/g, '\\.')} is damaged.*authctl token delete dmg`),
    );
  });

  for (const [what, text, message] of [
    ['does not parse', '{"version":1,"profiles":{"a":', /is not valid JSON.*Move it aside/],
    [
      'has a newer schema',
      '{"version":7,"profiles":{}}',
      /written by a newer authctl \(schema 7.*Upgrade authctl/,
    ],
  ] as const) {
    test(`a store that ${what}: exit 1 naming the file, left byte for byte`, async () => {
      const dir = configDir();
      const file = writeStore(dir, text);
      const before = fs.readFileSync(file);
      const results = await Promise.all([
        runCli(['token', 'list'], { configDir: dir }),
        runCli(['token', 'list', '--json'], { configDir: dir }),
        runCli(['token', 'print', 'a'], { configDir: dir }),
        runCli(['token', 'delete', 'a'], { configDir: dir }),
      ]);
      for (const r of results) {
        const line = assertFailure(r, 1, message);
        assert.ok(line.includes(file), line);
      }
      assert.deepEqual(fs.readFileSync(file), before);
      assert.deepEqual(fs.readdirSync(dir), ['config.json']);
    });
  }

  test('a group-readable store is tightened to 0600 with a warning on stderr only', async () => {
    const dir = configDir();
    const file = writeStore(dir, { version: 1, profiles: { a: sampleProfile({ token: 'tok-a' }) } });
    fs.chmodSync(file, 0o640);
    const r = await runCli(['token', 'print', 'a'], { configDir: dir });
    assert.equal(r.stdout, 'tok-a\n');
    assert.match(r.stderr, /^warning: .*config\.json was accessible by other users; its mode is now 600\.$/m);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });
});

describe('exec', () => {
  test('passes the variables to the child only and prints nothing itself', async () => {
    const r = await run([
      'exec',
      '--profile',
      'ci',
      '--',
      'sh',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      'printf "%s|%s|%s|%s" "$AUTHCTL_TOKEN" "$AUTHCTL_AUTHORIZATION" "$AUTHCTL_TOKEN_EXPIRES_AT" "${AUTHCTL_API_ENDPOINT-unset}"',
    ]);
    assertOutput(r, `${HOSTILE}|Bearer ${HOSTILE}|${FAR}|unset`);
    const p = await run(['exec', '--profile', 'pryv', '--', 'sh', '-c', 'printf %s "$AUTHCTL_API_ENDPOINT"']);
    assertOutput(p, 'https://ckpryvtoken0001@bob.pryv.me/');
    assert.equal(fs.existsSync(MARK), false);
  });

  test("returns the child's exit code; a missing command is 127; an unusable token is 4", async () => {
    const [seven, missing, expired, noCmd] = await Promise.all([
      run(['exec', '--profile', 'plain', '--', 'sh', '-c', 'exit 7']),
      run(['exec', '--profile', 'plain', '--', 'authctl-no-such-command-xyz']),
      run(['exec', '--profile', 'expired', '--', 'true']),
      run(['exec', '--profile', 'plain']),
    ]);
    assert.equal(seven.code, 7);
    assert.equal(seven.stderr, '', 'the child exit code is passed on silently');
    assertFailure(missing, 127, /command not found: authctl-no-such-command-xyz/);
    assertFailure(expired, 4, /Run: authctl oauth login/);
    assertFailure(noCmd, 2, /missing required argument 'command'/);
  });

  test('uses AUTHCTL_PROFILE like the token commands', async () => {
    assertOutput(
      await run(['exec', '--', 'sh', '-c', 'printf %s "$AUTHCTL_TOKEN"'], { AUTHCTL_PROFILE: 'plain' }),
      'tok-plain',
    );
  });
});
