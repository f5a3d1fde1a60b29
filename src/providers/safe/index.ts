/** SAFE Launcher: a local app asks the Launcher's user for a JWT (POST /auth, held until they decide). */
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { loginCommand } from './relogin.js';

export const safe: ProviderDef = {
  name: 'safe',
  label: 'the SAFE Launcher',
  register,
  loginCommand,
  async revoke(ctx, name, p) {
    return (await import('./flow.js')).revokeForDelete(ctx, name, p);
  },
};
