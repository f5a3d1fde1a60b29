/**
 * LivePerson Sentinel: authorization code with a loopback redirect and refresh tokens
 * (https://developers.liveperson.com/liveperson-sentinel-api-overview.html).
 */
import { livePersonParams } from '../../store/profile.js';
import { flag, profileFlag } from '../relogin.js';
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { DEFAULT_DOMAIN_API, DEFAULT_REDIRECT_URI } from './protocol.js';

export const liveperson: ProviderDef = {
  name: 'liveperson',
  label: 'LivePerson',
  register,
  loginCommand(name, p) {
    const { domainFlag, domainApi, account, clientId, redirectUri } = livePersonParams(p);
    // A profile made with --domain keeps it (no discovery needed); else the domain API it used.
    const where =
      domainFlag !== undefined
        ? flag('--domain', domainFlag)
        : flag('--domain-api', domainApi, DEFAULT_DOMAIN_API);
    return `authctl liveperson login${flag('--account', account ?? '<accountId>')}${flag('--client-id', clientId ?? '<appInstallId>')}${where}${flag('--redirect-uri', redirectUri, DEFAULT_REDIRECT_URI)}${profileFlag(name, 'liveperson')}`;
  },
  async revoke(ctx, name, p) {
    return (await import('./flow.js')).revokeForDelete(ctx, name, p);
  },
};
