/**
 * Command declarations (commander): flags → options → lazy import of the command's run function,
 * so start-up pays only for the command that runs. The contract is ../shared/docs/cli.md.
 */
import type { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import { registerOAuthCommands } from '../oauth/cli/commands.js';
import { writeStdout } from '../ui/io.js';
import { collect, parseDuration, parseProfileName } from './parse.js';

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

/** Builds the context once the global flags are known. */
export type ContextFactory = (global: GlobalOptions) => Context;

type Opts = Record<string, unknown>;

const durationOpt = (flags: string, desc: string, def: string) =>
  new Option(flags, `${desc} (e.g. 90s, 10m, 1h30m)`)
    .default(parseDuration(def), def)
    .argParser((v) => parseDuration(v, flags.split(' ')[0]));

const profileOpt = (def: string) =>
  new Option('--profile <name>', 'profile to save under').default(def).argParser(parseProfileName);

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Build the whole program. `makeContext` is called when an action runs. */
export function buildProgram(makeContext: ContextFactory): Command {
  const program = new Command('authctl');
  program
    .description(
      'Obtain, store and hand out access tokens (Pryv.io, SAFE Launcher, LivePerson, ActiGraph, OAuth 2.0).',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'log each HTTP request (method, redacted URL, status, time) to stderr')
    .option('--insecure', 'allow plain http to non-loopback hosts')
    .option('--no-color', 'disable colour')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: writeStdout,
      writeErr: (s) => process.stderr.write(s),
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
        'authctl exec --profile ci -- curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/',
      ]) +
        '\nExit codes: 0 ok, 1 failure, 2 usage, 3 refused, 4 no usable token, 5 timed out, 130 interrupted.\n',
    );

  /** Wrap an action: build the context from global flags and run the lazily imported function. */
  const act =
    (cmdPath: string, run: (ctx: Context, args: unknown[], opts: Opts) => Promise<void>) =>
    async (...raw: unknown[]) => {
      const cmd = raw[raw.length - 1] as Command;
      const opts = cmd.optsWithGlobals() as Opts;
      const args = raw.slice(0, -2);
      void cmdPath;
      await run(makeContext(opts as GlobalOptions), args, opts);
    };

  // ---- Pryv ----
  const pryv = program.command('pryv').description('Pryv.io access requests (consent page + polling)');
  pryv
    .command('request')
    .description('ask a Pryv.io platform for access, open the consent page, wait, and save the token')
    .requiredOption('--app-id <id>', 'requesting app id (6–99 characters)')
    .option(
      '--permission <streamId:level[:defaultName]>',
      'permission to request; repeatable; levels: read, contribute, manage, create-only',
      collect,
    )
    .option('--service-info <url>', 'service info URL', 'https://reg.pryv.me/service/info')
    .option('--lang <code>', 'language of the consent page', 'en')
    .option('--device-name <name>', 'device name shown to the user')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting after this long', '10m'))
    .option('--no-open', 'do not open a browser; just print the URL')
    .option('--no-wait', 'print {authUrl, poll, key, pollRateMs} as JSON and exit without polling')
    .option('--no-verify', 'skip checking the token with GET access-info')
    .option('--qr', 'also draw the consent URL as a QR code on stderr')
    .addOption(profileOpt('pryv'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText(
      'after',
      examples([
        'authctl pryv request --app-id my-app-id --permission diary:read --permission notes:contribute:Notes',
        'authctl pryv request --app-id my-app-id --permission diary:read --service-info https://pryv.example.com/reg/service/info',
        'authctl pryv request --app-id my-app-id --permission diary:read --no-wait > req.json',
      ]),
    )
    .action(act('pryv request', async (ctx, _a, o) => (await import('../commands/pryv.js')).request(ctx, o)));
  pryv
    .command('poll')
    .description('finish a request started with --no-wait: poll until the user decides, then save the token')
    .argument('<poll-url>', 'the "poll" URL printed by pryv request --no-wait')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting after this long', '10m'))
    .option('--no-verify', 'skip checking the token with GET access-info')
    .addOption(profileOpt('pryv'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText('after', examples(['authctl pryv poll "$(jq -r .poll req.json)" --print']))
    .action(
      act('pryv poll', async (ctx, a, o) =>
        (await import('../commands/pryv.js')).poll(ctx, a[0] as string, o),
      ),
    );

  // ---- SAFE Launcher ----
  const safe = program.command('safe').description('SAFE Launcher local app authorization');
  safe
    .command('authorize')
    .description('ask the local SAFE Launcher to authorize an app and save its token')
    .requiredOption('--app-name <name>', 'app name')
    .requiredOption('--app-id <id>', 'app id')
    .requiredOption('--app-version <v>', 'app version')
    .requiredOption('--app-vendor <vendor>', 'app vendor')
    .option('--permission <name>', 'SAFE_DRIVE_ACCESS or LOW_LEVEL_API; repeatable', collect)
    .option('--launcher-url <url>', 'Launcher base URL', 'http://localhost:8100')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting for approval after this long', '5m'))
    .addOption(profileOpt('safe'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the token to stdout')
    .addHelpText(
      'after',
      examples([
        'authctl safe authorize --app-name Demo --app-id net.example.demo --app-version 1.0 --app-vendor Example --permission SAFE_DRIVE_ACCESS',
      ]),
    )
    .action(
      act('safe authorize', async (ctx, _a, o) => (await import('../commands/safe.js')).authorize(ctx, o)),
    );
  safe
    .command('status')
    .description('check the saved token with the Launcher (exit 0 valid, 4 invalid)')
    .argument('[profile]')
    .option('--launcher-url <url>', 'Launcher base URL (default: the one saved with the profile)')
    .addHelpText('after', examples(['authctl safe status', 'authctl safe status my-safe-app']))
    .action(
      act('safe status', async (ctx, a, o) =>
        (await import('../commands/safe.js')).status(ctx, a[0] as string | undefined, o),
      ),
    );
  safe
    .command('revoke')
    .description('revoke the token at the Launcher, then delete the profile')
    .argument('[profile]')
    .option('--launcher-url <url>', 'Launcher base URL (default: the one saved with the profile)')
    .addHelpText('after', examples(['authctl safe revoke']))
    .action(
      act('safe revoke', async (ctx, a, o) =>
        (await import('../commands/safe.js')).revoke(ctx, a[0] as string | undefined, o),
      ),
    );

  // ---- LivePerson ----
  const lp = program
    .command('liveperson')
    .description('LivePerson Sentinel login (authorization code + loopback redirect)');
  lp.command('login')
    .description('log in through the browser and save access and refresh tokens')
    .requiredOption('--account <accountId>', 'LivePerson account id')
    .requiredOption('--client-id <appInstallId>', 'app installation id')
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .addOption(
      new Option(
        '--client-secret <secret>',
        'client secret (visible to other users via ps; prefer AUTHCTL_CLIENT_SECRET)',
      ).hideHelp(),
    )
    .option(
      '--domain <host-or-url>',
      'Sentinel host or base URL (default: discovered through the domain API)',
    )
    .option('--domain-api <url>', 'domain API base URL', 'https://api.liveperson.net')
    .option(
      '--redirect-uri <uri>',
      'registered redirect URI; authctl listens on its loopback port',
      'http://localhost:8976/callback',
    )
    .option('--no-open', 'do not open a browser; just print the URL')
    .option('--manual', 'paste the final redirected URL instead of receiving it on the loopback listener')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting for the login after this long', '5m'))
    .option(
      '--save-secret',
      'store the client secret with the profile (otherwise renewal reads AUTHCTL_CLIENT_SECRET)',
    )
    .addOption(profileOpt('liveperson'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText(
      'after',
      examples([
        'AUTHCTL_CLIENT_SECRET=… authctl liveperson login --account 12345678 --client-id 0b1c2d3e-…',
      ]),
    )
    .action(
      act('liveperson login', async (ctx, _a, o) =>
        (await import('../commands/liveperson.js')).login(ctx, o),
      ),
    );
  lp.command('logout')
    .description('revoke the refresh token (ends the LivePerson SSO session) and delete the profile')
    .argument('[profile]')
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .addOption(new Option('--client-secret <secret>', 'client secret (visible via ps)').hideHelp())
    .option('--yes', 'do not ask for confirmation (required without a TTY)')
    .addHelpText('after', examples(['authctl liveperson logout --yes']))
    .action(
      act('liveperson logout', async (ctx, a, o) =>
        (await import('../commands/liveperson.js')).logout(ctx, a[0] as string | undefined, o),
      ),
    );

  // ---- ActiGraph ----
  const ag = program.command('actigraph').description('ActiGraph CentrePoint (OAuth client credentials)');
  ag.command('token')
    .description('get a client-credentials token (reused from the store while it has more than 60 s left)')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'CentrePoint, DataAccess, Analytics, DataRetrieval; repeatable', collect)
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .addOption(
      new Option(
        '--client-secret <secret>',
        'client secret (visible via ps; prefer AUTHCTL_CLIENT_SECRET)',
      ).hideHelp(),
    )
    .option('--token-url <url>', 'token endpoint', 'https://auth.actigraphcorp.com/connect/token')
    .option('--ca-file <pem>', 'extra CA certificates (PEM) to trust')
    .option('--force', 'fetch a new token even if the cached one is still valid')
    .option('--save-secret', 'store the client secret with the profile')
    .addOption(profileOpt('actigraph'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText(
      'after',
      examples([
        'AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id my-client --scope CentrePoint --print',
        'printf %s "$SECRET" | authctl actigraph token --client-id my-client --scope CentrePoint --scope Analytics --client-secret-stdin',
      ]),
    )
    .action(
      act('actigraph token', async (ctx, _a, o) => (await import('../commands/actigraph.js')).token(ctx, o)),
    );

  // ---- Generic OAuth (declared with the engine, src/oauth/cli/commands.ts) ----
  registerOAuthCommands(program, { act, durationOpt, profileOpt, examples, collect });

  // ---- Using tokens ----
  const token = program.command('token').description('hand saved tokens to scripts');
  token
    .command('list')
    .description('list saved profiles (tokens masked)')
    .option('--json', 'print an array of profile objects')
    .addHelpText('after', examples(['authctl token list', 'authctl token list --json | jq -r ".[].profile"']))
    .action(act('token list', async (ctx, _a, o) => (await import('../commands/token.js')).list(ctx, o)));
  token
    .command('print')
    .description('print the access token (renewing it first when it can)')
    .argument('[profile]')
    .addOption(durationOpt('--min-ttl <duration>', 'renew (or fail) when less than this is left', '30s'))
    .option('--id-token', 'print the OpenID Connect ID token instead of the access token')
    .addHelpText(
      'after',
      examples([
        'authctl token print pryv',
        'curl -H "Authorization: Bearer $(authctl token print ci)" https://api.example.com/',
        'authctl token print --id-token oauth',
      ]),
    )
    .action(
      act('token print', async (ctx, a, o) =>
        (await import('../commands/token.js')).print(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('header')
    .description('print "Authorization: Bearer <token>" (Pryv: "Authorization: <token>")')
    .argument('[profile]')
    .addOption(durationOpt('--min-ttl <duration>', 'renew (or fail) when less than this is left', '30s'))
    .addHelpText('after', examples(['curl -H "$(authctl token header ci)" https://api.example.com/']))
    .action(
      act('token header', async (ctx, a, o) =>
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
    .addOption(durationOpt('--min-ttl <duration>', 'renew (or fail) when less than this is left', '30s'))
    .addHelpText(
      'after',
      examples([
        'eval "$(authctl token export ci)"',
        'authctl token export ci --shell fish | source',
        'authctl token export ci --shell dotenv > .env',
      ]),
    )
    .action(
      act('token export', async (ctx, a, o) =>
        (await import('../commands/token.js')).exportCmd(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('inspect')
    .description('show a profile: provider, subject, scopes, expiry, decoded JWT claims (token masked)')
    .argument('[profile]')
    .option('--json', 'print as JSON')
    .option('--show-token', 'include the token itself')
    .addHelpText('after', examples(['authctl token inspect pryv', 'authctl token inspect ci --json']))
    .action(
      act('token inspect', async (ctx, a, o) =>
        (await import('../commands/token.js')).inspect(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('refresh')
    .description('renew the token now (refresh token, or client credentials)')
    .argument('[profile]')
    .addHelpText('after', examples(['authctl token refresh liveperson']))
    .action(
      act('token refresh', async (ctx, a, o) =>
        (await import('../commands/token.js')).refresh(ctx, a[0] as string | undefined, o),
      ),
    );
  token
    .command('delete')
    .description('delete a saved profile')
    .argument('<profile>')
    .option('--revoke', 'also revoke the token at the provider where it supports that')
    .addHelpText('after', examples(['authctl token delete old-profile']))
    .action(
      act('token delete', async (ctx, a, o) =>
        (await import('../commands/token.js')).deleteCmd(ctx, a[0] as string, o),
      ),
    );

  program
    .command('exec')
    .description('run a command with the token variables of `token export` in its environment')
    .option('--profile <name>', 'profile to use (default: AUTHCTL_PROFILE, or the only one)')
    .addOption(durationOpt('--min-ttl <duration>', 'renew (or fail) when less than this is left', '30s'))
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText(
      'after',
      examples([
        'authctl exec --profile ci -- curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/',
      ]),
    )
    .action(
      act('exec', async (ctx, a, o) => (await import('../commands/exec.js')).exec(ctx, a[0] as string[], o)),
    );

  // Groups (`authctl token --help`, `authctl pryv --help`) show examples too (cli.md: every --help
  // shows examples): the first example of each subcommand, taken from its own help text.
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
