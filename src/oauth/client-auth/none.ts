/** none (RFC 6749 §2.1, public clients): only the client id is sent. */
import type { OAuthClient, PreparedClientAuth } from './types.js';

export function noClientAuth(client: OAuthClient): PreparedClientAuth {
  return { headers: {}, form: [['client_id', client.clientId]] };
}
