/**
 * What a client-credentials request asks for, and whether a saved token answers the same request
 * (the cache `token print`'s hot path and `actigraph token` check). Light on purpose: imported by
 * the hot entry, it pulls in no HTTP or token-endpoint code.
 */
import { expiresAtMs, type Profile, type ProviderName, paramsOf } from '../../store/profile.js';
import type { OAuthClient } from '../client-auth/types.js';
import type { ClientAuthMethod } from '../protocol.js';

/** A cached token is reused only with more than this left. */
export const CACHE_MIN_TTL_MS = 60_000;

/** What a command asks for: the grant's parameters and where to send them. */
export interface ClientCredentialsSpec {
  provider: ProviderName;
  /** The token endpoint; absent when it is discovered from `issuer`. */
  tokenUrl?: string | undefined;
  issuer?: string | undefined;
  clientId: string;
  authMethod: ClientAuthMethod;
  /** Key, certificate or assertion sources (absolute paths / a variable name), when the method uses one. */
  client?: Omit<OAuthClient, 'clientId' | 'authMethod' | 'secret'> | undefined;
  /** Requested scopes, already split and de-duplicated; sent space-joined in one `scope`. */
  scopes: string[];
  /** RFC 8707 resource indicators: every one is sent. */
  resource?: readonly string[] | undefined;
  /** `audience`, for servers (Auth0 and others) that want one. */
  audience?: string | undefined;
  /** --token-param name=value pairs. */
  tokenParams?: readonly string[] | undefined;
  caFile?: string | undefined;
  /** How the endpoint is named in messages. */
  label?: string | undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Whether a saved profile was obtained for the same request: provider, flow, client id, endpoint
 * (the issuer when discovering, so the cache needs no network call), requested scopes (as a set),
 * resources (as a set), audience and extra token parameters. How the client authenticates does
 * not change what the token is.
 */
export function sameRequest(p: Profile, spec: ClientCredentialsSpec): boolean {
  if (p.provider !== spec.provider || p.flow !== 'client_credentials') return false;
  const { clientId, issuer, tokenUrl, scope, resource, audience, tokenParams } = paramsOf(
    p,
    'client_credentials',
  );
  if (clientId !== spec.clientId) return false;
  if (spec.issuer !== undefined) {
    if (issuer !== spec.issuer) return false;
  } else if (tokenUrl !== spec.tokenUrl || issuer !== undefined) return false;
  return (
    sameSet(scope ?? [], spec.scopes) &&
    sameSet(resource ?? [], spec.resource ?? []) &&
    audience === spec.audience &&
    sameSet(tokenParams ?? [], spec.tokenParams ?? [])
  );
}

/** True when `p` can be handed out instead of fetching: same request and more than a minute left. */
export function isReusable(p: Profile, spec: ClientCredentialsSpec, nowMs: number): boolean {
  const exp = expiresAtMs(p);
  // An unknown expiry cannot be trusted to last: fetch anew.
  return sameRequest(p, spec) && exp !== null && exp - nowMs > CACHE_MIN_TTL_MS;
}
