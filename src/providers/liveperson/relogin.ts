/** The command that logs in to LivePerson again (its re-login hint). */
import { livePersonParams, type Profile } from '../../store/profile.js';
import { flag, profileFlag } from '../relogin.js';
import { DEFAULT_DOMAIN_API, DEFAULT_REDIRECT_URI } from './protocol.js';

/** `authctl liveperson login …` with the account, client and domain the profile was saved with. */
export function loginCommand(name: string, p: Profile): string {
  const { domainFlag, domainApi, account, clientId, redirectUri } = livePersonParams(p);
  // A profile made with --domain keeps it (no discovery needed); else the domain API it used.
  const where =
    domainFlag !== undefined
      ? flag('--domain', domainFlag)
      : flag('--domain-api', domainApi, DEFAULT_DOMAIN_API);
  return `authctl liveperson login${flag('--account', account ?? '<accountId>')}${flag('--client-id', clientId ?? '<appInstallId>')}${where}${flag('--redirect-uri', redirectUri, DEFAULT_REDIRECT_URI)}${profileFlag(name, 'liveperson')}`;
}
