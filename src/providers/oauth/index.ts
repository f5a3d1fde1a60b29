/** The generic OAuth 2.0 / OpenID Connect engine as a provider: `authctl oauth …` profiles. */
import { flag, flags, profileFlag } from '../relogin.js';
import type { ProviderDef } from '../types.js';

export const oauth: ProviderDef = {
  name: 'oauth',
  label: 'OAuth',
  // The oauth commands are declared by the engine (src/cli/program.ts for now).
  register: () => {},
  loginCommand(name, p) {
    const P = p.params;
    const scopes = typeof P.scope === 'string' ? P.scope.split(' ').filter(Boolean) : p.scopes;
    const server =
      typeof P.issuer === 'string'
        ? flag('--issuer', P.issuer)
        : p.flow === 'client_credentials'
          ? flag('--token-url', P.tokenUrl ?? '<url>')
          : `${flag('--authorize-url', P.authorizeUrl ?? '<url>')}${flag('--token-url', P.tokenUrl ?? '<url>')}`;
    const resources = Array.isArray(P.resource)
      ? P.resource
      : typeof P.resource === 'string'
        ? [P.resource]
        : [];
    const common = `${server}${flag('--client-id', P.clientId ?? '<id>')}${flags('--scope', scopes)}${flags('--resource', resources)}${flag('--audience', P.audience)}`;
    if (p.flow === 'client_credentials') {
      return `AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials${common}${flag('--auth-method', P.authMethod, 'client_secret_basic')}${profileFlag(name, 'oauth')}`;
    }
    return `authctl oauth login${common}${profileFlag(name, 'oauth')}`;
  },
};
