/** `authctl safe authorize | status | revoke`: flags, help and examples; the work is in run.ts. */
import type { Command } from 'commander';
import type { CommandKit } from '../../cli/kit.js';
import { DEFAULT_LAUNCHER_URL, DEFAULT_TIMEOUT } from './constants.js';

const run = () => import('./run.js');

/** Declare the `safe` command group. */
export function register(program: Command, k: CommandKit): void {
  const safe = program.command('safe').description('SAFE Launcher local app authorization');
  const authorize = safe
    .command('authorize')
    .description('ask the local SAFE Launcher to authorize an app and save its token')
    .requiredOption('--app-name <name>', 'app name')
    .requiredOption('--app-id <id>', 'app id')
    .requiredOption('--app-version <v>', 'app version')
    .requiredOption('--app-vendor <vendor>', 'app vendor')
    .option('--permission <name>', 'SAFE_DRIVE_ACCESS or LOW_LEVEL_API; repeatable', k.collect)
    .option('--launcher-url <url>', 'Launcher base URL', DEFAULT_LAUNCHER_URL)
    .addOption(
      k.duration('--timeout <duration>', 'give up waiting for approval after this long', DEFAULT_TIMEOUT),
    )
    .addOption(k.profile('safe'));
  k.loginOutput(authorize)
    .addHelpText(
      'after',
      k.examples([
        'authctl safe authorize --app-name Demo --app-id net.example.demo --app-version 1.0 --app-vendor Example --permission SAFE_DRIVE_ACCESS',
      ]),
    )
    .action(k.act(async (ctx, _a, o) => (await run()).authorize(ctx, o)));
  safe
    .command('status')
    .description('check the saved token with the Launcher (exit 0 valid, 4 invalid)')
    .argument('[profile]')
    .option('--launcher-url <url>', 'Launcher base URL (default: the one saved with the profile)')
    .addHelpText('after', k.examples(['authctl safe status', 'authctl safe status my-safe-app']))
    .action(k.act(async (ctx, a, o) => (await run()).status(ctx, a[0] as string | undefined, o)));
  safe
    .command('revoke')
    .description('revoke the token at the Launcher, then delete the profile')
    .argument('[profile]')
    .option('--launcher-url <url>', 'Launcher base URL (default: the one saved with the profile)')
    .addHelpText('after', k.examples(['authctl safe revoke']))
    .action(k.act(async (ctx, a, o) => (await run()).revoke(ctx, a[0] as string | undefined, o)));
}
