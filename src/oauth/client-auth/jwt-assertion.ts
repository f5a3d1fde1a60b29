/**
 * The signed client assertion of RFC 7523 §3 shared by client_secret_jwt and private_key_jwt:
 * iss = sub = the client id, aud = the endpoint the request goes to, a random jti, iat, and an
 * exp one minute ahead. Signed with `jose`, loaded only here.
 */
import type { Context } from '../../context.js';
import { JWT_BEARER_ASSERTION, type PreparedClientAuth } from './types.js';

/** Lifetime of an assertion: short, it is used once (RFC 7523 §3 item 4). */
export const ASSERTION_TTL_S = 60;

/** Sign an assertion with `key` and return the form fields that carry it. */
export async function signedAssertion(
  ctx: Context,
  opts: { clientId: string; audience: string; alg: string; kid?: string | undefined; key: CryptoKeyLike },
): Promise<PreparedClientAuth> {
  const { SignJWT } = await import('jose');
  const now = Math.floor(ctx.now() / 1000);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: opts.alg, typ: 'JWT', ...(opts.kid ? { kid: opts.kid } : {}) })
    .setIssuer(opts.clientId)
    .setSubject(opts.clientId)
    .setAudience(opts.audience)
    .setJti(ctx.random(24).toString('base64url'))
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_TTL_S)
    .sign(opts.key as Parameters<InstanceType<typeof SignJWT>['sign']>[0]);
  return {
    headers: {},
    form: [
      ['client_id', opts.clientId],
      ['client_assertion_type', JWT_BEARER_ASSERTION],
      ['client_assertion', jwt],
    ],
  };
}

/** A node:crypto KeyObject or raw secret bytes, as `jose` accepts them on Node. */
export type CryptoKeyLike = import('node:crypto').KeyObject | Uint8Array;
