/**
 * The command tree (commander): global flags, then each provider's commands from the registry
 * (src/providers/index.ts), the generic OAuth commands, and the token commands. Every action
 * imports its run function lazily, so start-up pays only for the command that runs.
 */
import type { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { terminalSafe } from '../lib/text.js';
import { PROVIDERS } from '../providers/index.js';
import { registerSandboxCommands } from '../sandbox/commands.js';
import { writeStdout } from '../ui/io.js';
import { type ContextFactory, createKit, examples, type Run } from './kit.js';
import { collect } from './parse.js';
import { registerTokenCommands } from './token-commands.js';

export type { ContextFactory } from './kit.js';

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

/** Build the whole program. `makeContext` is called when an action runs. */
export function buildProgram(makeContext: ContextFactory): Command {
  const kit = createKit(makeContext);
  const act = (_path: string, run: Run) => kit.act(run);
  const durationOpt = kit.duration;
  const profileOpt = kit.profile;
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
      writeErr: (s) => process.stderr.write(terminalSafe(s)),
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
        `authctl exec --profile ci -- sh -c 'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://api.example.com/'`,
      ]) +
        '\nExit codes: 0 ok, 1 failure, 2 usage, 3 refused, 4 no usable token, 5 timed out, 130 interrupted.\n',
    );

  for (const p of PROVIDERS) p.register(program, kit);

  // ---- Generic OAuth ----
  const oauth = program.command('oauth').description('generic OAuth 2.0 / OpenID Connect');
  oauth
    .command('client-credentials')
    .description('get a token with the client credentials grant (RFC 6749 §4.4)')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--token-url <url>', 'token endpoint (instead of --issuer)')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'scope; repeatable', collect)
    .option('--resource <uri>', 'resource indicator (RFC 8707)')
    .option('--audience <aud>', 'audience parameter, for servers that want one')
    .addOption(
      new Option('--auth-method <method>', 'client authentication')
        .choices(['client_secret_basic', 'client_secret_post'])
        .default('client_secret_basic'),
    )
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .addOption(
      new Option(
        '--client-secret <secret>',
        'client secret (visible via ps; prefer AUTHCTL_CLIENT_SECRET)',
      ).hideHelp(),
    )
    .option('--ca-file <pem>', 'extra CA certificates (PEM) to trust')
    .option('--force', 'fetch a new token even if the cached one is still valid')
    .option('--save-secret', 'store the client secret with the profile')
    .addOption(profileOpt('oauth'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText(
      'after',
      examples([
        'AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials --issuer https://id.example.com --client-id svc --scope api:read --print',
        'authctl oauth client-credentials --token-url https://id.example.com/token --client-id svc --auth-method client_secret_post --client-secret-stdin',
      ]),
    )
    .action(
      act('oauth client-credentials', async (ctx, _a, o) =>
        (await import('../commands/oauth.js')).clientCredentials(ctx, o),
      ),
    );
  oauth
    .command('login')
    .description('log in through the browser: authorization code + PKCE with a loopback redirect')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--authorize-url <url>', 'authorization endpoint (with --token-url, instead of --issuer)')
    .option('--token-url <url>', 'token endpoint')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'scope; repeatable', collect)
    .option('--resource <uri>', 'resource indicator (RFC 8707)')
    .option('--redirect-uri <uri>', 'redirect URI (default http://127.0.0.1:<free port>/callback)')
    .option('--client-secret-stdin', 'read the client secret from stdin (confidential clients)')
    .addOption(new Option('--client-secret <secret>', 'client secret (visible via ps)').hideHelp())
    .option('--ca-file <pem>', 'extra CA certificates (PEM) to trust')
    .option('--no-open', 'do not open a browser; just print the URL')
    .option('--manual', 'paste the final redirected URL instead of receiving it on the loopback listener')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting for the login after this long', '5m'))
    .option('--save-secret', 'store the client secret with the profile')
    .addOption(profileOpt('oauth'))
    .option('--json', 'print the saved profile as JSON (without the token)')
    .option('--print', 'print the access token to stdout')
    .addHelpText(
      'after',
      examples([
        'authctl oauth login --issuer https://id.example.com --client-id cli-app --scope "openid offline_access"',
      ]),
    )
    .action(act('oauth login', async (ctx, _a, o) => (await import('../commands/oauth.js')).login(ctx, o)));

  registerTokenCommands(program, kit);

  registerSandboxCommands(program, kit);

  // Groups (`authctl token --help`, `authctl pryv --help`) show examples too, as every --help does:
  // the first example of each subcommand, taken from its own help text.
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
