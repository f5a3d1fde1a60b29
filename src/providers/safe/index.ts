/** SAFE Launcher: a local app asks the Launcher's user for a JWT (POST /auth, held until they decide). */
import { flag, flags, profileFlag } from '../relogin.js';
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { DEFAULT_LAUNCHER_URL } from './constants.js';

export const safe: ProviderDef = {
  name: 'safe',
  label: 'the SAFE Launcher',
  register,
  loginCommand(name, p) {
    const P = p.params;
    return `authctl safe authorize${flag('--app-name', P.appName ?? '<name>')}${flag('--app-id', P.appId ?? '<id>')}${flag('--app-version', P.appVersion ?? '<v>')}${flag('--app-vendor', P.appVendor ?? '<vendor>')}${flags('--permission', p.scopes)}${flag('--launcher-url', P.launcherUrl, DEFAULT_LAUNCHER_URL)}${profileFlag(name, 'safe')}`;
  },
  async revoke(ctx, name, p) {
    return (await import('./flow.js')).revokeForDelete(ctx, name, p);
  },
};
