/** The command that asks Pryv for the profile's access again (its re-login hint). */
import { type Profile, paramsOf } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';
import { DEFAULT_SERVICE_INFO_URL } from './constants.js';

/** `authctl pryv request …` with the app id and permissions the profile was saved with. */
export function loginCommand(name: string, p: Profile): string {
  const { permissions, appId, serviceInfoUrl } = paramsOf(p, 'pryv-access');
  // What the user asked for (with default names), never what the server added on its own; older
  // profiles without it fall back to the granted scopes minus the server's system streams.
  const fromScopes = p.scopes.filter((s) => !/^:_(system|audit):/.test(s));
  const perms = permissions?.length ? permissions : fromScopes.length ? fromScopes : ['<streamId:level>'];
  return `authctl pryv request${flag('--app-id', appId ?? '<app-id>')}${flags('--permission', perms)}${flag('--service-info', serviceInfoUrl, DEFAULT_SERVICE_INFO_URL)}${profileFlag(name, 'pryv')}`;
}
