/**
 * OAuth 2.0 Token Exchange (RFC 8693): trade a subject token (a CI system's OIDC token, another
 * service's access token) — and optionally an actor token — for a token of this authorization
 * server. The tokens are read from their file or variable on every exchange, so renewal re-runs
 * the exchange with whatever the CI system holds now. Nothing here prints or saves.
 */
import type { Context } from '../../context.js';
import { NoTokenError, ProtocolError, UsageError, withRelogin } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { isoUtc } from '../../lib/format.js';
import {
  type Profile,
  paramsOf,
  type TokenExchangeParams,
  type TokenExchangeProfile,
} from '../../store/profile.js';
import type { OAuthClient } from '../client-auth/index.js';
import { clientFromParams, requestParams, splitPairs } from '../params.js';
import { expiryIso, processTokenResponse, type TokenSet } from '../protocol.js';
import { endpointLabel, postForm } from '../token-endpoint.js';
import { readFileOrEnv } from '../token-source.js';

/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the default type of the subject token (a JWT such as a CI OIDC token). */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** Where a token to exchange comes from: a file or an environment variable. */
export interface TokenSource {
  file?: string | undefined;
  env?: string | undefined;
}

/** One exchange. */
export interface ExchangeSpec {
  tokenUrl: string;
  issuer?: string | undefined;
  client: OAuthClient;
  subject: TokenSource;
  subjectTokenType: string;
  actor?: TokenSource | undefined;
  actorTokenType?: string | undefined;
  requestedTokenType?: string | undefined;
  audience?: string | undefined;
  resource: readonly string[];
  scopes: string[];
  tokenParams: readonly string[];
  caFile?: string | undefined;
}

/** A token as it is now in its file or variable; exit 2 when it is not there. */
export function readTokenSource(ctx: Context, src: TokenSource, what: 'subject' | 'actor'): string {
  const { value: token, from } = readFileOrEnv(ctx, src, `${what}-token`);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new UsageError(`${from}: it holds characters a token cannot have`);
  return token;
}

/** A token set plus the type of what was issued (RFC 8693 §2.2.1). */
export interface ExchangeResult {
  tokens: TokenSet;
  issuedTokenType?: string | undefined;
}

/** Run the exchange (RFC 8693 §2.1) and validate the answer. */
export async function exchangeToken(ctx: Context, spec: ExchangeSpec): Promise<ExchangeResult> {
  const subject = readTokenSource(ctx, spec.subject, 'subject');
  const actor = spec.actor ? readTokenSource(ctx, spec.actor, 'actor') : undefined;
  const req = {
    tokenUrl: spec.tokenUrl,
    client: spec.client,
    params: {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: spec.subjectTokenType,
      actor_token: actor,
      actor_token_type: actor ? (spec.actorTokenType ?? JWT_TOKEN_TYPE) : undefined,
      requested_token_type: spec.requestedTokenType,
      audience: spec.audience,
      resource: spec.resource,
      scope: spec.scopes.length ? spec.scopes.join(' ') : undefined,
    },
    extraParams: splitPairs(spec.tokenParams),
    caFile: spec.caFile,
    retries: 1,
  };
  const res = await postForm(ctx, req);
  const tokens = processTokenResponse(res, endpointLabel(req));
  const issued = (res.json as Record<string, unknown>).issued_token_type;
  if (issued !== undefined && (typeof issued !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(issued))) {
    throw new ProtocolError(
      `${endpointLabel(req)}: invalid token response: 'issued_token_type' is not a URI`,
    );
  }
  return { tokens, issuedTokenType: issued };
}

/** The non-secret parameters renewal needs (sources by path or variable name, never the tokens). */
export function exchangeParams(spec: ExchangeSpec, issuedTokenType: string | undefined): TokenExchangeParams {
  const p: TokenExchangeParams = {
    ...requestParams(spec),
    confidential: spec.client.secret !== undefined,
    subjectTokenType: spec.subjectTokenType,
  };
  if (spec.subject.file) p.subjectTokenFile = spec.subject.file;
  if (spec.subject.env) p.subjectTokenEnv = spec.subject.env;
  if (spec.actor?.file) p.actorTokenFile = spec.actor.file;
  if (spec.actor?.env) p.actorTokenEnv = spec.actor.env;
  if (spec.actorTokenType) p.actorTokenType = spec.actorTokenType;
  if (spec.requestedTokenType) p.requestedTokenType = spec.requestedTokenType;
  if (issuedTokenType) p.issuedTokenType = issuedTokenType;
  return p;
}

/** The profile for an exchange's answer. */
export function exchangeProfile(
  spec: ExchangeSpec,
  r: ExchangeResult,
  nowMs: number,
  secret?: string,
): TokenExchangeProfile {
  const t = r.tokens;
  const profile: TokenExchangeProfile = {
    provider: 'oauth',
    flow: 'token_exchange',
    token: t.accessToken,
    tokenType: t.tokenType,
    obtainedAt: isoUtc(nowMs),
    expiresAt: expiryIso(t.expiresIn, nowMs),
    subject: spec.client.clientId,
    scopes: t.scope ?? [...spec.scopes],
    params: exchangeParams(spec, r.issuedTokenType),
  };
  // RFC 8693 §2.2.1: a refresh token may come back; renewal still re-runs the exchange.
  if (secret !== undefined) profile.clientSecret = secret;
  return profile;
}

/** The exchange a saved profile was made with. */
export function specFromProfile(name: string, p: Profile, secret: string | undefined): ExchangeSpec {
  const P = paramsOf(p, 'token_exchange');
  const { tokenUrl, clientId } = P;
  if (!tokenUrl || !clientId || (!P.subjectTokenFile && !P.subjectTokenEnv)) {
    throw withRelogin(
      new NoTokenError(`profile '${name}' lacks what is needed to repeat its token exchange`),
    );
  }
  const actor =
    P.actorTokenFile || P.actorTokenEnv ? { file: P.actorTokenFile, env: P.actorTokenEnv } : undefined;
  return {
    tokenUrl,
    issuer: P.issuer,
    client: clientFromParams(P, clientId, secret),
    subject: { file: P.subjectTokenFile, env: P.subjectTokenEnv },
    subjectTokenType: P.subjectTokenType ?? JWT_TOKEN_TYPE,
    actor,
    actorTokenType: P.actorTokenType,
    requestedTokenType: P.requestedTokenType,
    audience: P.audience,
    resource: P.resource ?? [],
    scopes: P.scope ?? [],
    tokenParams: P.tokenParams ?? [],
    caFile: P.caFile,
  };
}

/** Renewal: exchange the re-read subject token again; returns the updated profile. */
export async function renewTokenExchange(
  ctx: Context,
  name: string,
  p: Profile,
  secret: string | undefined,
): Promise<Profile> {
  const spec = specFromProfile(name, p, secret);
  checkUrl(spec.tokenUrl, { insecure: ctx.insecure, source: 'server', label: `profile '${name}' tokenUrl` });
  let r: ExchangeResult;
  try {
    r = await exchangeToken(ctx, spec);
  } catch (e) {
    // The subject token is gone (the CI job ended): nothing can renew this profile now.
    if (e instanceof UsageError)
      throw withRelogin(new NoTokenError(`profile '${name}' cannot be renewed: ${e.message}`));
    throw e;
  }
  const next = exchangeProfile(spec, r, ctx.now(), p.clientSecret);
  // Keep what the saved profile had and this exchange does not record, known or not.
  if (p.flow === 'token_exchange') next.params = { ...p.params, ...next.params };
  if (p.unknownParams) next.unknownParams = p.unknownParams;
  return next;
}
