/**
 * Terminal manners on a real pseudo-terminal (test/helpers/pty.ts): colour follows --no-color and
 * NO_COLOR alike (spinner symbols included), a request that hangs says whom it waits for without
 * scribbling over a spinner, `token list` fits 80 and 120 columns (and a pipe gets everything),
 * and `--qr` draws half-blocks that fit 80×24 or says it cannot.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { type FakePryv, useFakePryv } from '../fakes/pryv.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import { pryvRequestArgs } from '../helpers/args.js';
import { repoRoot, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';
import { CTRL_C, ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

const skip = ptyPython ? false : 'python3 (for its pty module) is not installed here';
const consent = `${process.execPath} ${path.join(repoRoot, 'test', 'fakes', 'pryv-consent.mjs')}`;
// An SGR sequence (colour, bold): what --no-color and NO_COLOR must keep off the screen.
const SGR = /\u001b\[[0-9;]*m/;

const v1 = useFakePryv({ generation: 'v1', pollRateMs: 100 });
const v2 = useFakePryv({ generation: 'v2', pollRateMs: 100 });
const launcher = useFakeLauncher({ policy: 'hold' });
/** Accepts connections and never answers. */
const silent = useServer(async () => {
  const server = net.createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
});

function tmp(): string {
  const t = tempConfigDir();
  after(t.cleanup);
  return t.dir;
}

const pryvRequest = (f: () => FakePryv, ...extra: string[]) => pryvRequestArgs(f().serviceInfoUrl, ...extra);

for (const [label, extraArgs, env] of [
  ['--no-color', ['--no-color'], {}],
  ['NO_COLOR=1', [], { NO_COLOR: '1' }],
] as const) {
  test(`${label}: a whole login with its spinner writes no colour; without it, colour shows`, {
    skip,
  }, async () => {
    const run = (args: string[], extraEnv: Record<string, string>) =>
      runOnPty(args, [{ expect: 'saved|Saved|error:', timeout: 30 }], {
        configDir: tmp(),
        env: { BROWSER: consent, PRYV_CONSENT_USERNAME: 'alice', ...extraEnv },
      });
    const plain = await run([...extraArgs, ...pryvRequest(v2)], env);
    assert.equal(plain.status, 0, plain.output);
    // The spinner ran (its frames are coloured unless colour is off) and the login ended.
    assert.match(plain.output, /Waiting for approval/);
    assert.match(plain.output, /Access approved by alice/);
    assert.match(plain.output, /✓ Saved token for alice/);
    assert.doesNotMatch(plain.output, SGR, JSON.stringify(plain.output));

    const coloured = await run(pryvRequest(v2), {});
    assert.equal(coloured.status, 0, coloured.output);
    assert.match(coloured.output, /\u001b\[32m✓\u001b\[39m Saved token/);
  });
}

test('a server that accepts and never answers: after a second the screen says whom authctl waits for; Ctrl-C ends it', {
  skip,
}, async () => {
  const host = `127.0.0.1:${silent().port}`;
  const r = await runOnPty(
    pryvRequestArgs(`http://${host}/service/info`),
    [{ expect: `Contacting ${host.replace(/\./g, '\\.')}…`, timeout: 10 }, { sleep: 0.3 }, { send: CTRL_C }],
    { configDir: tmp(), env: { AUTHCTL_NOTICE_AFTER_MS: undefined } },
  );
  assert.equal(r.failedStep, null, `no notice on screen:\n${r.output}`);
  assert.equal(r.status, 130, r.output);
  // The notice is a spinner: erased before the error line, which is alone on its line.
  const screen = stripAnsi(r.output.replace(/\u001b\[1?G/g, '\r'));
  const errors = screen.split(/[\r\n]+/).filter((l) => /^(\^C)*\s*error:/.test(l));
  assert.equal(errors.length, 1, r.output);
  assert.match(errors[0]!, /error: Interrupted\. /);
});

test('off a terminal the notice is one plain line; a quick request shows none', async () => {
  const dir = tmp();
  const host = `127.0.0.1:${silent().port}`;
  const r = await runCli(pryvRequestArgs(`http://${host}/service/info`), {
    configDir: dir,
    env: { AUTHCTL_NOTICE_AFTER_MS: undefined },
    onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 2500),
  });
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(r.stderr.split('\n').filter(Boolean), [
    `Contacting ${host}…`,
    'error: Interrupted. Nothing was saved; run the command again when ready.',
  ]);
  const quick = await runCli([...pryvRequest(v2), '--no-wait', '--no-open'], {
    configDir: dir,
    env: { AUTHCTL_NOTICE_AFTER_MS: undefined },
  });
  assert.equal(quick.code, 0, quick.stderr);
  assert.doesNotMatch(quick.stderr, /Contacting/);
});

test('a spinner on screen is left alone: a held request under it shows no notice', { skip }, async () => {
  const r = await runOnPty(
    [
      'safe',
      'authorize',
      '--app-name',
      'UX',
      '--app-id',
      'net.example.ux',
      '--app-version',
      '1',
      '--app-vendor',
      'Example',
      '--launcher-url',
      launcher().url,
    ],
    [{ expect: 'Waiting for approval in SAFE Launcher', timeout: 15 }, { sleep: 2 }, { send: CTRL_C }],
    { configDir: tmp(), env: { AUTHCTL_NOTICE_AFTER_MS: undefined } },
  );
  assert.equal(r.failedStep, null, r.output);
  assert.equal(r.status, 130, r.output);
  assert.doesNotMatch(r.output, /Contacting/);
});

/** A store whose table is wider than 120 columns. */
function wideStore(dir: string): void {
  writeStore(dir, {
    version: 1,
    profiles: {
      'lp-agent': sampleProfile({
        provider: 'liveperson',
        flow: 'authorization_code',
        subject: 'customer-care-agent-with-a-long-name@support.example.com',
        token: 'eyJhbGciOiJSUzI1NiJ9.payload-payload-payload.signature',
        refreshToken: 'rt-1234567890',
        expiresAt: '2099-01-01T00:00:00Z',
        params: { account: '12345678', clientId: 'app-install-id', confidential: true },
      }),
      actigraph: sampleProfile({
        provider: 'actigraph',
        flow: 'client_credentials',
        subject: 'ci-client',
        expiresAt: '2099-01-01T00:00:00Z',
        params: { clientId: 'ci-client' },
      }),
      pryv: sampleProfile({ provider: 'pryv', flow: 'pryv-access', subject: 'alice', tokenType: 'pryv' }),
    },
  });
}

for (const cols of [80, 120]) {
  test(`token list fits a ${cols}-column terminal, cutting with an ellipsis`, { skip }, async () => {
    const dir = tmp();
    wideStore(dir);
    const r = await runOnPty(['token', 'list'], [], { configDir: dir, cols, env: {} });
    assert.equal(r.status, 0, r.output);
    const lines = stripAnsi(r.output).split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, 4, r.output);
    for (const l of lines) assert.ok([...l].length <= cols, `${[...l].length} > ${cols}: ${l}`);
    assert.match(lines[0]!, /^PROFILE +PROVIDER +FLOW +SUBJECT +TOKEN +EXPIRES +RENEWABLE$/);
    assert.match(r.output, /…/);
    // The profile names are never cut.
    for (const name of ['lp-agent', 'actigraph', 'pryv'])
      assert.match(r.output, new RegExp(`^${name} `, 'm'));
  });
}

test('token list in a pipe: every column whole; RENEWABLE says what renewal needs; --json keeps it all', async () => {
  const dir = tmp();
  wideStore(dir);
  const r = await runCli(['token', 'list'], { configDir: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /customer-care-agent-with-a-long-name@support\.example\.com/);
  for (const whole of ['authorization_code', 'client_credentials', '2099-01-01T00:00:00Z (in ']) {
    assert.ok(r.stdout.includes(whole), whole);
  }
  const renewable = (out: string, name: string) =>
    /(yes|no|needs AUTHCTL_CLIENT_SECRET)$/.exec(out.split('\n').find((l) => l.startsWith(`${name} `))!)?.[1];
  assert.equal(renewable(r.stdout, 'lp-agent'), 'needs AUTHCTL_CLIENT_SECRET');
  assert.equal(renewable(r.stdout, 'actigraph'), 'needs AUTHCTL_CLIENT_SECRET');
  assert.equal(renewable(r.stdout, 'pryv'), 'no');
  const withSecret = await runCli(['token', 'list'], { configDir: dir, env: { AUTHCTL_CLIENT_SECRET: 's' } });
  assert.equal(renewable(withSecret.stdout, 'lp-agent'), 'yes');
  assert.equal(renewable(withSecret.stdout, 'actigraph'), 'yes');
  const json = await runCli(['token', 'list', '--json'], { configDir: dir });
  const rows = JSON.parse(json.stdout) as Array<{ profile: string; subject: string }>;
  assert.equal(
    rows.find((x) => x.profile === 'lp-agent')?.subject,
    'customer-care-agent-with-a-long-name@support.example.com',
  );
});

/** Wait until the request polls (the QR code, if any, is drawn before), then press Ctrl-C. */
const waitThenCancel = [{ expect: 'Waiting for approval', timeout: 15 }, { send: CTRL_C }];

test('--qr on an 80×24 terminal: a short consent URL is drawn in half-blocks within 24 rows', {
  skip,
}, async () => {
  const r = await runOnPty([...pryvRequest(v1), '--qr', '--no-open'], waitThenCancel, {
    configDir: tmp(),
    cols: 80,
    rows: 24,
  });
  assert.equal(r.failedStep, null, r.output);
  const lines = stripAnsi(r.output).split(/\r?\n/);
  const block = lines.filter((l) => /[▀▄█]/u.test(l));
  assert.ok(block.length >= 21 && block.length <= 23, `${block.length} rows:\n${r.output}`);
  for (const l of block) {
    assert.match(l, /^[▀▄█ ]+$/u);
    assert.ok([...l].length <= 80);
  }
});

test('--qr on an 80×24 terminal: a consent URL too long to fit is not drawn; the screen says why', {
  skip,
}, async () => {
  const args = [...pryvRequest(v2), '--qr', '--no-open'];
  const small = await runOnPty(args, waitThenCancel, { configDir: tmp(), cols: 80, rows: 24 });
  assert.equal(small.failedStep, null, small.output);
  assert.doesNotMatch(small.output, /[▀▄█]/u);
  assert.match(
    stripAnsi(small.output),
    /Not drawing the QR code: it needs a terminal of at least \d+ columns and \d+ rows, and this one is 80×24/,
  );
  const tall = await runOnPty(args, waitThenCancel, { configDir: tmp(), cols: 100, rows: 50 });
  assert.match(tall.output, /█/);
});
