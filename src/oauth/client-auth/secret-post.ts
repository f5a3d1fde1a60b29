/** client_secret_post (RFC 6749 §2.3.1): id and secret in the form body. */
import type { OAuthClient, PreparedClientAuth } from './types.js';

export function secretPost(client: OAuthClient): PreparedClientAuth {
  if (client.secret === undefined) return { headers: {}, form: [['client_id', client.clientId]] };
  return {
    headers: {},
    form: [
      ['client_id', client.clientId],
      ['client_secret', client.secret],
    ],
  };
}
