/**
 * A fake Pryv.io register (protocols.md §1) on a real node:http server at 127.0.0.1:0.
 *
 * `generation: 'v1'` reproduces service-register / open-pryv 1.9 (routes at `/`, service info at
 * /service/info, access at /access/); `'v2'` reproduces open-pryv v2 (routes under /reg, trimmed
 * bodies, `{error:{id,message}}` errors, REDIRECTED). Both answer NEED_SIGNIN with 201 (Q1),
 * REFUSED/ERROR with 403 + JSON (Q2), an unknown key with 400 (Q5), and settle through an
 * unauthenticated POST on the poll URL (§1.6). The api template is path-style
 * `http://127.0.0.1:PORT/{username}/`, with `GET /{username}/access-info` checking `Authorization`.
 *
 * Tests drive it with a control API (accept, refuse, error, expire, redirect, setPollRate,
 * failNextPolls, failNextCreate, failAccessInfo) and read `requests` (a log with timestamps).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { tapServer } from '../helpers/leaks.js';

/** Which register implementation to imitate. */
export type Generation = 'v1' | 'v2';

/** One request the fake saw. */
export interface LoggedRequest {
  method: string;
  /** Path including the key (tests only). */
  path: string;
  /** performance.now() when the request arrived. */
  at: number;
  status: number;
  authorization: string | undefined;
  body: unknown;
}

/** An app access the fake core knows, for access-info. */
export interface FakeAccess {
  id: string;
  username: string;
  token: string;
  permissions: unknown[];
  name: string;
  type: string;
  expires?: number | null;
}

/** A failure to serve instead of the next poll answer(s). */
export type PollFailure =
  | { status: 500 | 502 | 503 | 504; retryAfter?: string; text?: string }
  | { status: 429; retryAfter?: string }
  | { garbage: true; status?: number };

/** Options of startFakePryv. */
export interface FakePryvOptions {
  generation: Generation;
  /** poll_rate_ms in every NEED_SIGNIN answer (default 50; the real servers say 1000). */
  pollRateMs?: number;
  /** Rewrite the service info the fake serves (e.g. drop trailing slashes to test Q12). */
  serviceInfo?: (info: Record<string, unknown>) => Record<string, unknown>;
  /** Register tokens settled as ACCEPTED with the core, for access-info (default true). */
  registerAcceptedTokens?: boolean;
  /** `expires` (seconds since the epoch) of accesses created on accept. */
  accessExpires?: number;
}

type Json = Record<string, unknown>;

interface State {
  status: 'NEED_SIGNIN' | 'ACCEPTED' | 'REFUSED' | 'ERROR' | 'REDIRECTED';
  key: string;
  requestingAppId: string;
  requestedPermissions: unknown[];
  lang: string;
  deviceName: unknown;
  expireAfter: unknown;
  referer: unknown;
  clientData: unknown;
  returnURL: unknown;
  oauthState: unknown;
  url: string | undefined;
  authUrl: string;
  poll: string;
  pollRateMs: number | null;
  /** Terminal fields, stored as the generation stores them. */
  settled: Json;
}

/** Build the apiEndpoint as lib-js / service-register do (§1.9). */
export function buildApiEndpoint(api: string, username: string, token: string): string {
  const filled = api.replace('{username}', username);
  const m = /(.+):\/\/(.+)/.exec(filled)!;
  const rest = m[2]!.endsWith('/') ? m[2]! : `${m[2]}/`;
  return `${m[1]}://${token}@${rest}`;
}

const V1_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXZabcdefghiklmnopqrstuvwxyz0123456789'; // no Y, no j (§1.4)

function v1Key(): string {
  const bytes = randomBytes(16);
  return [...bytes].map((b) => V1_ALPHABET[b % V1_ALPHABET.length]).join('');
}

/** A running fake register. */
export class FakePryv {
  readonly generation: Generation;
  readonly server: http.Server;
  readonly base: string;
  /** '' for v1, '/reg' for v2. */
  readonly prefix: string;
  readonly serviceInfoUrl: string;
  readonly requests: LoggedRequest[] = [];
  /** JSON bodies POSTed to the access (create) URL, in order. */
  readonly createBodies: unknown[] = [];
  readonly accesses = new Map<string, FakeAccess>();
  private readonly states = new Map<string, State>();
  private readonly opts: FakePryvOptions;
  private pollRate: number | null;
  private pollFailures: PollFailure[] = [];
  private createFailures: Array<{ status: number; body: unknown }> = [];
  private accessInfoFailures: number[] = [];

  constructor(server: http.Server, opts: FakePryvOptions) {
    this.server = server;
    this.opts = opts;
    this.generation = opts.generation;
    this.prefix = opts.generation === 'v2' ? '/reg' : '';
    const port = (server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${port}`;
    this.serviceInfoUrl = `${this.base}${this.prefix}/service/info`;
    this.pollRate = opts.pollRateMs ?? 50;
  }

  /** The service info document, as served. */
  serviceInfo(): Json {
    const reg = `${this.base}${this.prefix}/`;
    const info: Json = {
      register: reg,
      access: `${reg}access/`,
      api: `${this.base}/{username}/`,
      name: this.generation === 'v1' ? 'Fake Pryv Lab' : 'Fake open-pryv',
      home: `${this.base}/`,
      support: `${this.base}/support`,
      terms: `${this.base}/terms`,
      eventTypes: `${this.base}/event-types/flat.json`,
      version: this.generation === 'v1' ? '1.9.0' : '2.0.0',
    };
    return this.opts.serviceInfo ? this.opts.serviceInfo(info) : info;
  }

  /** The poll URL of `key` on this server. */
  pollUrl(key: string): string {
    return `${this.base}${this.prefix}/access/${key}`;
  }

  /** Keys of every request created (or adopted) here, oldest first. */
  keys(): string[] {
    return [...this.states.keys()];
  }

  /** The most recent key (throws when none). */
  lastKey(): string {
    const k = this.keys().at(-1);
    if (!k) throw new Error('fake pryv: no access request yet');
    return k;
  }

  /** Current status of `key`, or undefined when unknown/expired. */
  statusOf(key: string): string | undefined {
    return this.states.get(key)?.status;
  }

  /** GET requests on the poll URL of `key` (or of any key). */
  polls(key?: string): LoggedRequest[] {
    const re = new RegExp(`^${this.prefix}/access/${key ?? '[^/?]+'}$`);
    return this.requests.filter((r) => r.method === 'GET' && re.test(r.path));
  }

  /** Settle `key` as ACCEPTED, as the consent page does after creating the app access (§1.6). */
  accept(
    key: string,
    o: { username?: string; token?: string; apiEndpoint?: string | null; register?: boolean } = {},
  ): { status: number; body: unknown; token: string } {
    const username = o.username ?? 'alice';
    const token = o.token ?? `ck${randomBytes(12).toString('hex')}`;
    const body: Json = { status: 'ACCEPTED', username, token };
    // app-web-auth3 always sends apiEndpoint; null leaves it out (v2 then has none, Q6).
    if (o.apiEndpoint === undefined)
      body.apiEndpoint = buildApiEndpoint(String(this.serviceInfo().api), username, token);
    else if (o.apiEndpoint !== null) body.apiEndpoint = o.apiEndpoint;
    const r = this.settle(key, body, o.register ?? this.opts.registerAcceptedTokens ?? true);
    if (r.status !== 200) throw new Error(`fake pryv: accept was rejected: ${JSON.stringify(r.body)}`);
    return { ...r, token };
  }

  /** Settle `key` as REFUSED with the body app-web-auth3 sends (`reasonId`, §1.6). */
  refuse(key: string, o: Json = {}): { status: number; body: unknown } {
    return this.settle(key, {
      status: 'REFUSED',
      reasonId: 'REFUSED_BY_USER',
      message: 'The user refused to give access to the requested permissions',
      ...o,
    });
  }

  /** Settle `key` as ERROR. */
  error(key: string, o: Json = {}): { status: number; body: unknown } {
    return this.settle(key, { status: 'ERROR', message: 'Something failed on the auth page', ...o });
  }

  /** Forget `key`, as the TTL does (§1.8): polls then get 400. */
  expire(key: string): void {
    this.states.delete(key);
  }

  /** v2 multi-core: move `key` to `target` and answer REDIRECTED (301, no Location) here (Q10). */
  redirect(key: string, target: FakePryv): string {
    const st = this.states.get(key);
    if (!st) throw new Error(`fake pryv: unknown key ${key}`);
    const newPoll = target.pollUrl(key);
    target.states.set(key, { ...st, poll: newPoll, settled: {} });
    this.settle(key, { status: 'REDIRECTED', redirectUrl: newPoll });
    return newPoll;
  }

  /** poll_rate_ms for every pending request from now on (null: leave the field out). */
  setPollRate(ms: number | null): void {
    this.pollRate = ms;
    for (const st of this.states.values()) st.pollRateMs = ms;
  }

  /** Serve `failure` instead of the next `n` poll answers. */
  failNextPolls(n: number, failure: PollFailure): void {
    for (let i = 0; i < n; i++) this.pollFailures.push(failure);
  }

  /** Make the next create fail; default body: v1 INVALID_APP_ID, v2 invalid-parameters (§1.7). */
  failNextCreate(status = 400, body?: unknown): void {
    this.createFailures.push({
      status,
      body:
        body ??
        (this.generation === 'v1'
          ? { id: 'INVALID_APP_ID', message: 'Invalid app ID', detail: '', errors: [], requestingAppId: '?' }
          : { error: { id: 'invalid-parameters', message: 'Missing or invalid requestingAppId' } }),
    });
  }

  /** Make the next access-info call answer `status`. */
  failAccessInfo(status: number): void {
    this.accessInfoFailures.push(status);
  }

  /** Stop the server. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------

  /** Route one request; returns [status, body (object = JSON, string = raw), headers]. */
  handle(method: string, path: string, headers: http.IncomingHttpHeaders, raw: string): Answer {
    const p = this.prefix;
    if (method === 'GET' && (path === `${p}/service/info` || path === `${p}/service/infos`)) {
      return json(200, this.serviceInfo());
    }
    if (method === 'POST' && (path === `${p}/access` || path === `${p}/access/`)) return this.create(raw);
    const m = new RegExp(`^${p}/access/([^/]+)$`).exec(path);
    if (m) {
      const key = decodeURIComponent(m[1]!);
      if (method === 'GET') return this.pollAnswer(key);
      if (method === 'POST') {
        const body = parseBody(raw);
        if (body === undefined) return this.malformed();
        const r = this.settle(key, body);
        return json(r.status, r.body);
      }
    }
    const ai = /^\/([^/]+)\/access-info$/.exec(path);
    if (method === 'GET' && ai) return this.accessInfo(decodeURIComponent(ai[1]!), headers);
    const del = /^\/([^/]+)\/accesses\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && del) {
      return this.deleteAccess(decodeURIComponent(del[1]!), decodeURIComponent(del[2]!), headers);
    }
    if (method === 'GET' && path === '/auth/access.html') {
      return { status: 200, body: '<!doctype html><title>Pryv consent (fake)</title>', headers: {} };
    }
    return json(404, { error: { id: 'unknown-resource', message: `Unknown resource ${method} ${path}` } });
  }

  private malformed(): Answer {
    return json(400, { error: { id: 'invalid-parameters-format', message: 'Unexpected token in JSON' } });
  }

  private v1Error(status: number, id: string, message: string, detail = '', addons: Json = {}): Answer {
    return json(status, { id, message, detail, errors: [], ...addons });
  }

  private v2Error(status: number, id: string, message: string): Answer {
    return json(status, { error: { id, message } });
  }

  private create(raw: string): Answer {
    const body = parseBody(raw);
    if (body === undefined) return this.malformed();
    this.createBodies.push(body);
    const fail = this.createFailures.shift();
    if (fail) return json(fail.status, fail.body);
    const v1 = this.generation === 'v1';
    const appId = body.requestingAppId;
    if (v1) {
      // Validation order of access-lib.js (§1.3); the first failure wins.
      const trimmed = typeof appId === 'string' ? appId.trim() : '';
      if (trimmed.length < 6 || trimmed.length > 99) {
        return this.v1Error(400, 'INVALID_APP_ID', 'Invalid app ID', '', { requestingAppId: appId });
      }
      if (!Array.isArray(body.requestedPermissions)) {
        return this.v1Error(
          400,
          'INVALID_DATA',
          'Invalid Data',
          'Missing or invalid requestedPermissions field',
        );
      }
      const lang = body.languageCode;
      if (
        lang !== undefined &&
        lang !== null &&
        lang !== '' &&
        (typeof lang !== 'string' || lang.length > 5)
      ) {
        return this.v1Error(
          400,
          'INVALID_LANGUAGE',
          'Invalid language code',
          'Language code should be a string of 1-5 characters.',
        );
      }
      if (body.deviceName !== undefined && typeof body.deviceName !== 'string') {
        return this.v1Error(400, 'INVALID_DEVICE_NAME', 'Invalid device name');
      }
      if (body.expireAfter !== undefined && typeof body.expireAfter !== 'number') {
        return this.v1Error(400, 'INVALID_EXPIRE_AFTER', 'Invalid expireAfter');
      }
    } else {
      if (typeof appId !== 'string' || appId === '') {
        return this.v2Error(400, 'invalid-parameters', 'Missing or invalid requestingAppId');
      }
      if (!Array.isArray(body.requestedPermissions) || body.requestedPermissions.length === 0) {
        return this.v2Error(400, 'invalid-parameters', 'Missing or invalid requestedPermissions');
      }
    }
    const key = v1 ? v1Key() : randomBytes(16).toString('base64url').slice(0, 16);
    const poll = this.pollUrl(key);
    const lang = typeof body.languageCode === 'string' && body.languageCode !== '' ? body.languageCode : 'en';
    const authBase = `${this.base}/auth/access.html`;
    const enc = encodeURIComponent;
    const rate = this.pollRate;
    const st: State = {
      status: 'NEED_SIGNIN',
      key,
      requestingAppId: (appId as string).trim(),
      requestedPermissions: body.requestedPermissions as unknown[],
      lang,
      deviceName: body.deviceName,
      expireAfter: body.expireAfter,
      referer: body.referer,
      clientData: body.clientData,
      returnURL: body.returnURL ?? null,
      oauthState: typeof body.oauthState === 'string' ? body.oauthState : null,
      url: v1
        ? `${authBase}?lang=${lang}&key=${key}&requestingAppId=${enc(String(appId).trim())}&domain=127.0.0.1&registerURL=${enc(`${this.base}/`)}&poll=${enc(poll)}`
        : undefined,
      // v1: the odd `?&pollUrl=` form (§1.4); v2: every parameter.
      authUrl: v1
        ? `${authBase}?&pollUrl=${enc(poll)}`
        : `${authBase}?lang=${enc(lang)}&key=${key}&requestingAppId=${enc(String(appId))}&poll=${enc(poll)}&poll_rate_ms=${rate ?? 1000}&serviceInfo=${enc(`${this.base}/reg/service/info`)}`,
      poll,
      pollRateMs: rate,
      settled: {},
    };
    this.states.set(key, st);
    if (v1) return json(201, { ...this.v1Pending(st), code: 201 });
    const out: Json = { status: 'NEED_SIGNIN', key, authUrl: st.authUrl, poll };
    if (st.pollRateMs !== null) out.poll_rate_ms = st.pollRateMs;
    return json(201, out);
  }

  private v1Pending(st: State): Json {
    const out: Json = {
      status: 'NEED_SIGNIN',
      code: 201,
      key: st.key,
      requestingAppId: st.requestingAppId,
      requestedPermissions: st.requestedPermissions,
      url: st.url,
      authUrl: st.authUrl,
      poll: st.poll,
      returnURL: st.returnURL,
      oauthState: st.oauthState,
      clientData: st.clientData,
      lang: st.lang,
      serviceInfo: this.serviceInfo(),
      deviceName: st.deviceName,
      expireAfter: st.expireAfter,
      referer: st.referer,
    };
    if (st.pollRateMs !== null) out.poll_rate_ms = st.pollRateMs;
    return out;
  }

  /** The poll answer for a state (§1.5 table). */
  private answerFor(st: State): Answer {
    const v1 = this.generation === 'v1';
    switch (st.status) {
      case 'NEED_SIGNIN': {
        if (v1) return json(201, this.v1Pending(st));
        const out: Json = {
          status: 'NEED_SIGNIN',
          serviceInfo: this.serviceInfo(),
          key: st.key,
          requestingAppId: st.requestingAppId,
          requestedPermissions: st.requestedPermissions,
          poll: st.poll,
          authUrl: st.authUrl,
          lang: st.lang,
          returnURL: st.returnURL,
          oauthState: st.oauthState,
          clientData: st.clientData ?? null,
        };
        if (st.pollRateMs !== null) out.poll_rate_ms = st.pollRateMs;
        return json(201, out);
      }
      case 'ACCEPTED':
        return json(200, v1 ? { ...st.settled, serviceInfo: this.serviceInfo() } : st.settled);
      case 'REFUSED':
      case 'ERROR':
        return json(403, v1 ? { ...st.settled, serviceInfo: this.serviceInfo() } : st.settled);
      case 'REDIRECTED':
        // open-pryv v2: plain res.status(301).json(...), no Location header (Q10).
        return json(301, st.settled);
    }
  }

  private pollAnswer(key: string): Answer {
    const failure = this.pollFailures.shift();
    if (failure) {
      if ('garbage' in failure) {
        return {
          status: failure.status ?? 200,
          body: '<html><body>Bad gateway</body></html>',
          headers: { 'content-type': 'text/html' },
        };
      }
      const headers: Record<string, string> = {};
      if (failure.retryAfter !== undefined) headers['retry-after'] = failure.retryAfter;
      if (failure.status === 429) return { status: 429, body: 'Too Many Requests', headers };
      if ('text' in failure && failure.text !== undefined)
        return { status: failure.status, body: failure.text, headers };
      return {
        status: failure.status,
        body: {
          id: 'INTERNAL_ERROR',
          message: 'Internal Error',
          detail: 'Something went bad on our side, sorry for this inconvenience.',
          errors: [],
        },
        headers,
      };
    }
    const st = this.states.get(key);
    if (!st || (this.generation === 'v1' && !/^[a-zA-Z0-9]{10,200}$/.test(key))) {
      return this.generation === 'v1'
        ? this.v1Error(400, 'INVALID_KEY', 'Invalid access request key')
        : this.v2Error(400, 'unknown-access-key', 'Unknown or expired access key');
    }
    return this.answerFor(st);
  }

  /** POST on the poll URL (§1.6): what the consent page sends. */
  settle(
    key: string,
    body: Json,
    register = this.opts.registerAcceptedTokens ?? true,
  ): { status: number; body: unknown } {
    const st = this.states.get(key);
    const v1 = this.generation === 'v1';
    if (!st) {
      const a = v1
        ? this.v1Error(400, 'INVALID_KEY', 'Invalid access request key')
        : this.v2Error(400, 'unknown-access-key', 'Unknown or expired access key');
      return { status: a.status, body: a.body };
    }
    const status = body.status;
    if (v1) {
      if (status === 'REFUSED') {
        // v1 reads `reasonID`; app-web-auth3 sends `reasonId`, so this is often REASON_UNDEFINED (Q3).
        st.status = 'REFUSED';
        st.settled = {
          status: 'REFUSED',
          reasonID: body.reasonID || 'REASON_UNDEFINED',
          message: body.message || '',
          code: 403,
        };
      } else if (status === 'ERROR') {
        st.status = 'ERROR';
        st.settled = {
          status: 'ERROR',
          id: body.id || 'INTERNAL_ERROR',
          message: body.message || '',
          detail: body.detail || '',
          code: 403,
        };
      } else if (status === 'ACCEPTED') {
        let apiEndpoint = body.apiEndpoint;
        if (apiEndpoint !== undefined) {
          const t = typeof apiEndpoint === 'string' ? apiEndpoint.trim() : '';
          if (t.length < 6 || t.length > 999) {
            const a = this.v1Error(400, 'INVALID_API_ENDPOINT', 'Invalid API endpoint');
            return { status: a.status, body: a.body };
          }
          apiEndpoint = t;
        }
        const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
        if (!/^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$/.test(username)) {
          const a = this.v1Error(400, 'INVALID_USER_NAME', 'Invalid user name');
          return { status: a.status, body: a.body };
        }
        if (typeof body.token !== 'string' || body.token.length >= 256 || body.token === '') {
          const a = this.v1Error(400, 'INVALID_DATA', 'Invalid Data');
          return { status: a.status, body: a.body };
        }
        // Server-built when absent (service-info.js getAPIEndpoint).
        apiEndpoint ??= buildApiEndpoint(String(this.serviceInfo().api), username, body.token);
        st.status = 'ACCEPTED';
        st.settled = { status: 'ACCEPTED', apiEndpoint, username, token: body.token, code: 200 };
        if (register) this.registerAccess(st, username, body.token);
      } else {
        st.status = 'ERROR';
        st.settled = {
          status: 'ERROR',
          id: body.id,
          message: `Unknown status code : ${String(status)}`,
          detail: '',
          code: 403,
        };
      }
      const a = this.answerFor(st);
      return { status: a.status, body: a.body };
    }
    // v2 (accessState.ts)
    const bad = (message: string) => {
      const a = this.v2Error(400, 'invalid-parameters', message);
      return { status: a.status, body: a.body };
    };
    if (status !== 'ACCEPTED' && status !== 'REFUSED' && status !== 'ERROR' && status !== 'REDIRECTED') {
      return bad(`Invalid status: ${String(status)}`);
    }
    if (status === 'ACCEPTED' && (typeof body.username !== 'string' || typeof body.token !== 'string')) {
      return bad('ACCEPTED requires username and token');
    }
    if (status === 'REDIRECTED' && typeof body.redirectUrl !== 'string') {
      return bad('REDIRECTED requires redirectUrl');
    }
    st.status = status;
    if (status === 'ACCEPTED') {
      const out: Json = { status, username: body.username, token: body.token };
      if (body.apiEndpoint !== undefined) out.apiEndpoint = body.apiEndpoint;
      st.settled = out;
      if (register) this.registerAccess(st, String(body.username), String(body.token));
    } else if (status === 'REDIRECTED') {
      st.settled = { status, poll: body.redirectUrl, redirectUrl: body.redirectUrl };
    } else {
      st.settled = { status, reasonId: body.reasonId, message: body.message };
    }
    const a = this.answerFor(st);
    return { status: a.status, body: a.body };
  }

  private registerAccess(st: State, username: string, token: string): void {
    const access: FakeAccess = {
      id: `acc${randomBytes(6).toString('hex')}`,
      username,
      token,
      permissions: st.requestedPermissions.map((p) => {
        const { defaultName: _d, ...rest } = p as Json;
        return rest;
      }),
      name: st.requestingAppId,
      type: 'app',
    };
    if (this.opts.accessExpires !== undefined) access.expires = this.opts.accessExpires;
    this.accesses.set(token, access);
  }

  /** `DELETE /{username}/accesses/{id}`: an app token may delete its own access (then it is dead). */
  private deleteAccess(username: string, id: string, headers: http.IncomingHttpHeaders): Answer {
    const token = headers.authorization;
    const access = token ? this.accesses.get(token) : undefined;
    if (!access || access.username !== username) {
      return json(403, { error: { id: 'invalid-access-token', message: 'Cannot find access from token.' } });
    }
    const target = [...this.accesses.values()].find((a) => a.id === id && a.username === username);
    if (!target) return json(404, { error: { id: 'unknown-resource', message: `Unknown access '${id}'` } });
    if (target.id !== access.id) {
      return json(403, { error: { id: 'forbidden', message: 'This access cannot delete that access.' } });
    }
    this.accesses.delete(target.token);
    return json(200, { accessDeletion: { id } });
  }

  private accessInfo(username: string, headers: http.IncomingHttpHeaders): Answer {
    const forced = this.accessInfoFailures.shift();
    if (forced !== undefined) {
      return json(forced, {
        error: { id: forced === 403 ? 'forbidden' : 'unexpected-error', message: 'Forced failure' },
      });
    }
    const token = headers.authorization;
    const access = token ? this.accesses.get(token) : undefined;
    if (!access || access.username !== username) {
      return json(403, { error: { id: 'invalid-access-token', message: 'Cannot find access from token.' } });
    }
    const now = Date.now() / 1000;
    const out: Json = {
      id: access.id,
      token: access.token,
      type: access.type,
      name: access.name,
      permissions: access.permissions,
      created: now,
      createdBy: 'personal',
      modified: now,
      modifiedBy: 'personal',
      calls: {},
      user: { username: access.username },
      meta: { apiVersion: '1.9.0', serverTime: now, serial: '2019061301' },
    };
    if (access.expires !== undefined) out.expires = access.expires;
    return json(200, out);
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

function json(status: number, body: unknown): Answer {
  return { status, body, headers: {} };
}

function parseBody(raw: string): Json | undefined {
  if (raw === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Start a fake register on 127.0.0.1 with a free port. */
export async function startFakePryv(opts: FakePryvOptions): Promise<FakePryv> {
  let fake: FakePryv | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const at = performance.now();
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const method = req.method ?? 'GET';
      let a: Answer;
      try {
        a = fake!.handle(method, path, req.headers, raw);
      } catch (e) {
        a = json(500, { id: 'INTERNAL_ERROR', message: (e as Error).message, detail: '', errors: [] });
      }
      fake!.requests.push({
        method,
        path,
        at,
        status: a.status,
        authorization: req.headers.authorization,
        body: parseBody(raw),
      });
      const isText = typeof a.body === 'string';
      const payload = isText ? (a.body as string) : JSON.stringify(a.body);
      res.writeHead(a.status, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        ...a.headers,
      });
      res.end(payload);
    });
  });
  // Leak check (test/helpers/leaks.ts): tokens and poll keys this fake hands out are secret.
  tapServer(server, 'pryv');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake = new FakePryv(server, opts);
  return fake;
}
