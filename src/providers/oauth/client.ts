/**
 * The OAuth client of a saved profile, authenticated as at its token endpoint (RFC 6749 §2.3.1:
 * HTTP Basic with form-encoded id and secret, or the secret in the form): revocation (RFC 7009 §2.1)
 * and introspection (RFC 7662 §2.1) authenticate the same way.
 */
import { isRecord } from '../../lib/json.js';
import { type Profile, renewalSecret } from '../../store/profile.js';

/** How the profile's client authenticates, or why it cannot. */
export type ProfileClient =
  | {
      ok: true;
      clientId: string;
      confidential: boolean;
      headers: Record<string, string>;
      form: Record<string, string>;
    }
  | { ok: false; clientId: string | undefined; reason: 'no-client-id' | 'no-secret' };

const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2);

/** The saved string parameter `k`, if any. */
export function param(p: Profile, k: string): string | undefined {
  const v = p.params[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The client of `p` with its authentication (the secret from the profile or AUTHCTL_CLIENT_SECRET). */
export function profileClient(p: Profile, env: NodeJS.ProcessEnv): ProfileClient {
  const clientId = param(p, 'clientId');
  if (!clientId) return { ok: false, clientId, reason: 'no-client-id' };
  const confidential = p.params.confidential === true || p.flow === 'client_credentials';
  if (!confidential) return { ok: true, clientId, confidential, headers: {}, form: { client_id: clientId } };
  const secret = renewalSecret(p, env);
  if (secret === undefined) return { ok: false, clientId, reason: 'no-secret' };
  if (param(p, 'authMethod') === 'client_secret_post') {
    return {
      ok: true,
      clientId,
      confidential,
      headers: {},
      form: { client_id: clientId, client_secret: secret },
    };
  }
  const basic = Buffer.from(`${enc(clientId)}:${enc(secret)}`, 'utf8').toString('base64');
  return { ok: true, clientId, confidential, headers: { authorization: `Basic ${basic}` }, form: {} };
}

/** The `error` code of an OAuth error body, if any. */
export function oauthErrorCode(json: unknown): string | undefined {
  return isRecord(json) && typeof json.error === 'string' ? json.error.slice(0, 80) : undefined;
}
