/**
 * Pryv.io access requests (docs/protocol-notes/pryv.md), pure functions only: input validation, the
 * request body, service-info and response validation, poll-answer classification, apiEndpoint
 * building and trust checks. Every server string we show is cleaned first; nothing here logs or
 * does I/O.
 */
import { FailureError, ProtocolError, UsageError } from '../../errors.js';
import { parseRetryAfter } from '../../http/client.js';
import { isLoopbackHost, redactUrl } from '../../http/url.js';
import { isRecord, str } from '../../lib/json.js';
import { serverText } from '../../lib/text.js';
import { MAX_TOKEN_LENGTH, TOKEN_RE } from '../../store/profile.js';
import {
  APP_ID_MAX,
  APP_ID_MIN,
  LANG_MAX,
  MAX_POLL_BACKOFF_MS,
  MIN_POLL_INTERVAL_MS,
  PERMISSION_LEVELS,
  type PermissionLevel,
} from './constants.js';

export { formatDuration } from '../../lib/format.js';

/** One requested permission, as the register and the auth page expect it. */
export interface PermissionRequest {
  streamId: string;
  level: PermissionLevel;
  defaultName: string;
}

/**
 * The JSON body POSTed to `serviceInfo.access`. `expireAfter` is never sent
 * (docs/protocol-notes/pryv.md, "Creating the request").
 */
export interface AccessRequestBody {
  requestingAppId: string;
  requestedPermissions: PermissionRequest[];
  languageCode: string;
  deviceName?: string;
}

/**
 * The fields of service info we use, with `access`/`api`/`register` ending in `/` (as the register
 * and lib-js normalise them).
 */
export interface ServiceInfo {
  name: string;
  access: string;
  api: string;
  register: string | undefined;
}

/** What the create call returned, reduced to what a client needs. */
export interface CreatedRequest {
  key: string;
  poll: string;
  /** The consent page to open: `authUrl`, else `url` (as lib-js `Service.startAccessRequest`). */
  authUrl: string;
  pollRateMs: number | undefined;
}

/** A poll answer, classified (docs/protocol-notes/pryv.md, "Poll answers"). */
export type PollAnswer =
  | {
      kind: 'pending';
      pollRateMs: number | undefined;
      serviceInfo: unknown;
      appId: string | undefined;
      requestedPermissions: unknown;
    }
  | {
      kind: 'accepted';
      username: string;
      token: string;
      apiEndpoint: string | undefined;
      serviceInfo: unknown;
    }
  | { kind: 'refused'; reasonId: string; message: string }
  | { kind: 'error'; id: string | undefined; message: string }
  | { kind: 'expired'; id: string | undefined; message: string }
  | { kind: 'redirected'; poll: string }
  | { kind: 'retry'; reason: string; retryAfterMs: number | undefined };

/** A raw HTTP answer as the flow hands it to the classifier. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  json: unknown;
  text: string;
}

/** Granted permission as access-info reports it: a stream permission or a feature setting. */
export type GrantedPermission = { streamId: string; level: string } | { feature: string; setting: string };

/** The validated parts of `GET {apiEndpoint}access-info`. */
export interface AccessInfo {
  permissions: GrantedPermission[];
  /** Seconds since the epoch, or null when the access does not expire. */
  expires: number | null;
  username: string | undefined;
  /** Non-secret descriptive fields (never the token). */
  summary: Record<string, string | number>;
}

/** Make a server-provided string safe to print: one line, no control characters, bounded length. */
export const cleanServerText = (v: unknown, max = 300): string => serverText(v, max);

// ---------------------------------------------------------------------------------------------
// Input (docs/providers/pryv.md): validated before any request, failures are exit 2.

/** Trim and check `--app-id` (the v1 register wants 6–99 characters after trimming). */
export function parseAppId(raw: unknown): string {
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v.length < APP_ID_MIN || v.length > APP_ID_MAX) {
    throw new UsageError(
      `--app-id must be ${APP_ID_MIN}–${APP_ID_MAX} characters long (got ${v.length})`,
      'Pass the id your app is known by, e.g. --app-id my-app-id.',
    );
  }
  return v;
}

/**
 * Parse one `streamId:level[:defaultName]`. The level is the first `:`-separated part after a
 * non-empty stream id that names a level, so stream ids with colons (`:_system:account:read`) and
 * default names with colons both work. `defaultName` defaults to the stream id (the consent page
 * wants one on every permission).
 */
export function parsePermission(raw: string): PermissionRequest {
  const parts = raw.split(':');
  const hint = `Use streamId:level[:defaultName] with level one of ${PERMISSION_LEVELS.join(', ')}, e.g. --permission diary:read.`;
  for (let i = 1; i < parts.length; i++) {
    const level = parts[i] as PermissionLevel;
    if (!PERMISSION_LEVELS.includes(level)) continue;
    const streamId = parts.slice(0, i).join(':');
    if (streamId.trim() === '') break;
    const rest = parts.slice(i + 1);
    const defaultName = rest.length ? rest.join(':') : streamId;
    if (defaultName.trim() === '') {
      throw new UsageError(`--permission '${raw}': the default name after the level is empty`, hint);
    }
    return { streamId, level, defaultName };
  }
  if (parts.length < 2 || parts[0] === '') {
    throw new UsageError(`--permission '${raw}': expected streamId:level`, hint);
  }
  throw new UsageError(`--permission '${raw}': unknown level '${parts[1]}'`, hint);
}

/** Parse every `--permission` (at least one; one entry per stream). */
export function parsePermissions(values: readonly string[] | undefined): PermissionRequest[] {
  if (!values || values.length === 0) {
    throw new UsageError(
      'at least one --permission is required',
      'Add e.g. --permission diary:read (repeat the flag for more streams).',
    );
  }
  const out: PermissionRequest[] = [];
  for (const v of values) {
    const p = parsePermission(v);
    if (out.some((o) => o.streamId === p.streamId)) {
      throw new UsageError(
        `--permission: stream '${p.streamId}' is given twice`,
        'Keep one level per stream.',
      );
    }
    out.push(p);
  }
  return out;
}

/** Check `--lang` (the v1 register allows 1–5 characters). */
export function parseLang(raw: unknown): string {
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v.length < 1 || v.length > LANG_MAX) {
    throw new UsageError(`--lang must be 1–${LANG_MAX} characters, e.g. en or fr`);
  }
  return v;
}

/** Check `--device-name`: optional, but not empty when given. */
export function parseDeviceName(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v === '') throw new UsageError('--device-name must not be empty');
  return v;
}

/** Build the create body. `expireAfter` is left out on purpose (seconds in v1, ms in v2). */
export function buildAccessRequestBody(input: {
  appId: string;
  permissions: PermissionRequest[];
  lang: string;
  deviceName?: string | undefined;
}): AccessRequestBody {
  const body: AccessRequestBody = {
    requestingAppId: input.appId,
    requestedPermissions: input.permissions.map((p) => ({
      streamId: p.streamId,
      level: p.level,
      defaultName: p.defaultName,
    })),
    languageCode: input.lang,
  };
  if (input.deviceName !== undefined) body.deviceName = input.deviceName;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Service info (docs/protocol-notes/pryv.md, "Service info")

/** Append `/` when missing (the register's `service-info.js` and lib-js `setServiceInfo` do so too). */
export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Validate a service-info document field by field: `name`, `access` and `api` are required
 * strings, `api` contains `{username}`; `access`, `api` and `register` get a trailing slash.
 */
export function parseServiceInfo(json: unknown, where: string): ServiceInfo {
  if (!isRecord(json)) throw new ProtocolError(`service info from ${where} is not a JSON object`);
  const need = (field: string): string => {
    const v = json[field];
    if (typeof v !== 'string' || v.trim() === '') {
      throw new ProtocolError(`service info from ${where}: missing or invalid field '${field}'`);
    }
    return v.trim();
  };
  const name = need('name');
  const access = withTrailingSlash(need('access'));
  const api = withTrailingSlash(need('api'));
  if (!api.includes('{username}')) {
    throw new ProtocolError(`service info from ${where}: field 'api' has no {username} placeholder`);
  }
  const reg = json.register;
  if (reg !== undefined && reg !== null && typeof reg !== 'string') {
    throw new ProtocolError(`service info from ${where}: field 'register' is not a string`);
  }
  const register = typeof reg === 'string' && reg.trim() !== '' ? withTrailingSlash(reg.trim()) : undefined;
  return { name, access, api, register };
}

/** The service-info URL of an open-pryv register, derived from a `/reg/access/<key>` poll URL. */
export function serviceInfoUrlFromPollUrl(pollUrl: string): string | undefined {
  let u: URL;
  try {
    u = new URL(pollUrl);
  } catch {
    return undefined;
  }
  const m = /^(.*\/reg)\/access\/[^/]+\/?$/.exec(u.pathname);
  if (!m) return undefined;
  return `${u.protocol}//${u.host}${m[1]}/service/info`;
}

/** The service-info URL a register's `register` field implies (`<register>service/info`). */
export function serviceInfoUrlFromRegister(info: ServiceInfo): string | undefined {
  return info.register ? `${info.register}service/info` : undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors and the create response (docs/protocol-notes/pryv.md, "Creating the request")

/** Read a register error body in either shape: v1 `{id,message,detail}` or v2 `{error:{id,message}}`. */
export function serverError(json: unknown): { id: string | undefined; message: string | undefined } {
  if (!isRecord(json)) return { id: undefined, message: undefined };
  const inner = isRecord(json.error) ? json.error : json;
  const id = str(inner.id) ?? str(json.reasonId) ?? str(json.reasonID);
  let message = str(inner.message);
  const detail = str(inner.detail);
  if (message && detail && detail !== message) message = `${message}: ${detail}`;
  return {
    id: id ? cleanServerText(id, 80) : undefined,
    message: message ? cleanServerText(message) : undefined,
  };
}

/** "Invalid app ID (INVALID_APP_ID)" from an error body, or a fallback naming the HTTP status. */
export function describeServerError(status: number, json: unknown): string {
  const { id, message } = serverError(json);
  if (message) return id ? `${message} (${id})` : message;
  if (id) return id;
  return `HTTP ${status}`;
}

/** Validate the create answer: `key` and `poll` required; open `authUrl`, else `url`. */
export function parseCreateResponse(json: unknown, where: string): CreatedRequest {
  if (!isRecord(json))
    throw new ProtocolError(`the access request answer from ${where} is not a JSON object`);
  if (json.status !== undefined && json.status !== 'NEED_SIGNIN') {
    throw new ProtocolError(
      `the access request answer from ${where} has status '${cleanServerText(json.status, 40)}', expected NEED_SIGNIN`,
    );
  }
  const key = json.key;
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(key)) {
    throw new ProtocolError(`the access request answer from ${where}: missing or invalid field 'key'`);
  }
  const poll = str(json.poll);
  if (!poll)
    throw new ProtocolError(`the access request answer from ${where}: missing or invalid field 'poll'`);
  const authUrl = str(json.authUrl) ?? str(json.url);
  if (!authUrl) {
    throw new ProtocolError(`the access request answer from ${where}: missing field 'authUrl' (or 'url')`);
  }
  return { key, poll, authUrl, pollRateMs: pollRate(json.poll_rate_ms ?? json.pollRateMs) };
}

/** A usable `poll_rate_ms`, or undefined when absent or nonsensical (the caller keeps the previous one). */
export function pollRate(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Add `cli=1` to the consent URL, as lib-js's CLI example does, so app-web-auth3 shows "you can
 * close this window" instead of closing or redirecting (`examples/cli-login.js`). Done on the text:
 * v1's `?&pollUrl=` form and raw `oauthState` values must reach the page unchanged.
 */
export function withCliFlag(url: string): string {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const frag = hash >= 0 ? url.slice(hash) : '';
  if (/[?&]cli=1(&|$)/.test(base)) return url;
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}cli=1${frag}`;
}

/** The poll URL for logs and errors: the key (last path segment, a bearer secret) masked. */
export function maskPollUrl(pollUrl: string): string {
  const shown = redactUrl(pollUrl);
  const q = shown.indexOf('?');
  const path = q >= 0 ? shown.slice(0, q) : shown;
  const query = q >= 0 ? shown.slice(q) : '';
  return `${path.replace(/\/[^/]+(\/?)$/, '/***$1')}${query}`;
}

// ---------------------------------------------------------------------------------------------
// Poll answers (docs/protocol-notes/pryv.md, "Poll answers")

/**
 * Classify one poll answer. Terminal states come from the body (REFUSED/ERROR are 403 with
 * JSON); 201 is pending; 400 is an unknown or expired key; 5xx, 429 and unparseable bodies are
 * retried; v2 REDIRECTED is a 301 without Location. Throws ProtocolError
 * for answers that follow no known shape.
 */
export function classifyPollAnswer(res: RawAnswer, where: string, nowMs: number): PollAnswer {
  const { status, json } = res;
  if (status === 429) {
    return {
      kind: 'retry',
      reason: `HTTP 429 (rate limited) from ${where}`,
      retryAfterMs: parseRetryAfter(res.headers['retry-after'], nowMs),
    };
  }
  if (status >= 500) {
    const { message } = serverError(json);
    return {
      kind: 'retry',
      reason: `HTTP ${status} from ${where}${message ? `: ${message}` : ''}`,
      retryAfterMs: status === 503 ? parseRetryAfter(res.headers['retry-after'], nowMs) : undefined,
    };
  }
  if (status === 400) {
    const { id, message } = serverError(json);
    return { kind: 'expired', id, message: message ?? 'Invalid access request key' };
  }
  if (json === undefined) {
    if (status >= 200 && status < 300) {
      const type = cleanServerText(res.headers['content-type'] ?? 'no content type', 60);
      return {
        kind: 'retry',
        reason: `unparseable answer from ${where} (HTTP ${status}, ${res.text === '' ? 'empty body' : type})`,
        retryAfterMs: undefined,
      };
    }
    if (status === 403 || status === 301) {
      return {
        kind: 'retry',
        reason: `unparseable answer from ${where} (HTTP ${status})`,
        retryAfterMs: undefined,
      };
    }
    return { kind: 'error', id: undefined, message: `${where} answered HTTP ${status}` };
  }
  if (!isRecord(json)) throw new ProtocolError(`the poll answer from ${where} is not a JSON object`);
  const state = json.status;
  const ok = status >= 200 && status < 300;
  switch (state) {
    case 'NEED_SIGNIN':
      if (!ok) break;
      return {
        kind: 'pending',
        pollRateMs: pollRate(json.poll_rate_ms ?? json.pollRateMs),
        serviceInfo: json.serviceInfo,
        appId: str(json.requestingAppId) ? cleanServerText(json.requestingAppId, 200) : undefined,
        requestedPermissions: json.requestedPermissions,
      };
    case 'ACCEPTED': {
      if (!ok) break;
      const username = json.username;
      if (typeof username !== 'string' || username.trim() === '') {
        throw new ProtocolError(`the ACCEPTED answer from ${where}: missing or invalid field 'username'`);
      }
      const token = json.token;
      if (typeof token !== 'string' || !TOKEN_RE.test(token)) {
        throw new ProtocolError(
          `the ACCEPTED answer from ${where}: missing or invalid field 'token' (must be visible ASCII)`,
        );
      }
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new ProtocolError(
          `the ACCEPTED answer from ${where}: the token is longer than ${MAX_TOKEN_LENGTH / 1024} KiB; refusing it`,
        );
      }
      const ep = json.apiEndpoint;
      if (ep !== undefined && ep !== null && typeof ep !== 'string') {
        throw new ProtocolError(`the ACCEPTED answer from ${where}: field 'apiEndpoint' is not a string`);
      }
      return {
        kind: 'accepted',
        username: username.trim(),
        token,
        apiEndpoint: typeof ep === 'string' && ep.trim() !== '' ? ep.trim() : undefined,
        serviceInfo: json.serviceInfo,
      };
    }
    case 'REFUSED':
      // v1 stores `reasonID` (REASON_UNDEFINED when the page sent `reasonId`), v2 `reasonId`.
      return {
        kind: 'refused',
        reasonId: cleanServerText(str(json.reasonID) ?? str(json.reasonId) ?? 'REASON_UNDEFINED', 80),
        message: cleanServerText(json.message),
      };
    case 'ERROR': {
      // v1 `{id,message,detail}`, v2 `{reasonId,message}`.
      const e = serverError(json);
      return { kind: 'error', id: e.id, message: e.message ?? 'the request ended in an error state' };
    }
    case 'REDIRECTED': {
      const poll = str(json.poll) ?? str(json.redirectUrl);
      if (!poll) {
        throw new ProtocolError(`the REDIRECTED answer from ${where} names no new 'poll' or 'redirectUrl'`);
      }
      return { kind: 'redirected', poll };
    }
  }
  if (!ok && state === undefined) {
    // A plain error body (e.g. 404 from a proxy or a wrong path): terminal, with its message.
    return { kind: 'error', id: serverError(json).id, message: describeServerError(status, json) };
  }
  throw new ProtocolError(
    `unexpected poll answer from ${where}: HTTP ${status} with status '${cleanServerText(state ?? '(none)', 40)}'`,
  );
}

/**
 * Wait before the next poll: never shorter than the server's rate; after failures, doubling
 * up to MAX_POLL_BACKOFF_MS, and at least any Retry-After.
 */
export function nextPollDelay(rateMs: number, failures: number, retryAfterMs?: number): number {
  const rate = Math.max(rateMs, MIN_POLL_INTERVAL_MS);
  if (failures <= 0) return rate;
  const backoff = Math.min(rate * 2 ** failures, Math.max(MAX_POLL_BACKOFF_MS, rate));
  return Math.max(rate, backoff, retryAfterMs ?? 0);
}

// ---------------------------------------------------------------------------------------------
// apiEndpoint (docs/protocol-notes/pryv.md, "The API endpoint and the token", "Security")

/** Build `scheme://[token@]rest/` from the `api` template, as lib-js `buildAPIEndpoint` does. */
export function buildApiEndpoint(apiTemplate: string, username: string, token?: string): string {
  // A function replacer: a string one would expand `$&`, `$'`… inside the user name.
  const filled = apiTemplate.replaceAll('{username}', () => username);
  const m = /^(.+?):\/\/(.+)$/.exec(filled);
  if (!m)
    throw new ProtocolError(`the service's api template '${cleanServerText(apiTemplate)}' is not a URL`);
  const rest = withTrailingSlash(m[2]!);
  return token ? `${m[1]}://${token}@${rest}` : `${m[1]}://${rest}`;
}

/** Split `https://token@host/path/` into the endpoint without user info and the token (if any). */
export function decomposeApiEndpoint(apiEndpoint: string): { endpoint: string; token: string | undefined } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(apiEndpoint.trim());
  if (!m) return { endpoint: apiEndpoint, token: undefined };
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  const rest = m[3] === '' ? '/' : m[3]!;
  let token: string | undefined;
  if (userinfo !== undefined && userinfo !== '') {
    const user = userinfo.split(':')[0]!;
    try {
      token = decodeURIComponent(user);
    } catch {
      token = user;
    }
  }
  return { endpoint: `${m[1]!.toLowerCase()}://${host}${rest}`, token };
}

/** Canonical comparable form of an endpoint URL (lower-case host, default port dropped, `/` at the end). */
function canonical(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.username || u.password || u.search || u.hash) return undefined;
    return `${u.protocol}//${u.host}${withTrailingSlash(u.pathname)}`;
  } catch {
    return undefined;
  }
}

/** True when `endpoint` (token removed) is exactly the `api` template filled with `username`. */
export function matchesApiTemplate(endpoint: string, apiTemplate: string, username: string): boolean {
  // URL parsing drops tabs and line breaks and percent-encodes controls, so such a name could
  // still "match"; it would then be saved and printed as the profile's subject.
  if (/[/?#@\\\s\x00-\x1f\x7f-\x9f]/.test(username) || username.includes('..')) return false;
  const want = canonical(buildApiEndpoint(apiTemplate, username));
  const got = canonical(decomposeApiEndpoint(endpoint).endpoint);
  return want !== undefined && got !== undefined && want === got;
}

/**
 * The apiEndpoint to save (without the token): the server's, checked, or one built from the
 * template when absent (v2 omits it when the consent page sent none). Refuses (exit 1) an endpoint
 * that is plain http to a non-loopback host without `insecure`, carries a different token, or does
 * not match the template (the settle endpoint is unauthenticated, so anyone with the key could
 * plant one).
 */
export function trustedApiEndpoint(input: {
  apiEndpoint: string | undefined;
  username: string;
  token: string;
  apiTemplate: string;
  insecure: boolean;
}): string {
  const { username, apiTemplate } = input;
  const built = buildApiEndpoint(apiTemplate, username);
  const raw = input.apiEndpoint ?? built;
  const { endpoint, token } = decomposeApiEndpoint(raw);
  const hint = 'Nothing was saved. Check that --service-info names the platform you meant, then try again.';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new FailureError(`the apiEndpoint the server returned is not a valid URL; refusing it`, hint);
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FailureError(`the apiEndpoint ${shown} does not use https; refusing it`, hint);
  }
  if (url.protocol === 'http:' && !input.insecure && !isLoopbackHost(url.hostname)) {
    throw new FailureError(
      `the server handed back a plain http apiEndpoint (${shown}); refusing it (nothing was saved)`,
      'Use --insecure only if you trust the network between you and that server.',
    );
  }
  if (token !== undefined && token !== input.token) {
    throw new FailureError(
      `the apiEndpoint ${shown} carries a different token than the answer; refusing it`,
      hint,
    );
  }
  if (!matchesApiTemplate(endpoint, apiTemplate, username)) {
    throw new FailureError(
      `the apiEndpoint ${shown} does not match the service's api template ${cleanServerText(apiTemplate)} for user '${cleanServerText(username, 80)}'; refusing it`,
      hint,
    );
  }
  return canonical(endpoint) ?? endpoint;
}

// ---------------------------------------------------------------------------------------------
// access-info (verification)

/** Validate `GET access-info` (dev-site `getAccessInfo`: the access's properties plus `user`). */
export function parseAccessInfo(json: unknown, where: string): AccessInfo {
  if (!isRecord(json)) throw new ProtocolError(`access-info from ${where} is not a JSON object`);
  const perms = json.permissions;
  if (!Array.isArray(perms)) {
    throw new ProtocolError(`access-info from ${where}: missing or invalid field 'permissions'`);
  }
  const permissions: GrantedPermission[] = perms.map((p, i) => {
    // Saved and printed (token list / inspect): stored already clean, one line each.
    if (isRecord(p) && typeof p.streamId === 'string' && typeof p.level === 'string') {
      return { streamId: cleanServerText(p.streamId, 200), level: cleanServerText(p.level, 40) };
    }
    if (isRecord(p) && typeof p.feature === 'string' && typeof p.setting === 'string') {
      return { feature: cleanServerText(p.feature, 80), setting: cleanServerText(p.setting, 80) };
    }
    throw new ProtocolError(`access-info from ${where}: invalid field 'permissions[${i}]'`);
  });
  const exp = json.expires;
  // Seconds since the epoch; the bound keeps `new Date(exp * 1000)` valid.
  if (exp !== undefined && exp !== null && (typeof exp !== 'number' || !(Math.abs(exp) < 8.64e12))) {
    throw new ProtocolError(`access-info from ${where}: field 'expires' is not a number`);
  }
  let username: string | undefined;
  if (json.user !== undefined) {
    if (!isRecord(json.user))
      throw new ProtocolError(`access-info from ${where}: field 'user' is not an object`);
    const u = json.user.username;
    if (u !== undefined && typeof u !== 'string') {
      throw new ProtocolError(`access-info from ${where}: field 'user.username' is not a string`);
    }
    username = u;
  }
  // Whitelist: access-info also echoes the token itself, which must never reach the store's details.
  const summary: Record<string, string | number> = {};
  for (const f of ['id', 'type', 'name', 'deviceName', 'created', 'modified', 'expires', 'lastUsed']) {
    const v = json[f];
    if (typeof v === 'string') summary[f] = cleanServerText(v, 200);
    else if (typeof v === 'number' && Number.isFinite(v)) summary[f] = v;
  }
  return { permissions, expires: typeof exp === 'number' ? exp : null, username, summary };
}

/** Permissions as profile scopes: `streamId:level` for stream permissions (features are details only). */
export function permissionScopes(perms: ReadonlyArray<GrantedPermission | PermissionRequest>): string[] {
  const out: string[] = [];
  for (const p of perms) if ('streamId' in p) out.push(`${p.streamId}:${p.level}`);
  return out;
}

/** The `--no-wait` output (exactly authUrl, poll, key, pollRateMs). */
export function noWaitJson(created: CreatedRequest, authUrl: string, defaultRateMs: number): string {
  return `${JSON.stringify(
    { authUrl, poll: created.poll, key: created.key, pollRateMs: created.pollRateMs ?? defaultRateMs },
    null,
    2,
  )}\n`;
}

/**
 * Stream permissions named in a poll body's `requestedPermissions` (lenient: odd items are skipped),
 * with their default names, so `pryv poll` can keep what was asked for as the renewal parameters.
 */
export function requestedFromBody(v: unknown): PermissionRequest[] {
  if (!Array.isArray(v)) return [];
  const out: PermissionRequest[] = [];
  for (const p of v) {
    if (isRecord(p) && typeof p.streamId === 'string' && typeof p.level === 'string') {
      const level = cleanServerText(p.level, 40) as PermissionLevel;
      if (!PERMISSION_LEVELS.includes(level)) continue;
      const streamId = cleanServerText(p.streamId, 200);
      const name = typeof p.defaultName === 'string' ? cleanServerText(p.defaultName, 200) : '';
      out.push({ streamId, level, defaultName: name || streamId });
    }
  }
  return out;
}

/** `streamId:level[:defaultName]` as `--permission` takes it (the name left out when it is the id). */
export function permissionFlagValue(p: PermissionRequest): string {
  return p.defaultName && p.defaultName !== p.streamId
    ? `${p.streamId}:${p.level}:${p.defaultName}`
    : `${p.streamId}:${p.level}`;
}

/**
 * Split what access-info reports into what the user asked for and what the server added on its
 * own (open-pryv.io v2 adds `:_system:account` at level `none` and `:_audit:access-<id>` at `read`
 * to every app access). Without a known request, the server's system streams (`:_system:`,
 * `:_audit:`) count as added.
 */
export function splitServerAdded(
  granted: readonly GrantedPermission[],
  requested: readonly PermissionRequest[],
): { granted: GrantedPermission[]; serverAdded: GrantedPermission[] } {
  const asked = new Set(requested.map((r) => r.streamId));
  const out = { granted: [] as GrantedPermission[], serverAdded: [] as GrantedPermission[] };
  for (const p of granted) {
    if (!('streamId' in p)) {
      out.granted.push(p);
      continue;
    }
    const added = asked.size ? !asked.has(p.streamId) : /^:_(system|audit):/.test(p.streamId);
    (added ? out.serverAdded : out.granted).push(p);
  }
  return out;
}
