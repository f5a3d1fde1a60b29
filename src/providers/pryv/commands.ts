/** `authctl pryv request | poll`: flags, help and examples; the work is in run.ts (loaded lazily). */
import type { Command } from 'commander';
import type { CommandKit } from '../../cli/kit.js';
import { DEFAULT_LANG, DEFAULT_SERVICE_INFO_URL, DEFAULT_TIMEOUT } from './constants.js';

const run = () => import('./run.js');

/** Declare the `pryv` command group. */
export function register(program: Command, k: CommandKit): void {
  const pryv = program.command('pryv').description('Pryv.io access requests (consent page + polling)');
  const request = pryv
    .command('request')
    .description('ask a Pryv.io platform for access, open the consent page, wait, and save the token')
    .requiredOption('--app-id <id>', 'requesting app id (6–99 characters)')
    .option(
      '--permission <streamId:level[:defaultName]>',
      'permission to request; repeatable; levels: read, contribute, manage, create-only',
      k.collect,
    )
    .option('--service-info <url>', 'service info URL', DEFAULT_SERVICE_INFO_URL)
    .option('--lang <code>', 'language of the consent page', DEFAULT_LANG)
    .option('--device-name <name>', 'device name shown to the user')
    .addOption(k.duration('--timeout <duration>', 'give up waiting after this long', DEFAULT_TIMEOUT));
  k.noOpen(request)
    .option('--no-wait', 'print {authUrl, poll, key, pollRateMs} as JSON and exit without polling')
    .option('--no-verify', 'skip checking the token with GET access-info')
    .option('--qr', 'also draw the consent URL as a QR code on stderr')
    .addOption(k.profile('pryv'));
  k.loginOutput(request)
    .addHelpText(
      'after',
      k.examples([
        'authctl pryv request --app-id my-app-id --permission diary:read --permission notes:contribute:Notes',
        'authctl pryv request --app-id my-app-id --permission diary:read --service-info https://pryv.example.com/reg/service/info',
        'authctl pryv request --app-id my-app-id --permission diary:read --no-wait > req.json',
      ]),
    )
    .action(k.act(async (ctx, _a, o) => (await run()).request(ctx, o)));

  const poll = pryv
    .command('poll')
    .description('finish a request started with --no-wait: poll until the user decides, then save the token')
    .argument(
      '[poll-url]',
      'the "poll" URL printed by pryv request --no-wait, or - to read it from stdin (on the command line it warns: the URL holds the request key)',
    )
    .option('--from <file>', 'read the poll URL from the JSON pryv request --no-wait printed (- for stdin)')
    .addOption(k.duration('--timeout <duration>', 'give up waiting after this long', DEFAULT_TIMEOUT))
    .option('--no-verify', 'skip checking the token with GET access-info')
    .addOption(k.profile('pryv'));
  k.loginOutput(poll)
    .addHelpText(
      'after',
      k.examples([
        'authctl pryv request --app-id my-app-id --permission diary:read --no-wait > req.json',
        'authctl pryv poll --from req.json --print',
        'jq -r .poll req.json | authctl pryv poll -',
      ]),
    )
    .action(k.act(async (ctx, a, o) => (await run()).poll(ctx, a[0] as string | undefined, o)));
}
