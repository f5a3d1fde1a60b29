/**
 * Client authentication at the token, PAR and device endpoints: one module per method
 * (RFC 6749 §2.3.1, RFC 7523 §2.2, RFC 8705 §2, RFC 7521 §4.2 for federated assertions).
 * `prepareClientAuth` reads what the method needs (key, certificate, assertion) afresh on every
 * call, so renewal picks up a rotated key or a newly issued CI token; a missing or unusable file
 * is a usage error (exit 2). Key material is never returned for saving — only paths are.
 */
import type { Context } from '../../context.js';
import type { ClientAuthMethod } from '../protocol.js';
import type { OAuthClient, PreparedClientAuth } from './types.js';

export { JWT_BEARER_ASSERTION, type OAuthClient, type PreparedClientAuth } from './types.js';

/** Methods that need the client secret. */
export function needsSecret(method: ClientAuthMethod | undefined): boolean {
  return (
    method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt'
  );
}

/**
 * The headers, form fields and TLS credentials for one request to `endpoint` (the `aud` of a
 * signed assertion). Loads `jose` only for the JWT methods.
 */
export async function prepareClientAuth(
  ctx: Context,
  client: OAuthClient,
  endpoint: string,
): Promise<PreparedClientAuth> {
  const auth = await methodAuth(ctx, client, endpoint);
  // RFC 8705 §3: a certificate given with another method still binds the tokens to it.
  if (!auth.tls && client.certFile !== undefined)
    auth.tls = (await import('./tls.js')).readClientCertificate(ctx, client);
  return auth;
}

async function methodAuth(ctx: Context, client: OAuthClient, endpoint: string): Promise<PreparedClientAuth> {
  if (client.assertionFile !== undefined || client.assertionEnv !== undefined) {
    return (await import('./assertion.js')).federatedAssertion(ctx, client);
  }
  switch (client.authMethod) {
    case 'client_secret_basic':
      return (await import('./secret-basic.js')).secretBasic(client);
    case 'client_secret_post':
      return (await import('./secret-post.js')).secretPost(client);
    case 'client_secret_jwt':
      return (await import('./secret-jwt.js')).secretJwt(ctx, client, endpoint);
    case 'private_key_jwt':
      return (await import('./private-key-jwt.js')).privateKeyJwt(ctx, client, endpoint);
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      return (await import('./tls.js')).tlsClientAuth(ctx, client);
    default:
      return (await import('./none.js')).noClientAuth(client);
  }
}

/**
 * Check, before any request, that the method's inputs are there and usable (exit 2 otherwise):
 * the same reading as a real request, without signing or sending anything.
 */
export async function checkClientAuth(ctx: Context, client: OAuthClient): Promise<void> {
  if (client.assertionFile !== undefined || client.assertionEnv !== undefined) {
    (await import('./assertion.js')).readAssertion(ctx, client);
  } else if (client.authMethod === 'private_key_jwt') {
    (await import('./private-key-jwt.js')).loadSigningKey(ctx, client);
  }
  if (usesCertificate(client)) (await import('./tls.js')).readClientCertificate(ctx, client);
}

/** Whether requests carry a client certificate (and so go to the RFC 8705 §5 aliases). */
export function usesCertificate(client: OAuthClient): boolean {
  return (
    client.authMethod === 'tls_client_auth' ||
    client.authMethod === 'self_signed_tls_client_auth' ||
    client.certFile !== undefined
  );
}
