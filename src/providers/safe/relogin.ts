/** The command that authorizes a SAFE profile again (its re-login hint). */
import type { Profile } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';
import { DEFAULT_LAUNCHER_URL } from './constants.js';

/** `authctl safe authorize …` with the app identity and permissions the profile was saved with. */
export function loginCommand(name: string, p: Profile): string {
  const P = p.params;
  return `authctl safe authorize${flag('--app-name', P.appName ?? '<name>')}${flag('--app-id', P.appId ?? '<id>')}${flag('--app-version', P.appVersion ?? '<v>')}${flag('--app-vendor', P.appVendor ?? '<vendor>')}${flags('--permission', p.scopes)}${flag('--launcher-url', P.launcherUrl, DEFAULT_LAUNCHER_URL)}${profileFlag(name, 'safe')}`;
}
