/**
 * The shared pieces every command declaration uses: the lazy action wrapper, flag groups that
 * several commands carry (client secret, login output, profile, timeout), and the examples block.
 * Each default lives here or in its provider's constants, once. Providers receive a CommandKit
 * from program.ts, so their declaration files never import commander themselves.
 */
import { type Command, Option } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import { collect, parseDuration, parseProfileName } from './parse.js';

/** Options as commander hands them to an action (camelCase keys). */
export type Opts = Record<string, unknown>;

/** A command's work: the context, its positional arguments and its options. */
export type Run = (ctx: Context, args: unknown[], opts: Opts) => Promise<void>;

/** Builds the context once the global flags are known. */
export type ContextFactory = (global: GlobalOptions) => Context;

/** Default `--timeout` of a login that waits for a person (browser or Launcher). */
export const LOGIN_TIMEOUT = '5m';

/** Default `--min-ttl` of the token commands. */
export const MIN_TTL = '30s';

/** The helpers handed to every command declaration. */
export interface CommandKit {
  /** Wrap a lazily imported run function as a commander action. */
  act(run: Run): (...raw: unknown[]) => Promise<void>;
  /** The "Examples:" block shown after a command's help. */
  examples(lines: string[]): string;
  /** Commander's collector for repeatable flags. */
  collect: typeof collect;
  /** A duration flag (`90s`, `10m`, `1h30m`, plain seconds) with its default. */
  duration(flags: string, description: string, def: string): Option;
  /** `--profile <name>` with the provider's default name. */
  profile(def: string): Option;
  /** A flag limited to `choices`, with an optional default. */
  choice(flags: string, description: string, choices: readonly string[], def?: string): Option;
  /** `--client-secret-stdin` and the hidden, warned-about `--client-secret <secret>`. */
  secretOptions(cmd: Command, what?: string): Command;
  /** `--save-secret`. */
  saveSecret(cmd: Command): Command;
  /** `--json` and `--print`, shared by every login. */
  loginOutput(cmd: Command): Command;
  /** `--no-open`. */
  noOpen(cmd: Command): Command;
  /** `--ca-file <pem>`. */
  caFile(cmd: Command): Command;
}

/** Render an examples block. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Build the kit for a program whose actions get their context from `makeContext`. */
export function createKit(makeContext: ContextFactory): CommandKit {
  return {
    act:
      (run) =>
      async (...raw) => {
        const cmd = raw[raw.length - 1] as Command;
        // AUTHCTL_PARSE_ONLY=1: the command line was parsed and validated (unknown flags, missing
        // values and bad choices are exit 2 already); run nothing. Used to check documentation.
        if (process.env.AUTHCTL_PARSE_ONLY === '1') return;
        const opts = cmd.optsWithGlobals() as Opts;
        await run(makeContext(opts as GlobalOptions), raw.slice(0, -2), opts);
      },
    examples,
    collect,
    duration: (flags, description, def) =>
      new Option(flags, `${description} (e.g. 90s, 10m, 1h30m)`)
        .default(parseDuration(def), def)
        .argParser((v) => parseDuration(v, flags.split(' ')[0])),
    profile: (def) =>
      new Option('--profile <name>', 'profile to save under').default(def).argParser(parseProfileName),
    choice: (flags, description, choices, def) => {
      const o = new Option(flags, description).choices(choices);
      return def === undefined ? o : o.default(def);
    },
    secretOptions: (cmd, what = 'the client secret') =>
      cmd
        .option('--client-secret-stdin', `read ${what} from stdin`)
        .addOption(
          new Option(
            '--client-secret <secret>',
            'client secret (visible to other users via ps; prefer AUTHCTL_CLIENT_SECRET)',
          ).hideHelp(),
        ),
    saveSecret: (cmd) =>
      cmd.option(
        '--save-secret',
        'store the client secret with the profile (otherwise renewal reads AUTHCTL_CLIENT_SECRET)',
      ),
    loginOutput: (cmd) =>
      cmd
        .option('--json', 'print the saved profile as JSON (without the token)')
        .option('--print', 'print the access token to stdout'),
    noOpen: (cmd) => cmd.option('--no-open', 'do not open a browser; just print the URL'),
    caFile: (cmd) => cmd.option('--ca-file <pem>', 'extra CA certificates (PEM) to trust'),
  };
}
