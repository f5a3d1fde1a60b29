/**
 * PKCE (RFC 7636), `state` (RFC 6749 §10.12) and the OpenID Connect `nonce`: random values for one
 * authorization request. Pure apart from hashing: the randomness comes from the caller (ctx.random).
 */
import { createHash } from 'node:crypto';

/** Produces `n` random bytes from a CSPRNG (ctx.random). */
export type RandomBytes = (n: number) => Buffer;

/** The unreserved characters a code verifier may use, 43–128 of them (RFC 7636 §4.1). */
export const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A code verifier (RFC 7636 §4.1): 32 random octets base64url-encoded give 43 characters and 256 bits,
 * the construction the RFC recommends.
 */
export function createVerifier(random: RandomBytes, bytes = 32): string {
  const v = random(bytes).toString('base64url');
  if (!VERIFIER_RE.test(v)) throw new RangeError('a PKCE verifier must be 43 to 128 characters');
  return v;
}

/** The S256 code challenge: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export function challengeS256(verifier: string): string {
  if (!VERIFIER_RE.test(verifier)) throw new RangeError('a PKCE verifier must be 43 to 128 characters');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An opaque `state` of 256 bits (at least 128 are required to resist guessing; RFC 6749 §10.10, §10.12). */
export function createState(random: RandomBytes): string {
  return random(32).toString('base64url');
}

/**
 * An OpenID Connect `nonce` of 256 bits, bound to the ID token (OpenID Connect Core, sections
 * 3.1.2.1 and 15.5.2).
 */
export function createNonce(random: RandomBytes): string {
  return random(32).toString('base64url');
}

/** The random values of one authorization request. */
export interface AuthorizationSecrets {
  state: string;
  verifier?: string;
  challenge?: string;
  nonce?: string;
}

/** Draw state, and PKCE and nonce when wanted, for one request. */
export function createAuthorizationSecrets(
  random: RandomBytes,
  opts: { pkce: boolean; nonce: boolean },
): AuthorizationSecrets {
  const s: AuthorizationSecrets = { state: createState(random) };
  if (opts.pkce) {
    s.verifier = createVerifier(random);
    s.challenge = challengeS256(s.verifier);
  }
  if (opts.nonce) s.nonce = createNonce(random);
  return s;
}
