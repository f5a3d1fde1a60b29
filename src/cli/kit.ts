/**
 * The shared pieces every command declaration uses: the lazy action wrapper, flag groups that
 * several commands carry (client secret, login output, profile, timeout), and the examples block.
 * Each default lives here or in its provider's constants, once. Providers receive a CommandKit
 * from program.ts, so their declaration files never import commander themselves.
 */
import { type Command, Option } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
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
  /** `--min-ttl <duration>` of the commands that hand out a token. */
  minTtl(): Option;
  /** `--profile <name>` with the provider's default name. */
  profile(def: string): Option;
  /** A flag limited to `choices`, with an optional default. */
  choice(flags: string, description: string, choices: readonly string[], def?: string): Option;
  /** `--client-secret-stdin` and the hidden, warned-about `--client-secret <secret>`. */
  secretOptions(cmd: Command, what?: string): Command;
  /** `--save-secret`. */
  saveSecret(cmd: Command): Command;
  /** `--json`, `--print` and `--replace`, shared by every login. */
  loginOutput(cmd: Command): Command;
  /** `--no-open`. */
  noOpen(cmd: Command): Command;
  /** `--ca-file <pem>`. */
  caFile(cmd: Command): Command;
}

/**
 * Every command that takes a `[profile]` argument also accepts `--profile <name>` (scripts use
 * whichever form they are used to). Called once on the finished tree.
 */
export function addProfileOptions(root: Command): void {
  for (const c of root.commands) {
    const takesProfile = c.registeredArguments.some((a) => a.name() === 'profile');
    if (takesProfile && !c.options.some((o) => o.long === '--profile')) {
      c.option('--profile <name>', 'the profile to use (same as the [profile] argument)');
    }
    addProfileOptions(c);
  }
}

/**
 * The positional arguments with `--profile` folded into `[profile]`: exit 2 when both are given
 * and name different profiles.
 */
function mergeProfile(cmd: Command, args: unknown[], opts: Opts | undefined): unknown[] {
  const i = cmd.registeredArguments.findIndex((a) => a.name() === 'profile');
  const flag = opts?.profile;
  if (i < 0 || typeof flag !== 'string') return args;
  const out = [...args];
  const pos = out[i];
  if (typeof pos === 'string' && pos !== flag) {
    throw new UsageError(
      `the profile is named twice, differently ('${pos}' and --profile ${flag})`,
      'Name it once: as the argument or with --profile.',
      'usage.profile_conflict',
    );
  }
  out[i] = flag;
  return out;
}

/** Render an examples block. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Build the kit for a program whose actions get their context from `makeContext`. */
export function createKit(makeContext: ContextFactory): CommandKit {
  const duration = (flags: string, description: string, def: string) =>
    new Option(flags, `${description} (e.g. 90s, 10m, 1h30m)`)
      .default(parseDuration(def), def)
      .argParser((v) => parseDuration(v, flags.split(' ')[0]));
  return {
    act:
      (run) =>
      async (...raw) => {
        const cmd = raw[raw.length - 1] as Command;
        const args = mergeProfile(cmd, raw.slice(0, -2), raw[raw.length - 2] as Opts);
        // AUTHCTL_PARSE_ONLY=1: the command line was parsed and validated (unknown flags, missing
        // values and bad choices are exit 2 already); run nothing. Used to check documentation.
        if (process.env.AUTHCTL_PARSE_ONLY === '1') return;
        const opts = cmd.optsWithGlobals() as Opts;
        // A login may overwrite a profile of another kind only under a name the user typed
        // (src/commands/output.ts assertCanSave): tell it whether --profile came from the command line.
        if (cmd.options.some((o) => o.attributeName() === 'profile')) {
          opts.explicitProfile = cmd.getOptionValueSource('profile') === 'cli';
        }
        await run(makeContext(opts as GlobalOptions), args, opts);
      },
    examples,
    collect,
    duration,
    minTtl: () => duration('--min-ttl <duration>', 'renew (or fail) when less than this is left', MIN_TTL),
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
        .option('--print', 'print the access token to stdout')
        .option(
          '--replace',
          'overwrite the profile even if it holds a login of another provider, flow, client or account',
        ),
    noOpen: (cmd) => cmd.option('--no-open', 'do not open a browser; just print the URL'),
    caFile: (cmd) => cmd.option('--ca-file <pem>', 'extra CA certificates (PEM) to trust'),
  };
}
