/** The `authctl oauth …` command that makes a generic OAuth profile again (its re-login hint). */
import { isOAuth, type OAuthParams, type Profile } from '../../store/profile.js';
import { flag, flags, profileFlag } from '../relogin.js';

/** The client-authentication flags a profile was made with (paths and names only, never keys). */
function authFlags(P: OAuthParams): string {
  let out = '';
  if (P.clientAssertionFile !== undefined) out += flag('--client-assertion-file', P.clientAssertionFile);
  else if (P.clientAssertionEnv !== undefined) out += flag('--client-assertion-env', P.clientAssertionEnv);
  else if (P.privateKeyFile !== undefined) out += flag('--private-key', P.privateKeyFile);
  else if (P.authMethod !== undefined && P.authMethod !== 'none')
    out += flag('--auth-method', P.authMethod, 'client_secret_basic');
  if (P.certFile !== undefined) out += `${flag('--cert', P.certFile)}${flag('--key', P.keyFile)}`;
  return out;
}

/** Whether renewing needs AUTHCTL_CLIENT_SECRET (a secret-based method, no federated assertion). */
const usesSecret = (P: OAuthParams) =>
  P.clientAssertionFile === undefined &&
  P.clientAssertionEnv === undefined &&
  (P.authMethod === undefined || /^client_secret_/.test(P.authMethod));

/** The `authctl oauth …` command that makes the profile again, for its flow. */
export function loginCommand(name: string, p: Profile): string {
  if (!isOAuth(p)) return `authctl oauth login${profileFlag(name, 'oauth')}`;
  const issuer = p.params.issuer;
  const issuerOr = (alt: string) => (issuer !== undefined ? flag('--issuer', issuer) : alt);
  const tokenUrl = flag('--token-url', p.params.tokenUrl ?? '<url>');
  const server =
    p.flow === 'client_credentials' || p.flow === 'token_exchange'
      ? issuerOr(tokenUrl)
      : p.flow === 'device_code'
        ? issuerOr(`${flag('--device-url', p.params.deviceUrl ?? '<url>')}${tokenUrl}`)
        : issuerOr(`${flag('--authorize-url', p.params.authorizeUrl ?? '<url>')}${tokenUrl}`);
  const clientId = flag('--client-id', p.params.clientId ?? '<id>');
  const request = `${flags('--scope', p.params.scope ?? p.scopes)}${flags('--resource', p.params.resource ?? [])}${flag('--audience', p.params.audience)}`;
  const auth = authFlags(p.params);
  const profile = profileFlag(name, 'oauth');
  switch (p.flow) {
    case 'client_credentials':
      return `${usesSecret(p.params) ? 'AUTHCTL_CLIENT_SECRET=… ' : ''}authctl oauth client-credentials${server}${clientId}${request}${auth}${profile}`;
    case 'token_exchange': {
      const file = p.params.subjectTokenFile;
      const subject =
        file !== undefined
          ? flag('--subject-token-file', file)
          : flag('--subject-token-env', p.params.subjectTokenEnv ?? '<VAR>');
      return `authctl oauth token-exchange${server}${clientId}${subject}${request}${auth}${profile}`;
    }
    case 'device_code':
      return `authctl oauth device${server}${clientId}${request}${auth}${profile}`;
    default:
      return `authctl oauth login${server}${clientId}${request}${auth}${profile}`;
  }
}
