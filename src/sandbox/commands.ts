/**
 * Declarations of `authctl sandbox` and `authctl demo` (flags, help, examples). The run functions
 * load lazily, like every other command: nothing of the sandbox runs on other paths.
 */
import type { Command } from 'commander';
import type { CommandKit } from '../cli/kit.js';

/** Add `sandbox` and `demo` to the program. */
export function registerSandboxCommands(program: Command, kit: CommandKit): void {
  program
    .command('sandbox')
    .description(
      'run local emulators of Pryv.io, SAFE Launcher, LivePerson and ActiGraph on 127.0.0.1 (in memory; Ctrl-C stops them)',
    )
    .option(
      '--provider <names>',
      'comma-separated: pryv, safe, liveperson, actigraph (default: all); repeatable',
      kit.collect,
    )
    .option(
      '--port <base>',
      'first port (pryv), then +1 safe, +2 liveperson, +3 actigraph (default: free ports)',
    )
    .addOption(
      kit.choice(
        '--approve <policy>',
        'who decides consent requests: manual (the pages), auto (accept all), refuse (deny all); default manual on a terminal, auto otherwise',
        ['manual', 'auto', 'refuse'],
      ),
    )
    .option(
      '--clients <file>',
      'JSON file of client ids, secrets, scopes and users (default: generated and printed)',
    )
    .option('--json', 'print one JSON line with every base URL and credential, then only log to stderr')
    .addHelpText(
      'after',
      kit.examples([
        'authctl sandbox',
        'authctl sandbox --provider pryv,actigraph --port 9400',
        'authctl sandbox --json --approve auto > sandbox.json &',
      ]),
    )
    .action(kit.act(async (ctx, _a, o) => (await import('./run.js')).sandbox(ctx, o)));

  program
    .command('demo')
    .description(
      'try authctl offline: a Pryv.io access request against an in-process sandbox, saved as profile "demo"',
    )
    .addHelpText('after', kit.examples(['authctl demo', 'authctl token print demo']))
    .action(kit.act(async (ctx) => (await import('./demo.js')).demo(ctx)));
}
