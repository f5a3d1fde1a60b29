/**
 * ID token claim checks (OpenID Connect Core, sections 3.1.3.7 and 12.2), pure. Over TLS (or
 * loopback) the token is decoded, not verified: authctl receives it directly from the token
 * endpoint in exchange for a code bound to its own PKCE verifier, which OpenID Connect Core,
 * section 3.1.3.7 step 6, accepts in place of a signature check. Over plain http to another host
 * (--insecure) that does not hold, and idtoken-signature.ts verifies the signature against the
 * provider's JWKS first. The claims still prove it was minted for this client, this login and this
 * issuer; `alg: none` is refused.
 */
import { ProtocolError } from '../errors.js';
import { decodeJwt } from '../lib/jwt.js';
import { serverText } from './protocol.js';

/** Allowed clock difference between authctl and the server, in seconds. */
export const DEFAULT_SKEW_SECONDS = 120;

/** What the ID token must match. */
export interface IdTokenExpectation {
  clientId: string;
  /** The issuer from discovery; when unknown (explicit endpoints) only the claim's presence is checked. */
  issuer?: string | undefined;
  /** The nonce sent in the authorization request; absent on refresh (OpenID Connect Core, 12.2). */
  nonce?: string | undefined;
  nowMs: number;
  skewSeconds?: number;
  /**
   * On refresh: the claims of the previous ID token, whose iss/sub/aud must not change (OpenID
   * Connect Core, section 12.2).
   */
  previous?: Record<string, unknown> | undefined;
}

const show = (v: unknown) => serverText(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), 80);

/** Decode an ID token and check iss, aud/azp, exp, iat and nonce; returns its claims. */
export function checkIdToken(idToken: string, exp: IdTokenExpectation): Record<string, unknown> {
  const jwt = decodeJwt(idToken);
  const bad = (what: string) => new ProtocolError(`the ID token ${what}; nothing was saved`);
  if (!jwt) throw bad('is not a JWT');
  const c = jwt.payload;
  // OpenID Connect Core, section 2: `alg: none` only for clients registered for it, which authctl
  // never is.
  if (typeof jwt.header.alg !== 'string' || jwt.header.alg.toLowerCase() === 'none') {
    throw bad("is unsigned (alg 'none')");
  }
  // iss (step 2): exact string comparison (OpenID Connect Core, section 3.1.3.7).
  if (typeof c.iss !== 'string' || c.iss === '') throw bad("has no 'iss' claim");
  if (exp.issuer !== undefined && c.iss !== exp.issuer) {
    throw bad(`was issued by '${show(c.iss)}', not '${exp.issuer}'`);
  }
  // aud and azp (steps 3–5): aud is a string or an array holding our client id; with several
  // audiences, azp must name us.
  const aud = typeof c.aud === 'string' ? [c.aud] : c.aud;
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every((a) => typeof a === 'string')) {
    throw bad("has no valid 'aud' claim");
  }
  if (!aud.includes(exp.clientId))
    throw bad(`is meant for ${show(aud.join(', '))}, not client '${exp.clientId}'`);
  if (aud.length > 1 && c.azp === undefined) throw bad("has several audiences but no 'azp' claim");
  if (c.azp !== undefined && c.azp !== exp.clientId)
    throw bad(`was issued to party '${show(c.azp)}', not '${exp.clientId}'`);
  // exp and iat (steps 9–10)
  const skew = exp.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (typeof c.exp !== 'number' || !Number.isFinite(c.exp)) throw bad("has no numeric 'exp' claim");
  if (c.exp + skew <= exp.nowMs / 1000) {
    // Guard the Date range: a nonsense `exp` (e.g. -1e308) is reported, not a RangeError.
    const when = Math.abs(c.exp) < 8.64e12 ? ` at ${new Date(c.exp * 1000).toISOString()}` : '';
    throw bad(`expired${when}`);
  }
  if (c.iat !== undefined && (typeof c.iat !== 'number' || c.iat - skew > exp.nowMs / 1000)) {
    throw bad("has an 'iat' claim in the future");
  }
  // sub is required (OpenID Connect Core, section 2).
  if (typeof c.sub !== 'string' || c.sub === '') throw bad("has no 'sub' claim");
  // nonce (step 11): exactly the value this login sent.
  if (exp.nonce !== undefined) {
    if (c.nonce === undefined) throw bad("has no 'nonce' claim although one was sent");
    if (c.nonce !== exp.nonce) throw bad("'nonce' does not match this login (possible replay)");
  }
  // Refresh (OpenID Connect Core, section 12.2): same issuer, subject and audience as the ID token
  // of the login.
  if (exp.previous) {
    const p = exp.previous;
    if (typeof p.sub === 'string' && p.sub !== c.sub) throw bad('from the refresh names a different subject');
    if (typeof p.iss === 'string' && p.iss !== c.iss) throw bad('from the refresh names a different issuer');
  }
  return c;
}

/** The user an ID token names, for the profile's subject: preferred_username, email, then sub. */
export function subjectFromClaims(c: Record<string, unknown> | undefined): string | null {
  if (!c) return null;
  for (const k of ['preferred_username', 'email', 'sub']) {
    const v = c[k];
    if (typeof v === 'string' && v.trim() !== '') return serverText(v, 200);
  }
  return null;
}
