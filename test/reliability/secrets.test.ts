/**
 * Secrets: the post-suite leak checker really catches leaks (and allows what the contract allows),
 * and a client secret passed the documented ways (AUTHCTL_CLIENT_SECRET, --client-secret-stdin)
 * never shows in `ps`: /proc/<pid>/cmdline of an authctl waiting on a slow token endpoint is read
 * while it runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const checker = path.join(repoRoot, 'test', 'reliability', 'leak-check.mjs');

/** Run the checker on hand-made records; returns its exit code and report. */
function check(
  secrets: Array<{ kind: string; value: string }>,
  outputs: Array<{ via: string; args?: string[]; stdout: string; stderr: string; test?: string }>,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-leakcheck-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'secrets-1.jsonl'),
      secrets.map((s) => JSON.stringify({ ...s, source: 'fake', test: 't' })).join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'outputs-1.jsonl'),
      outputs.map((o) => JSON.stringify({ test: 't', ...o })).join('\n'),
    );
    const r = spawnSync(process.execPath, [checker, dir], { encoding: 'utf8' });
    return { code: r.status, report: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the leak checker fails on a secret where the contract forbids it, and only there', () => {
  const access = 'at-0123456789abcdef';
  const refresh = 'rt-0123456789abcdef';
  const secret = 'client-secret-42xyz';
  const key = 'pollKEY0123456789';
  const secrets = [
    { kind: 'access', value: access },
    { kind: 'refresh', value: refresh },
    { kind: 'clientSecret', value: secret },
    { kind: 'pollKey', value: key },
    { kind: 'consentUrl', value: `https://auth.example/access.html?key=${key}` },
  ];
  const ok = check(secrets, [
    { via: 'cli', args: ['token', 'print', 'x'], stdout: `${access}\n`, stderr: '' },
    { via: 'cli', args: ['actigraph', 'token', '--print'], stdout: `${access}\n`, stderr: '✓ Saved\n' },
    { via: 'cli', args: ['pryv', 'request', '--no-wait'], stdout: `{"key":"${key}"}`, stderr: '' },
    {
      via: 'cli',
      args: ['pryv', 'request'],
      stdout: '',
      stderr: `Open this URL: https://auth.example/access.html?key=${key}&cli=1\n`,
    },
    { via: 'context', stdout: `${access}\n`, stderr: '' },
    // Another test file (another process, other fakes): its text is not matched against these.
    { via: 'cli', args: ['token', 'list'], stdout: `${secret}-value`, stderr: '', test: 'other' },
  ]);
  assert.equal(ok.code, 0, ok.report);
  assert.match(ok.report, /no secret where the contract forbids it; 6 outputs checked/);

  const cases: Array<[string, { via: string; args?: string[]; stdout: string; stderr: string }]> = [
    ['access on stderr', { via: 'cli', args: ['token', 'print'], stdout: '', stderr: `x ${access}\n` }],
    ['access in token list', { via: 'cli', args: ['token', 'list'], stdout: access, stderr: '' }],
    [
      'refresh with --print',
      { via: 'cli', args: ['oauth', 'login', '--print'], stdout: refresh, stderr: '' },
    ],
    ['secret in --verbose', { via: 'cli', args: ['x', '--verbose'], stdout: '', stderr: `POST ${secret}` }],
    ['secret in process', { via: 'context', stdout: secret, stderr: '' }],
    ['poll key outside the URL', { via: 'cli', args: ['pryv', 'request'], stdout: '', stderr: `key ${key}` }],
  ];
  for (const [name, output] of cases) {
    const r = check(secrets, [output]);
    assert.equal(r.code, 1, `${name}: ${r.report}`);
    assert.match(r.report, /1 secret\(s\) where the contract forbids them/, name);
    assert.ok(!r.report.includes(secret) && !r.report.includes(access), 'the report masks the secret');
  }
});

// ---------------------------------------------------------------------------------------------

const CI = DEFAULT_IDS_CLIENTS[0]!;
// Slow answers keep authctl alive long enough to read its command line.
const ids = useIdentityServer({ delayMs: 1500 });

/** Run `args` and, once the token request has reached the fake, capture what `ps` can see of it. */
async function psWhileWaiting(args: string[], env: Record<string, string>, input?: string) {
  const { dir, cleanup } = tempConfigDir();
  let cmdline = '';
  let psOut = '';
  let environMode = 0;
  const seen = ids().requests.length;
  try {
    const r = await runCli(args, {
      configDir: dir,
      env,
      ...(input === undefined ? {} : { input }),
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (ids().requests.length === seen || cmdline) return;
          try {
            cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
            environMode = fs.statSync(`/proc/${child.pid}/environ`).mode & 0o777;
            psOut = spawnSync('ps', ['-eo', 'pid,args', '--no-headers'], { encoding: 'utf8' }).stdout ?? '';
          } catch {
            /* exited already */
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    return { r, cmdline, psOut, environMode, store: readStore(dir) };
  } finally {
    cleanup();
  }
}

test('a client secret from AUTHCTL_CLIENT_SECRET or --client-secret-stdin is not on the command line (ps)', {
  skip: !fs.existsSync('/proc/self/cmdline') && 'no /proc',
}, async () => {
  for (const [how, run] of [
    [
      'AUTHCTL_CLIENT_SECRET',
      () => psWhileWaiting(actigraphArgs(ids().tokenUrl, ['--verbose'], CI), actigraphEnv(CI)),
    ],
    [
      '--client-secret-stdin',
      () =>
        psWhileWaiting(
          actigraphArgs(ids().tokenUrl, ['--client-secret-stdin', '--verbose'], CI),
          {},
          `${CI.secret}\n`,
        ),
    ],
  ] as const) {
    const { r, cmdline, psOut, environMode, store } = await run();
    assert.equal(r.code, 0, `${how}: ${r.stderr}`);
    assert.match(cmdline, /dist\/hot\.cjs actigraph token/, `${how}: the command line was read while it ran`);
    assert.ok(!cmdline.includes(CI.secret), `${how}: secret in /proc/<pid>/cmdline`);
    assert.ok(psOut.includes('actigraph token') && !psOut.includes(CI.secret), `${how}: secret in ps output`);
    // The environment is readable by the same user only (ps e shows it to that user alone).
    assert.equal(environMode & 0o077, 0, `${how}: /proc/<pid>/environ is private`);
    assert.ok(!r.stderr.includes(CI.secret) && !r.stdout.includes(CI.secret), `${how}: secret in output`);
    assert.equal(
      store.profiles.actigraph?.clientSecret,
      undefined,
      `${how}: not saved without --save-secret`,
    );
  }
});
