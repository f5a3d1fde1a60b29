/**
 * Revoke a saved Pryv token: find its access id with `GET access-info`, then
 * `DELETE {apiEndpoint}accesses/{id}` with the token itself — an app access may delete itself
 * (https://pryv.github.io/reference/#delete-access). Afterwards the token is no longer accepted.
 */
import type { Context } from '../../context.js';
import { FailureError } from '../../errors.js';
import { redactUrl } from '../../http/url.js';
import type { Profile } from '../../store/profile.js';
import type { RevokeOutcome } from '../types.js';
import { describeServerError } from './protocol.js';
import { accessInfo, profileEndpoint } from './status.js';

/** The `revoke` hook. */
export async function pryvRevoke(ctx: Context, _name: string, p: Profile): Promise<RevokeOutcome> {
  const endpoint = profileEndpoint(p);
  const info = await accessInfo(ctx, endpoint, p.token);
  if (!info.valid) return 'already-invalid';
  const id = info.info.summary.id;
  if (typeof id !== 'string' || id === '') {
    throw new FailureError('access-info did not name the access id, so it cannot be deleted');
  }
  const url = `${endpoint}accesses/${encodeURIComponent(id)}`;
  const res = await ctx.http().request({
    method: 'DELETE',
    url,
    headers: { authorization: p.token },
    retries: 0,
    signal: ctx.signal,
  });
  if (res.status === 200 || res.status === 204) return 'revoked';
  if (res.status === 404 || res.status === 401) return 'already-invalid';
  throw new FailureError(
    `DELETE ${redactUrl(url)} answered ${describeServerError(res.status, res.json)}`,
    undefined,
    res.status >= 500 ? 'network.server_error' : 'pryv.revoke',
  );
}
