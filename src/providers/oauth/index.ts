/** The generic OAuth 2.0 / OpenID Connect engine as a provider: `authctl oauth …` profiles. */

import type { Profile } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';

/** The client-authentication flags a profile was made with (paths and names only, never keys). */
function authFlags(P: Profile['params']): string {
  let out = '';
  if (typeof P.clientAssertionFile === 'string')
    out += flag('--client-assertion-file', P.clientAssertionFile);
  else if (typeof P.clientAssertionEnv === 'string')
    out += flag('--client-assertion-env', P.clientAssertionEnv);
  else if (typeof P.privateKeyFile === 'string') out += flag('--private-key', P.privateKeyFile);
  else if (typeof P.authMethod === 'string' && P.authMethod !== 'none')
    out += flag('--auth-method', P.authMethod, 'client_secret_basic');
  if (typeof P.certFile === 'string') out += `${flag('--cert', P.certFile)}${flag('--key', P.keyFile)}`;
  return out;
}

/** Whether renewing needs AUTHCTL_CLIENT_SECRET (a secret-based method, no federated assertion). */
const usesSecret = (P: Profile['params']) =>
  P.clientAssertionFile === undefined &&
  P.clientAssertionEnv === undefined &&
  (P.authMethod === undefined || /^client_secret_/.test(String(P.authMethod)));

export const oauth: ProviderDef = {
  name: 'oauth',
  label: 'OAuth',
  // The oauth commands are declared by the engine.
  register,
  loginCommand(name, p) {
    const P = p.params;
    const scopes = typeof P.scope === 'string' ? P.scope.split(' ').filter(Boolean) : p.scopes;
    const issuerOr = (alt: string) => (typeof P.issuer === 'string' ? flag('--issuer', P.issuer) : alt);
    const server =
      p.flow === 'client_credentials' || p.flow === 'token_exchange'
        ? issuerOr(flag('--token-url', P.tokenUrl ?? '<url>'))
        : p.flow === 'device_code'
          ? issuerOr(
              `${flag('--device-url', P.deviceUrl ?? '<url>')}${flag('--token-url', P.tokenUrl ?? '<url>')}`,
            )
          : issuerOr(
              `${flag('--authorize-url', P.authorizeUrl ?? '<url>')}${flag('--token-url', P.tokenUrl ?? '<url>')}`,
            );
    const resources = Array.isArray(P.resource)
      ? P.resource
      : typeof P.resource === 'string'
        ? [P.resource]
        : [];
    const common = `${server}${flag('--client-id', P.clientId ?? '<id>')}${flags('--scope', scopes)}${flags('--resource', resources)}${flag('--audience', P.audience)}`;
    const auth = authFlags(P);
    if (p.flow === 'client_credentials') {
      return `${usesSecret(P) ? 'AUTHCTL_CLIENT_SECRET=… ' : ''}authctl oauth client-credentials${common}${auth}${profileFlag(name, 'oauth')}`;
    }
    if (p.flow === 'token_exchange') {
      const subject =
        typeof P.subjectTokenFile === 'string'
          ? flag('--subject-token-file', P.subjectTokenFile)
          : flag('--subject-token-env', P.subjectTokenEnv ?? '<VAR>');
      return `authctl oauth token-exchange${server}${flag('--client-id', P.clientId ?? '<id>')}${subject}${flags('--scope', scopes)}${flags('--resource', resources)}${flag('--audience', P.audience)}${auth}${profileFlag(name, 'oauth')}`;
    }
    if (p.flow === 'device_code') return `authctl oauth device${common}${auth}${profileFlag(name, 'oauth')}`;
    return `authctl oauth login${common}${auth}${profileFlag(name, 'oauth')}`;
  },
  revoke: async (ctx, name, p) => (await import('./revoke.js')).oauthRevoke(ctx, name, p),
  status: async (ctx, name, p) => (await import('./status.js')).oauthStatus(ctx, name, p),
};
