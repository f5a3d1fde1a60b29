/**
 * ActiGraph CentrePoint: OAuth client credentials against its IdentityServer
 * (https://github.com/actigraph/CentrePoint3APIDocumentation).
 */
import { flag, flags, profileFlag } from '../relogin.js';
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { ACTIGRAPH_TOKEN_URL } from './constants.js';

export const actigraph: ProviderDef = {
  name: 'actigraph',
  label: 'ActiGraph',
  endpointLabel: 'ActiGraph',
  register,
  loginCommand(name, p) {
    const P = p.params;
    const scopes = typeof P.scope === 'string' ? P.scope.split(' ').filter(Boolean) : p.scopes;
    return `AUTHCTL_CLIENT_SECRET=… authctl actigraph token${flag('--client-id', P.clientId ?? '<id>')}${flags('--scope', scopes)}${flag('--token-url', P.tokenUrl, ACTIGRAPH_TOKEN_URL)}${profileFlag(name, 'actigraph')}`;
  },
};
