/** The generic OAuth 2.0 / OpenID Connect engine as a provider: `authctl oauth …` profiles. */

import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { loginCommand } from './relogin.js';

export const oauth: ProviderDef = {
  name: 'oauth',
  label: 'OAuth',
  // The oauth commands are declared by the engine.
  register,
  loginCommand,
  revoke: async (ctx, name, p) => (await import('./revoke.js')).oauthRevoke(ctx, name, p),
  status: async (ctx, name, p) => (await import('./status.js')).oauthStatus(ctx, name, p),
};
