/**
 * Refresh-token grant (RFC 6749 §6), driven entirely by the profile's saved parameters so every
 * authorization-code profile (generic OAuth, LivePerson) renews the same way. The caller holds the
 * profile lock, has re-read the store, and saves the result; on any failure nothing is written.
 */
import type { Context } from '../context.js';
import { NoTokenError, withRelogin } from '../errors.js';
import { isoUtc } from '../lib/format.js';
import { decodeJwt } from '../lib/jwt.js';
import { checkIdToken, subjectFromClaims } from '../protocol/idtoken.js';
import {
  type ClientAuthMethod,
  clientAuthentication,
  expiryIso,
  processTokenResponse,
  serverText,
} from '../protocol/oauth.js';
import type { ParamValue, Profile } from '../store/profile.js';

const METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];

const str = (v: ParamValue | undefined): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** Scopes as saved: a space-joined string or a list. */
function words(v: ParamValue | undefined): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v)) return v.flatMap((s) => s.split(' ')).filter(Boolean);
  return [];
}

/** Use the profile's refresh token to get a new access token; returns the updated profile. */
export async function refreshProfile(
  ctx: Context,
  name: string,
  p: Profile,
  secret?: string,
): Promise<Profile> {
  if (!p.refreshToken) throw withRelogin(new NoTokenError(`profile '${name}' has no refresh token`));
  const tokenUrl = str(p.params.tokenUrl);
  const clientId = str(p.params.clientId);
  if (!tokenUrl || !clientId) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks the token URL or client id needed to refresh it`),
    );
  }
  const confidential = p.params.confidential === true;
  if (confidential && secret === undefined) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' needs the client secret to refresh`),
      'Set AUTHCTL_CLIENT_SECRET, or run',
    );
  }
  const saved = str(p.params.authMethod) as ClientAuthMethod | undefined;
  const authMethod: ClientAuthMethod =
    saved && METHODS.includes(saved) ? saved : confidential ? 'client_secret_basic' : 'none';
  const auth = clientAuthentication(authMethod, clientId, confidential ? secret : undefined);

  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: p.refreshToken });
  // No `scope`: omitting it asks for the scopes originally granted (RFC 6749 §6).
  // RFC 8707 §2.2 lets a refresh name the resource again.
  for (const r of words(p.params.resource)) form.append('resource', r);
  for (const [k, v] of Object.entries(auth.form)) form.set(k, v);
  const where = `token endpoint ${new URL(tokenUrl).host}`;
  const res = await ctx.http(str(p.params.caFile)).request({
    method: 'POST',
    url: tokenUrl,
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form: Object.fromEntries(form) as Record<string, string>,
    // A reset after the server rotated the refresh token must not replay the old one.
    retries: 0,
    signal: ctx.signal,
  });
  const body = res.json as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && body.error === 'invalid_grant') {
    const desc =
      typeof body.error_description === 'string' ? `: ${serverText(body.error_description, 200)}` : '';
    throw withRelogin(
      new NoTokenError(
        `the refresh token of profile '${name}' is no longer accepted (invalid_grant${desc})`,
        undefined,
        'oauth.invalid_grant',
      ),
      'Log in again',
    );
  }
  const tokens = processTokenResponse(res, where);
  const now = ctx.now();

  let idToken = p.idToken;
  let subject = p.subject;
  if (tokens.idToken) {
    // OIDC Core §12.2: same issuer, subject and audience as at login; no nonce on refresh.
    const previous = p.idToken ? decodeJwt(p.idToken)?.payload : undefined;
    const claims = checkIdToken(tokens.idToken, {
      clientId,
      issuer: str(p.params.issuer) ?? (typeof previous?.iss === 'string' ? previous.iss : undefined),
      nowMs: now,
      previous,
    });
    idToken = tokens.idToken;
    subject = subjectFromClaims(claims) ?? subject;
  }
  // A preset whose server omits expires_in saves its documented lifetime (LivePerson: 30 min).
  const fallback = typeof p.params.defaultExpiresIn === 'number' ? p.params.defaultExpiresIn : undefined;
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
