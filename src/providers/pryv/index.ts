/** Pryv.io: access requests with a consent page and polling (https://pryv.github.io/reference/#auth-request). */
import { type Profile, paramsOf } from '../../store/profile.js';
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { loginCommand } from './relogin.js';

/** Pryv's API endpoint with the token embedded (https://token@user.pryv.me/), or null. */
export function apiEndpointWithToken(p: Profile): string | null {
  const ep = paramsOf(p, 'pryv-access').apiEndpoint;
  if (ep === undefined) return null;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(ep);
  if (!m) return null;
  return `${m[1]}://${p.token}@${m[2]}`;
}

export const pryv: ProviderDef = {
  name: 'pryv',
  label: 'Pryv.io',
  register,
  loginCommand,
  // Pryv takes the raw token in the Authorization header, without a scheme.
  authorization: (p) => p.token,
  extraVars(p) {
    const ep = apiEndpointWithToken(p);
    return ep ? [['API_ENDPOINT', ep]] : [];
  },
  revoke: async (ctx, name, p) => (await import('./revoke.js')).pryvRevoke(ctx, name, p),
  status: async (ctx, name, p) => (await import('./status.js')).pryvStatus(ctx, name, p),
};
