/** What to run to get a new token for a profile: used in exit-4 messages. Pure. */
import type { Profile } from '../store/profile.js';

const q = (v: unknown) => (typeof v === 'string' && /^[\w.:/@-]+$/.test(v) ? v : `'${String(v ?? '…')}'`);

/** Client credentials: the scopes that were requested (saved as params.scope), else the granted ones. */
const ccScopes = (p: Profile) =>
  (typeof p.params.scope === 'string' ? p.params.scope.split(' ').filter(Boolean) : p.scopes)
    .map((s) => ` --scope ${q(s)}`)
    .join('');

/** The client-authentication flags an oauth profile was made with (paths and names only). */
function oauthAuthFlags(P: Profile['params']): string {
  let out = '';
  if (P.clientAssertionFile) out += ` --client-assertion-file ${q(P.clientAssertionFile)}`;
  else if (P.clientAssertionEnv) out += ` --client-assertion-env ${q(P.clientAssertionEnv)}`;
  else if (P.privateKeyFile) out += ` --private-key ${q(P.privateKeyFile)}`;
  else if (typeof P.authMethod === 'string' && !['client_secret_basic', 'none'].includes(P.authMethod))
    out += ` --auth-method ${P.authMethod}`;
  if (P.certFile) out += ` --cert ${q(P.certFile)} --key ${q(P.keyFile)}`;
  return out;
}

/** The command that obtains a fresh token for `p` saved as `name`. */
export function loginCommand(name: string, p: Profile): string {
  const prof = name === p.provider ? '' : ` --profile ${q(name)}`;
  const P = p.params;
  switch (p.provider) {
    case 'pryv':
      return `authctl pryv request --app-id ${q(P.appId)} ${(p.scopes.length ? p.scopes : ['<streamId:level>']).map((s) => `--permission ${q(s)}`).join(' ')}${typeof P.serviceInfoUrl === 'string' && P.serviceInfoUrl !== 'https://reg.pryv.me/service/info' ? ` --service-info ${q(P.serviceInfoUrl)}` : ''}${prof}`;
    case 'safe':
      return `authctl safe authorize --app-name ${q(P.appName)} --app-id ${q(P.appId)} --app-version ${q(P.appVersion)} --app-vendor ${q(P.appVendor)}${p.scopes.map((s) => ` --permission ${q(s)}`).join('')}${typeof P.launcherUrl === 'string' && P.launcherUrl !== 'http://localhost:8100' ? ` --launcher-url ${q(P.launcherUrl)}` : ''}${prof}`;
    case 'liveperson':
      return `authctl liveperson login --account ${q(P.account)} --client-id ${q(P.clientId)}${typeof P.redirectUri === 'string' && P.redirectUri !== 'http://localhost:8976/callback' ? ` --redirect-uri ${q(P.redirectUri)}` : ''}${prof}`;
    case 'actigraph':
      return `AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id ${q(P.clientId)}${ccScopes(p)}${P.tokenUrl !== undefined && P.tokenUrl !== 'https://auth.actigraphcorp.com/connect/token' ? ` --token-url ${q(P.tokenUrl)}` : ''}${prof}`;
    case 'oauth': {
      const res = (Array.isArray(P.resource) ? P.resource : P.resource ? [P.resource] : [])
        .map((r) => ` --resource ${q(r)}`)
        .join('');
      const auth = oauthAuthFlags(P);
      const secret =
        /client_secret/.test(String(P.authMethod ?? 'client_secret_basic')) &&
        !P.clientAssertionFile &&
        !P.clientAssertionEnv;
      const issuerOr = (alt: string) => (P.issuer ? `--issuer ${q(P.issuer)}` : alt);
      if (p.flow === 'client_credentials') {
        return `${secret ? 'AUTHCTL_CLIENT_SECRET=… ' : ''}authctl oauth client-credentials ${issuerOr(`--token-url ${q(P.tokenUrl)}`)} --client-id ${q(P.clientId)}${ccScopes(p)}${res}${P.audience ? ` --audience ${q(P.audience)}` : ''}${auth}${prof}`;
      }
      if (p.flow === 'device_code') {
        return `authctl oauth device ${issuerOr(`--device-url ${q(P.deviceUrl)} --token-url ${q(P.tokenUrl)}`)} --client-id ${q(P.clientId)}${ccScopes(p)}${res}${P.audience ? ` --audience ${q(P.audience)}` : ''}${auth}${prof}`;
      }
      if (p.flow === 'token_exchange') {
        const subject = P.subjectTokenFile
          ? ` --subject-token-file ${q(P.subjectTokenFile)}`
          : ` --subject-token-env ${q(P.subjectTokenEnv)}`;
        return `authctl oauth token-exchange ${issuerOr(`--token-url ${q(P.tokenUrl)}`)} --client-id ${q(P.clientId)}${subject}${ccScopes(p)}${res}${P.audience ? ` --audience ${q(P.audience)}` : ''}${auth}${prof}`;
      }
      return `authctl oauth login ${issuerOr(`--authorize-url ${q(P.authorizeUrl)} --token-url ${q(P.tokenUrl)}`)} --client-id ${q(P.clientId)}${ccScopes(p)}${res}${auth}${prof}`;
    }
  }
}
