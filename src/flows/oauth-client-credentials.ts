/** Client-credentials grant (RFC 6749 §4.4). Implemented with issue 3. */
import type { Context } from '../context.js';
import { NoTokenError } from '../errors.js';
import type { Profile } from '../store/profile.js';

/** Fetch a new token with the profile's saved parameters; returns the updated profile. */
export async function renewClientCredentials(
  _ctx: Context,
  name: string,
  _p: Profile,
  _secret: string,
): Promise<Profile> {
  throw new NoTokenError(`profile '${name}' needs renewal, which this build cannot do yet`);
}
