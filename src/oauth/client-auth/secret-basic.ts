/** client_secret_basic (RFC 6749 §2.3.1): HTTP Basic with the form-urlencoded id and secret. */
import { formEncode } from '../protocol.js';
import type { OAuthClient, PreparedClientAuth } from './types.js';

/**
 * The RFC requires the id and secret to be form-urlencoded before base64 (many libraries forget
 * this, and a secret with ':' or '%' then fails).
 */
export function secretBasic(client: OAuthClient): PreparedClientAuth {
  // Without a secret (a public client) only the id is sent.
  if (client.secret === undefined) return { headers: {}, form: [['client_id', client.clientId]] };
  const basic = Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.secret)}`, 'utf8').toString(
    'base64',
  );
  return { headers: { authorization: `Basic ${basic}` }, form: [] };
}
