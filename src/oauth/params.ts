/**
 * What an OAuth profile keeps to renew itself (non-secret only: paths, names, URLs) and how the
 * engine reads it back: the client authentication, the extra token parameters, resources.
 */
import type { ParamValue } from '../store/profile.js';
import type { OAuthClient } from './client-auth/index.js';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from './protocol.js';

type Params = Record<string, ParamValue>;

/** A non-empty string parameter. */
export const str = (v: ParamValue | undefined): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** Space-separated words or a list (scopes, resources). */
export function words(v: ParamValue | undefined): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v)) return v.flatMap((s) => s.split(' ')).filter(Boolean);
  return [];
}

/** `name=value` pairs as --param / --token-param give them (split at the first '='). */
export function splitPairs(list: readonly string[]): Array<[string, string]> {
  return list.map((s) => {
    const i = s.indexOf('=');
    return [s.slice(0, i), s.slice(i + 1)];
  });
}

/** Saved --token-param pairs. */
export function extraTokenParams(p: Params): Array<[string, string]> {
  return splitPairs(Array.isArray(p.tokenParams) ? p.tokenParams : []);
}

/** The parameters that record how the client authenticates (paths only; never key material). */
export function clientParams(c: OAuthClient): Params {
  const out: Params = { authMethod: c.authMethod };
  if (c.privateKeyFile) out.privateKeyFile = c.privateKeyFile;
  if (c.keyId) out.keyId = c.keyId;
  if (c.signingAlg) out.signingAlg = c.signingAlg;
  if (c.certFile) out.certFile = c.certFile;
  if (c.keyFile) out.keyFile = c.keyFile;
  if (c.assertionFile) out.clientAssertionFile = c.assertionFile;
  if (c.assertionEnv) out.clientAssertionEnv = c.assertionEnv;
  return out;
}

/** The client of a saved profile; older profiles without authMethod use Basic or none. */
export function clientFromParams(p: Params, clientId: string, secret: string | undefined): OAuthClient {
  const saved = str(p.authMethod) as ClientAuthMethod | undefined;
  const confidential = p.confidential === true;
  const authMethod: ClientAuthMethod =
    saved && CLIENT_AUTH_METHODS.includes(saved) ? saved : confidential ? 'client_secret_basic' : 'none';
  const usesSecret =
    authMethod === 'client_secret_basic' ||
    authMethod === 'client_secret_post' ||
    authMethod === 'client_secret_jwt';
  return {
    clientId,
    authMethod,
    secret: usesSecret && (confidential || p.confidential === undefined) ? secret : undefined,
    privateKeyFile: str(p.privateKeyFile),
    keyId: str(p.keyId),
    signingAlg: str(p.signingAlg),
    certFile: str(p.certFile),
    keyFile: str(p.keyFile),
    assertionFile: str(p.clientAssertionFile),
    assertionEnv: str(p.clientAssertionEnv),
  };
}
