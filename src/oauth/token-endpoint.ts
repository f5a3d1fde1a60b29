/**
 * The one request to an OAuth endpoint that takes client authentication — the token endpoint for
 * every grant (authorization code, client credentials, refresh, device code, token exchange), the
 * PAR and the device authorization endpoints: form-encode the parameters (a repeated one such as
 * RFC 8707 `resource` stays repeated), add the client authentication, send, and validate the answer.
 */
import type { Context } from '../context.js';
import { ProtocolError, RefusedError } from '../errors.js';
import type { HttpResponse } from '../http/client.js';
import { type OAuthClient, prepareClientAuth } from './client-auth/index.js';
import { oauthError, processTokenResponse, serverText, type TokenSet } from './protocol.js';

export type { OAuthClient } from './client-auth/index.js';

/** Grant parameters: a list value is sent once per item; undefined is left out. */
export type FormParams = Record<string, string | readonly string[] | undefined>;

/** A request to the token (or PAR) endpoint. */
export interface TokenRequest {
  tokenUrl: string;
  client: OAuthClient;
  /** grant_type and its parameters (scope, resource, code, redirect_uri, refresh_token…). */
  params: FormParams;
  /** Extra `name=value` pairs from --token-param, appended as given. */
  extraParams?: ReadonlyArray<readonly [string, string]> | undefined;
  caFile?: string | undefined;
  /** Extra attempts on 5xx/429/resets: safe for client credentials, not for single-use codes. */
  retries?: number;
  /** Name of the endpoint in messages. */
  label?: string | undefined;
}

/** The form body: grant parameters, extras, then the client authentication fields. */
export function formBody(
  params: FormParams,
  extra: ReadonlyArray<readonly [string, string]> | undefined,
  auth: ReadonlyArray<readonly [string, string]>,
): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of typeof v === 'string' ? [v] : v) body.append(k, item);
  }
  for (const [k, v] of extra ?? []) body.append(k, v);
  for (const [k, v] of auth) body.set(k, v);
  return body;
}

/** POST a client-authenticated form and return the raw answer. */
export async function postForm(ctx: Context, req: TokenRequest): Promise<HttpResponse> {
  const auth = await prepareClientAuth(ctx, req.client, req.tokenUrl);
  return ctx.http(req.caFile, auth.tls).request({
    method: 'POST',
    url: req.tokenUrl,
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    form: formBody(req.params, req.extraParams, auth.form),
    retries: req.retries ?? 0,
    signal: ctx.signal,
  });
}

/**
 * POST to an endpoint other than the token endpoint (device authorization, PAR) and return its
 * answer when the status is one of `ok`; an OAuth error body (RFC 6749 §5.2) or another status throws.
 */
export async function postFormExpecting(
  ctx: Context,
  req: TokenRequest & { label: string },
  ok: readonly number[],
): Promise<HttpResponse> {
  const res = await postForm(ctx, req);
  const body = res.json as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.error === 'string' && body.error !== '') {
    throw oauthError(
      body.error,
      typeof body.error_description === 'string' ? body.error_description : undefined,
      req.label,
    );
  }
  if (!ok.includes(res.status)) {
    throw new ProtocolError(
      `${req.label} answered HTTP ${res.status}${res.text ? `: ${serverText(res.text)}` : ''}`,
    );
  }
  return res;
}

/** The endpoint's name in messages. */
export function endpointLabel(req: Pick<TokenRequest, 'tokenUrl' | 'label'>): string {
  return req.label ?? `token endpoint ${new URL(req.tokenUrl).host}`;
}

/** What to check when the server rejects a client that does not authenticate with a secret. */
const CLIENT_HINTS: Partial<Record<string, string>> = {
  private_key_jwt:
    'Check the client id, --private-key and --key-id against the key registered for the client.',
  tls_client_auth: 'Check the client id and that --cert is the certificate registered for the client.',
  self_signed_tls_client_auth:
    'Check the client id and that --cert is the certificate registered for the client.',
  none: 'The server wants this client to authenticate: pass its secret, key or certificate.',
};

/** POST to the token endpoint and validate the answer (RFC 6749 §3.2, §5). */
export async function requestToken(ctx: Context, req: TokenRequest): Promise<TokenSet> {
  const res = await postForm(ctx, req);
  try {
    return processTokenResponse(res, endpointLabel(req));
  } catch (e) {
    const federated = req.client.assertionFile !== undefined || req.client.assertionEnv !== undefined;
    const hint = federated
      ? 'Check the client id and that the server trusts the issuer and subject of the client assertion.'
      : CLIENT_HINTS[req.client.authMethod];
    if (e instanceof RefusedError && e.code === 'oauth.invalid_client' && hint) {
      throw new RefusedError(e.message, hint, e.code);
    }
    throw e;
  }
}
