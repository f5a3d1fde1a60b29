/**
 * `authctl oauth …` actions: check every flag before any request (exit 2), run the engine, then
 * print and save through finishLogin. The generic OAuth 2.0 / OpenID Connect engine's command layer.
 */
import path from 'node:path';
import { parseScopes } from '../../cli/parse.js';
import type { Context } from '../../context.js';
import { ProtocolError, UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import type {
  AuthorizationCodeParams,
  AuthorizationCodeProfile,
  DeviceCodeParams,
  DeviceCodeProfile,
  OAuthParams,
} from '../../store/profile.js';
import { checkClientAuth, needsSecret, type OAuthClient, usesCertificate } from '../client-auth/index.js';
import { type RequestRecord, requestParams } from '../params.js';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type TokenSet } from '../protocol.js';

type Opts = Record<string, unknown>;

/** The profile of a login a person approved, by its flow. */
type UserLoginProfile<F> = Extract<AuthorizationCodeProfile | DeviceCodeProfile, { flow: F }>;

const opt = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;
/** A repeatable flag's values (a single string counts as one, for callers other than commander). */
const list = (o: Opts, k: string): string[] =>
  Array.isArray(o[k]) ? (o[k] as string[]) : typeof o[k] === 'string' ? [o[k] as string] : [];
const abs = (f: string | undefined) => (f === undefined ? undefined : path.resolve(f));

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. Every value is kept. */
export function checkResources(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
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
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** --param / --token-param values: `name=value` with a non-empty name. */
export function checkPairs(values: readonly string[], flag: string): string[] {
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) {
      throw new UsageError(`${flag} '${v}' is not name=value`, `Write it as ${flag} name=value.`);
    }
  }
  return [...values];
}

const pairs = (values: readonly string[]): Array<[string, string]> =>
  values.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]);

/** --client-id, trimmed and non-empty. */
function clientIdOf(opts: Opts): string {
  const id = opt(opts, 'clientId')?.trim();
  if (!id) throw new UsageError('--client-id is empty');
  return id;
}

/** Whether a client secret was offered (flag, stdin or AUTHCTL_CLIENT_SECRET). */
function secretOffered(ctx: Context, opts: Opts): boolean {
  return (
    opt(opts, 'clientSecret') !== undefined ||
    opts.clientSecretStdin === true ||
    Boolean(ctx.env.AUTHCTL_CLIENT_SECRET)
  );
}

/**
 * The client authentication from the flags: --auth-method, or the method the other flags imply
 * (--private-key → private_key_jwt, --cert → tls_client_auth, a client assertion → a JWT bearer
 * assertion, a secret → `secretDefault`, nothing → none). Files are checked now (exit 2).
 */
export async function clientFromFlags(
  ctx: Context,
  opts: Opts,
  clientId: string,
  fallback: { withSecret: ClientAuthMethod; without: ClientAuthMethod },
): Promise<OAuthClient & { explicit: boolean }> {
  const given = opt(opts, 'authMethod') as ClientAuthMethod | undefined;
  if (given !== undefined && !CLIENT_AUTH_METHODS.includes(given)) {
    throw new UsageError(
      `--auth-method: unknown method '${given}'`,
      `Use one of ${CLIENT_AUTH_METHODS.join(', ')}.`,
    );
  }
  const assertionFile = abs(opt(opts, 'clientAssertionFile'));
  const assertionEnv = opt(opts, 'clientAssertionEnv');
  if (assertionFile !== undefined && assertionEnv !== undefined) {
    throw new UsageError('pass either --client-assertion-file or --client-assertion-env, not both');
  }
  const privateKeyFile = abs(opt(opts, 'privateKey'));
  const certFile = abs(opt(opts, 'cert'));
  const keyFile = abs(opt(opts, 'key'));
  const assertion = assertionFile !== undefined || assertionEnv !== undefined;
  let method: ClientAuthMethod;
  if (given) method = given;
  else if (assertion || privateKeyFile) method = 'private_key_jwt';
  else if (certFile || keyFile) method = 'tls_client_auth';
  else method = secretOffered(ctx, opts) ? fallback.withSecret : fallback.without;
  if (assertion && method !== 'private_key_jwt') {
    throw new UsageError(
      `a client assertion is sent as a JWT bearer assertion, not with --auth-method ${method}`,
      'Drop --auth-method (or use private_key_jwt) with --client-assertion-file/--client-assertion-env.',
    );
  }
  if (assertion && privateKeyFile)
    throw new UsageError('pass either --private-key or a client assertion, not both');
  if (privateKeyFile && method !== 'private_key_jwt') {
    throw new UsageError(`--private-key is for --auth-method private_key_jwt, not ${method}`);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError(
      certFile ? '--cert needs --key (the certificate private key)' : '--key needs --cert',
    );
  }
  const signingAlg = opt(opts, 'signingAlg');
  if (signingAlg !== undefined && method !== 'private_key_jwt') {
    throw new UsageError('--signing-alg is for --auth-method private_key_jwt');
  }
  const client: OAuthClient & { explicit: boolean } = {
    clientId,
    authMethod: method,
    explicit: given !== undefined,
    ...(privateKeyFile ? { privateKeyFile } : {}),
    ...(opt(opts, 'keyId') ? { keyId: opt(opts, 'keyId') } : {}),
    ...(signingAlg ? { signingAlg } : {}),
    ...(certFile ? { certFile, keyFile } : {}),
    ...(assertionFile ? { assertionFile } : {}),
    ...(assertionEnv ? { assertionEnv } : {}),
  };
  await checkClientAuth(ctx, client);
  return client;
}

/** Resolve the secret when the method needs one (prompt, stdin, env); undefined otherwise. */
async function secretFor(ctx: Context, opts: Opts, client: OAuthClient): Promise<string | undefined> {
  if (!needsSecret(client.authMethod) || client.assertionFile || client.assertionEnv) {
    if (opts.saveSecret === true) {
      throw new UsageError(
        `--save-secret: ${client.authMethod} uses no client secret`,
        'Drop --save-secret.',
      );
    }
    return undefined;
  }
  const { resolveClientSecret } = await import('../../ui/secret.js');
  return resolveClientSecret(
    ctx,
    { clientSecret: opt(opts, 'clientSecret'), clientSecretStdin: opts.clientSecretStdin === true },
    client.clientId,
  );
}

/** --issuer or the explicit endpoints, checked. */
function endpointFlags(
  ctx: Context,
  opts: Opts,
  names: string[],
  cmd: string,
): Record<string, string | undefined> {
  const issuer = opt(opts, 'issuer');
  const given = Object.fromEntries(names.map((n) => [n, opt(opts, n)]));
  const flag = (n: string) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const help = `Use --issuer <url> for discovery, or ${names.map(flag).join(' and ')}.`;
  const anyGiven = names.some((n) => given[n] !== undefined);
  if (issuer !== undefined && anyGiven) {
    throw new UsageError(`${cmd}: pass either --issuer or ${names.map(flag).join(' with ')}, not both`, help);
  }
  if (issuer === undefined) {
    const missing = names.filter((n) => given[n] === undefined);
    if (missing.length) {
      throw new UsageError(
        `missing ${anyGiven ? missing.map(flag).join(', ') : `--issuer, or ${names.map(flag).join(' and ')}`}`,
        help,
      );
    }
  }
  if (issuer !== undefined) checkUrl(issuer, { insecure: ctx.insecure, source: 'flag', label: '--issuer' });
  for (const n of names) {
    const v = given[n];
    if (v !== undefined) checkUrl(v, { insecure: ctx.insecure, source: 'flag', label: flag(n) });
  }
  return { issuer, ...given };
}

/** --issuer or --token-url, exactly one, checked: the commands that talk to the token endpoint only. */
function tokenEndpointFlags(ctx: Context, opts: Opts): { issuer?: string; tokenUrl?: string } {
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
  return { issuer, tokenUrl };
}

/** --audience: absent, or a non-empty value. */
function audienceOf(opts: Opts): string | undefined {
  const value = opt(opts, 'audience');
  if (value === '') throw new UsageError('--audience is empty');
  return value;
}

/** `oauth client-credentials`: a token for the client itself (RFC 6749 §4.4), cached while valid. */
export async function clientCredentials(ctx: Context, opts: Opts): Promise<void> {
  const { absoluteCaFile, obtainClientCredentials, runOptions } = await import('./obtain.js');
  const clientId = clientIdOf(opts);
  const { issuer, tokenUrl } = tokenEndpointFlags(ctx, opts);
  const audience = audienceOf(opts);
  const resource = checkResources(list(opts, 'resource'));
  const tokenParams = checkPairs(list(opts, 'tokenParam'), '--token-param');
  const run = runOptions(ctx, opts, 'oauth', clientId);
  const client = await clientFromFlags(ctx, opts, clientId, {
    withSecret: 'client_secret_basic',
    without: 'client_secret_basic',
  });
  if (client.authMethod === 'none') {
    throw new UsageError(
      'client credentials need client authentication; --auth-method none cannot be used here',
    );
  }
  if (!needsSecret(client.authMethod) && opts.saveSecret === true) {
    throw new UsageError(`--save-secret: ${client.authMethod} uses no client secret`, 'Drop --save-secret.');
  }
  const { clientId: _c, authMethod, explicit: _e, secret: _s, ...sources } = client;
  await obtainClientCredentials(
    ctx,
    {
      provider: 'oauth',
      tokenUrl,
      issuer,
      clientId,
      authMethod,
      client: sources,
      scopes: parseScopes(opts.scope as string[] | undefined),
      resource,
      audience,
      tokenParams,
      caFile: absoluteCaFile(opt(opts, 'caFile')),
    },
    run,
  );
}

/**
 * Authorization-request extras from the flags (OpenID Connect Core, section 3.1.2.1; Auth0's
 * audience; --param).
 */
export function authorizeExtras(opts: Opts): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (flag: string, key: string, name: string) => {
    const v = opt(opts, key);
    if (v === undefined) return;
    if (v === '') throw new UsageError(`--${flag} is empty`);
    out.push([name, v]);
  };
  add('audience', 'audience', 'audience');
  add('prompt', 'prompt', 'prompt');
  add('login-hint', 'loginHint', 'login_hint');
  add('acr-values', 'acrValues', 'acr_values');
  const maxAge = opt(opts, 'maxAge');
  if (maxAge !== undefined) {
    if (!/^\d+$/.test(maxAge)) throw new UsageError(`--max-age '${maxAge}' is not a number of seconds`);
    out.push(['max_age', maxAge]);
  }
  out.push(...pairs(checkPairs(list(opts, 'param'), '--param')));
  return out;
}

/** The parameters every interactive oauth profile keeps. */
function commonParams(
  client: OAuthClient,
  secret: string | undefined,
  x: Omit<RequestRecord, 'client'> & { jwksUri?: string | undefined },
): OAuthParams {
  const p = requestParams({ ...x, client });
  p.confidential = secret !== undefined;
  if (x.jwksUri) p.jwksUri = x.jwksUri;
  return p;
}
/**
 * The client of a login a person approves (browser or device): confidential only when a secret,
 * key or certificate is offered, else public (RFC 8252 §8.4); its secret; and the store checks made
 * before any request, so nobody is asked to consent to a token that could not be saved.
 */
async function userLoginClient(
  ctx: Context,
  opts: Opts,
  clientId: string,
  flow: 'authorization_code' | 'device_code',
  rules: { saveSecretNeedsSecret?: boolean } = {},
): Promise<{ client: OAuthClient & { explicit: boolean }; secret: string | undefined }> {
  const { assertCanSave, assertStoreUsable, saveRules } = await import('../../commands/output.js');
  const client = await clientFromFlags(ctx, opts, clientId, {
    withSecret: 'client_secret_basic',
    without: 'none',
  });
  if (rules.saveSecretNeedsSecret && opts.saveSecret === true && !secretOffered(ctx, opts)) {
    throw new UsageError(
      '--save-secret: there is no client secret to save',
      'Drop --save-secret for a public client.',
    );
  }
  const secret = await secretFor(ctx, opts, client);
  assertStoreUsable(ctx);
  assertCanSave(ctx, opt(opts, 'profile') ?? 'oauth', { provider: 'oauth', flow, clientId }, saveRules(opts));
  return { client, secret };
}

/**
 * `oauth login`: authorization code + PKCE (S256) in the browser with a loopback redirect
 * (RFC 6749 §4.1, RFC 7636, RFC 8252); PAR (RFC 9126) when the server requires it or --par;
 * OpenID Connect nonce and ID token checks when `openid` is requested.
 */
export async function login(ctx: Context, opts: Opts): Promise<void> {
  const { authorizationCodeLogin } = await import('../grants/authorization-code.js');
  const { parseRedirectUri } = await import('../authorize.js');
  const { discover, endpointFor } = await import('../discovery.js');
  const { absoluteCaFile } = await import('../grants/client-credentials.js');
  const clientId = clientIdOf(opts);
  const ep = endpointFlags(ctx, opts, ['authorizeUrl', 'tokenUrl'], 'oauth login');
  const scopes = parseScopes(opts.scope as string[] | undefined);
  const resource = checkResources(list(opts, 'resource'));
  const extras = authorizeExtras(opts);
  const tokenParams = checkPairs(list(opts, 'tokenParam'), '--token-param');
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
  if (opts.par === true && ep.issuer === undefined) {
    throw new UsageError(
      '--par needs --issuer',
      'The pushed authorization request endpoint comes from discovery.',
    );
  }
  // A confidential client only when a secret (or key, certificate…) is offered; else public (RFC 8252 §8.4).
  const { client, secret } = await userLoginClient(ctx, opts, clientId, 'authorization_code', {
    saveSecretNeedsSecret: true,
  });

  let authorizeUrl = ep.authorizeUrl;
  let tokenUrl = ep.tokenUrl;
  let issuerId: string | undefined;
  let parUrl: string | undefined;
  let issRequired = false;
  let jwksUri: string | undefined;
  if (ep.issuer !== undefined) {
    const meta = await discover(ctx, ep.issuer, caFile);
    if (!meta.authorizationEndpoint) {
      throw new ProtocolError(
        `the metadata of ${ep.issuer} names no authorization_endpoint`,
        'Pass the endpoints with --authorize-url and --token-url.',
      );
    }
    const mtls = usesCertificate(client);
    authorizeUrl = meta.authorizationEndpoint;
    tokenUrl = endpointFor(meta, 'token_endpoint', meta.tokenEndpoint, mtls);
    issuerId = meta.issuer;
    issRequired = meta.issParameterSupported === true;
    jwksUri = meta.jwksUri;
    if (meta.codeChallengeMethods && !meta.codeChallengeMethods.includes('S256')) {
      ctx.io.err(`warning: ${ep.issuer} does not list PKCE S256 support; using it anyway.\n`);
    }
    // Basic by default; post when the server says it takes only that.
    const methods = meta.tokenEndpointAuthMethods;
    if (
      !client.explicit &&
      client.authMethod === 'client_secret_basic' &&
      methods &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post')
    )
      client.authMethod = 'client_secret_post';
    if (opts.par === true || meta.requirePar) {
      if (!meta.parEndpoint) {
        throw new ProtocolError(
          `${ep.issuer} ${meta.requirePar ? 'requires pushed authorization requests but' : ''} names no pushed_authorization_request_endpoint`.replace(
            '  ',
            ' ',
          ),
        );
      }
      parUrl = endpointFor(meta, 'pushed_authorization_request_endpoint', meta.parEndpoint, mtls);
    }
  }

  // OpenID Connect Core, section 11: offline_access is honoured only with prompt=consent (unless
  // --prompt says otherwise).
  if (scopes.includes('offline_access') && !extras.some(([k]) => k === 'prompt'))
    extras.unshift(['prompt', 'consent']);
  const result = await authorizationCodeLogin(ctx, {
    authorizeUrl: authorizeUrl!,
    tokenUrl: tokenUrl!,
    client: { ...client, secret },
    scopes,
    resource,
    redirectUri,
    pkce: true,
    openid: scopes.includes('openid') ? { issuer: issuerId } : undefined,
    issuer: issuerId,
    issRequired,
    extraAuthorizeParams: extras,
    tokenParams: pairs(tokenParams),
    parUrl,
    jwksUri,
    open: opts.open !== false,
    manual,
    timeoutMs: typeof opts.timeout === 'number' ? opts.timeout : 5 * 60_000,
    providerLabel: issuerId ? new URL(issuerId).host : 'the authorization server',
    caFile,
  });

  const params: AuthorizationCodeParams = {
    ...commonParams(client, secret, {
      issuer: issuerId,
      tokenUrl: tokenUrl!,
      scopes,
      resource,
      tokenParams,
      caFile,
      jwksUri,
    }),
    authorizeUrl: authorizeUrl!,
    redirectUri: result.redirectUri,
  };
  if (parUrl) params.par = true;
  await saveUserLogin(ctx, opts, 'authorization_code', params, result.tokens, result.idTokenClaims, {
    scopes,
    secret,
  });
}

/** `oauth device`: the device authorization grant (RFC 8628) for machines without a browser. */
export async function device(ctx: Context, opts: Opts): Promise<void> {
  const { requestDeviceCode, pollDeviceToken } = await import('../grants/device.js');
  const { tryOpen } = await import('../../ui/browser.js');
  const { discover, endpointFor } = await import('../discovery.js');
  const { absoluteCaFile } = await import('../grants/client-credentials.js');
  const { checkIdToken } = await import('../idtoken.js');
  const { needsSignatureCheck, verifyIdTokenSignature } = await import('../idtoken-signature.js');
  const clientId = clientIdOf(opts);
  const ep = endpointFlags(ctx, opts, ['deviceUrl', 'tokenUrl'], 'oauth device');
  const scopes = parseScopes(opts.scope as string[] | undefined);
  const resource = checkResources(list(opts, 'resource'));
  const audience = audienceOf(opts);
  const extraParams = pairs(checkPairs(list(opts, 'param'), '--param'));
  const tokenParams = checkPairs(list(opts, 'tokenParam'), '--token-param');
  const caFile = absoluteCaFile(opt(opts, 'caFile'));
  const { client, secret } = await userLoginClient(ctx, opts, clientId, 'device_code');

  let deviceUrl = ep.deviceUrl;
  let tokenUrl = ep.tokenUrl;
  let issuerId: string | undefined;
  let jwksUri: string | undefined;
  if (ep.issuer !== undefined) {
    const meta = await discover(ctx, ep.issuer, caFile);
    if (!meta.deviceAuthorizationEndpoint) {
      throw new ProtocolError(
        `the metadata of ${ep.issuer} names no device_authorization_endpoint (the provider does not offer the device grant)`,
        'Enable the device flow for the client at the provider, or pass --device-url and --token-url.',
      );
    }
    const mtls = usesCertificate(client);
    deviceUrl = endpointFor(meta, 'device_authorization_endpoint', meta.deviceAuthorizationEndpoint, mtls);
    tokenUrl = endpointFor(meta, 'token_endpoint', meta.tokenEndpoint, mtls);
    issuerId = meta.issuer;
    jwksUri = meta.jwksUri;
  }
  const cfg = {
    deviceUrl: deviceUrl!,
    tokenUrl: tokenUrl!,
    client: { ...client, secret },
    scopes,
    resource,
    audience,
    extraParams,
    tokenParams: pairs(tokenParams),
    caFile,
    timeoutMs: typeof opts.timeout === 'number' ? opts.timeout : 15 * 60_000,
  };
  const code = await requestDeviceCode(ctx, cfg);
  const url = code.verificationUriComplete ?? code.verificationUri;
  ctx.io.err(
    `To sign in, open ${code.verificationUri} in a browser on any device and enter the code:\n\n    ${code.userCode}\n\n` +
      (code.verificationUriComplete
        ? `Or open this URL, which carries the code:\n\n  ${code.verificationUriComplete}\n\n`
        : ''),
  );
  if (opts.qr === true) {
    const { renderUnicodeCompact } = await import('uqr');
    ctx.io.err(`${renderUnicodeCompact(url)}\n\n`);
  }
  if (opts.open !== false && !(await tryOpen(ctx.browser, url))) {
    ctx.io.debug('could not open a browser; the URL is above');
  }
  const spinner = await ctx.spinner();
  spinner.start('Waiting for you to approve the request in the browser (Ctrl-C to cancel)…');
  let t: Awaited<ReturnType<typeof pollDeviceToken>>;
  try {
    t = await pollDeviceToken(ctx, cfg, code, (s) =>
      spinner.update(`The server asked to poll more slowly (every ${s}s); still waiting…`),
    );
  } finally {
    spinner.stop();
  }
  let claims: Record<string, unknown> | undefined;
  if (t.idToken && scopes.includes('openid')) {
    if (needsSignatureCheck(cfg.tokenUrl)) await verifyIdTokenSignature(ctx, t.idToken, jwksUri, caFile);
    claims = checkIdToken(t.idToken, { clientId, issuer: issuerId, nowMs: ctx.now() });
  }
  const params: DeviceCodeParams = {
    ...commonParams(client, secret, {
      issuer: issuerId,
      tokenUrl: cfg.tokenUrl,
      scopes,
      resource,
      audience,
      tokenParams,
      caFile,
      jwksUri,
    }),
    deviceUrl: cfg.deviceUrl,
  };
  await saveUserLogin(ctx, opts, 'device_code', params, t, claims, { scopes, secret });
}

/**
 * Save the tokens of a login a person approved (browser or device) as the profile --profile names,
 * then print what was asked for.
 */
async function saveUserLogin<F extends 'authorization_code' | 'device_code'>(
  ctx: Context,
  opts: Opts,
  flow: F,
  params: UserLoginProfile<F>['params'],
  t: TokenSet,
  claims: Record<string, unknown> | undefined,
  x: { scopes: string[]; secret: string | undefined },
): Promise<void> {
  const { subjectFromClaims } = await import('../idtoken.js');
  const { expiryIso } = await import('../protocol.js');
  const { isoUtc } = await import('../../lib/format.js');
  const { finishLogin, saveRules } = await import('../../commands/output.js');
  const now = ctx.now();
  const profile = {
    provider: 'oauth',
    flow,
    token: t.accessToken,
    tokenType: t.tokenType,
    obtainedAt: isoUtc(now),
    expiresAt: expiryIso(t.expiresIn, now),
    subject: subjectFromClaims(claims),
    scopes: t.scope ?? x.scopes,
    params,
  } as UserLoginProfile<F>;
  if (t.refreshToken) profile.refreshToken = t.refreshToken;
  if (t.idToken) profile.idToken = t.idToken;
  if (x.secret !== undefined && opts.saveSecret === true) profile.clientSecret = x.secret;
  const name = opt(opts, 'profile') ?? 'oauth';
  const who = profile.subject ? ` as ${profile.subject}` : '';
  const refresh = t.refreshToken ? ' with a refresh token' : ' (no refresh token was issued)';
  await finishLogin(
    ctx,
    name,
    profile,
    { json: opts.json === true, print: opts.print === true, ...saveRules(opts) },
    `Logged in${who}; saved${refresh} as profile '${name}'`,
  );
}

/** How an RFC 8693 §3 token type URI reads in a message. */
function issuedKind(type: string | undefined): string {
  const kinds: Record<string, string> = {
    'urn:ietf:params:oauth:token-type:access_token': 'an access token',
    'urn:ietf:params:oauth:token-type:jwt': 'a JWT',
    'urn:ietf:params:oauth:token-type:id_token': 'an ID token',
    'urn:ietf:params:oauth:token-type:saml2': 'a SAML 2.0 assertion',
  };
  return (type && kinds[type]) ?? 'a token';
}

/** `oauth token-exchange`: trade a subject token for one of this server (RFC 8693). */
export async function tokenExchange(ctx: Context, opts: Opts): Promise<void> {
  const { exchangeToken, exchangeProfile, readTokenSource, JWT_TOKEN_TYPE } = await import(
    '../grants/token-exchange.js'
  );
  const { discover, endpointFor } = await import('../discovery.js');
  const { absoluteCaFile } = await import('../grants/client-credentials.js');
  const { assertCanSave, assertStoreUsable, finishLogin, saveRules } = await import(
    '../../commands/output.js'
  );
  const clientId = clientIdOf(opts);
  const { issuer, tokenUrl: tokenFlag } = tokenEndpointFlags(ctx, opts);
  const subjectFile = abs(opt(opts, 'subjectTokenFile'));
  const subjectEnv = opt(opts, 'subjectTokenEnv');
  if ((subjectFile === undefined) === (subjectEnv === undefined)) {
    throw new UsageError(
      subjectFile === undefined
        ? 'pass --subject-token-file or --subject-token-env'
        : 'pass either --subject-token-file or --subject-token-env, not both',
      'Name the file or the variable that holds the token to exchange.',
    );
  }
  const actorFile = abs(opt(opts, 'actorTokenFile'));
  const actorEnv = opt(opts, 'actorTokenEnv');
  if (actorFile !== undefined && actorEnv !== undefined) {
    throw new UsageError('pass either --actor-token-file or --actor-token-env, not both');
  }
  const actor = actorFile || actorEnv ? { file: actorFile, env: actorEnv } : undefined;
  if (opt(opts, 'actorTokenType') !== undefined && !actor) {
    throw new UsageError('--actor-token-type needs --actor-token-file or --actor-token-env');
  }
  const audience = audienceOf(opts);
  const client = await clientFromFlags(ctx, opts, clientId, {
    withSecret: 'client_secret_basic',
    without: 'none',
  });
  const spec = {
    tokenUrl: tokenFlag ?? '',
    issuer,
    client,
    subject: { file: subjectFile, env: subjectEnv },
    subjectTokenType: opt(opts, 'subjectTokenType') ?? JWT_TOKEN_TYPE,
    actor,
    actorTokenType: opt(opts, 'actorTokenType'),
    requestedTokenType: opt(opts, 'requestedTokenType'),
    audience,
    resource: checkResources(list(opts, 'resource')),
    scopes: parseScopes(opts.scope as string[] | undefined),
    tokenParams: checkPairs(list(opts, 'tokenParam'), '--token-param'),
    caFile: absoluteCaFile(opt(opts, 'caFile')),
  };
  // The tokens must be there before anything is asked or sent.
  readTokenSource(ctx, spec.subject, 'subject');
  if (actor) readTokenSource(ctx, actor, 'actor');
  const secret = await secretFor(ctx, opts, client);
  spec.client = { ...client, secret };
  assertStoreUsable(ctx);
  assertCanSave(
    ctx,
    opt(opts, 'profile') ?? 'oauth',
    { provider: 'oauth', flow: 'token_exchange', clientId },
    saveRules(opts),
  );
  if (issuer !== undefined) {
    const meta = await discover(ctx, issuer, spec.caFile);
    spec.tokenUrl = endpointFor(meta, 'token_endpoint', meta.tokenEndpoint, usesCertificate(client));
  }
  const r = await exchangeToken(ctx, spec);
  const name = opt(opts, 'profile') ?? 'oauth';
  const profile = exchangeProfile(spec, r, ctx.now(), opts.saveSecret === true ? secret : undefined);
  await finishLogin(
    ctx,
    name,
    profile,
    { json: opts.json === true, print: opts.print === true, ...saveRules(opts) },
    `Exchanged the subject token for ${issuedKind(r.issuedTokenType)}; saved for ${clientId} as profile '${name}'`,
  );
}
