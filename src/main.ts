/**
 * Entry point: parse argv, run, map errors to exit codes. The only place that exits the process
 * and the only top-level catch (three tiers: bin → main → command declarations).
 */

import { parseHot, parseHotActigraph } from './cli/fast.js';
import { ExitCode, InterruptedError, SilentExit } from './errors.js';
import { redactSecrets } from './lib/secrets.js';
import { terminalSafe } from './lib/text.js';
import { ACTIGRAPH_TOKEN_URL } from './providers/actigraph/constants.js';
import { errorLine } from './ui/errorline.js';
import { exitAfterFlush, processIO } from './ui/io.js';

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  const verboseFlag = argv.includes('--verbose');
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    interrupts++;
    if (interrupts > 1) process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let program: import('commander').Command | undefined;
  let usageLine: ((message: string) => string) | undefined;
  // The command being run, for the usage hint of an error thrown without one.
  // (The hot path runs only `token print|header|export`: its first two words.)
  let commandPath = () => ['authctl', ...argv.filter((a) => !a.startsWith('-')).slice(0, 2)].join(' ');
  try {
    // AUTHCTL_NO_FAST_PATH=1 sends every command through commander (test/e2e/fast-path.test.ts
    // compares both paths byte for byte).
    // Shell completion asks for profile names on every Tab: answered without commander.
    if (argv[0] === '__complete') {
      const { completeHidden } = await import('./cli/complete-profiles.js');
      process.stdout.write(completeHidden(argv.slice(1)));
      return ExitCode.ok;
    }
    const fast = process.env.AUTHCTL_NO_FAST_PATH !== '1' && process.env.AUTHCTL_PARSE_ONLY !== '1';
    // `actigraph token` in its CI forms (what a pipeline runs on every job) skips commander too:
    // building the whole program costs more than the token request (docs/performance.md).
    const ag = fast ? parseHotActigraph(argv) : null;
    if (ag) {
      const [ctx, actigraph] = await Promise.all([
        fastContext(ag.global, controller.signal),
        import('./providers/actigraph/run.js'),
      ]);
      // The options commander would hand the command (its defaults included).
      await actigraph.token(ctx, {
        clientId: ag.clientId,
        scope: ag.scopes,
        tokenUrl: ag.tokenUrl ?? ACTIGRAPH_TOKEN_URL,
        profile: ag.profile ?? 'actigraph',
        // Whether --profile was typed: only then may it overwrite another login (output.ts).
        explicitProfile: ag.profile !== undefined,
        ...(ag.print ? { print: true } : {}),
        ...(ag.force ? { force: true } : {}),
        ...ag.global,
      });
      return ExitCode.ok;
    }
    const hot = fast ? parseHot(argv) : null;
    if (hot) {
      const [ctx, token] = await Promise.all([
        fastContext(hot.global, controller.signal),
        import('./commands/token.js'),
      ]);
      const run = hot.name === 'print' ? token.print : hot.name === 'header' ? token.header : token.exportCmd;
      await run(ctx, hot.profile, hot.opts);
      return ExitCode.ok;
    }
    const [cli, { createContext }] = await Promise.all([import('./cli/program.js'), import('./context.js')]);
    const { buildProgram } = cli;
    usageLine = (message) => cli.usageLine(program!, argv, message);
    commandPath = () => cli.commandPath(program!, argv);
    program = buildProgram((g) =>
      createContext(processIO({ verbose: g.verbose, noColor: g.color === false }), g, controller.signal),
    );
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    const ce = err as { code?: string; exitCode?: number };
    if (typeof ce?.code === 'string' && ce.code.startsWith('commander.')) {
      // Help and version were printed by commander; usage errors are printed below.
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version') {
        return ExitCode.ok;
      }
      // `authctl help [cmd]` asked for help (exit code 0); a group without its subcommand
      // (`authctl token`) got the help as an error, which still needs its one `error:` line.
      if (ce.code === 'commander.help') {
        if (ce.exitCode === 0) return ExitCode.ok;
        const words = argv.filter((a) => !a.startsWith('-'));
        const cmd = ['authctl', ...words].join(' ');
        process.stderr.write(
          `error: '${cmd}' needs a command. Pick one of those listed above (${cmd} --help).\n`,
        );
      }
      // A usage error: commander printed nothing (program.ts); one line with the next step.
      else if (usageLine && typeof (err as Error).message === 'string') {
        process.stderr.write(`${terminalSafe(usageLine((err as Error).message))}\n`);
      }
      return ExitCode.usage;
    }
    if (err instanceof SilentExit) return err.exitCode;
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') {
      // The reader of stdout went away (`authctl --help | head -3`): end quietly with the status a
      // SIGPIPE would give, as git, gh and other native tools do; there is nobody left to tell.
      return ExitCode.brokenPipe;
    }
    const { line, code } = errorLine(err, verboseFlag, commandPath());
    // Secrets the command held (client secret, refresh token, poll key…) never appear in it.
    process.stderr.write(`${terminalSafe(redactSecrets(line))}\n`);
    return code;
  }
}

/** The context of a command dispatched without commander (its global flags parsed by cli/fast.ts). */
async function fastContext(
  global: { verbose: boolean; insecure: boolean; color: boolean },
  signal: AbortSignal,
): Promise<import('./context.js').Context> {
  const { createContext } = await import('./context.js');
  return createContext(processIO({ verbose: global.verbose, noColor: !global.color }), global, signal);
}

main(process.argv.slice(2)).then(exitAfterFlush, (e) => {
  process.stderr.write(`error: ${String(e)}\n`);
  exitAfterFlush(ExitCode.failure);
});
