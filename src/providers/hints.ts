/** What to run to get a new token for a profile: used in exit-4 messages. Pure. */
import type { Profile } from '../store/profile.js';

const q = (v: unknown) => (typeof v === 'string' && /^[\w.:/@-]+$/.test(v) ? v : `'${String(v ?? '…')}'`);

/** Client credentials: the scopes that were requested (saved as params.scope), else the granted ones. */
const ccScopes = (p: Profile) =>
  (typeof p.params.scope === 'string' ? p.params.scope.split(' ').filter(Boolean) : p.scopes)
    .map((s) => ` --scope ${q(s)}`)
    .join('');

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
    case 'oauth':
      if (p.flow === 'client_credentials') {
        return `AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials ${P.issuer ? `--issuer ${q(P.issuer)}` : `--token-url ${q(P.tokenUrl)}`} --client-id ${q(P.clientId)}${ccScopes(p)}${P.resource ? ` --resource ${q(P.resource)}` : ''}${P.audience ? ` --audience ${q(P.audience)}` : ''}${P.authMethod === 'client_secret_post' ? ' --auth-method client_secret_post' : ''}${prof}`;
      }
      return `authctl oauth login ${P.issuer ? `--issuer ${q(P.issuer)}` : `--authorize-url ${q(P.authorizeUrl)} --token-url ${q(P.tokenUrl)}`} --client-id ${q(P.clientId)}${ccScopes(p)}${P.resource ? ` --resource ${q(P.resource)}` : ''}${prof}`;
  }
}
