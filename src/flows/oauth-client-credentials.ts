/**
 * Client-credentials grant (RFC 6749 §4.4) for `oauth client-credentials`, the ActiGraph preset
 * and renewal in `token print`: reuse a cached token that still has more than a minute left,
 * otherwise fetch one under the profile's lock (read → check → fetch → write) so parallel CI jobs
 * make one request, and save what renewal needs — never the secret unless asked.
 */
import path from 'node:path';
import { finishLogin, summarize } from '../commands/output.js';
import type { Context } from '../context.js';
import { NoTokenError, withRelogin } from '../errors.js';
import { checkUrl } from '../http/url.js';
import { isoUtc, relativeTime } from '../lib/format.js';
import { expiryIso, type TokenSet } from '../protocol/oauth.js';
import { expiresAtMs, type ParamValue, type Profile, type ProviderName } from '../store/profile.js';
import { resolveClientSecret, type SecretOptions } from '../ui/secret.js';
import { discover, requestToken } from './oauth-token.js';

/** A cached token is reused only with more than this left (cli.md "ActiGraph"). */
export const CACHE_MIN_TTL_MS = 60_000;

/** Extra attempts on 5xx/429/resets: a client-credentials request is safe to repeat. */
const RETRIES = 2;

/** Client authentication methods this grant supports (RFC 6749 §2.3.1). */
export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** What a command asks for: the grant's parameters and where to send them. */
export interface ClientCredentialsSpec {
  provider: ProviderName;
  /** The token endpoint; absent when it is discovered from `issuer`. */
  tokenUrl?: string | undefined;
  issuer?: string | undefined;
  clientId: string;
  authMethod: SecretAuthMethod;
  /** Requested scopes, already split and de-duplicated; sent space-joined in one `scope`. */
  scopes: string[];
  /** RFC 8707 resource indicator. */
  resource?: string | undefined;
  /** `audience`, for servers (Auth0 and others) that want one. */
  audience?: string | undefined;
  caFile?: string | undefined;
  /** How the endpoint is named in messages. */
  label?: string | undefined;
}

/** How a command runs the flow: profile, output and secret options. */
export interface ClientCredentialsRun extends SecretOptions {
  profile: string;
  force?: boolean;
  saveSecret?: boolean;
  json?: boolean;
  print?: boolean;
}

/** The run options from a command's parsed flags (shared by `actigraph token` and `oauth client-credentials`). */
export function runOptions(opts: Record<string, unknown>, defaultProfile: string): ClientCredentialsRun {
  return {
    profile: typeof opts.profile === 'string' ? opts.profile : defaultProfile,
    force: opts.force === true,
    saveSecret: opts.saveSecret === true,
    json: opts.json === true,
    print: opts.print === true,
    ...(typeof opts.clientSecret === 'string' ? { clientSecret: opts.clientSecret } : {}),
    clientSecretStdin: opts.clientSecretStdin === true,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

const str = (v: ParamValue | undefined): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/**
 * Whether a saved profile was obtained for the same request: provider, flow, client id, endpoint
 * (the issuer when discovering, so the cache needs no network call), requested scopes (as a set),
 * resource and audience.
 */
export function sameRequest(p: Profile, spec: ClientCredentialsSpec): boolean {
  const P = p.params;
  if (p.provider !== spec.provider || p.flow !== 'client_credentials') return false;
  if (str(P.clientId) !== spec.clientId) return false;
  if (spec.issuer !== undefined) {
    if (str(P.issuer) !== spec.issuer) return false;
  } else if (str(P.tokenUrl) !== spec.tokenUrl || str(P.issuer) !== undefined) return false;
  const saved = (str(P.scope) ?? '').split(' ').filter(Boolean);
  return (
    sameSet(saved, spec.scopes) && str(P.resource) === spec.resource && str(P.audience) === spec.audience
  );
}

/** True when `p` can be handed out instead of fetching: same request and more than a minute left. */
export function isReusable(p: Profile, spec: ClientCredentialsSpec, nowMs: number): boolean {
  const exp = expiresAtMs(p);
  // An unknown expiry cannot be trusted to last: fetch anew.
  return sameRequest(p, spec) && exp !== null && exp - nowMs > CACHE_MIN_TTL_MS;
}

/** The non-secret parameters renewal needs (cli.md "Profiles"). */
export function profileParams(spec: ClientCredentialsSpec, tokenUrl: string): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {
    tokenUrl,
    clientId: spec.clientId,
    authMethod: spec.authMethod,
    scope: spec.scopes.join(' '),
  };
  if (spec.resource) params.resource = spec.resource;
  if (spec.audience) params.audience = spec.audience;
  if (spec.issuer) params.issuer = spec.issuer;
  if (spec.caFile) params.caFile = spec.caFile;
  return params;
}

/**
 * The profile for a token response. Scopes are the granted ones when the server listed them,
 * else the requested ones (RFC 6749 §5.1: `scope` may be omitted when identical). A refresh token
 * is not kept: client credentials renew by asking again (RFC 6749 §4.4.3).
 */
export function buildProfile(
  spec: ClientCredentialsSpec,
  tokenUrl: string,
  set: TokenSet,
  nowMs: number,
  secret?: string,
): Profile {
  const profile: Profile = {
    provider: spec.provider,
    flow: 'client_credentials',
    token: set.accessToken,
    tokenType: set.tokenType,
    obtainedAt: isoUtc(nowMs),
    expiresAt: expiryIso(set.expiresIn, nowMs),
    subject: spec.clientId,
    scopes: set.scope ?? [...spec.scopes],
    params: profileParams(spec, tokenUrl),
  };
  if (secret !== undefined) profile.clientSecret = secret;
  return profile;
}

/** The grant parameters (RFC 6749 §4.4.2, RFC 8707 §2). */
function grantParams(spec: ClientCredentialsSpec): Record<string, string | undefined> {
  return {
    grant_type: 'client_credentials',
    scope: spec.scopes.length ? spec.scopes.join(' ') : undefined,
    resource: spec.resource,
    audience: spec.audience,
  };
}

/** POST the grant to `tokenUrl` and validate the answer. */
async function fetchToken(
  ctx: Context,
  spec: ClientCredentialsSpec,
  tokenUrl: string,
  secret: string,
): Promise<TokenSet> {
  return requestToken(ctx, {
    tokenUrl,
    client: { clientId: spec.clientId, secret, authMethod: spec.authMethod },
    params: grantParams(spec),
    caFile: spec.caFile,
    retries: RETRIES,
    label: spec.label,
  });
}

/** Report a reused token: one stderr line, then the token or the summary as asked. */
function reuse(ctx: Context, name: string, p: Profile, run: ClientCredentialsRun): void {
  ctx.io.err(
    `Using cached token for ${p.subject ?? str(p.params.clientId) ?? 'the client'} from profile '${name}' (expires ${relativeTime(expiresAtMs(p)!, ctx.now())}); --force fetches a new one.\n`,
  );
  if (run.json) ctx.io.out(`${JSON.stringify(summarize(name, p, ctx.env), null, 2)}\n`);
  else if (run.print) ctx.io.out(`${p.token}\n`);
}

/** The saved profile under `name`, or undefined when there is none (or it is damaged). */
function savedProfile(ctx: Context, name: string): Profile | undefined {
  return ctx.store.read().profiles.get(name);
}

/**
 * Obtain a token for a command: the cached one when it is reusable (no secret needed, no network),
 * otherwise resolve the secret, discover the endpoint if needed, and fetch under the profile lock.
 */
export async function obtainClientCredentials(
  ctx: Context,
  spec: ClientCredentialsSpec,
  run: ClientCredentialsRun,
): Promise<void> {
  const name = run.profile;
  const existing = savedProfile(ctx, name);
  // --save-secret on a profile that lacks the secret must go through a real request, which
  // also proves the secret is right before it is stored.
  const wantsSecretSaved = (p: Profile) => Boolean(run.saveSecret) && p.clientSecret === undefined;
  if (!run.force && existing && isReusable(existing, spec, ctx.now()) && !wantsSecretSaved(existing)) {
    reuse(ctx, name, existing, run);
    return;
  }

  // A secret saved earlier with --save-secret for this very request serves when no other source
  // is given, and stays saved (replaced by the one that works now, so a rotated secret is kept).
  const savedSecret =
    existing?.clientSecret !== undefined && sameRequest(existing, spec) ? existing.clientSecret : undefined;
  const explicit =
    run.clientSecret !== undefined ||
    run.clientSecretStdin === true ||
    Boolean(ctx.env.AUTHCTL_CLIENT_SECRET);
  const secret =
    !explicit && savedSecret !== undefined ? savedSecret : await resolveClientSecret(ctx, run, spec.clientId);
  const keepSecret = Boolean(run.saveSecret) || savedSecret !== undefined;

  let tokenUrl = spec.tokenUrl;
  if (tokenUrl === undefined) {
    const meta = await discover(ctx, spec.issuer!, spec.caFile);
    tokenUrl = meta.tokenEndpoint;
    // RFC 8414 §2: when the list is absent, client_secret_basic is the default.
    const methods = meta.tokenEndpointAuthMethods;
    if (methods && !methods.includes(spec.authMethod)) {
      ctx.io.err(
        `warning: ${spec.issuer} does not list ${spec.authMethod} among its token endpoint auth methods (${methods.join(', ')}); trying it anyway.\n`,
      );
    }
  }
  const url = tokenUrl;

  await ctx.store.withProfileLock(
    name,
    async () => {
      // Another process may have fetched a token while this one waited for the lock.
      const current = run.force ? undefined : savedProfile(ctx, name);
      if (current && isReusable(current, spec, ctx.now()) && !wantsSecretSaved(current)) {
        reuse(ctx, name, current, run);
        return;
      }
      const set = await fetchToken(ctx, spec, url, secret);
      const profile = buildProfile(spec, url, set, ctx.now(), keepSecret ? secret : undefined);
      await finishLogin(ctx, name, profile, run, `Saved token for ${spec.clientId} as profile '${name}'`);
    },
    ctx.signal,
  );
}

/** The request a saved profile was made with, or exit 4 naming the command to run again. */
function specFromProfile(
  name: string,
  p: Profile,
  providerLabel?: string,
): { spec: ClientCredentialsSpec; tokenUrl: string } {
  const P = p.params;
  const tokenUrl = str(P.tokenUrl);
  const clientId = str(P.clientId);
  const authMethod = P.authMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
  if (!tokenUrl || !clientId || p.flow !== 'client_credentials') {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks the token URL or client id needed to renew it`),
    );
  }
  const spec: ClientCredentialsSpec = {
    provider: p.provider,
    tokenUrl,
    issuer: str(P.issuer),
    clientId,
    authMethod,
    scopes: (str(P.scope) ?? '').split(' ').filter(Boolean),
    resource: str(P.resource),
    audience: str(P.audience),
    caFile: str(P.caFile),
    label: providerLabel ? `${providerLabel} token endpoint ${safeHost(tokenUrl)}` : undefined,
  };
  return { spec, tokenUrl };
}

const safeHost = (u: string) => {
  try {
    return new URL(u).host;
  } catch {
    return u;
  }
};

/** Fetch a new token with the profile's saved parameters; returns the updated profile. */
export async function renewClientCredentials(
  ctx: Context,
  name: string,
  p: Profile,
  secret: string,
  providerLabel?: string,
): Promise<Profile> {
  const { spec, tokenUrl } = specFromProfile(name, p, providerLabel);
  // The URL comes from the store, not a flag: refuse it as a server-provided one (exit 1).
  checkUrl(tokenUrl, { insecure: ctx.insecure, source: 'server', label: `profile '${name}' tokenUrl` });
  const set = await fetchToken(ctx, spec, tokenUrl, secret);
  const renewed = buildProfile(spec, tokenUrl, set, ctx.now(), p.clientSecret);
  // Keep any parameter the saved profile had that this build does not know about.
  renewed.params = { ...p.params, ...renewed.params };
  return renewed;
}

/** Absolute path for a --ca-file, so renewal from another directory still finds it. */
export function absoluteCaFile(caFile: string | undefined): string | undefined {
  return caFile ? path.resolve(caFile) : undefined;
}
