/**
 * LivePerson Sentinel preset: endpoints, the domain-API answer, the profile the login saves. Pure —
 * no I/O; the flow is in flow.ts. Sources and details: docs/protocol-notes/liveperson.md.
 */
import { ProtocolError, UsageError } from '../../errors.js';
import { isoUtc } from '../../lib/format.js';
import { isRecord } from '../../lib/json.js';
import { decodeJwt } from '../../lib/jwt.js';
import { expiryIso, serverText, type TokenSet } from '../../protocol/oauth.js';
import { type ParamValue, type Profile, TOKEN_RE } from '../../store/profile.js';

/** Default domain API; LivePerson's docs (`retrieve_API_Domains.md`) print http://, authctl uses https. */
export const DEFAULT_DOMAIN_API = 'https://api.liveperson.net';

/** Default redirect URI; it must be registered with the app installation (`getting-started.md`). */
export const DEFAULT_REDIRECT_URI = 'http://localhost:8976/callback';

/**
 * Lifetime assumed when the token response has no `expires_in` (it is not documented): LivePerson
 * recommends refreshing every 30 minutes (`methods/refresh.md`).
 */
export const DEFAULT_LIFETIME_S = 30 * 60;

/** The Sentinel endpoints of one account. */
export interface SentinelEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

/** Check an account id before any request: letters and digits only (it goes into URL paths). */
export function validateAccount(account: unknown): string {
  if (typeof account !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(account)) {
    throw new UsageError(
      `--account: '${String(account ?? '')}' is not a LivePerson account id`,
      'Pass the account (site) id, e.g. --account 12345678 (letters and digits only).',
    );
  }
  return account;
}

/** The domain-API lookup of the Sentinel host (`retrieve_API_Domains.md`); `domainApi` is checked. */
export function domainApiUrl(domainApi: string, account: string): string {
  const base = domainApi.replace(/\/+$/, '');
  return `${base}/api/account/${encodeURIComponent(account)}/service/sentinel/baseURI.json?version=1.0`;
}

const isObj = isRecord;

/** A bare host name or IP, optionally with a port — what the domain API hands back (no scheme, no path). */
const HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Read the Sentinel host from a domain-API answer. Both known shapes are accepted: a top-level
 * `baseURI` (single-service lookup), or the `baseURIs[]` entry whose `service` is `sentinel` (the
 * documented all-services example).
 * `where` is the (secret-free) URL, for messages.
 */
export function parseDomainResponse(body: unknown, where: string): string {
  if (!isObj(body)) throw new ProtocolError(`the domain API at ${where} did not answer a JSON object`);
  let host: unknown;
  let field = 'baseURI';
  if (body.baseURI !== undefined) {
    // Service names are case-sensitive (domain API docs); a different service here is a wrong answer.
    if (body.service !== undefined && body.service !== 'sentinel') {
      throw new ProtocolError(
        `the domain API at ${where} answered for service '${serverText(typeof body.service === 'string' ? body.service : (JSON.stringify(body.service) ?? ''), 40)}' instead of 'sentinel'`,
      );
    }
    host = body.baseURI;
  } else if (Array.isArray(body.baseURIs)) {
    const entry = body.baseURIs.find((e) => isObj(e) && e.service === 'sentinel');
    if (!isObj(entry)) {
      throw new ProtocolError(`the domain API at ${where} lists no 'sentinel' service in 'baseURIs'`);
    }
    host = entry.baseURI;
    field = "baseURIs[service='sentinel'].baseURI";
  } else {
    throw new ProtocolError(`the domain API at ${where} answered neither 'baseURI' nor 'baseURIs'`);
  }
  if (typeof host !== 'string' || host.trim() === '') {
    throw new ProtocolError(`the domain API at ${where}: '${field}' is missing or not a string`);
  }
  const h = host.trim().replace(/\/+$/, '');
  if (!HOST_RE.test(h)) {
    throw new ProtocolError(
      `the domain API at ${where}: '${field}' is not a host name: '${serverText(h, 80)}'`,
    );
  }
  return h;
}

/**
 * Normalise a Sentinel base URL (from --domain or discovery, already checked): no query, fragment
 * or credentials; trailing slashes and a trailing `/sentinel` (the API path prefix) removed.
 * Returns null when the URL carries parts a base URL may not have.
 */
export function normaliseSentinelBase(url: URL): string | null {
  if (url.search || url.hash || url.username || url.password) return null;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/sentinel$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * The Sentinel endpoints under a normalised base URL (developer-center `methods/`): authorize
 * `v=1.0`, token `v=2.0`, revoke `v=1.0` (`revoke.md` prints `?v1.0`; the `=` is meant).
 */
export function sentinelEndpoints(base: string, account: string): SentinelEndpoints {
  const root = `${base}/sentinel/api/account/${encodeURIComponent(account)}`;
  return {
    authorizeUrl: `${root}/authorize?v=1.0`,
    tokenUrl: `${root}/token?v=2.0`,
    revokeUrl: `${root}/token/revoke?v=1.0`,
  };
}

/**
 * The full authorization request URL: `v=1.0&response_type=code&client_id&redirect_uri&state`;
 * no PKCE and no scope, which the Sentinel documents do not mention.
 */
export function authorizeRequestUrl(
  endpoints: SentinelEndpoints,
  clientId: string,
  redirectUri: string,
  state: string,
): string {
  const u = new URL(endpoints.authorizeUrl);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('state', state);
  return u.toString();
}

/** The `id_token` claims `methods/token.md` documents, decoded without verification. */
export interface SentinelIdClaims {
  sub?: string;
  aud?: string | string[];
  iss?: string;
  iat?: number;
  exp?: number;
  is_admin?: boolean;
  is_lpa?: boolean;
}

/**
 * Decode the `id_token` claims (no signature check: authctl only displays them and takes the
 * subject). Claims of an unexpected type are dropped rather than trusted. Throws when the token is
 * not a JWT at all.
 */
export function idTokenClaims(idToken: string, where: string): SentinelIdClaims {
  const jwt = decodeJwt(idToken);
  if (!jwt) throw new ProtocolError(`${where}: 'id_token' is not a JWT`);
  const c = jwt.payload;
  const out: SentinelIdClaims = {};
  if (typeof c.sub === 'string' && c.sub !== '') out.sub = c.sub;
  else if (typeof c.sub === 'number') out.sub = String(c.sub);
  if (typeof c.aud === 'string' || (Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string')))
    out.aud = c.aud as string | string[];
  if (typeof c.iss === 'string') out.iss = c.iss;
  for (const k of ['iat', 'exp'] as const)
    if (typeof c[k] === 'number' && Number.isFinite(c[k])) out[k] = c[k];
  for (const k of ['is_admin', 'is_lpa'] as const) {
    const v = c[k];
    if (typeof v === 'boolean') out[k] = v;
    else if (v === 'true' || v === 'false') out[k] = v === 'true';
  }
  return out;
}

/** What a LivePerson login knows besides the tokens. */
export interface LivePersonLogin {
  account: string;
  /** Normalised Sentinel base URL (what --domain would take). */
  domain: string;
  endpoints: SentinelEndpoints;
  clientId: string;
  redirectUri: string;
  /** Saved only with --save-secret. */
  clientSecret?: string | undefined;
  /** The --domain the user gave (then no discovery happened). */
  domainFlag?: string;
  /** The --domain-api used for discovery, when not the default. */
  domainApi?: string;
}

/** Absolute expiry for a Sentinel token: `expires_in` when sent, else the 30-minute default. */
export function livePersonExpiry(expiresIn: number | undefined, nowMs: number): string {
  return expiryIso(expiresIn ?? DEFAULT_LIFETIME_S, nowMs)!;
}

/** Build the profile a LivePerson login saves (tokens + what renewal needs); `where`: the token URL. */
export function livePersonProfile(
  tokens: TokenSet,
  login: LivePersonLogin,
  nowMs: number,
  where: string,
): Profile {
  const claims = tokens.idToken ? idTokenClaims(tokens.idToken, where) : undefined;
  if (tokens.refreshToken !== undefined && !TOKEN_RE.test(tokens.refreshToken)) {
    throw new ProtocolError(`${where}: 'refresh_token' contains characters not allowed in a token`);
  }
  const params: Record<string, ParamValue> = {
    account: login.account,
    domain: login.domain,
    authorizeUrl: login.endpoints.authorizeUrl,
    tokenUrl: login.endpoints.tokenUrl,
    revokeUrl: login.endpoints.revokeUrl,
    clientId: login.clientId,
    authMethod: 'client_secret_post',
    confidential: true,
    redirectUri: login.redirectUri,
    ...(login.domainFlag !== undefined ? { domainFlag: login.domainFlag } : {}),
    ...(login.domainApi !== undefined ? { domainApi: login.domainApi } : {}),
    // Read by the refresh engine when a refresh answer has no expires_in either (same 30-minute rule).
    defaultExpiresIn: DEFAULT_LIFETIME_S,
  };
  const details: Record<string, unknown> = {
    expiresInFromServer: tokens.expiresIn !== undefined,
  };
  if (claims) {
    if (claims.sub !== undefined) details.userId = claims.sub;
    if (claims.aud !== undefined) details.appId = claims.aud;
    if (claims.iss !== undefined) details.issuer = claims.iss;
    if (claims.is_admin !== undefined) details.isAdmin = claims.is_admin;
    if (claims.is_lpa !== undefined) details.isLpa = claims.is_lpa;
    // Guard the Date range: a nonsense `exp` is displayed as nothing rather than crashing.
    if (claims.exp !== undefined && Math.abs(claims.exp) < 8.64e12)
      details.idTokenExpiresAt = isoUtc(claims.exp * 1000);
  }
  const profile: Profile = {
    provider: 'liveperson',
    flow: 'authorization_code',
    token: tokens.accessToken,
    tokenType: tokens.tokenType,
    obtainedAt: isoUtc(nowMs),
    expiresAt: livePersonExpiry(tokens.expiresIn, nowMs),
    subject: claims?.sub ?? null,
    scopes: tokens.scope ?? [],
    params,
    details,
  };
  if (tokens.refreshToken) profile.refreshToken = tokens.refreshToken;
  if (tokens.idToken) profile.idToken = tokens.idToken;
  if (login.clientSecret !== undefined) profile.clientSecret = login.clientSecret;
  return profile;
}

/** Default `--timeout` of `liveperson login`: how long the browser login may take. */
export const DEFAULT_TIMEOUT = '5m';
