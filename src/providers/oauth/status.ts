/**
 * Online check of a saved OAuth token (`authctl status`): RFC 7662 introspection when the issuer's
 * discovery lists an `introspection_endpoint` and the client can authenticate; else, for a token
 * granted the `openid` scope, the OpenID Connect UserInfo endpoint (OpenID Connect Core, section
 * 5.3: a valid access token gets 200, an invalid one 401); else null (only the expiry is known).
 */
import type { Context } from '../../context.js';
import { FailureError, NetworkError, ProtocolError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { isRecord } from '../../lib/json.js';
import { discover } from '../../oauth/discovery.js';
import { oauthParams, type Profile } from '../../store/profile.js';
import type { StatusCheck } from '../types.js';
import { oauthErrorCode, type ProfileClient, profileClient } from './client.js';

/** The `status` hook. */
export async function oauthStatus(ctx: Context, _name: string, p: Profile): Promise<StatusCheck | null> {
  const issuer = oauthParams(p).issuer;
  if (!issuer) return null;
  const caFile = oauthParams(p).caFile;
  const client = profileClient(ctx, p);
  if (client.ok && client.confidential) {
    const meta = await discover(ctx, issuer, caFile);
    if (meta.introspectionEndpoint) return introspect(ctx, p, meta.introspectionEndpoint, client);
  }
  if (p.scopes.includes('openid')) {
    const endpoint = await userinfoEndpoint(ctx, issuer, caFile);
    if (endpoint) return userinfo(ctx, p, endpoint, caFile);
  }
  return null;
}

/** RFC 7662 §2.1: POST the token with the client's authentication; `active` is the answer. */
async function introspect(
  ctx: Context,
  p: Profile,
  url: string,
  client: Extract<ProfileClient, { ok: true }>,
): Promise<StatusCheck> {
  const method = 'introspection (RFC 7662)';
  const auth = await client.auth(url);
  const form = new URLSearchParams({ token: p.token, token_type_hint: 'access_token' });
  for (const [k, v] of auth.form) form.set(k, v);
  const res = await ctx.http(oauthParams(p).caFile, auth.tls).request({
    method: 'POST',
    url,
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form,
    retries: 0,
    signal: ctx.signal,
  });
  const host = new URL(url).host;
  if (res.status !== 200) {
    const code = oauthErrorCode(res.json);
    const Err = res.status >= 500 ? NetworkError : FailureError;
    throw new Err(
      `the introspection endpoint ${host} answered HTTP ${res.status}${code ? ` (${code})` : ''}`,
      code === 'invalid_client' ? 'Check AUTHCTL_CLIENT_SECRET.' : undefined,
      code === 'invalid_client' ? 'oauth.invalid_client' : 'oauth.introspection_failed',
    );
  }
  if (!isRecord(res.json) || typeof res.json.active !== 'boolean') {
    throw new ProtocolError(`the introspection answer from ${host} has no boolean 'active'`);
  }
  return res.json.active
    ? { valid: true, method, detail: `${host} says the token is active` }
    : { valid: false, method, detail: `${host} says the token is not active (revoked or expired)` };
}

/** The `userinfo_endpoint` of the issuer's OpenID configuration, if it names one. */
async function userinfoEndpoint(ctx: Context, issuer: string, caFile?: string): Promise<string | undefined> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await ctx.http(caFile).request({ method: 'GET', url, retries: 0, signal: ctx.signal });
  if (res.status >= 500) throw new NetworkError(`discovery at ${url} failed (HTTP ${res.status})`);
  if (res.status !== 200 || !isRecord(res.json)) return undefined;
  const iss = res.json.issuer;
  // OpenID Connect Discovery, section 4.3: the document must name the issuer it was fetched for.
  if (typeof iss !== 'string' || iss.replace(/\/$/, '') !== issuer.replace(/\/$/, '')) {
    throw new ProtocolError(`discovery document at ${url} names another issuer; refusing it`);
  }
  const ep = res.json.userinfo_endpoint;
  if (typeof ep !== 'string' || ep === '') return undefined;
  checkUrl(ep, { insecure: ctx.insecure, source: 'server', label: 'userinfo_endpoint' });
  return ep;
}

/**
 * OpenID Connect Core, section 5.3: GET UserInfo with the access token; 401 means the token is
 * not accepted.
 */
async function userinfo(ctx: Context, p: Profile, url: string, caFile?: string): Promise<StatusCheck> {
  const method = 'OpenID Connect userinfo';
  const res = await ctx.http(caFile).request({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${p.token}` },
    retries: 0,
    signal: ctx.signal,
  });
  const host = new URL(url).host;
  if (res.status === 200) return { valid: true, method, detail: `${host} accepts the token` };
  if (res.status === 401) return { valid: false, method, detail: `${host} rejects the token (HTTP 401)` };
  const Err = res.status >= 500 ? NetworkError : FailureError;
  throw new Err(
    `the userinfo endpoint ${host} answered HTTP ${res.status}`,
    undefined,
    'oauth.userinfo_failed',
  );
}
