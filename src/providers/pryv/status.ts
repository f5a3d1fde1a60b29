/**
 * Online check of a saved Pryv token (`authctl status`): `GET {apiEndpoint}access-info` with the
 * raw token in the Authorization header (https://pryv.github.io/reference/#get-access-info).
 */
import type { Context } from '../../context.js';
import { FailureError, ProtocolError } from '../../errors.js';
import type { HttpResponse } from '../../http/client.js';
import { redactUrl } from '../../http/url.js';
import { type Profile, paramsOf } from '../../store/profile.js';
import type { StatusCheck } from '../types.js';
import { type AccessInfo, describeServerError, parseAccessInfo, withTrailingSlash } from './protocol.js';

/** What access-info said about a token. */
export type AccessInfoAnswer = { valid: true; info: AccessInfo } | { valid: false; status: number };

/** The saved apiEndpoint of a Pryv profile (without the token), or a failure naming it. */
export function profileEndpoint(p: Profile): string {
  const ep = paramsOf(p, 'pryv-access').apiEndpoint;
  if (ep === undefined) {
    throw new FailureError(
      "the profile records no 'apiEndpoint'",
      'Log in again with authctl pryv request, or re-import it with --api-endpoint.',
    );
  }
  return withTrailingSlash(ep);
}

/**
 * `GET {endpoint}access-info`, sending `Authorization: <token>` (raw, no `Bearer`): the answer,
 * and the URL as messages show it.
 */
export async function getAccessInfo(
  ctx: Context,
  endpoint: string,
  token: string,
  retries: number,
): Promise<{ res: HttpResponse; shown: string }> {
  const url = `${endpoint}access-info`;
  const res = await ctx.http().request({
    method: 'GET',
    url,
    headers: { authorization: token },
    retries,
    signal: ctx.signal,
  });
  return { res, shown: redactUrl(url) };
}

/**
 * `GET {endpoint}access-info` with `Authorization: <token>`. 401/403 mean the server does not
 * know the token (deleted, expired, wrong user); other failures throw (exit 1).
 */
export async function accessInfo(ctx: Context, endpoint: string, token: string): Promise<AccessInfoAnswer> {
  const { res, shown } = await getAccessInfo(ctx, endpoint, token, 0);
  if (res.status === 401 || res.status === 403) return { valid: false, status: res.status };
  if (res.status !== 200) {
    throw new FailureError(
      `GET ${shown} answered ${describeServerError(res.status, res.json)}`,
      undefined,
      res.status >= 500 ? 'network.server_error' : 'pryv.access_info',
    );
  }
  if (res.json === undefined) throw new ProtocolError(`access-info from ${shown} is not JSON`);
  return { valid: true, info: parseAccessInfo(res.json, shown) };
}

/** The `status` hook. */
export async function pryvStatus(ctx: Context, _name: string, p: Profile): Promise<StatusCheck> {
  const r = await accessInfo(ctx, profileEndpoint(p), p.token);
  const method = 'GET access-info';
  if (!r.valid) return { valid: false, method, detail: `the server rejects the token (HTTP ${r.status})` };
  const user = r.info.username ? ` for user ${r.info.username}` : '';
  return { valid: true, method, detail: `the server accepts the token${user}` };
}
