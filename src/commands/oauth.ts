/** `authctl oauth …`: the generic OAuth 2.0 / OpenID Connect engine (cli.md "Generic OAuth"). */
import { parseScopes } from '../cli/parse.js';
import type { Context } from '../context.js';
import { ProtocolError, UsageError } from '../errors.js';
import {
  absoluteCaFile,
  obtainClientCredentials,
  runOptions,
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
    runOptions(opts, 'oauth'),
  );
}

/**
 * `oauth login`: authorization code + PKCE (S256) in the browser with a loopback redirect
 * (RFC 6749 §4.1, RFC 7636, RFC 8252); OpenID Connect nonce and ID token checks when `openid` is
 * requested; a public client unless a secret is offered (flag, stdin or AUTHCTL_CLIENT_SECRET).
 */
export async function login(ctx: Context, opts: Opts): Promise<void> {
  const { authorizationCodeLogin } = await import('../flows/oauth-authorization-code.js');
  const { parseRedirectUri } = await import('../protocol/authorize.js');
  const { subjectFromClaims } = await import('../protocol/idtoken.js');
  const { expiryIso } = await import('../protocol/oauth.js');
  const { isoUtc } = await import('../lib/format.js');
  const { resolveClientSecret } = await import('../ui/secret.js');
  const { discover } = await import('../flows/oauth-token.js');
  const { assertStoreUsable, finishLogin } = await import('./output.js');
  type ClientAuthMethod = import('../protocol/oauth.js').ClientAuthMethod;
  type ParamValue = import('../store/profile.js').ParamValue;
  type Profile = import('../store/profile.js').Profile;
  const clientId = opt(opts, 'clientId')?.trim();
  if (!clientId) throw new UsageError('--client-id is empty');
  const issuer = opt(opts, 'issuer');
  const authorizeFlag = opt(opts, 'authorizeUrl');
  const tokenFlag = opt(opts, 'tokenUrl');
  const endpoints = 'Use --issuer <url> for discovery, or both --authorize-url and --token-url.';
  if (issuer !== undefined && (authorizeFlag !== undefined || tokenFlag !== undefined)) {
    throw new UsageError('pass either --issuer or --authorize-url with --token-url, not both', endpoints);
  }
  if (issuer === undefined && (authorizeFlag === undefined || tokenFlag === undefined)) {
    const missing =
      authorizeFlag === undefined && tokenFlag === undefined
        ? '--issuer, or --authorize-url and --token-url'
        : authorizeFlag === undefined
          ? '--authorize-url (with --token-url)'
          : '--token-url (with --authorize-url)';
    throw new UsageError(`missing ${missing}`, endpoints);
  }
  if (issuer !== undefined) checkUrl(issuer, { insecure: ctx.insecure, source: 'flag', label: '--issuer' });
  if (authorizeFlag !== undefined)
    checkUrl(authorizeFlag, { insecure: ctx.insecure, source: 'flag', label: '--authorize-url' });
  if (tokenFlag !== undefined)
    checkUrl(tokenFlag, { insecure: ctx.insecure, source: 'flag', label: '--token-url' });
  const scopes = parseScopes(opts.scope as string[] | undefined);
  const resource = checkResource(opt(opts, 'resource'));
  const caFile = absoluteCaFile(opt(opts, 'caFile'));
  const manual = opts.manual === true;
  const redirectUri = opt(opts, 'redirectUri');
  if (redirectUri !== undefined) parseRedirectUri(redirectUri, { manual });
  if (manual && !ctx.io.interactive) {
    throw new UsageError(
      '--manual needs a terminal to paste the redirected URL into',
      'Run it in an interactive terminal, or drop --manual and finish the login in a browser on this machine.',
    );
  }
  // A confidential client only when a secret is offered; otherwise a public client (RFC 8252 §8.4).
  const secretOffered =
    opt(opts, 'clientSecret') !== undefined ||
    opts.clientSecretStdin === true ||
    Boolean(ctx.env.AUTHCTL_CLIENT_SECRET);
  if (opts.saveSecret === true && !secretOffered) {
    throw new UsageError(
      '--save-secret: there is no client secret to save',
      'Drop --save-secret for a public client.',
    );
  }
  const secret = secretOffered
    ? await resolveClientSecret(
        ctx,
        { clientSecret: opt(opts, 'clientSecret'), clientSecretStdin: opts.clientSecretStdin === true },
        clientId,
      )
    : undefined;
  assertStoreUsable(ctx);

  let authorizeUrl = authorizeFlag;
  let tokenUrl = tokenFlag;
  let issuerId: string | undefined;
  let authMethod: ClientAuthMethod = secret === undefined ? 'none' : 'client_secret_basic';
  if (issuer !== undefined) {
    const meta = await discover(ctx, issuer, caFile);
    if (!meta.authorizationEndpoint) {
      throw new ProtocolError(
        `the metadata of ${issuer} names no authorization_endpoint`,
        'Pass the endpoints with --authorize-url and --token-url.',
      );
    }
    authorizeUrl = meta.authorizationEndpoint;
    tokenUrl = meta.tokenEndpoint;
    issuerId = meta.issuer;
    if (meta.codeChallengeMethods && !meta.codeChallengeMethods.includes('S256')) {
      ctx.io.err(`warning: ${issuer} does not list PKCE S256 support; using it anyway.\n`);
    }
    // cli.md: Basic by default; post when the server says it takes only that.
    const methods = meta.tokenEndpointAuthMethods;
    if (
      secret !== undefined &&
      methods &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post')
    )
      authMethod = 'client_secret_post';
  }

  const result = await authorizationCodeLogin(ctx, {
    authorizeUrl: authorizeUrl!,
    tokenUrl: tokenUrl!,
    client: { clientId, secret, authMethod },
    scopes,
    resource,
    redirectUri,
    pkce: true,
    openid: scopes.includes('openid') ? { issuer: issuerId } : undefined,
    issuer: issuerId,
    // OIDC Core §11: offline_access is honoured only with prompt=consent.
    extraAuthorizeParams: scopes.includes('offline_access') ? { prompt: 'consent' } : undefined,
    open: opts.open !== false,
    manual,
    timeoutMs: typeof opts.timeout === 'number' ? opts.timeout : 5 * 60_000,
    providerLabel: issuerId ? new URL(issuerId).host : 'the authorization server',
    caFile,
  });

  const now = ctx.now();
  const t = result.tokens;
  const params: Record<string, ParamValue> = {};
  if (issuerId) params.issuer = issuerId;
  Object.assign(params, {
    authorizeUrl: authorizeUrl!,
    tokenUrl: tokenUrl!,
    clientId,
    authMethod,
    confidential: secret !== undefined,
    scope: scopes.join(' '),
  });
  if (resource) params.resource = resource;
  params.redirectUri = result.redirectUri;
  if (caFile) params.caFile = caFile;
  const profile: Profile = {
    provider: 'oauth',
    flow: 'authorization_code',
    token: t.accessToken,
    tokenType: t.tokenType,
    obtainedAt: isoUtc(now),
    expiresAt: expiryIso(t.expiresIn, now),
    subject: subjectFromClaims(result.idTokenClaims),
    scopes: t.scope ?? scopes,
    params,
  };
  if (t.refreshToken) profile.refreshToken = t.refreshToken;
  if (t.idToken) profile.idToken = t.idToken;
  if (secret !== undefined && opts.saveSecret === true) profile.clientSecret = secret;
  const name = opt(opts, 'profile') ?? 'oauth';
  const who = profile.subject ? ` as ${profile.subject}` : '';
  const refresh = t.refreshToken ? ' with a refresh token' : ' (no refresh token was issued)';
  await finishLogin(
    ctx,
    name,
    profile,
    { json: opts.json === true, print: opts.print === true },
    `Logged in${who}; saved${refresh} as profile '${name}'`,
  );
}
