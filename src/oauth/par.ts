/**
 * Pushed authorization requests (RFC 9126): the authorization parameters go to the PAR endpoint in
 * a client-authenticated POST, and the browser gets only `client_id` and the `request_uri` back.
 */
import type { Context } from '../context.js';
import { ProtocolError } from '../errors.js';
import type { OAuthClient } from './client-auth/index.js';
import { postFormExpecting } from './token-endpoint.js';

/** Push the parameters; returns the request_uri to authorize with (RFC 9126 §2.2). */
export async function pushAuthorizationRequest(
  ctx: Context,
  req: { parUrl: string; client: OAuthClient; params: Array<[string, string]>; caFile?: string | undefined },
): Promise<string> {
  const where = `PAR endpoint ${new URL(req.parUrl).host}`;
  const grouped: Record<string, string[]> = {};
  for (const [k, v] of req.params) {
    grouped[k] ??= [];
    grouped[k].push(v);
  }
  const res = await postFormExpecting(
    ctx,
    {
      tokenUrl: req.parUrl,
      client: req.client,
      params: grouped,
      caFile: req.caFile,
      retries: 0,
      label: where,
    },
    [201, 200],
  );
  const body = res.json as Record<string, unknown> | undefined;
  const uri = body?.request_uri;
  if (typeof uri !== 'string' || !/^[\x21-\x7e]{1,2048}$/.test(uri)) {
    throw new ProtocolError(`${where}: the answer has no valid 'request_uri'`);
  }
  return uri;
}
