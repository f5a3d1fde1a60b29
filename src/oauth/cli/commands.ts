/**
 * Declarations of `authctl oauth …` (commander): flags, help and examples. The actions load
 * ./run.js lazily, so start-up pays only for the command that runs. Options are made through the
 * kit, so this module loads no commander code itself (the provider registry imports it).
 */
import type { Command } from 'commander';
import type { CommandKit, Run } from '../../cli/kit.js';
import { CLIENT_AUTH_METHODS } from '../protocol.js';

/** Register `oauth client-credentials | login | device | token-exchange` on `program`. */
export function registerOAuthCommands(program: Command, k: CommandKit): void {
  const act = (_path: string, fn: Run) => k.act(fn);
  const durationOpt = k.duration;
  const profileOpt = k.profile;
  const { examples, collect } = k;
  const run = () => import('./run.js');

  /** Client authentication flags shared by every oauth command. */
  const clientAuth = (c: Command, defaultHint: string) =>
    k
      .secretOptions(
        c.addOption(
          k.choice(
            '--auth-method <method>',
            `client authentication (default: ${defaultHint})`,
            CLIENT_AUTH_METHODS,
          ),
        ),
      )
      .option('--private-key <pem>', 'private key for private_key_jwt (RSA or EC P-256, PEM, mode 0600)')
      .option('--key-id <kid>', 'kid of the private key (default: its RFC 7638 thumbprint)')
      .addOption(
        k.choice('--signing-alg <alg>', 'assertion algorithm (default from the key: RS256 or ES256)', [
          'RS256',
          'PS256',
          'ES256',
        ]),
      )
      .option(
        '--cert <pem>',
        'client certificate for mutual TLS (tls_client_auth, self_signed_tls_client_auth)',
      )
      .option('--key <pem>', 'private key of --cert')
      .option(
        '--client-assertion-file <file>',
        'federated client assertion (a CI OIDC token), re-read on renewal',
      )
      .option('--client-assertion-env <VAR>', 'environment variable holding the federated client assertion')
      .option('--token-param <name=value>', 'extra token request parameter; repeatable', collect)
      .option('--ca-file <pem>', 'extra CA certificates (PEM) to trust');

  const output = (c: Command) =>
    c
      .addOption(profileOpt('oauth'))
      .option('--json', 'print the saved profile as JSON (without the token)')
      .option('--print', 'print the access token to stdout');

  const oauth = program.command('oauth').description('generic OAuth 2.0 / OpenID Connect');

  const cc = oauth
    .command('client-credentials')
    .description('get a token with the client credentials grant (RFC 6749 §4.4)')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--token-url <url>', 'token endpoint (instead of --issuer)')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'scope; repeatable', collect)
    .option('--resource <uri>', 'resource indicator (RFC 8707); repeatable', collect)
    .option('--audience <aud>', 'audience parameter, for servers that want one');
  clientAuth(cc, 'client_secret_basic, or what --private-key, --cert or a client assertion implies')
    .option('--force', 'fetch a new token even if the cached one is still valid')
    .option('--save-secret', 'store the client secret with the profile');
  output(cc)
    .addHelpText(
      'after',
      examples([
        'AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials --issuer https://id.example.com --client-id svc --scope api:read --print',
        'authctl oauth client-credentials --token-url https://id.example.com/token --client-id svc --auth-method client_secret_post --client-secret-stdin',
        'authctl oauth client-credentials --issuer https://id.example.com --client-id svc --private-key svc-key.pem --scope api:read',
        'authctl oauth client-credentials --issuer https://id.example.com --client-id svc --auth-method tls_client_auth --cert svc.crt --key svc.key',
        'authctl oauth client-credentials --issuer https://login.example.com --client-id app --client-assertion-env CI_OIDC_TOKEN --scope api/.default',
      ]),
    )
    .action(act('oauth client-credentials', async (ctx, _a, o) => (await run()).clientCredentials(ctx, o)));

  const login = oauth
    .command('login')
    .description('log in through the browser: authorization code + PKCE with a loopback redirect')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--authorize-url <url>', 'authorization endpoint (with --token-url, instead of --issuer)')
    .option('--token-url <url>', 'token endpoint')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'scope; repeatable', collect)
    .option('--resource <uri>', 'resource indicator (RFC 8707); repeatable', collect)
    .option('--audience <aud>', 'audience parameter (Auth0 and others)')
    .option('--prompt <prompt>', 'prompt parameter: none, login, consent, select_account')
    .option('--login-hint <hint>', 'login_hint parameter (the user name or e-mail to suggest)')
    .option('--acr-values <values>', 'acr_values parameter (requested authentication context)')
    .option('--max-age <seconds>', 'max_age parameter (re-authenticate when the session is older)')
    .option('--param <name=value>', 'extra authorization request parameter; repeatable', collect)
    .option('--par', 'send the authorization request as a pushed authorization request (RFC 9126)')
    .option('--redirect-uri <uri>', 'redirect URI (default http://127.0.0.1:<free port>/callback)');
  clientAuth(login, 'none, or client_secret_basic when a secret is given')
    .option('--no-open', 'do not open a browser; just print the URL')
    .option('--manual', 'paste the final redirected URL instead of receiving it on the loopback listener')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting for the login after this long', '5m'))
    .option('--save-secret', 'store the client secret with the profile');
  output(login)
    .addHelpText(
      'after',
      examples([
        'authctl oauth login --issuer https://id.example.com --client-id cli-app --scope "openid offline_access"',
        'authctl oauth login --issuer https://tenant.auth0.example --client-id cli-app --audience https://api.example.com --scope openid',
        'authctl oauth login --issuer https://bank.example --client-id fapi-app --private-key app-key.pem --par --scope openid',
      ]),
    )
    .action(act('oauth login', async (ctx, _a, o) => (await run()).login(ctx, o)));

  const dev = oauth
    .command('device')
    .description('log in on a machine without a browser: the device authorization grant (RFC 8628)')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--device-url <url>', 'device authorization endpoint (with --token-url, instead of --issuer)')
    .option('--token-url <url>', 'token endpoint')
    .requiredOption('--client-id <id>', 'client id')
    .option('--scope <scope>', 'scope; repeatable', collect)
    .option('--resource <uri>', 'resource indicator (RFC 8707); repeatable', collect)
    .option('--audience <aud>', 'audience parameter (Auth0 and others)')
    .option('--param <name=value>', 'extra device authorization request parameter; repeatable', collect);
  clientAuth(dev, 'none, or client_secret_basic when a secret is given')
    .option('--no-open', 'do not open a browser; just print the URL and the code')
    .option('--qr', 'also draw the verification URL as a QR code on stderr')
    .addOption(durationOpt('--timeout <duration>', 'give up waiting for approval after this long', '15m'))
    .option('--save-secret', 'store the client secret with the profile');
  output(dev)
    .addHelpText(
      'after',
      examples([
        'authctl oauth device --issuer https://id.example.com --client-id cli-app --scope "openid offline_access"',
        'authctl oauth device --device-url https://id.example.com/device --token-url https://id.example.com/token --client-id cli-app --no-open --qr',
      ]),
    )
    .action(act('oauth device', async (ctx, _a, o) => (await run()).device(ctx, o)));

  const tx = oauth
    .command('token-exchange')
    .description('trade a subject token (e.g. a CI OIDC token) for an access token (RFC 8693)')
    .option('--issuer <url>', 'issuer for OpenID Connect / RFC 8414 discovery')
    .option('--token-url <url>', 'token endpoint (instead of --issuer)')
    .requiredOption('--client-id <id>', 'client id')
    .option('--subject-token-file <file>', 'file holding the subject token (re-read on renewal)')
    .option('--subject-token-env <VAR>', 'environment variable holding the subject token')
    .option('--subject-token-type <uri>', 'type of the subject token', 'urn:ietf:params:oauth:token-type:jwt')
    .option('--actor-token-file <file>', 'file holding an actor token (delegation)')
    .option('--actor-token-env <VAR>', 'environment variable holding an actor token')
    .option(
      '--actor-token-type <uri>',
      'type of the actor token (default urn:ietf:params:oauth:token-type:jwt)',
    )
    .option('--requested-token-type <uri>', 'type of token to ask for')
    .option('--audience <aud>', 'where the new token will be used')
    .option('--resource <uri>', 'resource indicator (RFC 8707); repeatable', collect)
    .option('--scope <scope>', 'scope; repeatable', collect);
  clientAuth(tx, 'none, or client_secret_basic when a secret is given').option(
    '--save-secret',
    'store the client secret with the profile',
  );
  output(tx)
    .addHelpText(
      'after',
      examples([
        'authctl oauth token-exchange --issuer https://sts.example.com --client-id ci --subject-token-env ACTIONS_OIDC_TOKEN --audience https://api.example.com --print',
        'authctl oauth token-exchange --token-url https://sts.example.com/token --client-id ci --subject-token-file /var/run/secrets/tokens/sa-token --scope deploy',
      ]),
    )
    .action(act('oauth token-exchange', async (ctx, _a, o) => (await run()).tokenExchange(ctx, o)));
}
