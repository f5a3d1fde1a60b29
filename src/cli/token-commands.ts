/**
 * `authctl token …`, `exec`, `status`, `logout`, the credential helpers (`git-credential`,
 * `setup-git`) and `completion`: flags, help and examples; the work is in src/commands/.
 */
import { Argument, type Command, Option } from 'commander';
import type { Context } from '../context.js';
import { SHELLS } from '../lib/shell.js';
import { PROVIDERS } from '../providers/index.js';
import { COMPLETION_SHELLS } from './completion.js';
import type { CommandKit, Opts } from './kit.js';
import { collect } from './parse.js';

/** A command's work that takes its first positional argument. */
type ArgRun<A> = (ctx: Context, arg: A, o: Opts) => Promise<void>;

/** The action of a command that hands its first argument on to the run function `load` imports. */
const withArg = <A>(kit: CommandKit, load: () => Promise<ArgRun<A>>) =>
  kit.act(async (ctx, a, o) => (await load())(ctx, a[0] as A, o));

/** Declare the token commands and exec. */
export function registerTokenCommands(program: Command, kit: CommandKit): void {
  /** The action of a `token <cmd> [profile]` command: src/commands/token.ts's function of that name. */
  const onProfile = (fn: 'print' | 'header' | 'exportCmd' | 'inspect' | 'refresh' | 'deleteCmd') =>
    withArg(kit, async () => (await import('../commands/token.js'))[fn]);
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
    .addOption(kit.minTtl())
    .option('--id-token', 'print the OpenID Connect ID token instead of the access token')
    .addOption(
      kit.choice(
        '--format <format>',
        'token: the token alone; exec-credential: a kubectl ExecCredential (JSON)',
        ['token', 'exec-credential'],
        'token',
      ),
    )
    .addHelpText(
      'after',
      kit.examples([
        'authctl token print pryv',
        'curl -H "Authorization: Bearer $(authctl token print ci)" https://api.example.com/',
        'authctl token print --id-token oauth',
        'authctl token print --format exec-credential --profile k8s',
      ]),
    )
    .action(onProfile('print'));
  token
    .command('header')
    .description('print "Authorization: Bearer <token>" (Pryv: "Authorization: <token>")')
    .argument('[profile]')
    .addOption(kit.minTtl())
    .option('--curl', 'print a curl config line (header = "Authorization: …") for curl -K')
    .addHelpText(
      'after',
      kit.examples([
        'curl -H "$(authctl token header ci)" https://api.example.com/',
        'curl -K <(authctl token header --curl ci) https://api.example.com/',
      ]),
    )
    .action(onProfile('header'));
  token
    .command('export')
    .description('print shell assignments of AUTHCTL_TOKEN, AUTHCTL_AUTHORIZATION, …')
    .argument('[profile]')
    .addOption(
      new Option('--shell <shell>', 'output syntax (default from $SHELL, else bash)').choices(SHELLS),
    )
    .option('--prefix <NAME_>', 'replace AUTHCTL_ in every variable name', 'AUTHCTL_')
    .addOption(kit.minTtl())
    .addHelpText(
      'after',
      kit.examples([
        'eval "$(authctl token export ci)"',
        'authctl token export ci --shell fish | source',
        'authctl token export ci --shell dotenv > .env',
      ]),
    )
    .action(onProfile('exportCmd'));
  token
    .command('inspect')
    .description('show a profile: provider, subject, scopes, expiry, decoded JWT claims (token masked)')
    .argument('[profile]')
    .option('--json', 'print as JSON')
    .option('--show-token', 'include the token itself')
    .addHelpText('after', kit.examples(['authctl token inspect pryv', 'authctl token inspect ci --json']))
    .action(onProfile('inspect'));
  token
    .command('refresh')
    .description('renew the token now (refresh token, or client credentials)')
    .argument('[profile]')
    .addHelpText('after', kit.examples(['authctl token refresh liveperson']))
    .action(onProfile('refresh'));
  token
    .command('delete')
    .description('delete a saved profile (with --revoke: revoke its token at the provider first)')
    .argument('[profile]')
    .option('--revoke', 'also revoke the token at the provider where it supports that')
    .option('--yes', 'do not ask for confirmation on a terminal')
    .option('--force', 'delete the profile even if the revocation failed')
    .addHelpText(
      'after',
      kit.examples(['authctl token delete old-profile', 'authctl token delete ci --revoke --yes']),
    )
    .action(onProfile('deleteCmd'));
  token
    .command('import')
    .description('store a token obtained elsewhere (the token on stdin, never on the command line)')
    .requiredOption('--profile <name>', 'profile to save it under')
    .addOption(
      new Option('--provider <provider>', 'what the token is for')
        .choices(PROVIDERS.map((p) => p.name))
        .makeOptionMandatory(),
    )
    .option(
      '--api-endpoint <url>',
      'Pryv: the apiEndpoint (may carry the token: https://TOKEN@user.pryv.me/)',
    )
    .option('--launcher-url <url>', 'SAFE: the Launcher base URL (default http://localhost:8100)')
    .option('--issuer <url>', 'OAuth: the issuer (for status, logout and renewal through discovery)')
    .option('--token-url <url>', 'OAuth: the token endpoint (for renewal with a refresh token)')
    .option('--client-id <id>', 'OAuth: the client the token was issued to')
    .option('--scope <scope>', 'scopes the token carries; repeatable', collect)
    .option('--expires-in <duration>', 'the token expires this long from now (e.g. 1h)')
    .option('--expires-at <iso>', 'the token expires at this time (ISO 8601)')
    .option('--refresh-token-stdin', 'read a refresh token from stdin too (the line after the token)')
    .option('--no-verify', 'save without checking the token with the provider')
    .option('--json', 'print the saved profile as JSON (without the token)')
    .addHelpText(
      'after',
      kit.examples([
        'printf %s "$PRYV_API_ENDPOINT" | authctl token import --profile diary --provider pryv --api-endpoint https://alice.pryv.me/',
        'authctl token import --profile diary --provider pryv --api-endpoint "$PRYV_API_ENDPOINT_WITH_TOKEN"',
        'printf "%s\\n%s\\n" "$AT" "$RT" | authctl token import --profile ci --provider oauth --token-url https://id.example.com/token --client-id cli --refresh-token-stdin',
      ]),
    )
    .action(kit.act(async (ctx, _a, o) => (await import('../commands/import.js')).importToken(ctx, o)));

  program
    .command('exec')
    .description('run a command with the token variables of `token export` in its environment')
    .option('--profile <name>', 'profile to use (default: AUTHCTL_PROFILE, or the only one)')
    .addOption(kit.minTtl())
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText(
      'after',
      kit.examples([
        `authctl exec --profile ci -- sh -c 'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/'`,
        'authctl exec --profile ci -- ./deploy.sh',
      ]),
    )
    .action(withArg(kit, async () => (await import('../commands/exec.js')).exec));
  registerHelperCommands(program, kit);
}

/** `status`, `logout`, `git-credential`, `setup-git`, `completion`. */
function registerHelperCommands(program: Command, kit: CommandKit): void {
  program
    .command('status')
    .description('check saved tokens: expiry, renewal, and online with the provider where it can')
    .argument('[profile]', 'one profile (default: AUTHCTL_PROFILE, else every profile)')
    .option('--json', 'print an array of status objects (tokens masked)')
    .option('--offline', 'check expiry only; no network')
    .addOption(kit.duration('--timeout <duration>', 'time allowed for each online check', '5s'))
    .addHelpText(
      'after',
      `${kit.examples([
        'authctl status',
        'authctl status ci --json | jq -r ".[0].valid"',
        'authctl status --offline',
      ])}\nExit codes: 0 every token valid, 4 one is invalid (or expired and not renewable), 1 a check failed.\n`,
    )
    .action(withArg(kit, async () => (await import('../commands/status.js')).status));
  program
    .command('logout')
    .description('revoke the token at the provider and delete the profile (= token delete --revoke)')
    .argument('[profile]')
    .option('--yes', 'do not ask for confirmation on a terminal')
    .option('--force', 'delete the profile even if the revocation failed')
    .addHelpText('after', kit.examples(['authctl logout ci', 'authctl logout --profile old --force']))
    .action(withArg(kit, async () => (await import('../commands/logout.js')).logout));
  program
    .command('git-credential')
    .description("git's credential helper (set it up with authctl setup-git)")
    .addArgument(new Argument('<action>', 'what git asks for').choices(['get', 'store', 'erase']))
    .option('--profile <name>', 'profile whose token git gets (default: AUTHCTL_PROFILE, or the only one)')
    .addOption(kit.minTtl())
    .addHelpText(
      'after',
      kit.examples([
        'printf "protocol=https\\nhost=git.example.com\\n\\n" | authctl git-credential get --profile ci',
      ]),
    )
    .action(withArg(kit, async () => (await import('../commands/git-credential.js')).gitCredential));
  program
    .command('setup-git')
    .description("make git use a profile's token for a host (credential helper in git's global config)")
    .requiredOption(
      '--host <host>',
      'the git host, e.g. git.example.com (http:// is used for a loopback host)',
    )
    .requiredOption('--profile <name>', 'the profile whose token git sends as the password')
    .addHelpText(
      'after',
      kit.examples([
        'authctl setup-git --host git.example.com --profile ci',
        'authctl setup-git --host 127.0.0.1:8080 --profile local',
      ]),
    )
    .action(kit.act(async (ctx, _a, o) => (await import('../commands/setup-git.js')).setupGit(ctx, o)));
  program
    .command('completion')
    .description('print the shell completion script (bash, zsh, fish, powershell)')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .addHelpText(
      'after',
      kit.examples([
        'source <(authctl completion bash)',
        'authctl completion fish > ~/.config/fish/completions/authctl.fish',
      ]),
    )
    .action(
      kit.act(async (ctx, a) =>
        (await import('../commands/completion.js')).completion(ctx, a[0] as string, program),
      ),
    );
}
