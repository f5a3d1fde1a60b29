/** Online check of a saved SAFE token (`authctl status`): `GET /auth` with the bearer JWT. */
import type { Context } from '../../context.js';
import type { Profile } from '../../store/profile.js';
import type { StatusCheck } from '../types.js';
import { profileLauncherUrl, tokenCall } from './flow.js';

/** The `status` hook: the same check as `authctl safe status`. */
export async function safeStatus(ctx: Context, _name: string, p: Profile): Promise<StatusCheck> {
  const base = profileLauncherUrl(ctx, p, undefined);
  const r = await tokenCall(ctx, 'GET', base, p.token, 'Is the SAFE Launcher running?');
  return r === 'valid'
    ? { valid: true, method: 'GET /auth', detail: `the SAFE Launcher at ${base} accepts the token` }
    : {
        valid: false,
        method: 'GET /auth',
        detail: `the SAFE Launcher at ${base} no longer knows the token (restarted, logged out, or revoked)`,
      };
}
