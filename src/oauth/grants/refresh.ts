/**
 * Refresh-token grant (RFC 6749 §6), driven entirely by the profile's saved parameters so every
 * authorization-code and device profile (generic OAuth, LivePerson) renews the same way, through
 * the one token-endpoint request. The caller holds the profile lock, has re-read the store, and
 * saves the result; on any failure nothing is written.
 */
import type { Context } from '../../context.js';
import { AuthctlError, NoTokenError, withRelogin } from '../../errors.js';
import { isoUtc } from '../../lib/format.js';
import { decodeJwt } from '../../lib/jwt.js';
import { oauthParams, type Profile } from '../../store/profile.js';
import { checkIdToken, subjectFromClaims } from '../idtoken.js';
import { needsSignatureCheck, verifyIdTokenSignature } from '../idtoken-signature.js';
import { clientFromParams, extraTokenParams } from '../params.js';
import { expiryIso } from '../protocol.js';
import { requestToken } from '../token-endpoint.js';

/** Use the profile's refresh token to get a new access token; returns the updated profile. */
export async function refreshProfile(
  ctx: Context,
  name: string,
  p: Profile,
  secret?: string,
): Promise<Profile> {
  if (!p.refreshToken) throw withRelogin(new NoTokenError(`profile '${name}' has no refresh token`));
  // Only the OAuth engine's profiles record a token endpoint and a client.
  const P = oauthParams(p);
  const { tokenUrl, clientId } = P;
  if (!tokenUrl || !clientId) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks the token URL or client id needed to refresh it`),
    );
  }
  const client = clientFromParams(P, clientId, secret);
  if (client.secret === undefined && P.confidential === true) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' needs the client secret to refresh`),
      'Set AUTHCTL_CLIENT_SECRET, or run',
    );
  }
  let tokens: Awaited<ReturnType<typeof requestToken>>;
  try {
    tokens = await requestToken(ctx, {
      tokenUrl,
      client,
      // No `scope`: omitting it asks for the scopes originally granted (RFC 6749 §6).
      // RFC 8707 §2.2 lets a refresh name the resources again; every one of them is sent.
      params: {
        grant_type: 'refresh_token',
        refresh_token: p.refreshToken,
        resource: P.resource ?? [],
      },
      extraParams: extraTokenParams(P),
      caFile: P.caFile,
      // A reset after the server rotated the refresh token must not replay the old one.
      retries: 0,
    });
  } catch (e) {
    if (e instanceof AuthctlError && e.code === 'oauth.invalid_grant') {
      throw withRelogin(
        new NoTokenError(
          `the refresh token of profile '${name}' is no longer accepted (${e.message.slice(e.message.indexOf('(invalid_grant') + 1).replace(/\)$/, '')})`,
          undefined,
          'oauth.invalid_grant',
        ),
        'Log in again',
      );
    }
    throw e;
  }
  const now = ctx.now();

  let idToken = p.idToken;
  let subject = p.subject;
  if (tokens.idToken) {
    let claims: Record<string, unknown>;
    try {
      if (needsSignatureCheck(tokenUrl)) {
        await verifyIdTokenSignature(ctx, tokens.idToken, P.jwksUri, P.caFile);
      }
      // OpenID Connect Core, section 12.2: same issuer, subject and audience as at login; no nonce
      // on refresh.
      const previous = p.idToken ? decodeJwt(p.idToken)?.payload : undefined;
      claims = checkIdToken(tokens.idToken, {
        clientId,
        issuer: P.issuer ?? (typeof previous?.iss === 'string' ? previous.iss : undefined),
        nowMs: now,
        previous,
      });
    } catch (e) {
      // The server may already have rotated the refresh token: the caller persists it (renew.ts),
      // or the next refresh would replay the old one and the provider revoke the whole grant.
      if (tokens.refreshToken) Object.assign(e as object, { rotatedRefreshToken: tokens.refreshToken });
      throw e;
    }
    idToken = tokens.idToken;
    subject = subjectFromClaims(claims) ?? subject;
  }
  // A preset whose server omits expires_in saves its documented lifetime (LivePerson: 30 min).
  const fallback = P.defaultExpiresIn;
  const next: Profile = {
    ...p,
    token: tokens.accessToken,
    tokenType: tokens.tokenType,
    obtainedAt: isoUtc(now),
    expiresAt: expiryIso(tokens.expiresIn ?? fallback, now),
    subject,
    scopes: tokens.scope ?? p.scopes,
    // RFC 6749 §6: a server may rotate the refresh token; when it sends none, the old one stays valid.
    refreshToken: tokens.refreshToken ?? p.refreshToken,
  };
  if (idToken) next.idToken = idToken;
  return next;
}
