/**
 * Revoke a saved OAuth token (RFC 7009) at the `revocation_endpoint` the issuer's discovery
 * document lists: the refresh token when there is one (RFC 7009 §2.1: revoking it should end the
 * whole grant), else the access token. The server answers 200 also for a token it no longer knows
 * (RFC 7009 §2.2), so "revoked" cannot be told apart from "already invalid" there.
 */
import type { Context } from '../../context.js';
import { FailureError, NetworkError, RefusedError, UsageError } from '../../errors.js';
import { discover } from '../../oauth/discovery.js';
import { oauthParams, type Profile } from '../../store/profile.js';
import type { RevokeOutcome } from '../types.js';
import { oauthErrorCode, profileClient } from './client.js';

/** The `revoke` hook. */
export async function oauthRevoke(ctx: Context, name: string, p: Profile): Promise<RevokeOutcome> {
  const issuer = oauthParams(p).issuer;
  // Without an issuer there is no discovery document to name a revocation endpoint.
  if (!issuer) return 'unsupported';
  const client = profileClient(ctx, p);
  if (!client.ok) {
    if (client.reason === 'no-client-id') return 'unsupported';
    throw new UsageError(
      `the client secret of ${client.clientId} is needed to revoke the token of '${name}' (set AUTHCTL_CLIENT_SECRET)`,
      'Set AUTHCTL_CLIENT_SECRET.',
      'oauth.no_secret',
    );
  }
  const meta = await discover(ctx, issuer, oauthParams(p).caFile);
  if (!meta.revocationEndpoint) return 'unsupported';
  const form = new URLSearchParams(
    p.refreshToken
      ? { token: p.refreshToken, token_type_hint: 'refresh_token' }
      : { token: p.token, token_type_hint: 'access_token' },
  );
  const auth = await client.auth(meta.revocationEndpoint);
  for (const [k, v] of auth.form) form.set(k, v);
  const res = await ctx.http(oauthParams(p).caFile, auth.tls).request({
    method: 'POST',
    url: meta.revocationEndpoint,
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form,
    retries: 0,
    signal: ctx.signal,
  });
  if (res.status === 200) return 'revoked';
  const host = new URL(meta.revocationEndpoint).host;
  const code = oauthErrorCode(res.json);
  if (code === 'unsupported_token_type') return 'unsupported';
  if (code === 'invalid_client' || res.status === 401) {
    throw new RefusedError(
      `the revocation endpoint ${host} rejected the client credentials (${code ?? `HTTP ${res.status}`})`,
      'Check AUTHCTL_CLIENT_SECRET.',
      'oauth.invalid_client',
    );
  }
  if (res.status >= 500 || res.status === 429) {
    throw new NetworkError(
      `the revocation endpoint ${host} failed (HTTP ${res.status})`,
      undefined,
      'network.server_error',
    );
  }
  throw new FailureError(
    `the revocation endpoint ${host} answered HTTP ${res.status}${code ? ` (${code})` : ''}`,
    undefined,
    'oauth.revoke_failed',
  );
}
