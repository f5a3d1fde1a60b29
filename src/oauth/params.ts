/**
 * What an OAuth profile keeps to renew itself (non-secret only: paths, names, URLs) and how the
 * engine reads it back: the client authentication, the extra token parameters, resources.
 */
import type { OAuthParams } from '../store/profile.js';
import type { OAuthClient } from './client-auth/index.js';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from './protocol.js';

/** `name=value` pairs as --param / --token-param give them (split at the first '='). */
export function splitPairs(list: readonly string[]): Array<[string, string]> {
  return list.map((s) => {
    const i = s.indexOf('=');
    return [s.slice(0, i), s.slice(i + 1)];
  });
}

/** The parameters that record how the client authenticates (paths only; never key material). */
export function clientParams(c: OAuthClient): OAuthParams {
  const out: OAuthParams = { authMethod: c.authMethod };
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
export function clientFromParams(p: OAuthParams, clientId: string, secret: string | undefined): OAuthClient {
  const saved = p.authMethod as ClientAuthMethod | undefined;
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
    privateKeyFile: p.privateKeyFile,
    keyId: p.keyId,
    signingAlg: p.signingAlg,
    certFile: p.certFile,
    keyFile: p.keyFile,
    assertionFile: p.clientAssertionFile,
    assertionEnv: p.clientAssertionEnv,
  };
}

/** What every OAuth profile records of its request, whatever the grant. */
export interface RequestRecord {
  issuer?: string | undefined;
  tokenUrl: string;
  /** The client (its authentication by path or name; the secret is never recorded). */
  client: OAuthClient;
  scopes: readonly string[];
  resource?: readonly string[] | undefined;
  audience?: string | undefined;
  /** --token-param name=value pairs. */
  tokenParams?: readonly string[] | undefined;
  caFile?: string | undefined;
}

/** The saved parameters common to every OAuth grant: endpoint, client, scopes, resources, audience, extras, CA. */
export function requestParams(x: RequestRecord): OAuthParams {
  const p: OAuthParams = {};
  if (x.issuer) p.issuer = x.issuer;
  p.tokenUrl = x.tokenUrl;
  p.clientId = x.client.clientId;
  Object.assign(p, clientParams(x.client));
  p.scope = [...x.scopes];
  if (x.resource?.length) p.resource = [...x.resource];
  if (x.audience) p.audience = x.audience;
  if (x.tokenParams?.length) p.tokenParams = [...x.tokenParams];
  if (x.caFile) p.caFile = x.caFile;
  return p;
}

/** The saved --token-param pairs of a profile. */
export const extraTokenParams = (p: OAuthParams): Array<[string, string]> => splitPairs(p.tokenParams ?? []);
