/**
 * OAuth 2.0 token-endpoint protocol (RFC 6749 §2.3.1, §5.1, §5.2), pure: build client
 * authentication, validate token responses field by field, and map error codes to exit codes —
 * including how real servers deviate (IdentityServer answers `invalid_client` with HTTP 400,
 * `expires_in` as a string, lower-case `bearer`, HTML or plain-text error pages).
 */
import { type AuthctlError, FailureError, NetworkError, ProtocolError, RefusedError } from '../errors.js';
import { isRecord } from '../lib/json.js';
import { serverText } from '../lib/text.js';
import { MAX_TOKEN_LENGTH, TOKEN_RE } from '../store/profile.js';

/** A validated successful token response. */
export interface TokenSet {
  accessToken: string;
  /** As the server sent it, except that any case of "bearer" becomes "Bearer". */
  tokenType: string;
  /** Seconds, when the server said. */
  expiresIn?: number;
  refreshToken?: string;
  idToken?: string;
  /** Granted scopes when the server listed them (RFC 6749 §5.1: optional if identical to the request). */
  scope?: string[];
}

/** The parts of an HTTP response the validators read. */
export interface RawResponse {
  status: number;
  text: string;
  json: unknown;
  headers: Record<string, string | undefined>;
}

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2, RFC 8705 §2). */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'none';

/** Every method, in the order `--auth-method` lists them. */
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
];

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

const isObj = isRecord;

/** Printable, single-line, bounded text from a server (descriptions, error pages). */
export { serverText };

/** Map an OAuth error code (RFC 6749 §5.2, §4.1.2.1) to the error authctl reports. */
export function oauthError(code: string, description: string | undefined, where: string): AuthctlError {
  const desc = description ? `: ${serverText(description, 300)}` : '';
  const id = `oauth.${/^[a-z0-9_]{1,40}$/.test(code) ? code : 'error'}`;
  if (isDpopError(code, description)) {
    return new FailureError(
      `${where} wants DPoP-bound tokens (${serverText(code, 60)}${desc}); authctl does not support DPoP`,
      'A DPoP token needs a fresh proof per request and cannot be handed to other programs as a header; register a client without DPoP binding for authctl.',
      'oauth.dpop_unsupported',
    );
  }
  switch (code) {
    case 'invalid_client':
      return new RefusedError(
        `${where} rejected the client credentials (invalid_client${desc})`,
        'Check the client id and secret (AUTHCTL_CLIENT_SECRET).',
        id,
      );
    case 'unauthorized_client':
      return new RefusedError(
        `${where}: this client may not use this grant (unauthorized_client${desc})`,
        'Enable the grant type for the client at the provider.',
        id,
      );
    case 'invalid_grant':
      return new RefusedError(`${where} refused the grant (invalid_grant${desc})`, 'Log in again.', id);
    case 'access_denied':
      return new RefusedError(`access was denied (access_denied${desc})`, undefined, id);
    case 'invalid_scope':
      return new FailureError(
        `${where}: scope not enabled for your client (invalid_scope${desc})`,
        'Request only scopes the client is allowed.',
        id,
      );
    default:
      return new FailureError(`${where} answered ${serverText(code, 60)}${desc}`, undefined, id);
  }
}

/**
 * Whether an error answer is about DPoP (RFC 9449 §7.1, §8): the DPoP error codes, or another code
 * whose description names DPoP (oidc-provider answers `invalid_grant` "DPoP proof JWT not provided"
 * for a client registered with dpop_bound_access_tokens).
 */
export function isDpopError(code: string, description: string | undefined): boolean {
  return code === 'use_dpop_nonce' || code === 'invalid_dpop_proof' || /\bdpop\b/i.test(description ?? '');
}

/** Parse `expires_in`: a non-negative number or numeric string (real servers send both), within MAX_EXPIRES_IN_S. */
export function parseExpiresIn(v: unknown): number | undefined | 'invalid' {
  if (v === undefined || v === null) return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)
        ? Number(v)
        : Number.NaN;
  // The bound (about 3,000 years) keeps the absolute expiry inside the Date range: a larger value
  // would make expiryIso() throw a RangeError instead of reporting the server's mistake.
  return Number.isFinite(n) && n >= 0 && n <= MAX_EXPIRES_IN_S ? Math.floor(n) : 'invalid';
}

/** Largest `expires_in` accepted, in seconds. */
export const MAX_EXPIRES_IN_S = 1e11;

/**
 * Validate a token-endpoint answer (RFC 6749 §5.1/§5.2). An `error` member is read whatever the
 * HTTP status; non-JSON bodies are reported readably. `where` names the endpoint (no secrets).
 */
export function processTokenResponse(res: RawResponse, where: string): TokenSet {
  const body = res.json;
  // RFC 9449 §8: a server that wants a DPoP nonce says so in a header as well.
  const wwwAuth = res.headers['www-authenticate'] ?? '';
  const failed = res.status < 200 || res.status >= 300 || (isObj(body) && typeof body.error === 'string');
  if (failed && (/^\s*dpop\b/i.test(wwwAuth) || res.headers['dpop-nonce'] !== undefined)) {
    const err = isObj(body) && typeof body.error === 'string' ? body.error : 'use_dpop_nonce';
    throw oauthError(isDpopError(err, undefined) ? err : 'use_dpop_nonce', undefined, where);
  }
  if (isObj(body) && typeof body.error === 'string' && body.error !== '') {
    const desc = typeof body.error_description === 'string' ? body.error_description : undefined;
    throw oauthError(body.error, desc, where);
  }
  if (res.status < 200 || res.status >= 300) {
    const snippet = serverText(res.text);
    const detail = snippet ? `: ${snippet}` : '';
    if (res.status === 401 || res.status === 403) {
      throw new RefusedError(
        `${where} refused the request (HTTP ${res.status}${detail})`,
        'Check the client id and secret.',
      );
    }
    if (res.status === 429) {
      throw new NetworkError(
        `${where} is rate limiting requests (HTTP 429${detail})`,
        'Wait a moment and try again.',
      );
    }
    if (res.status >= 500)
      throw new NetworkError(`${where} failed (HTTP ${res.status}${detail})`, 'Try again later.');
    throw new ProtocolError(`${where} answered HTTP ${res.status}${detail}`);
  }
  if (!isObj(body)) {
    throw new ProtocolError(
      `${where} answered something that is not a JSON object${res.text ? `: ${serverText(res.text)}` : ''}`,
    );
  }
  const field = (name: string, why: string) =>
    new ProtocolError(`${where}: invalid token response: '${name}' ${why}`);
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw field('access_token', 'is missing');
  // Bounded like everything authctl stores or hands to a child's environment (exec would fail with
  // E2BIG on a megabyte token): refuse an answer with a token over the cap rather than save it.
  for (const f of ['access_token', 'refresh_token', 'id_token'] as const) {
    const v = body[f];
    if (typeof v === 'string' && v.length > MAX_TOKEN_LENGTH)
      throw new ProtocolError(
        `${where}: '${f}' in the token response is longer than ${MAX_TOKEN_LENGTH / 1024} KiB; refusing it`,
        undefined,
        'oauth.token_too_large',
      );
  }
  if (!TOKEN_RE.test(body.access_token))
    throw field('access_token', 'contains characters not allowed in a token');
  if (typeof body.token_type !== 'string' || body.token_type === '') throw field('token_type', 'is missing');
  // The type becomes the scheme of an Authorization header (`token header`, exec): a space, CR or
  // LF in it would let the server inject header lines (RFC 6749 §7.1: a type name is a token).
  if (!TOKEN_RE.test(body.token_type))
    throw field('token_type', 'contains characters not allowed in a token type');
  const expiresIn = parseExpiresIn(body.expires_in);
  if (expiresIn === 'invalid') throw field('expires_in', 'is not a number of seconds');
  const set: TokenSet = {
    accessToken: body.access_token,
    tokenType: /^bearer$/i.test(body.token_type) ? 'Bearer' : body.token_type,
  };
  if (expiresIn !== undefined) set.expiresIn = expiresIn;
  for (const [k, prop] of [
    ['refresh_token', 'refreshToken'],
    ['id_token', 'idToken'],
  ] as const) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v === '' || !TOKEN_RE.test(v)) throw field(k, 'is not a valid token string');
    set[prop] = v;
  }
  if (body.scope !== undefined && body.scope !== null) {
    if (typeof body.scope !== 'string') throw field('scope', 'is not a string');
    set.scope = body.scope.split(' ').filter(Boolean);
    // RFC 6749 §3.3: scope tokens are visible ASCII. Anything else (control characters, escapes)
    // would reach the terminal through `token list` / `inspect`.
    if (!set.scope.every((s) => TOKEN_RE.test(s)))
      throw field('scope', 'contains characters not allowed in a scope (RFC 6749 §3.3)');
  }
  return set;
}

/** Absolute expiry (ISO 8601 UTC) for a token obtained at `nowMs`, or null when unknown. */
export function expiryIso(expiresIn: number | undefined, nowMs: number): string | null {
  if (expiresIn === undefined) return null;
  return new Date(nowMs + expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
