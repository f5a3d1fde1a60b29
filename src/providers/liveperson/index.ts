/**
 * LivePerson Sentinel: authorization code with a loopback redirect and refresh tokens
 * (https://developers.liveperson.com/liveperson-sentinel-api-overview.html).
 */
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { loginCommand } from './relogin.js';

export const liveperson: ProviderDef = {
  name: 'liveperson',
  label: 'LivePerson',
  register,
  loginCommand,
  async revoke(ctx, name, p) {
    return (await import('./flow.js')).revokeForDelete(ctx, name, p);
  },
};
