/**
 * The OAuth 2.0 engine's I/O steps, shared by every OAuth flow and preset: discovery and the token
 * request. Each step does the request and hands the raw answer to a pure validator in protocol/.
 */
import type { Context } from '../context.js';
import { NetworkError, ProtocolError } from '../errors.js';
import { checkUrl } from '../http/url.js';
import { discoveryUrls, type ServerMetadata, validateMetadata } from '../protocol/discovery.js';
import {
  type ClientAuthMethod,
  clientAuthentication,
  processTokenResponse,
  type TokenSet,
} from '../protocol/oauth.js';

/** How the client identifies itself at the token endpoint. */
export interface OAuthClient {
  clientId: string;
  secret?: string | undefined;
  authMethod: ClientAuthMethod;
}

/** A token request: grant parameters plus where and how to send them. */
export interface TokenRequest {
  tokenUrl: string;
  client: OAuthClient;
  /** grant_type and its parameters (scope, resource, code, redirect_uri, refresh_token…). */
  params: Record<string, string | string[] | undefined>;
  caFile?: string | undefined;
  /** Extra attempts on 5xx/429/resets: safe for client credentials, not for single-use codes. */
  retries?: number;
  /** Name of the endpoint in messages. */
  label?: string;
}

/** POST to the token endpoint and validate the answer (RFC 6749 §3.2, §5). */
export async function requestToken(ctx: Context, req: TokenRequest): Promise<TokenSet> {
  const auth = clientAuthentication(req.client.authMethod, req.client.clientId, req.client.secret);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(req.params)) {
    if (v === undefined) continue;
    // RFC 8707 allows several `resource` parameters.
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  }
  for (const [k, v] of Object.entries(auth.form)) body.set(k, v);
  const where = req.label ?? `token endpoint ${new URL(req.tokenUrl).host}`;
  const res = await ctx.http(req.caFile).request({
    method: 'POST',
    url: req.tokenUrl,
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form: body,
    retries: req.retries ?? 0,
    signal: ctx.signal,
  });
  return processTokenResponse(res, where);
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
      for (const [label, u] of [
        ['token_endpoint', meta.tokenEndpoint],
        ['authorization_endpoint', meta.authorizationEndpoint],
        ['revocation_endpoint', meta.revocationEndpoint],
        ['introspection_endpoint', meta.introspectionEndpoint],
      ] as const) {
        if (u) checkUrl(u, { insecure: ctx.insecure, source: 'server', label });
      }
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
