/**
 * LivePerson Sentinel flow (docs/protocol-notes/liveperson.md): find the Sentinel host (--domain or
 * the domain API), log in through the generic authorization-code engine with the preset's quirks,
 * and revoke.
 */
import type { Context } from '../../context.js';
import { FailureError, NetworkError, ProtocolError, RefusedError, UsageError } from '../../errors.js';
import { checkUrl, hostToBaseUrl, redactUrl } from '../../http/url.js';
import { serverText } from '../../oauth/protocol.js';
import { livePersonParams, type Profile } from '../../store/profile.js';
import { resolveClientSecret } from '../../ui/secret.js';
import type { RevokeOutcome as ProviderRevokeOutcome } from '../types.js';
import {
  domainApiUrl,
  normaliseSentinelBase,
  parseDomainResponse,
  type SentinelEndpoints,
  sentinelEndpoints,
} from './protocol.js';

/** The Sentinel base URL from --domain: a host means https (loopback: http), or a full base URL. */
export function sentinelBaseFromFlag(ctx: Context, domain: string): string {
  if (domain.trim() === '') throw new UsageError('--domain is empty');
  const url = checkUrl(hostToBaseUrl(domain), { insecure: ctx.insecure, source: 'flag', label: '--domain' });
  const base = normaliseSentinelBase(url);
  if (base === null) {
    throw new UsageError(
      `--domain must be a host or a base URL without query, fragment or credentials: '${redactUrl(url.toString())}'`,
      'Pass e.g. --domain va.sentinel.liveperson.net.',
    );
  }
  return base;
}

/**
 * Ask the domain API for the account's Sentinel host and return its base URL. The answer
 * is a host without scheme: it means https (loopback: http) and is checked as a server-provided URL.
 */
export async function discoverSentinel(ctx: Context, domainApi: string, account: string): Promise<string> {
  const api = checkUrl(domainApi, { insecure: ctx.insecure, source: 'flag', label: '--domain-api' });
  const url = domainApiUrl(api.toString(), account);
  const where = redactUrl(url);
  ctx.io.debug(`looking up the Sentinel host of account ${account} through the domain API`);
  const res = await ctx.http().request({ method: 'GET', url, retries: 2, signal: ctx.signal });
  if (res.status === 401) {
    throw new FailureError(
      `the domain API says account '${account}' is not a valid site (HTTP 401 from ${where})`,
      'Check --account (your LivePerson account/site id).',
    );
  }
  if (res.status === 400) {
    const detail = serverText(res.text);
    throw new FailureError(
      `the domain API rejected the lookup for account '${account}' (HTTP 400${detail ? `: ${detail}` : ''})`,
      'Check --account and --domain-api, or pass the Sentinel host with --domain.',
    );
  }
  if (res.status >= 500 || res.status === 429) {
    throw new NetworkError(
      `the domain API at ${where} failed (HTTP ${res.status})`,
      'Try again later, or pass the Sentinel host with --domain.',
    );
  }
  if (res.status !== 200) {
    throw new ProtocolError(
      `the domain API at ${where} answered HTTP ${res.status}`,
      'Check --domain-api, or pass the Sentinel host with --domain.',
    );
  }
  if (res.json === undefined) {
    throw new ProtocolError(
      `the domain API at ${where} did not answer JSON${res.text ? `: ${serverText(res.text)}` : ''}`,
      'Check --domain-api, or pass the Sentinel host with --domain.',
    );
  }
  const host = parseDomainResponse(res.json, where);
  const checked = checkUrl(hostToBaseUrl(host), {
    insecure: ctx.insecure,
    source: 'server',
    label: 'the Sentinel host from the domain API',
  });
  const base = normaliseSentinelBase(checked);
  if (base === null) throw new ProtocolError(`the domain API at ${where} answered an unusable host`);
  ctx.io.debug(`Sentinel for account ${account}: ${base}`);
  return base;
}

/** What the rest of the flow needs to know about the Sentinel. */
export interface SentinelTarget {
  base: string;
  endpoints: SentinelEndpoints;
}

/** Resolve the Sentinel: --domain when given, else the domain API. */
export async function resolveSentinel(
  ctx: Context,
  o: { account: string; domain?: string | undefined; domainApi: string },
): Promise<SentinelTarget> {
  const base =
    o.domain !== undefined
      ? sentinelBaseFromFlag(ctx, o.domain)
      : await discoverSentinel(ctx, o.domainApi, o.account);
  return { base, endpoints: sentinelEndpoints(base, o.account) };
}

/** How a revocation ended. */
export type RevokeOutcome = 'revoked' | 'already-invalid';

/**
 * Revoke the refresh token (`methods/revoke.md`): POST `…/token/revoke?v=1.0`, form body with client
 * id, secret and `token` = the refresh token. This ends the user's LivePerson SSO session in every app.
 * An `invalid_grant`/`invalid_token` answer means the token is dead already: reported as such, so
 * the caller can still delete the profile. Other failures throw, and the caller keeps the profile.
 */
export async function revokeRefreshToken(
  ctx: Context,
  o: { revokeUrl: string; clientId: string; secret: string; refreshToken: string },
): Promise<RevokeOutcome> {
  const url = checkUrl(o.revokeUrl, { insecure: ctx.insecure, source: 'server', label: 'saved revokeUrl' });
  const where = `the Sentinel revoke endpoint ${url.host}`;
  const res = await ctx.http().request({
    method: 'POST',
    url: url.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form: { client_id: o.clientId, client_secret: o.secret, token: o.refreshToken },
    // A repeated revocation is harmless, so transient failures may be retried.
    retries: 1,
    signal: ctx.signal,
  });
  if (res.status >= 200 && res.status < 300) return 'revoked';
  const body = res.json;
  const error =
    typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : undefined;
  const descRaw =
    typeof body === 'object' && body !== null
      ? (body as { error_description?: unknown }).error_description
      : undefined;
  const desc = typeof descRaw === 'string' ? `: ${serverText(descRaw)}` : '';
  const detail = error ? ` (${serverText(error, 60)}${desc})` : res.text ? `: ${serverText(res.text)}` : '';
  // RFC 7009 §2.2 answers 200 for an invalid token; Sentinel's error body is undocumented, so an
  // explicit invalid_grant / invalid_token is taken to mean "already logged out".
  if (error === 'invalid_grant' || error === 'invalid_token') return 'already-invalid';
  if (res.status === 401 || error === 'invalid_client') {
    throw new RefusedError(
      `${where} rejected the client (HTTP ${res.status}${detail}); the session was not ended`,
      'Check the client secret (AUTHCTL_CLIENT_SECRET) and the account; the profile was kept.',
    );
  }
  if (res.status >= 500 || res.status === 429) {
    throw new NetworkError(
      `${where} failed (HTTP ${res.status}${detail}); the session was not ended`,
      'Try again later; the profile was kept.',
    );
  }
  throw new FailureError(
    `${where} refused the revocation (HTTP ${res.status}${detail}); the session may still be active`,
    'Check the account and client id; the profile was kept.',
  );
}

/** Shown before a LivePerson revocation, which `methods/revoke.md` says logs the user out of every app. */
export const SSO_WARNING =
  "this revokes the refresh token and ends the user's session in ALL LivePerson applications (the agent workspace and every other app signed in through LivePerson), not only authctl's";

/** The saved revocation endpoint of a LivePerson profile (or rebuilt from its domain and account). */
export function profileRevokeUrl(p: Profile): string {
  const { revokeUrl, domain, account } = livePersonParams(p);
  if (revokeUrl !== undefined) return revokeUrl;
  if (domain !== undefined && account !== undefined) return sentinelEndpoints(domain, account).revokeUrl;
  throw new FailureError(
    "the profile records neither 'revokeUrl' nor 'domain' and 'account'; cannot revoke",
    'Delete it with authctl token delete, and log in again.',
  );
}

/** The client id a LivePerson profile was saved with. */
export function profileClientId(p: Profile): string {
  const clientId = livePersonParams(p).clientId;
  if (clientId !== undefined) return clientId;
  throw new FailureError(
    "the profile records no 'clientId'; cannot revoke",
    'Delete it with authctl token delete.',
  );
}

/**
 * Revoke the profile's refresh token under its lock (re-reading it: another process may have
 * rotated it) and delete the profile, unless revocation failed. `secret` is already resolved.
 */
export async function revokeAndDelete(
  ctx: Context,
  name: string,
  secret: string,
): Promise<RevokeOutcome | 'no-refresh-token'> {
  return ctx.store.withProfileLock(
    name,
    async () => {
      const p = ctx.store.get(name);
      let outcome: RevokeOutcome | 'no-refresh-token' = 'no-refresh-token';
      if (p.refreshToken) {
        outcome = await revokeRefreshToken(ctx, {
          revokeUrl: profileRevokeUrl(p),
          clientId: profileClientId(p),
          secret,
          refreshToken: p.refreshToken,
        });
      }
      await ctx.store.delete(name, ctx.signal);
      return outcome;
    },
    ctx.signal,
  );
}

/** Tell the user how a revocation ended (stderr). */
export function reportRevoke(ctx: Context, name: string, outcome: RevokeOutcome | 'no-refresh-token'): void {
  if (outcome === 'already-invalid') {
    ctx.io.err(
      `note: LivePerson says the refresh token of '${name}' was already invalid (expired or revoked).\n`,
    );
  } else if (outcome === 'no-refresh-token') {
    ctx.io.err(
      `note: profile '${name}' has no refresh token, so there was nothing to revoke at LivePerson.\n`,
    );
  }
}

/**
 * `token delete --revoke` for a LivePerson profile: warn (the user asked for the revocation, so no
 * prompt), take the secret from the saved one, AUTHCTL_CLIENT_SECRET or a prompt, then revoke.
 * The caller deletes the profile afterwards; a failed revocation throws and keeps it.
 */
export async function revokeForDelete(
  ctx: Context,
  _name: string,
  p: Profile,
): Promise<ProviderRevokeOutcome> {
  ctx.io.err(`warning: ${SSO_WARNING}.\n`);
  if (!p.refreshToken) return 'nothing';
  const clientId = profileClientId(p);
  const secret = p.clientSecret ?? (await resolveClientSecret(ctx, {}, clientId));
  return revokeRefreshToken(ctx, {
    revokeUrl: profileRevokeUrl(p),
    clientId,
    secret,
    refreshToken: p.refreshToken,
  });
}
