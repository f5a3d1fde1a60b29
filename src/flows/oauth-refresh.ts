/** Refresh-token grant (RFC 6749 §6). Implemented with the authorization-code flow (issue 4). */
import type { Context } from '../context.js';
import { NoTokenError } from '../errors.js';
import type { Profile } from '../store/profile.js';

/** Use the profile's refresh token to get a new access token; returns the updated profile. */
export async function refreshProfile(
  _ctx: Context,
  name: string,
  _p: Profile,
  _secret?: string,
): Promise<Profile> {
  throw new NoTokenError(`profile '${name}' needs a refresh, which this build cannot do yet`);
}
