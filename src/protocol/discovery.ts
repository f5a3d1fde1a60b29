/**
 * Authorization-server metadata: OpenID Connect Discovery 1.0 and RFC 8414. Pure: where to look,
 * and validation of the document (the issuer must match the one asked for — RFC 8414 §3.3,
 * OIDC Discovery §4.3 — or a look-alike server could hand out its own endpoints).
 */
import { ProtocolError } from '../errors.js';
import { serverText } from './oauth.js';

/** The metadata fields authctl uses. */
export interface ServerMetadata {
  issuer: string;
  tokenEndpoint: string;
  authorizationEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  codeChallengeMethods?: string[];
  tokenEndpointAuthMethods?: string[];
}

/** Discovery URLs to try, in order: OIDC (path appended), then RFC 8414 (well-known inserted before the path). */
export function discoveryUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, '');
  return [
    `${u.origin}${path}/.well-known/openid-configuration`,
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/** Issuers compare exactly, except for one trailing slash, which users often add or drop. */
export function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/** Validate a metadata document fetched from `url` for `issuer`. */
export function validateMetadata(doc: unknown, issuer: string, url: string): ServerMetadata {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ProtocolError(`discovery document at ${url} is not a JSON object`);
  }
  const d = doc as Record<string, unknown>;
  const str = (k: string, required: boolean): string | undefined => {
    const v = d[k];
    if (v === undefined || v === null) {
      if (required) throw new ProtocolError(`discovery document at ${url} has no '${k}'`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '')
      throw new ProtocolError(`discovery document at ${url}: '${k}' is not a string`);
    return v;
  };
  const list = (k: string): string[] | undefined => {
    const v = d[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw new ProtocolError(`discovery document at ${url}: '${k}' is not a list of strings`);
    }
    return v as string[];
  };
  const iss = str('issuer', true)!;
  if (!sameIssuer(iss, issuer)) {
    throw new ProtocolError(
      `discovery document at ${url} names issuer '${serverText(iss, 100)}', not '${issuer}'; refusing it`,
      'Pass the exact issuer URL the provider documents.',
    );
  }
  const m: ServerMetadata = { issuer: iss, tokenEndpoint: str('token_endpoint', true)! };
  const opt = (k: string, prop: 'authorizationEndpoint' | 'revocationEndpoint' | 'introspectionEndpoint') => {
    const v = str(k, false);
    if (v) m[prop] = v;
  };
  opt('authorization_endpoint', 'authorizationEndpoint');
  opt('revocation_endpoint', 'revocationEndpoint');
  opt('introspection_endpoint', 'introspectionEndpoint');
  const ccm = list('code_challenge_methods_supported');
  if (ccm) m.codeChallengeMethods = ccm;
  const tam = list('token_endpoint_auth_methods_supported');
  if (tam) m.tokenEndpointAuthMethods = tam;
  return m;
}
