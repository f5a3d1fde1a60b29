/**
 * Authorization-server metadata: OpenID Connect Discovery 1.0 and RFC 8414. Where to look, the
 * fetch, and validation of the document (the issuer must match the one asked for — RFC 8414 §3.3,
 * OpenID Connect Discovery, section 4.3 — or a look-alike server could hand out its own endpoints).
 */
import type { Context } from '../context.js';
import { NetworkError, ProtocolError } from '../errors.js';
import { checkUrl } from '../http/url.js';
import { serverText } from './protocol.js';

/** The metadata fields authctl uses. */
export interface ServerMetadata {
  issuer: string;
  tokenEndpoint: string;
  authorizationEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  parEndpoint?: string;
  jwksUri?: string;
  codeChallengeMethods?: string[];
  tokenEndpointAuthMethods?: string[];
  /** RFC 9126 §5: the server accepts authorization requests only through PAR. */
  requirePar?: boolean;
  /** RFC 9207 §3: the server puts `iss` on every authorization response. */
  issParameterSupported?: boolean;
  /** RFC 8705 §5: endpoints to use with a client certificate. */
  mtlsAliases?: Record<string, string>;
}

/** Endpoint URLs in the metadata, as label and value, for checking. */
export function metadataUrls(m: ServerMetadata): Array<[string, string]> {
  const out: Array<[string, string | undefined]> = [
    ['token_endpoint', m.tokenEndpoint],
    ['authorization_endpoint', m.authorizationEndpoint],
    ['revocation_endpoint', m.revocationEndpoint],
    ['introspection_endpoint', m.introspectionEndpoint],
    ['device_authorization_endpoint', m.deviceAuthorizationEndpoint],
    ['pushed_authorization_request_endpoint', m.parEndpoint],
    ['jwks_uri', m.jwksUri],
    ...Object.entries(m.mtlsAliases ?? {}).map(([k, v]): [string, string] => [
      `mtls_endpoint_aliases.${k}`,
      v,
    ]),
  ];
  return out.filter((e): e is [string, string] => e[1] !== undefined);
}

/** The endpoint to use for `name` (e.g. token_endpoint), the RFC 8705 §5 alias when mTLS is on. */
export function endpointFor(m: ServerMetadata, name: string, url: string, mtls: boolean): string {
  return (mtls && m.mtlsAliases?.[name]) || url;
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
  const opt = (
    k: string,
    prop:
      | 'authorizationEndpoint'
      | 'revocationEndpoint'
      | 'introspectionEndpoint'
      | 'deviceAuthorizationEndpoint'
      | 'parEndpoint'
      | 'jwksUri',
  ) => {
    const v = str(k, false);
    if (v) m[prop] = v;
  };
  opt('authorization_endpoint', 'authorizationEndpoint');
  opt('revocation_endpoint', 'revocationEndpoint');
  opt('introspection_endpoint', 'introspectionEndpoint');
  opt('device_authorization_endpoint', 'deviceAuthorizationEndpoint');
  opt('pushed_authorization_request_endpoint', 'parEndpoint');
  opt('jwks_uri', 'jwksUri');
  if (d.require_pushed_authorization_requests === true) m.requirePar = true;
  if (d.authorization_response_iss_parameter_supported === true) m.issParameterSupported = true;
  const aliases = d.mtls_endpoint_aliases;
  if (aliases !== undefined && aliases !== null) {
    if (typeof aliases !== 'object' || Array.isArray(aliases))
      throw new ProtocolError(`discovery document at ${url}: 'mtls_endpoint_aliases' is not an object`);
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(aliases as Record<string, unknown>)) {
      if (typeof v === 'string' && v !== '') a[k] = v;
    }
    m.mtlsAliases = a;
  }
  const ccm = list('code_challenge_methods_supported');
  if (ccm) m.codeChallengeMethods = ccm;
  const tam = list('token_endpoint_auth_methods_supported');
  if (tam) m.tokenEndpointAuthMethods = tam;
  return m;
}

/**
 * Fetch and validate the issuer's metadata: OpenID Connect discovery first, then RFC 8414.
 * Endpoints in the answer are checked like any server-provided URL.
 */
export async function discover(ctx: Context, issuer: string, caFile?: string): Promise<ServerMetadata> {
  checkUrl(issuer, { insecure: ctx.insecure, source: 'flag', label: '--issuer' });
  let lastError: Error | undefined;
  for (const url of discoveryUrls(issuer)) {
    const res = await ctx.http(caFile).request({ method: 'GET', url, signal: ctx.signal, retries: 1 });
    if (res.status === 200 && res.json !== undefined) {
      const meta = validateMetadata(res.json, issuer, url);
      for (const [label, u] of metadataUrls(meta))
        checkUrl(u, { insecure: ctx.insecure, source: 'server', label });
      return meta;
    }
    lastError =
      res.status >= 500
        ? new NetworkError(`discovery at ${url} failed (HTTP ${res.status})`)
        : new ProtocolError(`no discovery document at ${url} (HTTP ${res.status})`);
  }
  throw new ProtocolError(
    `could not discover the endpoints of ${issuer}: ${lastError?.message ?? 'no answer'}`,
    'Check --issuer, or pass the endpoints explicitly (--token-url, --authorize-url).',
  );
}
