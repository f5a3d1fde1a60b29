/**
 * Client-credentials grant (RFC 6749 §4.4) for `oauth client-credentials`, the ActiGraph preset
 * and renewal in `token print`: whether a cached token can be reused, the request, and the profile
 * that records what renewal needs — never the secret unless asked, never key material (paths only).
 * Nothing here prints or saves; cli/obtain.ts does that under the profile lock.
 */
import path from 'node:path';
import type { Context } from '../../context.js';
import { NoTokenError, UsageError, withRelogin } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { isoUtc } from '../../lib/format.js';
import type { ParamValue, Profile } from '../../store/profile.js';
import type { OAuthClient } from '../client-auth/index.js';
import { clientFromParams, clientParams, extraTokenParams, splitPairs, str, words } from '../params.js';
import { expiryIso, type TokenSet } from '../protocol.js';
import { requestToken } from '../token-endpoint.js';
import type { ClientCredentialsSpec } from './client-credentials-spec.js';

export {
  CACHE_MIN_TTL_MS,
  type ClientCredentialsSpec,
  isReusable,
  sameRequest,
} from './client-credentials-spec.js';

/** Extra attempts on 5xx/429/resets: a client-credentials request is safe to repeat. */
const RETRIES = 2;

/** Client authentication methods of the secret kind (the presets use these). */
export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** The OAuthClient for a spec and a secret. */
export function specClient(spec: ClientCredentialsSpec, secret: string | undefined): OAuthClient {
  return { ...spec.client, clientId: spec.clientId, authMethod: spec.authMethod, secret };
}

/** The non-secret parameters renewal needs. */
export function profileParams(spec: ClientCredentialsSpec, tokenUrl: string): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {
    tokenUrl,
    clientId: spec.clientId,
    ...clientParams(specClient(spec, undefined)),
    scope: spec.scopes.join(' '),
  };
  const resource = spec.resource ?? [];
  // One resource stays a string, as older versions saved it.
  if (resource.length === 1) params.resource = resource[0]!;
  else if (resource.length > 1) params.resource = [...resource];
  if (spec.audience) params.audience = spec.audience;
  if (spec.tokenParams?.length) params.tokenParams = [...spec.tokenParams];
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

/** POST the grant (RFC 6749 §4.4.2, RFC 8707 §2) to `tokenUrl` and validate the answer. */
export async function fetchClientCredentials(
  ctx: Context,
  spec: ClientCredentialsSpec,
  tokenUrl: string,
  secret: string | undefined,
): Promise<TokenSet> {
  return requestToken(ctx, {
    tokenUrl,
    client: specClient(spec, secret),
    params: {
      grant_type: 'client_credentials',
      scope: spec.scopes.length ? spec.scopes.join(' ') : undefined,
      resource: spec.resource,
      audience: spec.audience,
    },
    extraParams: splitPairs(spec.tokenParams ?? []),
    caFile: spec.caFile,
    retries: RETRIES,
    label: spec.label,
  });
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
  if (!tokenUrl || !clientId || p.flow !== 'client_credentials') {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks the token URL or client id needed to renew it`),
    );
  }
  const {
    clientId: _id,
    authMethod,
    secret: _s,
    ...sources
  } = clientFromParams({ ...P, authMethod: str(P.authMethod) ?? 'client_secret_basic' }, clientId, undefined);
  const spec: ClientCredentialsSpec = {
    provider: p.provider,
    tokenUrl,
    issuer: str(P.issuer),
    clientId,
    authMethod,
    client: sources,
    scopes: (str(P.scope) ?? '').split(' ').filter(Boolean),
    resource: words(P.resource),
    audience: str(P.audience),
    tokenParams: extraTokenParams(P).map(([k, v]) => `${k}=${v}`),
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
  secret: string | undefined,
  providerLabel?: string,
): Promise<Profile> {
  const { spec, tokenUrl } = specFromProfile(name, p, providerLabel);
  // The URL comes from the store, not a flag: refuse it as a server-provided one (exit 1).
  checkUrl(tokenUrl, { insecure: ctx.insecure, source: 'server', label: `profile '${name}' tokenUrl` });
  let set: TokenSet;
  try {
    set = await fetchClientCredentials(ctx, spec, tokenUrl, secret);
  } catch (e) {
    // The key, certificate or assertion file is gone (or the CI variable unset): no usable token.
    if (e instanceof UsageError) {
      throw withRelogin(new NoTokenError(`profile '${name}' cannot be renewed: ${e.message}`));
    }
    throw e;
  }
  const renewed = buildProfile(spec, tokenUrl, set, ctx.now(), p.clientSecret);
  // Keep any parameter the saved profile had that this build does not know about.
  renewed.params = { ...p.params, ...renewed.params };
  return renewed;
}

/** Absolute path for a --ca-file (or key/cert file), so renewal from another directory still finds it. */
export function absoluteCaFile(caFile: string | undefined): string | undefined {
  return caFile ? path.resolve(caFile) : undefined;
}
