/**
 * ID token signatures over plain http. OpenID Connect Core, section 3.1.3.7 step 6, lets a client
 * skip the signature check only when the ID token came straight from the token endpoint over TLS.
 * With --insecure to a host that is not loopback, anyone on the wire could hand authctl an ID
 * token, so it is verified against the provider's JWKS (jwks_uri from discovery) with `jose`,
 * loaded only here. Without a JWKS (explicit endpoints, no discovery) the ID token is refused.
 */
import type { Context } from '../context.js';
import { ProtocolError } from '../errors.js';
import { isLoopbackHost } from '../http/url.js';

/** True when a token endpoint answer was not protected by TLS and not local. */
export function needsSignatureCheck(tokenUrl: string): boolean {
  const u = new URL(tokenUrl);
  return u.protocol === 'http:' && !isLoopbackHost(u.hostname);
}

/** Verify `idToken`'s signature with the keys at `jwksUri`; exit 1 when it does not verify. */
export async function verifyIdTokenSignature(
  ctx: Context,
  idToken: string,
  jwksUri: string | undefined,
  caFile?: string,
): Promise<void> {
  if (!jwksUri) {
    throw new ProtocolError(
      'the ID token came over plain http and the provider names no jwks_uri to verify it with; nothing was saved',
      'Use https, or --issuer so authctl can find the provider keys.',
      'oauth.id_token_unverifiable',
    );
  }
  const res = await ctx.http(caFile).request({ method: 'GET', url: jwksUri, signal: ctx.signal, retries: 1 });
  if (res.status !== 200 || typeof res.json !== 'object' || res.json === null) {
    throw new ProtocolError(`the provider keys at ${jwksUri} could not be read (HTTP ${res.status})`);
  }
  const { createLocalJWKSet, compactVerify } = await import('jose');
  try {
    const keys = createLocalJWKSet(res.json as Parameters<typeof createLocalJWKSet>[0]);
    await compactVerify(idToken, keys);
  } catch (e) {
    throw new ProtocolError(
      `the ID token's signature does not verify against the provider keys (${(e as { code?: string }).code ?? 'invalid'}); nothing was saved`,
      'Someone between you and the provider may have changed the answer: use https.',
      'oauth.id_token_signature',
    );
  }
}
