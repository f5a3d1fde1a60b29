/**
 * The authorization request and its answer (RFC 6749 §4.1.1–§4.1.2.1, RFC 7636 §4.3, RFC 8707,
 * RFC 9207, RFC 8252 §7.3), pure: check the redirect URI, build the URL the browser opens, and
 * validate the URL the browser comes back with.
 */
import { timingSafeEqual } from 'node:crypto';
import { FailureError, ProtocolError, RefusedError, UsageError } from '../errors.js';
import { isLoopbackHost } from '../http/url.js';
import { serverText } from './protocol.js';

/** A redirect URI taken apart for the loopback listener. */
export interface RedirectTarget {
  /** As given (sent byte-identical in both requests when the port is fixed; RFC 6749 §4.1.3). */
  raw: string;
  /** Host as written, without brackets: 127.0.0.1, ::1, localhost… */
  hostname: string;
  /** 0 when the URI has no port or port 0: the listener picks a free one (RFC 8252 §7.3). */
  port: number;
  /** The path the callback arrives on ('/' when the URI has none). */
  path: string;
  /** True when authctl can receive the callback itself (http on a loopback host). */
  listenable: boolean;
}

/** The default redirect for `oauth login`: 127.0.0.1 rather than localhost (RFC 8252 §8.3). */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:0/callback';

const AUTHORITY_RE = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?/i;

/**
 * Check a redirect URI (`flag` names the option in messages). It must be http on a loopback host
 * so authctl can listen for it — or, with `manual`, any https URL the user can copy from.
 */
export function parseRedirectUri(raw: string, opts: { manual: boolean; flag?: string }): RedirectTarget {
  const flag = opts.flag ?? '--redirect-uri';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${flag}: not a valid URL: '${raw}'`);
  }
  if (u.hash || raw.includes('#'))
    throw new UsageError(`${flag} must not contain a fragment (RFC 6749 §3.1.2)`);
  const m = AUTHORITY_RE.exec(raw);
  const explicitPort = m?.[2];
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  const listenable = u.protocol === 'http:' && isLoopbackHost(hostname);
  if (!listenable) {
    if (!opts.manual || u.protocol !== 'https:') {
      throw new UsageError(
        `${flag} must be a loopback http URL such as http://127.0.0.1:8976/callback, so authctl can receive the redirect`,
        'Use a loopback redirect URI registered with the client, or --manual with an https one.',
      );
    }
  }
  return {
    raw,
    hostname,
    port: explicitPort ? Number(explicitPort) : 0,
    path: u.pathname || '/',
    listenable,
  };
}

/** The redirect URI with the port the listener actually got (only when the URI left it open). */
export function redirectUriWithPort(target: RedirectTarget, port: number): string {
  if (target.port !== 0 || !target.listenable) return target.raw;
  const m = AUTHORITY_RE.exec(target.raw)!;
  const end = m[0].length;
  const hostEnd = m.index + m[0].length - (m[2] !== undefined ? m[2].length + 1 : 0);
  return `${target.raw.slice(0, hostEnd)}:${port}${target.raw.slice(end)}`;
}

/** What goes into an authorization request. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: string[];
  codeChallenge?: string | undefined;
  nonce?: string | undefined;
  /** RFC 8707: every value is sent. */
  resource?: readonly string[] | undefined;
  /** audience, prompt, login_hint, acr_values, max_age, --param…: set after the standard ones. */
  extra?: ReadonlyArray<readonly [string, string]> | undefined;
}

/** The authorization request's parameters, in order (for the URL or a PAR body). */
export function authorizeParams(p: AuthorizeParams): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', p.clientId],
    ['redirect_uri', p.redirectUri],
  ];
  if (p.scopes.length) out.push(['scope', p.scopes.join(' ')]);
  out.push(['state', p.state]);
  if (p.codeChallenge) out.push(['code_challenge', p.codeChallenge], ['code_challenge_method', 'S256']);
  if (p.nonce) out.push(['nonce', p.nonce]);
  for (const r of p.resource ?? []) out.push(['resource', r]);
  // A --param naming a standard parameter replaces it; a repeated --param name is sent repeatedly.
  const extraNames = new Set((p.extra ?? []).map(([k]) => k));
  return [
    ...out.filter(([k]) => !extraNames.has(k)),
    ...(p.extra ?? []).map(([k, v]): [string, string] => [k, v]),
  ];
}

/** The URL the browser opens after a pushed authorization request (RFC 9126 §4). */
export function buildParAuthorizeUrl(endpoint: string, clientId: string, requestUri: string): string {
  const u = new URL(endpoint);
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('request_uri', requestUri);
  return u.toString();
}

/**
 * The authorization URL (RFC 6749 §4.1.1): parameters the endpoint URL already carries (e.g.
 * LivePerson's `v=1.0`) are kept; PKCE is always S256 (RFC 7636 §4.3).
 */
export function buildAuthorizeUrl(endpoint: string, p: AuthorizeParams): string {
  const u = new URL(endpoint);
  const q = u.searchParams;
  const params = authorizeParams(p);
  for (const name of new Set(params.map(([k]) => k))) q.delete(name);
  for (const [k, v] of params) q.append(k, v);
  return u.toString();
}

/** What the callback must match. */
export interface CallbackExpectation {
  state: string;
  /** When known, an `iss` on the callback must equal it exactly (RFC 9207 §2.4 mix-up defence). */
  issuer?: string | undefined;
  /** The server advertised authorization_response_iss_parameter_supported: `iss` must be there. */
  issRequired?: boolean | undefined;
  /** Names the provider in messages ("LivePerson", "the authorization server"). */
  providerLabel: string;
}

/** Constant-time exact comparison (RFC 6749 §10.12: state is compared exactly). */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One query parameter; a repeated one is refused (RFC 6749 §3.1: parameters must not repeat). */
function single(q: URLSearchParams, name: string): string | undefined {
  const all = q.getAll(name);
  if (all.length > 1) throw new ProtocolError(`the callback repeats the '${name}' parameter; rejected`);
  return all[0];
}

/** Map an authorization error response (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6) to authctl's error. */
export function authorizationError(code: string, description: string | undefined, providerLabel: string) {
  const desc = description ? `: ${serverText(description, 300)}` : '';
  const c = serverText(code, 60);
  if (code === 'access_denied') {
    return new RefusedError(
      `the login was refused at ${providerLabel} (access_denied${desc})`,
      'Run the login again and approve the request if you meant to.',
    );
  }
  const hints: Record<string, string> = {
    invalid_request: 'Check that the redirect URI and client id are registered with the provider.',
    unauthorized_client: 'Enable the authorization code grant for this client at the provider.',
    unsupported_response_type: 'Enable the authorization code grant for this client at the provider.',
    invalid_scope: 'Request only scopes the client is allowed.',
    server_error: 'Try again later.',
    temporarily_unavailable: 'Try again later.',
    login_required: 'Run the login again and sign in.',
    consent_required: 'Run the login again and approve the request.',
    interaction_required: 'Run the login again and complete the steps in the browser.',
  };
  return new FailureError(
    `${providerLabel} answered the authorization request with an error (${c}${desc})`,
    hints[code] ?? 'Check the client settings at the provider, then run the login again.',
  );
}

/**
 * Validate the URL the browser was redirected to and return the authorization code. The state is
 * checked first and exactly (RFC 6749 §10.12), so a forged callback cannot even end the login
 * with a believable error; then `iss` (RFC 9207), then `error`, then `code`.
 */
export function parseCallback(url: URL, exp: CallbackExpectation): { code: string } {
  const q = url.searchParams;
  const state = single(q, 'state');
  const error = single(q, 'error');
  const claimed = error ? ` (it claimed error '${serverText(error, 60)}')` : '';
  if (state === undefined || state === '') {
    throw new FailureError(
      `the redirect carried no 'state'${claimed}; it does not answer this login and was rejected`,
      'Run the login again; if this repeats, something other than your browser is calling the redirect URI.',
    );
  }
  if (!sameSecret(state, exp.state)) {
    throw new FailureError(
      `the redirect's 'state' does not match this login${claimed}; rejected as a possible forgery (CSRF)`,
      'Run the login again and finish it in the browser tab authctl opened.',
    );
  }
  const iss = single(q, 'iss');
  // RFC 9207 §2.4: simple string comparison, and a server that advertises the parameter must send it.
  if (iss === undefined && exp.issRequired) {
    throw new FailureError(
      `the redirect carries no 'iss' although ${exp.providerLabel} says it always sends one; rejected (RFC 9207 mix-up defence)`,
      'Run the login again and finish it in the browser tab authctl opened.',
      'oauth.iss_missing',
    );
  }
  if (iss !== undefined && exp.issuer !== undefined && iss !== exp.issuer) {
    throw new FailureError(
      `the redirect names issuer '${serverText(iss, 100)}', not '${exp.issuer}'; rejected (RFC 9207 mix-up defence)`,
      'Run the login again; check --issuer.',
      'oauth.iss_mismatch',
    );
  }
  if (error !== undefined) throw authorizationError(error, single(q, 'error_description'), exp.providerLabel);
  const code = single(q, 'code');
  if (code === undefined || code === '') {
    throw new ProtocolError(`the redirect from ${exp.providerLabel} carried neither 'code' nor 'error'`);
  }
  return { code };
}

/**
 * Read a URL the user pasted (--manual): the whole redirected URL, or just its `?query` part,
 * resolved against the redirect URI. Surrounding whitespace and quotes are dropped.
 */
export function parsePastedUrl(input: string, redirectUri: string): URL {
  const v = input.trim().replace(/^['"<]|['">]$/g, '');
  if (v === '') throw new UsageError('nothing was pasted', 'Paste the full URL from the address bar.');
  try {
    return new URL(
      v.startsWith('?') || v.startsWith('code=') || v.startsWith('state=')
        ? `${redirectUri.split('?')[0]}?${v.replace(/^\?/, '')}`
        : v,
    );
  } catch {
    throw new UsageError('the pasted text is not a URL', 'Paste the full URL from the address bar.');
  }
}
