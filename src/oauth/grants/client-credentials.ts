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
import {
  type ClientCredentialsParams,
  type ClientCredentialsProfile,
  type Profile,
  paramsOf,
} from '../../store/profile.js';
import type { OAuthClient } from '../client-auth/index.js';
import { clientFromParams, requestParams, splitPairs } from '../params.js';
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
export function profileParams(spec: ClientCredentialsSpec, tokenUrl: string): ClientCredentialsParams {
  return requestParams({ ...spec, tokenUrl, client: specClient(spec, undefined) });
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
): ClientCredentialsProfile {
  const profile: ClientCredentialsProfile = {
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
  const P = paramsOf(p, 'client_credentials');
  const { tokenUrl, clientId } = P;
  if (!tokenUrl || !clientId) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks the token URL or client id needed to renew it`),
    );
  }
  const {
    clientId: _id,
    authMethod,
    secret: _s,
    ...sources
  } = clientFromParams({ ...P, authMethod: P.authMethod ?? 'client_secret_basic' }, clientId, undefined);
  const spec: ClientCredentialsSpec = {
    provider: p.provider,
    tokenUrl,
    issuer: P.issuer,
    clientId,
    authMethod,
    client: sources,
    scopes: P.scope ?? [],
    resource: P.resource ?? [],
    audience: P.audience,
    tokenParams: P.tokenParams ?? [],
    caFile: P.caFile,
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
  // Keep what the saved profile had and this request does not record, known or not.
  if (p.flow === 'client_credentials') renewed.params = { ...p.params, ...renewed.params };
  if (p.unknownParams) renewed.unknownParams = p.unknownParams;
  return renewed;
}

/** Absolute path for a --ca-file (or key/cert file), so renewal from another directory still finds it. */
export function absoluteCaFile(caFile: string | undefined): string | undefined {
  return caFile ? path.resolve(caFile) : undefined;
}
