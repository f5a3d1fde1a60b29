/**
 * The OAuth client of a saved profile, authenticated exactly as at its token endpoint, through the
 * engine's client-authentication modules: revocation (RFC 7009 §2.1) and introspection
 * (RFC 7662 §2.1) authenticate the same way as the token request.
 */
import type { Context } from '../../context.js';
import type { ClientCertificate } from '../../http/client.js';
import { isRecord } from '../../lib/json.js';
import { needsSecret, prepareClientAuth } from '../../oauth/client-auth/index.js';
import { clientFromParams } from '../../oauth/params.js';
import { oauthParams, type Profile, renewalSecret } from '../../store/profile.js';

/** The profile's client, or why it cannot authenticate. */
export type ProfileClient =
  | { ok: true; clientId: string; confidential: boolean; auth: (endpoint: string) => Promise<PreparedAuth> }
  | { ok: false; clientId: string | undefined; reason: 'no-client-id' | 'no-secret' };

/** What one request to an endpoint carries to authenticate the client. */
export interface PreparedAuth {
  headers: Record<string, string>;
  form: Array<[string, string]>;
  tls?: ClientCertificate | undefined;
}

/** The client of `p` (its secret from the profile or AUTHCTL_CLIENT_SECRET, keys and certificates from their files). */
export function profileClient(ctx: Context, p: Profile): ProfileClient {
  const saved = oauthParams(p);
  const clientId = saved.clientId;
  if (!clientId) return { ok: false, clientId, reason: 'no-client-id' };
  // A client-credentials client is confidential unless the profile says otherwise.
  const confidential = saved.confidential ?? (p.flow === 'client_credentials' ? true : undefined);
  const client = clientFromParams({ ...saved, confidential }, clientId, renewalSecret(p, ctx.env));
  if (needsSecret(client.authMethod) && client.secret === undefined) {
    return { ok: false, clientId, reason: 'no-secret' };
  }
  return {
    ok: true,
    clientId,
    confidential: client.authMethod !== 'none',
    auth: (endpoint) => prepareClientAuth(ctx, client, endpoint),
  };
}

/** The `error` code of an OAuth error body, if any. */
export function oauthErrorCode(json: unknown): string | undefined {
  return isRecord(json) && typeof json.error === 'string' ? json.error.slice(0, 80) : undefined;
}
