/** `authctl token …` and `authctl exec`: flags, help and examples; the work is in src/commands/. */
import { type Command, Option } from 'commander';
import { type CommandKit, MIN_TTL } from './kit.js';

/** Declare the token commands and exec. */
export function registerTokenCommands(program: Command, kit: CommandKit): void {
  const token = program.command('token').description('hand saved tokens to scripts');
  token
    .command('list')
    .description('list saved profiles (tokens masked)')
    .option('--json', 'print an array of profile objects')
    .addHelpText(
      'after',
      kit.examples(['authctl token list', 'authctl token list --json | jq -r ".[].profile"']),
    )
    .action(kit.act(async (ctx, _a, o) => (await import('../commands/token.js')).list(ctx, o)));
  token
    .command('print')
    .description('print the access token (renewing it first when it can)')
    .argument('[profile]')
    .addOption(kit.duration('--min-ttl <duration>', 'renew (or fail) when less than this is left', MIN_TTL))
    .addHelpText(
      'after',
      kit.examples([
        'authctl token print pryv',
        'curl -H "Authorization: Bearer $(authctl token print ci)" https://api.example.com/',
      ]),
    )
    .action(
      kit.act(async (ctx, a, o) =>
        (await import('../commands/token.js')).print(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('header')
    .description('print "Authorization: Bearer <token>" (Pryv: "Authorization: <token>")')
    .argument('[profile]')
    .addOption(kit.duration('--min-ttl <duration>', 'renew (or fail) when less than this is left', MIN_TTL))
    .addHelpText('after', kit.examples(['curl -H "$(authctl token header ci)" https://api.example.com/']))
    .action(
      kit.act(async (ctx, a, o) =>
        (await import('../commands/token.js')).header(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('export')
    .description('print shell assignments of AUTHCTL_TOKEN, AUTHCTL_AUTHORIZATION, …')
    .argument('[profile]')
    .addOption(
      new Option('--shell <shell>', 'output syntax (default from $SHELL, else bash)').choices([
        'bash',
        'zsh',
        'fish',
        'powershell',
        'cmd',
        'dotenv',
      ]),
    )
    .option('--prefix <NAME_>', 'replace AUTHCTL_ in every variable name', 'AUTHCTL_')
    .addOption(kit.duration('--min-ttl <duration>', 'renew (or fail) when less than this is left', MIN_TTL))
    .addHelpText(
      'after',
      kit.examples([
        'eval "$(authctl token export ci)"',
        'authctl token export ci --shell fish | source',
        'authctl token export ci --shell dotenv > .env',
      ]),
    )
    .action(
      kit.act(async (ctx, a, o) =>
        (await import('../commands/token.js')).exportCmd(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('inspect')
    .description('show a profile: provider, subject, scopes, expiry, decoded JWT claims (token masked)')
    .argument('[profile]')
    .option('--json', 'print as JSON')
    .option('--show-token', 'include the token itself')
    .addHelpText('after', kit.examples(['authctl token inspect pryv', 'authctl token inspect ci --json']))
    .action(
      kit.act(async (ctx, a, o) =>
        (await import('../commands/token.js')).inspect(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('refresh')
    .description('renew the token now (refresh token, or client credentials)')
    .argument('[profile]')
    .addHelpText('after', kit.examples(['authctl token refresh liveperson']))
    .action(
      kit.act(async (ctx, a, o) =>
        (await import('../commands/token.js')).refresh(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('delete')
    .description('delete a saved profile')
    .argument('<profile>')
    .option('--revoke', 'also revoke the token at the provider where it supports that')
    .addHelpText('after', kit.examples(['authctl token delete old-profile']))
    .action(
      kit.act(async (ctx, a, o) => (await import('../commands/token.js')).deleteCmd(ctx, a[0] as string, o)),
    );

  program
    .command('exec')
    .description('run a command with the token variables of `token export` in its environment')
    .option('--profile <name>', 'profile to use (default: AUTHCTL_PROFILE, or the only one)')
    .addOption(kit.duration('--min-ttl <duration>', 'renew (or fail) when less than this is left', MIN_TTL))
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText(
      'after',
      kit.examples([
        `authctl exec --profile ci -- sh -c 'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/'`,
        'authctl exec --profile ci -- ./deploy.sh',
      ]),
    )
    .action(
      kit.act(async (ctx, a, o) => (await import('../commands/exec.js')).exec(ctx, a[0] as string[], o)),
    );
}
