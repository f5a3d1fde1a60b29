/** `authctl actigraph token`: flags, help and examples; the work is in run.ts. */
import type { Command } from 'commander';
import type { CommandKit } from '../../cli/kit.js';
import { ACTIGRAPH_TOKEN_URL } from './constants.js';

/** Declare the `actigraph` command group. */
export function register(program: Command, k: CommandKit): void {
  const ag = program.command('actigraph').description('ActiGraph CentrePoint (OAuth client credentials)');
  const token = ag
    .command('token')
    .description('get a client-credentials token (reused from the store while it has more than 60 s left)')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'CentrePoint, DataAccess, Analytics, DataRetrieval; repeatable', k.collect);
  k.secretOptions(token).option('--token-url <url>', 'token endpoint', ACTIGRAPH_TOKEN_URL);
  k.caFile(token).option('--force', 'fetch a new token even if the cached one is still valid');
  k.saveSecret(token).addOption(k.profile('actigraph'));
  k.loginOutput(token)
    .addHelpText(
      'after',
      k.examples([
        'AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id my-client --scope CentrePoint --print',
        'printf %s "$SECRET" | authctl actigraph token --client-id my-client --scope CentrePoint --scope Analytics --client-secret-stdin',
      ]),
    )
    .action(k.act(async (ctx, _a, o) => (await import('./run.js')).token(ctx, o)));
}
