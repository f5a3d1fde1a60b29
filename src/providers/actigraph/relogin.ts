/** The command that fetches the profile's token again (its re-login hint). */
import { type Profile, paramsOf } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';
import { ACTIGRAPH_TOKEN_URL } from './constants.js';

/** `authctl actigraph token …` with the client, scopes and endpoint the profile was saved with. */
export function loginCommand(name: string, p: Profile): string {
  const { clientId, scope, tokenUrl } = paramsOf(p, 'client_credentials');
  return `AUTHCTL_CLIENT_SECRET=… authctl actigraph token${flag('--client-id', clientId ?? '<id>')}${flags('--scope', scope ?? p.scopes)}${flag('--token-url', tokenUrl, ACTIGRAPH_TOKEN_URL)}${profileFlag(name, 'actigraph')}`;
}
