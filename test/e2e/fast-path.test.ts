/**
 * The hot path (src/cli/fast.ts, node:util parseArgs) must agree with commander (src/cli/program.ts):
 * for any argv it either declines (null → commander runs) or yields exactly what commander would.
 * Checked twice: in process against commander's parsed options for a matrix and random argv, and on
 * the built binary against AUTHCTL_NO_FAST_PATH=1 (commander forced), byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Command } from 'commander';
import fc from 'fast-check';
import { type HotCommand, parseHot } from '../../src/cli/fast.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

/** What commander made of argv: the same shape as a HotCommand, or 'rejected' / 'other'. */
async function viaCommander(argv: string[]): Promise<HotCommand | 'rejected' | 'other'> {
  const program = buildProgram(() => {
    throw new Error('no action runs here');
  });
  const silence = (cmd: Command) => {
    cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    for (const sub of cmd.commands) silence(sub);
  };
  silence(program);
  let seen: HotCommand | 'other' = 'other';
  const stop = new Error('stop before the action');
  program.hook('preAction', (_root, action) => {
    const name = action.name();
    const parent = action.parent?.name();
    if (parent === 'token' && (name === 'print' || name === 'header' || name === 'export')) {
      const o = action.optsWithGlobals() as Record<string, unknown>;
      seen = {
        name,
        profile: action.processedArgs[0] as string | undefined,
        global: { verbose: o.verbose === true, insecure: o.insecure === true, color: o.color !== false },
        opts: {
          minTtl: o.minTtl as number,
          ...(o.shell !== undefined ? { shell: o.shell as NonNullable<HotCommand['opts']['shell']> } : {}),
          ...(name === 'export' ? { prefix: o.prefix as string } : {}),
        },
      };
    }
    throw stop;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return seen;
  } catch (e) {
    if (e === stop) return seen;
    return 'rejected';
  }
}

/** parseHot's answer with commander's defaults filled in (export's --prefix defaults to AUTHCTL_). */
function normalise(h: HotCommand): HotCommand {
  return h.name === 'export' ? { ...h, opts: { ...h.opts, prefix: h.opts.prefix ?? 'AUTHCTL_' } } : h;
}

/** Assert the two parsers agree on argv; returns whether the fast path took it. */
async function agree(argv: string[]): Promise<boolean> {
  const hot = parseHot(argv);
  const cmd = await viaCommander(argv);
  if (hot === null) return false;
  assert.notEqual(cmd, 'rejected', `fast path accepted what commander rejects: ${JSON.stringify(argv)}`);
  assert.deepEqual(normalise(hot), cmd, JSON.stringify(argv));
  return true;
}

const MATRIX: string[][] = [
  ['token', 'print'],
  ['token', 'print', 'ci'],
  ['token', 'print', '--min-ttl', '5m', 'ci'],
  ['token', 'print', 'ci', '--min-ttl', '5m'],
  ['token', 'print', 'ci', '--min-ttl=1h30m'],
  ['token', 'print', 'ci', '--min-ttl', '90'],
  ['token', 'print', 'ci', '--min-ttl', '0'],
  ['token', 'print', 'ci', '--min-ttl', '250ms'],
  ['token', 'print', 'ci', '--min-ttl', 'bad'],
  ['token', 'print', 'ci', '--min-ttl', 'bad', '--min-ttl', '5m'],
  ['token', 'print', 'ci', '--min-ttl', '5m', '--min-ttl', '10m'],
  ['token', 'print', 'ci', '--min-ttl'],
  ['token', 'print', 'ci', '--min-ttl='],
  ['token', 'print', '--verbose', 'ci'],
  ['token', 'print', 'ci', '--insecure', '--no-color', '--verbose'],
  ['token', 'print', 'ci', '--color'],
  ['token', 'print', 'ci', '--bogus'],
  ['token', 'print', 'ci', 'extra'],
  ['token', 'print', '--', 'ci'],
  ['token', 'print', '--', '--weird'],
  ['token', 'print', '-'],
  ['token', 'print', ''],
  ['token', 'print', '-h'],
  ['token', 'print', '--help'],
  ['token', 'print', 'ci', '--shell', 'bash'],
  ['token', 'header', 'ci'],
  ['token', 'header', 'ci', '--min-ttl', '1m', '--no-color'],
  ['token', 'header', '--prefix', 'X_'],
  ['token', 'export'],
  ['token', 'export', 'ci', '--shell', 'fish'],
  ['token', 'export', '--shell=dotenv', 'ci'],
  ['token', 'export', 'ci', '--shell', 'tcsh'],
  ['token', 'export', 'ci', '--shell', 'tcsh', '--shell', 'bash'],
  ['token', 'export', 'ci', '--shell', 'bash', '--shell', 'zsh'],
  ['token', 'export', 'ci', '--shell'],
  ['token', 'export', 'ci', '--prefix', 'X_'],
  ['token', 'export', 'ci', '--prefix=X_', '--prefix', 'Y_'],
  ['token', 'export', 'ci', '--prefix', ''],
  ['token', 'export', 'ci', '--prefix', 'bad-'],
  ['token', 'export', 'ci', '--prefix', '--shell'],
  ['token', 'export', 'ci', '--min-ttl', '2m', '--shell', 'powershell', '--prefix', 'P_', '--insecure'],
  ['token', 'export', 'ci', '-V'],
  ['token', 'list'],
  ['token', 'inspect', 'ci'],
  ['--verbose', 'token', 'print', 'ci'],
];

describe('in process: parseHot agrees with commander', () => {
  test('the matrix', async () => {
    let taken = 0;
    for (const argv of MATRIX) if (await agree(argv)) taken++;
    // The fast path must actually be used for the common forms, not decline everything.
    assert.ok(taken >= 20, `fast path took ${taken} of ${MATRIX.length}`);
    for (const common of [
      ['token', 'print', 'ci'],
      ['token', 'header'],
      ['token', 'export', 'ci', '--shell', 'fish'],
    ]) {
      assert.notEqual(parseHot(common), null, common.join(' '));
    }
  });

  test('random argv built from the flags and values that matter', async () => {
    const word = fc.constantFrom(
      'ci',
      'other',
      '',
      '-',
      '--',
      '--min-ttl',
      '--min-ttl=5m',
      '5m',
      '1h30m',
      '0',
      'x',
      '--shell',
      '--shell=fish',
      'fish',
      'cmd',
      'tcsh',
      '--prefix',
      '--prefix=X_',
      'X_',
      'bad-',
      '--verbose',
      '--insecure',
      '--no-color',
      '--color',
      '-h',
      '--help',
      '-V',
      '--json',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('print', 'header', 'export'),
        fc.array(word, { maxLength: 6 }),
        async (sub, rest) => {
          await agree(['token', sub, ...rest]);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('on the binary: fast path and commander print the same bytes', () => {
  const tmp = tempConfigDir();
  before(() => {
    writeStore(tmp.dir, {
      version: 1,
      profiles: {
        ci: sampleProfile({ token: "tok-ci'$x", expiresAt: '2099-01-01T00:00:00Z' }),
        pryv: sampleProfile({
          provider: 'pryv',
          flow: 'pryv-access',
          token: 'ckpryv0001',
          tokenType: 'pryv',
          params: { apiEndpoint: 'https://bob.pryv.me/' },
        }),
        old: sampleProfile({
          flow: 'authorization_code',
          expiresAt: '2020-01-01T00:00:00Z',
          params: { issuer: 'https://id.example.com', clientId: 'c' },
        }),
      },
    });
  });
  after(() => tmp.cleanup());

  const CASES: string[][] = [
    ['token', 'print', 'ci'],
    ['token', 'print', '--min-ttl', '5m', 'ci', '--verbose'],
    ['token', 'print'], // several profiles: exit 2
    ['token', 'print', 'nope'], // exit 4
    ['token', 'print', 'old'], // expired: exit 4 with the hint
    ['token', 'print', 'ci', '--min-ttl', 'bad', '--min-ttl', '5m'], // exit 2 on both
    ['token', 'header', 'pryv', '--no-color'],
    ['token', 'export', 'pryv'],
    ['token', 'export', 'ci', '--shell', 'fish', '--prefix', 'X_'],
    ['token', 'export', 'ci', '--shell', 'cmd'], // refused: exit 2
    ['token', 'export', 'ci', '--shell', 'dotenv'], // refused: exit 2
    ['token', 'export', 'ci', '--prefix', 'bad-'],
    ['token', 'export', 'ci', '--insecure', '--shell=powershell'],
  ];

  test('each case', async () => {
    const pairs = await Promise.all(
      CASES.map((args) =>
        Promise.all([
          runCli(args, { configDir: tmp.dir, env: { SHELL: undefined } }),
          runCli(args, { configDir: tmp.dir, env: { SHELL: undefined, AUTHCTL_NO_FAST_PATH: '1' } }),
        ]),
      ),
    );
    const codes = new Set<number | null>();
    CASES.forEach((args, i) => {
      const [fast, slow] = pairs[i]!;
      const what = args.join(' ');
      assert.equal(
        fast.code,
        slow.code,
        `${what}: exit codes\nfast: ${fast.stderr}\ncommander: ${slow.stderr}`,
      );
      assert.equal(fast.stdout, slow.stdout, `${what}: stdout`);
      assert.equal(fast.stderr, slow.stderr, `${what}: stderr`);
      assert.ok(parseHot(args) !== null || /bad/.test(what), `${what} should take the fast path`);
      codes.add(fast.code);
    });
    assert.deepEqual([...codes].sort(), [0, 2, 4], 'the cases cover success, usage errors and no token');
  });
});
