/**
 * SAFE Launcher REST API, pure parts: input checks that mirror the Launcher's own validation, the
 * request body, the strict `Authorization` value, and the processing of every answer — above all
 * telling its three 401s apart. No I/O. Sources and details: docs/protocol-notes/safe.md.
 */
import { FailureError, NetworkError, ProtocolError, RefusedError, UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { isRecord } from '../../lib/json.js';
import { decodeJwt, looksLikeJwt } from '../../lib/jwt.js';
import { serverText } from '../../lib/text.js';
import { MAX_TOKEN_LENGTH, TOKEN_RE } from '../../store/profile.js';
import { DENIED_MESSAGE, SAFE_PERMISSIONS, type SafePermission } from './constants.js';

/** The app identity the Launcher shows its user and compares exactly for session reuse. */
export interface SafeApp {
  name: string;
  id: string;
  version: string;
  vendor: string;
}

/** The JSON body of POST /auth: `{app: {name, id, version, vendor}, permissions}`. */
export interface SafeAuthRequest {
  app: SafeApp;
  permissions: SafePermission[];
}

/** What a 200 on POST /auth carries: a JWT and the requested permissions echoed back (no partial grant). */
export interface SafeGrant {
  token: string;
  permissions: string[];
}

/** The parts of an HTTP answer the processors look at. */
export interface SafeHttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

const isPermission = (v: string): v is SafePermission => (SAFE_PERMISSIONS as readonly string[]).includes(v);

/**
 * Check `--permission` values like the Launcher does (`authorise` in `controllers/auth.js`): each
 * exactly one of the known names, case-sensitive (API 0.6 no longer upper-cases). Duplicates are
 * dropped; an empty list is valid.
 */
export function checkPermissions(values: readonly string[] | undefined): SafePermission[] {
  const out: SafePermission[] = [];
  for (const v of values ?? []) {
    if (!isPermission(v)) {
      const fixed = SAFE_PERMISSIONS.find((p) => p === v.trim().toUpperCase());
      throw new UsageError(
        `--permission: unknown SAFE Launcher permission '${v}'`,
        fixed
          ? `Permission names are case-sensitive; use ${fixed}.`
          : `Use ${SAFE_PERMISSIONS.join(' or ')} (or no --permission at all).`,
      );
    }
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** The flag that supplies each app field, for error messages. */
const APP_FLAGS: Record<keyof SafeApp, string> = {
  name: '--app-name',
  id: '--app-id',
  version: '--app-version',
  vendor: '--app-vendor',
};

/**
 * Check the four app values like the Launcher does (same function): present, and containing a
 * non-whitespace character (`/[^\s]/`). Values are sent as given, not trimmed, because the Launcher
 * compares the identity exactly when it reuses a session.
 */
export function checkApp(values: Partial<Record<keyof SafeApp, unknown>>): SafeApp {
  const app = {} as SafeApp;
  for (const key of Object.keys(APP_FLAGS) as Array<keyof SafeApp>) {
    const v = values[key];
    if (typeof v !== 'string' || v === '') {
      throw new UsageError(`${APP_FLAGS[key]} is required and must not be empty`);
    }
    if (!/[^\s]/.test(v)) {
      throw new UsageError(`${APP_FLAGS[key]} must not be blank (whitespace only)`);
    }
    app[key] = v;
  }
  return app;
}

/** The POST /auth body, with keys in the documented order. */
export function authRequestBody(app: SafeApp, permissions: readonly SafePermission[]): SafeAuthRequest {
  return {
    app: { name: app.name, id: app.id, version: app.version, vendor: app.vendor },
    permissions: [...permissions],
  };
}

/**
 * Check a Launcher base URL (`--launcher-url` or the one saved with a profile) and normalise it:
 * no trailing slash, no query or fragment. A path prefix such as `/0.6` is kept (`boot.js` mounts the
 * router at `/`, `/0.5` and `/0.6`).
 */
export function checkLauncherUrl(raw: string, insecure: boolean, label = '--launcher-url'): string {
  const url = checkUrl(raw, { insecure, source: 'flag', label });
  if (url.search || url.hash) {
    throw new UsageError(`${label}: must not have a query or fragment: '${raw}'`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${label}: must not contain a user name or password`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `base` + `path` for a base made by checkLauncherUrl. */
export function launcherEndpoint(base: string, path: string): string {
  return `${base}${path}`;
}

/**
 * The `Authorization` value the Launcher accepts (`utils.js`): exactly `Bearer <jwt>` — first space at
 * index 6, two parts when split on spaces, three dot-separated segments.
 */
export function bearerValue(token: string): string {
  if (!TOKEN_RE.test(token) || !looksLikeJwt(token)) {
    throw new ProtocolError('the saved SAFE token is not a JWT; it cannot be sent to the Launcher');
  }
  return `Bearer ${token}`;
}

/** How authctl reads one Launcher answer (docs/protocol-notes/safe.md, 'Telling the answers apart'). */
export type SafeAnswerKind =
  /** 200. */
  | 'ok'
  /** 401 text `Unauthorised`: the user denied, or nobody is logged in. */
  | 'denied'
  /** 401 text `Unauthorized` (Express `sendStatus`): the bearer token is invalid. */
  | 'bad-token'
  /** 401 JSON `{errorCode:400, description:'Unauthorised'}`: no `Authorization` header. */
  | 'no-header'
  /** Any other 401. */
  | 'unauthorized'
  /** 400 whose description is about what the user asked for (permissions, blank values). */
  | 'invalid-input'
  /** Any other 400 (e.g. `Fields are missing`: the body did not arrive as JSON). */
  | 'bad-request'
  /** 404: wrong path (`Endpoint Not Found`) or an FFI not-found. */
  | 'not-found'
  /** 5xx: FFI or registration failure with `{errorCode, description}`. */
  | 'server-error'
  /** Anything else (redirects, other codes). */
  | 'unexpected';

/** One classified answer: its kind and what the Launcher said, made safe for a terminal. */
export interface SafeAnswer {
  kind: SafeAnswerKind;
  status: number;
  /** The JSON `description`, else the text body; null when there is nothing readable. */
  description: string | null;
  /** The JSON `errorCode` — NOT the HTTP status (a 401 may carry 400); null when absent. */
  errorCode: number | null;
}

/**
 * 400 descriptions that mean "what you asked for is not acceptable" (exit 2): API 0.6's and the
 * plain-text ones of the 0.5.0 Launcher. `Fields are missing` / `Permission field is missing` are not
 * here: authctl always sends those fields, so they mean the request was mangled on the way (exit 1).
 */
const INPUT_PROBLEMS = new Set([
  'Invalid permissions requested',
  'Invalid permissions',
  'Values cannot be empty',
  'Fields are invalid',
]);

const clean = (s: string): string => serverText(s, 200);

/** Classify a Launcher answer; the body may be JSON `{errorCode, description}` or plain text. */
export function classifyAnswer(a: SafeHttpAnswer): SafeAnswer {
  let description: string | null = null;
  let errorCode: number | null = null;
  const isJsonError = isRecord(a.json) && typeof a.json.description === 'string';
  if (isRecord(a.json)) {
    // Only the documented field: a JSON body is never echoed whole (it could carry a token).
    const d = a.json.description;
    description = typeof d === 'string' ? clean(d) || null : null;
    if (typeof a.json.errorCode === 'number' && Number.isFinite(a.json.errorCode))
      errorCode = a.json.errorCode;
  } else {
    description = clean(typeof a.json === 'string' ? a.json : a.text) || null;
  }
  const text = a.text.trim();
  let kind: SafeAnswerKind;
  if (a.status === 200) kind = 'ok';
  else if (a.status === 401) {
    if (!isJsonError && text === 'Unauthorised') kind = 'denied';
    else if (!isJsonError && text === 'Unauthorized') kind = 'bad-token';
    else if (isJsonError && description === 'Unauthorised') kind = 'no-header';
    else kind = 'unauthorized';
  } else if (a.status === 400) {
    kind = description !== null && INPUT_PROBLEMS.has(description) ? 'invalid-input' : 'bad-request';
  } else if (a.status === 404) kind = 'not-found';
  else if (a.status >= 500 && a.status <= 599) kind = 'server-error';
  else kind = 'unexpected';
  return { kind, status: a.status, description, errorCode };
}

/** "Fields are missing (HTTP 400, Launcher error code 400)". */
function said(a: SafeAnswer): string {
  const code = a.errorCode !== null ? `, Launcher error code ${a.errorCode}` : '';
  return `${a.description ?? 'no description'} (HTTP ${a.status}${code})`;
}

/** The error for a failed answer that is the same whatever the request was. */
function commonFailure(a: SafeAnswer, url: string): FailureError {
  switch (a.kind) {
    case 'not-found':
      return new FailureError(
        `the SAFE Launcher at ${url} answered: ${said(a)}`,
        'Check --launcher-url: the Launcher serves /auth at its root, under /0.5 and under /0.6.',
      );
    case 'server-error':
      return new NetworkError(
        `the SAFE Launcher failed: ${said(a)}`,
        'Check the Launcher window, then try again.',
      );
    case 'no-header':
      return new ProtocolError(
        `the SAFE Launcher at ${url} received no Authorization header: ${said(a)}`,
        'Something between authctl and the Launcher (a proxy?) removed it.',
      );
    default:
      return new ProtocolError(
        `unexpected answer from the SAFE Launcher at ${url}: ${said(a)}`,
        'Is --launcher-url the SAFE Launcher (API 0.5/0.6)?',
      );
  }
}

/**
 * Process the answer to POST /auth: the grant on 200, otherwise the typed error (exit 3 on the
 * plain-text `Unauthorised` denial, exit 2 when the Launcher rejects what was asked, else exit 1).
 */
export function processAuthorizeAnswer(res: SafeHttpAnswer, url: string): SafeGrant {
  const a = classifyAnswer(res);
  switch (a.kind) {
    case 'ok':
      return parseGrant(res.json, url);
    case 'denied':
      throw new RefusedError(DENIED_MESSAGE, 'Log in to the SAFE Launcher, run this again, and click Allow.');
    case 'bad-token':
      // Only the global bearer middleware (`utils.js`) says this; authctl sends no Authorization on POST.
      throw new ProtocolError(
        `the SAFE Launcher at ${url} rejected an Authorization header (HTTP 401 Unauthorized), but authctl sends none on POST /auth`,
        'Something between authctl and the Launcher (a proxy?) adds one.',
      );
    case 'unauthorized':
      throw new RefusedError(
        `the SAFE Launcher refused the authorization: ${said(a)}`,
        'Log in to the SAFE Launcher, run this again, and click Allow.',
      );
    case 'invalid-input':
      throw new UsageError(
        `the SAFE Launcher rejected the request: ${said(a)}`,
        /permission/i.test(a.description ?? '')
          ? 'Launchers older than API 0.6 know only SAFE_DRIVE_ACCESS; drop the other --permission values.'
          : 'Check the --app-* values.',
      );
    case 'bad-request':
      throw new ProtocolError(
        `the SAFE Launcher rejected the request: ${said(a)}`,
        'authctl sent every field as JSON; something between authctl and the Launcher (a proxy?) changed it.',
      );
    default:
      throw commonFailure(a, url);
  }
}

/**
 * Validate a 200 body from POST /auth field by field: `token` a compact JWS (HS256 JWT) of
 * visible ASCII, `permissions` an array of strings.
 */
export function parseGrant(json: unknown, url: string): SafeGrant {
  if (!isRecord(json)) {
    throw new ProtocolError(`the SAFE Launcher at ${url} answered 200 without a JSON object`);
  }
  const { token, permissions } = json;
  if (typeof token !== 'string' || token === '') {
    throw new ProtocolError(`the SAFE Launcher at ${url} answered without a 'token' string`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new ProtocolError(
      `field 'token' in the answer from ${url} is longer than ${MAX_TOKEN_LENGTH / 1024} KiB; refusing it`,
    );
  }
  if (!TOKEN_RE.test(token) || !looksLikeJwt(token) || decodeJwt(token) === null) {
    throw new ProtocolError(`field 'token' in the answer from ${url} is not a JWT (three base64url parts)`);
  }
  // Names like SAFE_DRIVE_ACCESS: they are echoed on stderr and saved as scopes, so control
  // characters or blanks from the server are refused rather than printed.
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string' && TOKEN_RE.test(p))) {
    throw new ProtocolError(
      `field 'permissions' in the answer from ${url} is not an array of permission names`,
    );
  }
  return { token, permissions: [...permissions] };
}

/** Result of GET /auth (status) or DELETE /auth (revoke) that is not a failure. */
export type SafeCheck = 'valid' | 'invalid';

/**
 * Process the answer to GET or DELETE /auth sent with a bearer token: 200 → valid; a 401 that is
 * not the "no header" JSON → invalid (the Launcher restarted, logged out, or the token was
 * revoked); anything else throws (exit 1).
 */
export function processTokenAnswer(res: SafeHttpAnswer, url: string): SafeCheck {
  const a = classifyAnswer(res);
  switch (a.kind) {
    case 'ok':
      return 'valid';
    case 'bad-token':
    case 'denied':
    case 'unauthorized':
      return 'invalid';
    default:
      throw commonFailure(a, url);
  }
}
