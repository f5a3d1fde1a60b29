/**
 * The built binary against the fake Pryv register, with BROWSER running the consent-page stand-in
 * (test/fakes/pryv-consent.mjs): exit codes and the stdout/stderr split (README "Exit codes"), end to end.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { WAITING_TEXT } from '../../src/providers/pryv/constants.js';
import { type FakePryv, type Generation, startFakePryv } from '../fakes/pryv.js';
import { pryvRequestArgs } from '../helpers/args.js';
import { readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const consentScript = path.join(repoRoot, 'test', 'fakes', 'pryv-consent.mjs');
const BROWSER = `${process.execPath} ${consentScript}`;

const fakes: FakePryv[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

async function fake(generation: Generation): Promise<FakePryv> {
  const f = await startFakePryv({ generation, pollRateMs: 50 });
  fakes.push(f);
  return f;
}

function tmp(): string {
  const t = tempConfigDir();
  after(t.cleanup);
  return t.dir;
}

const requestArgs = (f: FakePryv, ...extra: string[]) =>
  pryvRequestArgs(f.serviceInfoUrl, '--permission', 'notes:contribute:Notes', '--timeout', '20s', ...extra);

function consentLog(dir: string): Array<Record<string, unknown>> {
  const file = path.join(dir, 'consent.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('request --print (v1): stdout is exactly the token; URL on stderr; token print/header/export work after', async () => {
  const f = await fake('v1');
  const dir = tmp();
  const token = 'ckTOKEN1234567890abcdef';
  const env = {
    BROWSER,
    PRYV_CONSENT_TOKEN: token,
    PRYV_CONSENT_USERNAME: 'alice',
    PRYV_CONSENT_LOG: path.join(dir, 'consent.log'),
  };
  const r = await runCli([...requestArgs(f, '--print'), '--verbose'], { configDir: dir, env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${token}\n`);
  const opened = consentLog(dir).find((e) => e.step === 'opened')?.url as string;
  assert.ok(opened?.endsWith('&cli=1'), opened);
  assert.ok(r.stderr.includes(opened), 'the consent URL is printed on stderr');
  assert.ok(r.stderr.indexOf(opened) < r.stderr.indexOf(WAITING_TEXT));
  assert.match(r.stderr, /✓ Saved token for alice as profile 'pryv'/);
  assert.ok(!r.stderr.includes(token), 'the token never reaches stderr');
  const key = f.lastKey();
  const verbose = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('[verbose]'))
    .join('\n');
  assert.match(verbose, /GET http:\/\/127\.0\.0\.1:\d+\/access\/\*\*\* -> 201/);
  assert.ok(!verbose.includes(key), 'the poll key stays out of --verbose logs');

  const p = readStore(dir).profiles.pryv!;
  assert.equal(p.token, token);
  assert.equal((p.params as Record<string, unknown>).apiEndpoint, `${f.base}/alice/`);

  const printed = await runCli(['token', 'print', 'pryv'], { configDir: dir });
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${token}\n`);
  const header = await runCli(['token', 'header', 'pryv'], { configDir: dir });
  assert.equal(header.stdout, `Authorization: ${token}\n`);
  const exported = await runCli(['token', 'export', 'pryv', '--shell', 'bash'], { configDir: dir });
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(
    exported.stdout.includes(
      `AUTHCTL_API_ENDPOINT=${`http://${token}@${f.base.slice('http://'.length)}/alice/`}`,
    ) ||
      exported.stdout.includes(
        `AUTHCTL_API_ENDPOINT='http://${token}@${f.base.slice('http://'.length)}/alice/'`,
      ),
    exported.stdout,
  );
});

test('request --json (v2, consent page sends no apiEndpoint): summary on stdout, without the token', async () => {
  const f = await fake('v2');
  const dir = tmp();
  const r = await runCli(requestArgs(f, '--json', '--profile', 'lab'), {
    configDir: dir,
    env: { BROWSER, PRYV_CONSENT_ENDPOINT: 'omit', PRYV_CONSENT_USERNAME: 'bob' },
  });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.profile, 'lab');
  assert.equal(summary.provider, 'pryv');
  assert.equal(summary.subject, 'bob');
  assert.deepEqual(summary.scopes, ['diary:read', 'notes:contribute']);
  assert.equal(summary.params.apiEndpoint, `${f.base}/bob/`);
  const token = readStore(dir).profiles.lab!.token as string;
  assert.ok(!r.stdout.includes(token));
});

test('refused in the consent page → exit 3, one error line, nothing on stdout or in the store', async () => {
  const f = await fake('v2');
  const dir = tmp();
  const r = await runCli(requestArgs(f), { configDir: dir, env: { BROWSER, PRYV_CONSENT: 'refuse' } });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /error: access refused: The user refused to give access to the requested permissions \(REFUSED_BY_USER\)/,
  );
  assert.ok(!fs.existsSync(path.join(dir, 'config.json')));
});

test('bad input → exit 2 and the register sees no request', async () => {
  const f = await fake('v1');
  const dir = tmp();
  const cases: string[][] = [
    ['pryv', 'request', '--app-id', 'my-app-id', '--service-info', f.serviceInfoUrl],
    [...requestArgs(f), '--permission', 'diary:write'],
    ['pryv', 'request', '--app-id', 'abc', '--permission', 'diary:read', '--service-info', f.serviceInfoUrl],
    [...requestArgs(f), '--lang', 'toolong'],
    ['pryv', 'request', '--permission', 'diary:read', '--service-info', f.serviceInfoUrl],
    [...requestArgs(f).slice(0, -2), '--timeout', 'soon'],
    [
      'pryv',
      'request',
      '--app-id',
      'my-app-id',
      '--permission',
      'a:read',
      '--service-info',
      'http://reg.example.com/',
    ],
  ];
  for (const args of cases) {
    const r = await runCli(args, { configDir: dir, env: { BROWSER } });
    assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
    assert.equal(r.stdout, '');
  }
  assert.equal(f.requests.length, 0);
});

test('--no-wait prints the JSON and exits; pryv poll <poll-url> --print finishes it', async () => {
  const f = await fake('v2');
  const dir = tmp();
  const token = 'ckLATER0987654321';
  const first = await runCli(requestArgs(f, '--no-wait'), {
    configDir: dir,
    // The consent stand-in reads the poll URL once it "loads": late enough not to race the count below.
    env: { BROWSER, PRYV_CONSENT_TOKEN: token, PRYV_CONSENT_DELAY_MS: '2000' },
  });
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.deepEqual(Object.keys(out), ['authUrl', 'poll', 'key', 'pollRateMs']);
  assert.equal(out.pollRateMs, 50);
  assert.equal(f.polls().length, 0, 'no polling with --no-wait');
  const second = await runCli(['pryv', 'poll', out.poll, '--print', '--timeout', '20s'], { configDir: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, `${token}\n`);
  assert.equal(readStore(dir).profiles.pryv!.token, token);
});

test('Ctrl-C while waiting → exit 130, nothing written', async () => {
  const f = await fake('v1');
  const dir = tmp();
  const r = await runCli(requestArgs(f), {
    configDir: dir,
    env: { BROWSER, PRYV_CONSENT: 'none' },
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (f.polls().length >= 2) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 10);
    },
  });
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error: Interrupted/);
  assert.ok(!fs.existsSync(path.join(dir, 'config.json')));
});

test('pryv request --help lists the flags and examples', async () => {
  const r = await runCli(['pryv', 'request', '--help'], { configDir: tmp() });
  assert.equal(r.code, 0);
  for (const s of ['--no-wait', '--qr', '--service-info', 'Examples:']) assert.ok(r.stdout.includes(s), s);
});
