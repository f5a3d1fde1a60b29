/** `authctl liveperson login | logout`: flags, help and examples; the work is in run.ts. */
import type { Command } from 'commander';
import type { CommandKit } from '../../cli/kit.js';
import { DEFAULT_DOMAIN_API, DEFAULT_REDIRECT_URI, DEFAULT_TIMEOUT } from './protocol.js';

const run = () => import('./run.js');

/** Declare the `liveperson` command group. */
export function register(program: Command, k: CommandKit): void {
  const lp = program
    .command('liveperson')
    .description('LivePerson Sentinel login (authorization code + loopback redirect)');
  const login = lp
    .command('login')
    .description('log in through the browser and save access and refresh tokens')
    .requiredOption('--account <accountId>', 'LivePerson account id')
    .requiredOption('--client-id <appInstallId>', 'app installation id');
  k.secretOptions(login)
    .option(
      '--domain <host-or-url>',
      'Sentinel host or base URL (default: discovered through the domain API)',
    )
    .option('--domain-api <url>', 'domain API base URL', DEFAULT_DOMAIN_API)
    .option(
      '--redirect-uri <uri>',
      'registered redirect URI; authctl listens on its loopback port',
      DEFAULT_REDIRECT_URI,
    );
  k.noOpen(login)
    .option('--manual', 'paste the final redirected URL instead of receiving it on the loopback listener')
    .addOption(
      k.duration('--timeout <duration>', 'give up waiting for the login after this long', DEFAULT_TIMEOUT),
    );
  k.saveSecret(login).addOption(k.profile('liveperson'));
  k.loginOutput(login)
    .addHelpText(
      'after',
      k.examples([
        'AUTHCTL_CLIENT_SECRET=… authctl liveperson login --account 12345678 --client-id 0b1c2d3e-…',
      ]),
    )
    .action(k.act(async (ctx, _a, o) => (await run()).login(ctx, o)));

  const logout = lp
    .command('logout')
    .description('revoke the refresh token (ends the LivePerson SSO session) and delete the profile')
    .argument('[profile]');
  k.secretOptions(logout)
    .option('--yes', 'do not ask for confirmation (required without a TTY)')
    .addHelpText('after', k.examples(['authctl liveperson logout --yes']))
    .action(k.act(async (ctx, a, o) => (await run()).logout(ctx, a[0] as string | undefined, o)));
}
