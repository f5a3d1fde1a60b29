/** client_secret_jwt (RFC 7523 §2.2, OIDC Core §9): an HS256 assertion keyed with the client secret. */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { signedAssertion } from './jwt-assertion.js';
import type { OAuthClient, PreparedClientAuth } from './types.js';

export async function secretJwt(
  ctx: Context,
  client: OAuthClient,
  endpoint: string,
): Promise<PreparedClientAuth> {
  if (client.secret === undefined) throw new UsageError('client_secret_jwt needs the client secret');
  return signedAssertion(ctx, {
    clientId: client.clientId,
    audience: endpoint,
    alg: 'HS256',
    key: new TextEncoder().encode(client.secret),
  });
}
