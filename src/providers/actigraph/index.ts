/**
 * ActiGraph CentrePoint: OAuth client credentials against its IdentityServer
 * (https://github.com/actigraph/CentrePoint3APIDocumentation).
 */
import type { ProviderDef } from '../types.js';
import { register } from './commands.js';
import { loginCommand } from './relogin.js';

export const actigraph: ProviderDef = {
  name: 'actigraph',
  label: 'ActiGraph',
  endpointLabel: 'ActiGraph',
  register,
  loginCommand,
};
