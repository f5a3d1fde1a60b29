/** `authctl oauth …`: the generic OAuth 2.0 / OpenID Connect engine (cli.md "Generic OAuth"). */
import { parseScopes } from '../cli/parse.js';
import type { Context } from '../context.js';
import { FailureError, UsageError } from '../errors.js';
import {
  absoluteCaFile,
  obtainClientCredentials,
  type SecretAuthMethod,
} from '../flows/oauth-client-credentials.js';
import { checkUrl } from '../http/url.js';

type Opts = Record<string, unknown>;

const opt = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
function checkResource(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let ok = false;
  try {
    ok = new URL(value).hash === '' && !value.includes('#');
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new UsageError(
      `--resource: '${value}' is not an absolute URI without a fragment (RFC 8707)`,
      'Pass the API identifier your provider documents, e.g. https://api.example.com/.',
    );
  }
  return value;
}

/** `oauth client-credentials`: a token for the client itself (RFC 6749 §4.4), cached while valid. */
export async function clientCredentials(ctx: Context, opts: Opts): Promise<void> {
  const clientId = opt(opts, 'clientId')?.trim();
  if (!clientId) throw new UsageError('--client-id is empty');
  const issuer = opt(opts, 'issuer');
  const tokenUrl = opt(opts, 'tokenUrl');
  if ((issuer === undefined) === (tokenUrl === undefined)) {
    throw new UsageError(
      issuer === undefined ? 'pass --issuer or --token-url' : 'pass either --issuer or --token-url, not both',
      'Use --issuer <url> for discovery, or --token-url <url> to name the token endpoint.',
    );
  }
  if (tokenUrl !== undefined)
    checkUrl(tokenUrl, { insecure: ctx.insecure, source: 'flag', label: '--token-url' });
  if (issuer !== undefined) checkUrl(issuer, { insecure: ctx.insecure, source: 'flag', label: '--issuer' });
  const authMethod = (opt(opts, 'authMethod') ?? 'client_secret_basic') as SecretAuthMethod;
  if (authMethod !== 'client_secret_basic' && authMethod !== 'client_secret_post') {
    throw new UsageError(`--auth-method: unknown method '${authMethod}'`);
  }
  const audience = opt(opts, 'audience');
  if (audience === '') throw new UsageError('--audience is empty');
  await obtainClientCredentials(
    ctx,
    {
      provider: 'oauth',
      tokenUrl,
      issuer,
      clientId,
      authMethod,
      scopes: parseScopes(opts.scope as string[] | undefined),
      resource: checkResource(opt(opts, 'resource')),
      audience,
      caFile: absoluteCaFile(opt(opts, 'caFile')),
    },
    {
      profile: opt(opts, 'profile') ?? 'oauth',
      force: opts.force === true,
      saveSecret: opts.saveSecret === true,
      json: opts.json === true,
      print: opts.print === true,
      clientSecret: opt(opts, 'clientSecret'),
      clientSecretStdin: opts.clientSecretStdin === true,
    },
  );
}

/** Not implemented yet. */
export async function login(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
