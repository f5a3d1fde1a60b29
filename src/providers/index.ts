/**
 * The provider registry: every provider authctl knows, by name. Shared commands (token …, exec,
 * renewal, revocation, re-login hints) reach provider-specific behaviour only through here.
 * Adding a provider: its folder under src/providers/, and one line below.
 */
import type { Profile, ProviderName } from '../store/profile.js';
import { actigraph } from './actigraph/index.js';
import { liveperson } from './liveperson/index.js';
import { oauth } from './oauth/index.js';
import { pryv } from './pryv/index.js';
import { safe } from './safe/index.js';
import type { ProviderDef } from './types.js';

/** Every provider, in the order `authctl --help` lists them. */
export const PROVIDERS: readonly ProviderDef[] = [pryv, safe, liveperson, actigraph, oauth];

/** The definition of a provider by name (profiles are validated on read, so the name is known). */
export function provider(name: ProviderName): ProviderDef {
  const def = PROVIDERS.find((p) => p.name === name);
  if (!def) throw new Error(`unknown provider '${name}'`);
  return def;
}

/** The command that obtains a fresh token for `p` saved as `name`. */
export function loginCommand(name: string, p: Profile): string {
  return provider(p.provider).loginCommand(name, p);
}

/** The value of the HTTP Authorization header for this profile. */
export function authorizationValue(p: Profile): string {
  const custom = provider(p.provider).authorization;
  if (custom) return custom(p);
  const type = p.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : p.tokenType;
  return `${type} ${p.token}`;
}

/** The variables `token export` and `exec` provide, with `prefix` in place of AUTHCTL_. */
export function exportVars(p: Profile, prefix: string): Array<[string, string]> {
  const vars: Array<[string, string]> = [
    [`${prefix}TOKEN`, p.token],
    [`${prefix}AUTHORIZATION`, authorizationValue(p)],
  ];
  if (p.expiresAt) vars.push([`${prefix}TOKEN_EXPIRES_AT`, p.expiresAt]);
  // An OpenID Connect ID token, whatever the provider (kubectl's OIDC plugin and some APIs want it).
  if (p.idToken) vars.push([`${prefix}ID_TOKEN`, p.idToken]);
  for (const [k, v] of provider(p.provider).extraVars?.(p) ?? []) vars.push([`${prefix}${k}`, v]);
  return vars;
}
