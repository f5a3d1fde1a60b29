/** The command that authorizes a SAFE profile again (its re-login hint). */
import { type Profile, paramsOf } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';
import { DEFAULT_LAUNCHER_URL } from './constants.js';

/** `authctl safe authorize …` with the app identity and permissions the profile was saved with. */
export function loginCommand(name: string, p: Profile): string {
  const { appName, appId, appVersion, appVendor, launcherUrl } = paramsOf(p, 'safe-launcher');
  return `authctl safe authorize${flag('--app-name', appName ?? '<name>')}${flag('--app-id', appId ?? '<id>')}${flag('--app-version', appVersion ?? '<v>')}${flag('--app-vendor', appVendor ?? '<vendor>')}${flags('--permission', p.scopes)}${flag('--launcher-url', launcherUrl, DEFAULT_LAUNCHER_URL)}${profileFlag(name, 'safe')}`;
}
