/**
 * The command tree (commander): global flags, then each provider's commands from the registry
 * (src/providers/index.ts), the generic OAuth commands, and the token commands. Every action
 * imports its run function lazily, so start-up pays only for the command that runs.
 */
import type { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { terminalSafe } from '../lib/text.js';
import { PROVIDERS } from '../providers/index.js';
import { registerSandboxCommands } from '../sandbox/commands.js';
import { writeStdout } from '../ui/io.js';
import { addProfileOptions, type ContextFactory, createKit, examples } from './kit.js';
import { registerTokenCommands } from './token-commands.js';

export type { ContextFactory } from './kit.js';

/** The package version (read only when the full program is built, never on the hot path). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const p of ['../package.json', '../../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      /* try the next layout (bundled dist/ or compiled dist/cli/) */
    }
  }
  return '0.0.0';
}

/**
 * The one line a usage error from the argument parser prints: commander's message (its
 * "(Did you mean …?)" folded in), then the same next step for every usage error — the --help of
 * the command that was being parsed.
 */
export function usageLine(program: Command, argv: string[], message: string): string {
  const what = message
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*\((Did you mean [^)]*)\)\s*$/, (_m, s: string) => ` (${s.replace(/^D/, 'd')})`)
    .replace(/\s+/g, ' ')
    .replace(/[.\s]+$/, '');
  return `error: ${what}. Run '${commandPath(program, argv)} --help' for usage.`;
}

/** The command `argv` runs, e.g. `authctl pryv request` (its options and arguments left out). */
export function commandPath(program: Command, argv: string[]): string {
  let cmd = program;
  const path = ['authctl'];
  for (const word of argv) {
    if (word === '--') break;
    if (word.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
    path.push(sub.name());
  }
  return path.join(' ');
}

/** Build the whole program. `makeContext` is called when an action runs. */
export function buildProgram(makeContext: ContextFactory): Command {
  const kit = createKit(makeContext);
  const program = new Command('authctl');
  program
    .description(
      'Obtain, store and hand out access tokens (Pryv.io, SAFE Launcher, LivePerson, ActiGraph, OAuth 2.0).',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'log each HTTP request (method, redacted URL, status, time) to stderr')
    .option('--insecure', 'allow plain http to non-loopback hosts')
    .option('--no-color', 'disable colour')
    .exitOverride()
    .configureOutput({
      writeOut: writeStdout,
      writeErr: (s) => process.stderr.write(terminalSafe(s)),
      // A usage error is one `error:` line, written by main.ts from the thrown CommanderError
      // (usageLine below), so commander itself prints nothing for it.
      outputError: () => {},
      // Commander's defaults read process.stdout (loading the stream modules) just to size the help;
      // a pipe or file gets 80 columns without that, a terminal its real width.
      getOutHelpWidth: () => (fstatSync(1).isCharacterDevice() ? (process.stdout.columns ?? 80) : 80),
      getOutHasColors: () => false,
    })
    .addHelpText(
      'after',
      examples([
        'authctl pryv request --app-id my-app-id --permission diary:read',
        'authctl token print pryv',
        'AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id my-client --scope CentrePoint --print',
        'eval "$(authctl token export ci)"',
        `authctl exec --profile ci -- sh -c 'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/'`,
      ]) +
        '\nExit codes: 0 ok, 1 failure, 2 usage, 3 refused, 4 no usable token, 5 timed out, 130 interrupted, 143 terminated.\n',
    );

  for (const p of PROVIDERS) p.register(program, kit);

  registerTokenCommands(program, kit);
  addProfileOptions(program);

  registerSandboxCommands(program, kit);

  // Groups (`authctl token --help`, `authctl pryv --help`) show examples too, as every --help does:
  // the first example of each subcommand, taken from its own help text.
  for (const group of program.commands) {
    // Command is an EventEmitter at runtime; addHelpText('after') registers 'afterHelp' listeners.
    const events = (c: Command) => c as unknown as EventEmitter;
    if (group.commands.length === 0 || events(group).listenerCount('afterHelp') > 0) continue;
    const lines: string[] = [];
    for (const sub of group.commands) {
      let text = '';
      events(sub).emit('afterHelp', { error: false, command: sub, write: (s: string) => (text += s) });
      const first = /^ {2}\$ (.+)$/m.exec(text)?.[1];
      if (first) lines.push(first);
    }
    if (lines.length) group.addHelpText('after', examples(lines));
  }

  return program;
}
