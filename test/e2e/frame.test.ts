/**
 * The CLI frame on the built binary: --version, --help everywhere (with examples), usage errors
 * (exit 2), one `error:` line per failure with nothing on stdout, colour rules, global flags after
 * the subcommand, and plain http refused before any request (README "Exit codes"; docs/security.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { assertFailure } from '../helpers/assert.js';
import { type CliResult, readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const tmp = tempConfigDir();
after(() => tmp.cleanup());
const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { configDir: tmp.dir, env });
const ESC = /\x1b\[/;

/** Every command path declared in the program, e.g. ['token', 'print'] (the implicit help excluded). */
function commandPaths(): string[][] {
  const program = buildProgram(() => {
    throw new Error('no action runs here');
  });
  const out: string[][] = [];
  const walk = (cmd: Command, prefix: string[]) => {
    for (const sub of cmd.commands) {
      const p = [...prefix, sub.name()];
      out.push(p);
      walk(sub, p);
    }
  };
  walk(program, []);
  return out;
}

/** Run `<path> --help` through a fresh program in process, capturing commander's output. */
async function helpInProcess(p: string[]): Promise<{ out: string; err: string; code: string }> {
  const program = buildProgram(() => {
    throw new Error('no action runs here');
  });
  let out = '';
  let err = '';
  const capture = (cmd: Command) => {
    cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    for (const sub of cmd.commands) capture(sub);
  };
  capture(program);
  try {
    await program.parseAsync([...p, '--help'], { from: 'user' });
    return { out, err, code: 'none' };
  } catch (e) {
    return { out, err, code: String((e as { code?: string }).code) };
  }
}

describe('version and help', () => {
  test('--version and -V print the package version on stdout', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const r of await Promise.all([run(['--version']), run(['-V'])])) {
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${version}\n`);
      assert.equal(r.stderr, '');
    }
  });

  test('--help of every command and subcommand: usage and examples (in process, all of them)', async () => {
    const paths = [[], ...commandPaths()];
    assert.ok(paths.length >= 20, `found ${paths.length} commands`);
    for (const must of [['token', 'print'], ['exec'], ['pryv', 'request'], ['oauth', 'login']]) {
      assert.ok(
        paths.some((p) => p.join(' ') === must.join(' ')),
        must.join(' '),
      );
    }
    for (const p of paths) {
      const name = ['authctl', ...p].join(' ');
      const { out, err, code } = await helpInProcess(p);
      assert.equal(code, 'commander.helpDisplayed', name);
      assert.equal(err, '', name);
      assert.ok(out.startsWith(`Usage: ${name} `), `${name}:\n${out}`);
      assert.match(out, /\nExamples:\n {2}\$ \S/, name);
    }
  });

  test('--help on the binary: exit 0, help on stdout, for the root, every group and some leaves', async () => {
    const groups = commandPaths().filter((p) => p.length === 1);
    const paths = [[], ...groups, ['token', 'print'], ['token', 'export'], ['exec']];
    const results = await Promise.all(paths.map((p) => run([...p, '--help'])));
    paths.forEach((p, i) => {
      const r = results[i]!;
      const name = ['authctl', ...p].join(' ');
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stderr, '', name);
      assert.ok(r.stdout.startsWith(`Usage: ${name} `), `${name}:\n${r.stdout}`);
      assert.match(r.stdout, /\nExamples:\n {2}\$ \S/, name);
    });
  });

  test('`authctl help [command]` is help too (exit 0)', async () => {
    const [root, token] = await Promise.all([run(['help']), run(['help', 'token'])]);
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, /^Usage: authctl /);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^Usage: authctl token /);
  });
});

describe('usage errors: exit 2, one error: line, nothing on stdout', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flag', ['token', 'list', '--bogus'], /unknown option '--bogus'/],
    ['unknown flag on the fast path', ['token', 'print', 'x', '--bogus'], /unknown option '--bogus'/],
    ['unknown root flag', ['--bogus'], /unknown option '--bogus'/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['missing required flag', ['pryv', 'request'], /required option '--app-id <id>' not specified/],
    ['missing required flag (safe)', ['safe', 'authorize', '--app-name', 'x'], /--app-id <id>/],
    ['missing required flag (actigraph)', ['actigraph', 'token'], /--client-id <id>/],
    ['missing argument', ['completion'], /missing required argument 'shell'/],
    ['too many arguments', ['token', 'print', 'a', 'b'], /too many arguments/],
    [
      'bad choice',
      ['token', 'export', '--shell', 'tcsh'],
      /'tcsh' is invalid.*bash, zsh, fish, powershell, cmd, dotenv/,
    ],
    ['bad duration', ['token', 'print', '--min-ttl', '5x'], /--min-ttl: invalid duration '5x'/],
    [
      'bad timeout',
      ['pryv', 'request', '--app-id', 'my-app-id', '--timeout', 'soon'],
      /--timeout: invalid duration/,
    ],
    [
      'bad profile name',
      ['actigraph', 'token', '--client-id', 'x', '--profile', '../x'],
      /invalid profile name/,
    ],
    ['a group without its subcommand', ['token'], /^error: 'authctl token' needs a command/],
    ['no command at all', [], /^error: 'authctl' needs a command/],
  ];
  test('each case', async () => {
    const results = await Promise.all(cases.map(([, args]) => run(args)));
    cases.forEach(([what, , message], i) => {
      const r = results[i]!;
      try {
        assertFailure(r, 2, message);
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    });
  });
});

describe('plain http refused before any request', () => {
  test('a non-loopback http flag URL is exit 2 and nothing is saved', async () => {
    const r = await run(
      ['oauth', 'client-credentials', '--token-url', 'http://example.com/token', '--client-id', 'x'],
      { AUTHCTL_CLIENT_SECRET: 's' },
    );
    assertFailure(r, 2, /--token-url: plain http is refused for example\.com/);
    const ag = await run(actigraphArgs('http://10.1.2.3/t', [], { id: 'x' }), {
      AUTHCTL_CLIENT_SECRET: 's',
    });
    assertFailure(ag, 2, /plain http is refused for 10\.1\.2\.3/);
    assert.equal(fs.existsSync(path.join(tmp.dir, 'config.json')), false, 'nothing saved');
  });
});

describe('global flags and colour against a real token endpoint', () => {
  const ids = useIdentityServer();
  const client = DEFAULT_IDS_CLIENTS[0]!;
  const login = (extra: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
    run(actigraphArgs(ids().tokenUrl, ['--force', ...extra], client), { ...actigraphEnv(client), ...env });

  test('--verbose, --insecure and --no-color are accepted after the subcommand', async () => {
    const r = await login(['--verbose', '--insecure', '--no-color'], { FORCE_COLOR: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /POST http:\/\/127\.0\.0\.1:\d+\/connect\/token/, 'verbose logged the request');
    assert.doesNotMatch(r.stderr, ESC, '--no-color beats FORCE_COLOR');
    assert.ok(
      !r.stderr.includes(client.secret) && !r.stderr.includes(ids().issued.at(-1)!),
      'no secret logged',
    );
    assert.equal(readStore(tmp.dir).profiles.actigraph?.token, ids().issued.at(-1));
  });

  test('colour: off when not a TTY, off with NO_COLOR even if FORCE_COLOR, on only when forced', async () => {
    const [plain, noColor, forced] = await Promise.all([
      login([], {}),
      login([], { NO_COLOR: '1', FORCE_COLOR: '1' }),
      login(['--profile', 'forced'], { FORCE_COLOR: '1' }),
    ]);
    for (const r of [plain, noColor, forced]) assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(plain.stderr, ESC);
    assert.doesNotMatch(noColor.stderr, ESC);
    // The success line is coloured only when FORCE_COLOR asks for it on a non-TTY.
    assert.match(forced.stderr, ESC);
    for (const r of [plain, noColor, forced]) assert.doesNotMatch(r.stdout, ESC);
  });
});
