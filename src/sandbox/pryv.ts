/**
 * A Pryv.io emulator: the register's access-request API and enough of the core for a token to be
 * useful, on one loopback server.
 *
 * `generation: 'v2'` (the sandbox default) answers as open-pryv.io v2 does: routes under `/reg`,
 * trimmed bodies, `{error:{id,message}}` errors, REDIRECTED for multi-core moves, a request
 * lifetime fixed at creation (`expireAfter` read as milliseconds). `'v1'` answers as
 * service-register / open-pryv 1.9: routes at `/`, the whole state in every answer, `{id,message,
 * detail}` errors, `reasonID` (so a refusal from the consent page, which sends `reasonId`, reads
 * `REASON_UNDEFINED`), a lifetime restarted by every write. Both answer NEED_SIGNIN with 201 on
 * create and poll, REFUSED/ERROR with 403 and a JSON body, an unknown or expired key with 400
 * (never 404), and settle through an unauthenticated POST on the poll URL, as the public register
 * sources (pryv/service-register, pryv/open-pryv.io) do.
 *
 * The api template is path style ("DNS-less"): `http://127.0.0.1:PORT/{username}/`. The core part
 * serves `access-info`, `DELETE accesses/{id}` (a token may delete its own access) and
 * `GET/POST events` on the streams its access grants, with the levels enforced: read, contribute,
 * manage, create-only (create but not read), none (excluded). Core errors are 403 with
 * `{error:{id,message}}`, as on Pryv.io.
 *
 * The consent page (`/auth/access.html`) shows the app and the permissions asked for, with Accept
 * and Refuse buttons; `approve: 'auto' | 'refuse'` decides every request without it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Answer, ApprovePolicy, CommonOptions, OnSecret, Running } from './shared.js';
import { bufferedHandler, escapeHtml, html, htmlPage, json, listen, parseForm } from './shared.js';

/** Which register implementation to imitate. */
export type Generation = 'v1' | 'v2';

/** One request the emulator saw. */
export interface LoggedRequest {
  method: string;
  /** Path including the key (for tests; the log line masks it). */
  path: string;
  /** performance.now() when the request arrived. */
  at: number;
  status: number;
  authorization: string | undefined;
  body: unknown;
}

/** An app access the core knows. */
export interface PryvAccess {
  id: string;
  username: string;
  token: string;
  permissions: unknown[];
  name: string;
  type: string;
  /** Seconds since the epoch. */
  expires?: number | null;
}

/** An event stored by the core. */
export interface PryvEvent {
  id: string;
  streamIds: string[];
  type: string;
  content: unknown;
  time: number;
  created: number;
  createdBy: string;
}

/** A failure to serve instead of the next poll answer(s). */
export type PollFailure =
  | { status: 500 | 502 | 503 | 504; retryAfter?: string; text?: string }
  | { status: 429; retryAfter?: string }
  | { garbage: true; status?: number };

/** Options of startPryv. */
export interface PryvOptions extends CommonOptions {
  /** Default 'v2' (open-pryv.io v2). */
  generation?: Generation;
  /** poll_rate_ms in every NEED_SIGNIN answer (default 1000, as every real register). */
  pollRateMs?: number;
  /** Rewrite the service info served (e.g. drop trailing slashes). */
  serviceInfo?: (info: Record<string, unknown>) => Record<string, unknown>;
  /** Register tokens settled as ACCEPTED with the core (default true). */
  registerAcceptedTokens?: boolean;
  /** `expires` (seconds since the epoch) of accesses created on accept. */
  accessExpires?: number;
  /** Manual (default): the consent page or accept()/refuse() decide. */
  approve?: ApprovePolicy;
  /** Wait before an automatic decision (default 0 ms). */
  autoDelayMs?: number;
  /** User name the consent page and automatic approval sign in as (default alice). */
  username?: string;
  /** Lifetime of an access request (default 1 h, as both register generations default to). */
  requestTtlMs?: number;
  /** Add the permissions open-pryv.io v2 adds to every app access (`:_system:account` none, `:_audit:access-<id>` read). */
  systemPermissions?: boolean;
  /** Clock (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Called when a request starts waiting for a person (manual approval). */
  onPending?: (info: { appId: string; permissions: unknown[] }) => void;
}

type Json = Record<string, unknown>;
type Status = 'NEED_SIGNIN' | 'ACCEPTED' | 'REFUSED' | 'ERROR' | 'REDIRECTED';

interface State {
  status: Status;
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
  /** ms since the epoch. */
  expiresAt: number;
}

/** Build the apiEndpoint as lib-js and service-register do: `scheme://token@rest/`. */
export function buildApiEndpoint(api: string, username: string, token: string): string {
  const filled = api.replace('{username}', username);
  const m = /(.+):\/\/(.+)/.exec(filled)!;
  const rest = m[2]!.endsWith('/') ? m[2]! : `${m[2]}/`;
  return `${m[1]}://${token}@${rest}`;
}

// service-register's key alphabet has no Y and no j.
const V1_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXZabcdefghiklmnopqrstuvwxyz0123456789';

function v1Key(): string {
  return [...randomBytes(16)].map((b) => V1_ALPHABET[b % V1_ALPHABET.length]).join('');
}

const DEFAULT_TTL_MS = 3_600_000;
const READ_LEVELS = new Set(['read', 'contribute', 'manage']);
const CREATE_LEVELS = new Set(['contribute', 'manage', 'create-only']);

/** A running Pryv emulator. */
export class PryvSandbox {
  readonly generation: Generation;
  readonly server: http.Server;
  readonly base: string;
  readonly port: number;
  /** '' for v1, '/reg' for v2. */
  readonly prefix: string;
  readonly serviceInfoUrl: string;
  readonly requests: LoggedRequest[] = [];
  /** JSON bodies POSTed to the access (create) URL, in order. */
  readonly createBodies: unknown[] = [];
  /** Accesses by token. */
  readonly accesses = new Map<string, PryvAccess>();
  /** Events by user name. */
  readonly events = new Map<string, PryvEvent[]>();
  approve: ApprovePolicy;
  username: string;
  private readonly states = new Map<string, State>();
  private readonly opts: PryvOptions;
  private readonly running: Running;
  private readonly onSecret: OnSecret | undefined;
  private readonly now: () => number;
  private pollRate: number | null;
  private pollFailures: PollFailure[] = [];
  private createFailures: Array<{ status: number; body: unknown }> = [];
  private accessInfoFailures: number[] = [];
  private timers = new Set<NodeJS.Timeout>();

  constructor(running: Running, opts: PryvOptions) {
    this.running = running;
    this.server = running.server;
    this.opts = opts;
    this.generation = opts.generation ?? 'v2';
    this.prefix = this.generation === 'v2' ? '/reg' : '';
    this.port = running.port;
    this.base = running.url;
    this.serviceInfoUrl = `${this.base}${this.prefix}/service/info`;
    this.pollRate = opts.pollRateMs ?? 1000;
    this.approve = opts.approve ?? 'manual';
    this.username = opts.username ?? 'alice';
    this.onSecret = opts.onSecret;
    this.now = opts.now ?? Date.now;
  }

  /** The service info document, as served. */
  serviceInfo(): Json {
    const reg = `${this.base}${this.prefix}/`;
    const info: Json = {
      register: reg,
      access: `${reg}access/`,
      api: `${this.base}/{username}/`,
      name: this.generation === 'v1' ? 'authctl sandbox (Pryv.io v1)' : 'authctl sandbox (open-pryv.io)',
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

  /** The consent page URL of a pending request. */
  consentUrl(key: string): string {
    return `${this.base}/auth/access.html?key=${encodeURIComponent(key)}`;
  }

  /** Keys of every live request, oldest first. */
  keys(): string[] {
    for (const k of [...this.states.keys()]) this.get(k);
    return [...this.states.keys()];
  }

  /** The most recent key (throws when none). */
  lastKey(): string {
    const k = this.keys().at(-1);
    if (!k) throw new Error('pryv sandbox: no access request yet');
    return k;
  }

  /** Current status of `key`, or undefined when unknown or expired. */
  statusOf(key: string): string | undefined {
    return this.get(key)?.status;
  }

  /** GET requests on the poll URL of `key` (or of any key). */
  polls(key?: string): LoggedRequest[] {
    const re = new RegExp(`^${this.prefix}/access/${key ?? '[^/?]+'}$`);
    return this.requests.filter((r) => r.method === 'GET' && re.test(r.path));
  }

  /** Settle `key` as ACCEPTED, as the consent page does after creating the app access. */
  accept(
    key: string,
    o: { username?: string; token?: string; apiEndpoint?: string | null; register?: boolean } = {},
  ): { status: number; body: unknown; token: string } {
    const username = o.username ?? this.username;
    const token = o.token ?? `ck${randomBytes(12).toString('hex')}`;
    const body: Json = { status: 'ACCEPTED', username, token };
    // The consent page always sends apiEndpoint; null leaves it out (v2 then has none).
    if (o.apiEndpoint === undefined)
      body.apiEndpoint = buildApiEndpoint(String(this.serviceInfo().api), username, token);
    else if (o.apiEndpoint !== null) body.apiEndpoint = o.apiEndpoint;
    const r = this.settle(key, body, o.register ?? this.opts.registerAcceptedTokens ?? true);
    if (r.status !== 200) throw new Error(`pryv sandbox: accept was rejected: ${JSON.stringify(r.body)}`);
    return { ...r, token };
  }

  /** Settle `key` as REFUSED with the body the consent page sends (`reasonId`). */
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

  /** Forget `key`, as its lifetime ending does: polls then get 400. */
  expire(key: string): void {
    this.states.delete(key);
  }

  /** v2 multi-core: move `key` to `target` and answer REDIRECTED here (301, no Location). */
  redirect(key: string, target: PryvSandbox): string {
    const st = this.get(key);
    if (!st) throw new Error(`pryv sandbox: unknown key ${key}`);
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

  /** Make the next create fail; default body: v1 INVALID_APP_ID, v2 invalid-parameters. */
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

  /** Stop the server (open connections included). */
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    return this.running.close();
  }

  // -------------------------------------------------------------------------------------------

  /** The live state of `key`; an expired one is dropped (lifetimes are checked on read). */
  private get(key: string): State | undefined {
    const st = this.states.get(key);
    if (st && this.now() >= st.expiresAt) {
      this.states.delete(key);
      return undefined;
    }
    return st;
  }

  /** Route one request. */
  handle(
    method: string,
    path: string,
    headers: http.IncomingHttpHeaders,
    raw: string,
    query: URLSearchParams,
  ): Answer {
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
        const body = parseJson(raw);
        if (body === undefined) return this.malformed();
        const r = this.settle(key, body);
        return json(r.status, r.body);
      }
    }
    if (path === '/auth/access.html') {
      if (method === 'GET') return this.consentPage(query);
      if (method === 'POST') return this.consentDecision(raw);
    }
    if (method === 'GET' && path === '/') return this.indexPage();
    const core = /^\/([^/]+)\/(access-info|accesses\/([^/]+)|events)$/.exec(path);
    if (core) {
      const username = decodeURIComponent(core[1]!);
      if (core[2] === 'access-info' && method === 'GET') return this.accessInfo(username, headers, query);
      if (core[3] !== undefined && method === 'DELETE')
        return this.deleteAccess(username, decodeURIComponent(core[3]), headers, query);
      if (core[2] === 'events' && method === 'GET') return this.getEvents(username, headers, query);
      if (core[2] === 'events' && method === 'POST') return this.createEvent(username, headers, query, raw);
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

  private unknownKey(): Answer {
    return this.generation === 'v1'
      ? this.v1Error(400, 'INVALID_KEY', 'Invalid access request key')
      : this.v2Error(400, 'unknown-access-key', 'Unknown or expired access key');
  }

  private create(raw: string): Answer {
    const body = parseJson(raw);
    if (body === undefined) return this.malformed();
    this.createBodies.push(body);
    const fail = this.createFailures.shift();
    if (fail) return json(fail.status, fail.body);
    const v1 = this.generation === 'v1';
    const appId = body.requestingAppId;
    if (v1) {
      // service-register access-lib.js validation order; the first failure wins.
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
    // v2 reads expireAfter as the request's own lifetime in ms; v1 only stores it.
    const ttl =
      !v1 && typeof body.expireAfter === 'number' && body.expireAfter > 0
        ? body.expireAfter
        : (this.opts.requestTtlMs ?? DEFAULT_TTL_MS);
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
      // v1: the odd `?&pollUrl=` form service-register builds; v2: every parameter.
      authUrl: v1
        ? `${authBase}?&pollUrl=${enc(poll)}`
        : `${authBase}?lang=${enc(lang)}&key=${key}&requestingAppId=${enc(String(appId))}&poll=${enc(poll)}&poll_rate_ms=${rate ?? 1000}&serviceInfo=${enc(`${this.base}/reg/service/info`)}`,
      poll,
      pollRateMs: rate,
      settled: {},
      expiresAt: this.now() + ttl,
    };
    this.states.set(key, st);
    this.onSecret?.('pollKey', key);
    this.onSecret?.('consentUrl', st.authUrl);
    if (st.url) this.onSecret?.('consentUrl', st.url);
    this.decideAutomatically(st);
    if (v1) return json(201, { ...this.v1Pending(st), code: 201 });
    const out: Json = { status: 'NEED_SIGNIN', key, authUrl: st.authUrl, poll };
    if (st.pollRateMs !== null) out.poll_rate_ms = st.pollRateMs;
    return json(201, out);
  }

  private decideAutomatically(st: State): void {
    if (this.approve === 'manual') {
      this.opts.onPending?.({ appId: st.requestingAppId, permissions: st.requestedPermissions });
      return;
    }
    const decision = this.approve;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.get(st.key)?.status !== 'NEED_SIGNIN') return;
      if (decision === 'auto') this.accept(st.key);
      else this.refuse(st.key);
    }, this.opts.autoDelayMs ?? 0);
    t.unref();
    this.timers.add(t);
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

  /** The poll answer for a state. */
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
        // open-pryv v2 answers a plain 301 JSON body, without a Location header.
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
    const st = this.get(key);
    if (!st || (this.generation === 'v1' && !/^[a-zA-Z0-9]{10,200}$/.test(key))) return this.unknownKey();
    return this.answerFor(st);
  }

  /** POST on the poll URL: what the consent page sends. */
  settle(
    key: string,
    body: Json,
    register = this.opts.registerAcceptedTokens ?? true,
  ): { status: number; body: unknown } {
    const st = this.get(key);
    const v1 = this.generation === 'v1';
    const answer = (a: Answer) => ({ status: a.status, body: a.body });
    if (!st) return answer(this.unknownKey());
    const status = body.status;
    if (v1) {
      if (status === 'REFUSED') {
        // v1 reads `reasonID`; the consent page sends `reasonId`, so this is often REASON_UNDEFINED.
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
          if (t.length < 6 || t.length > 999)
            return answer(this.v1Error(400, 'INVALID_API_ENDPOINT', 'Invalid API endpoint'));
          apiEndpoint = t;
        }
        const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
        if (!/^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$/.test(username)) {
          return answer(this.v1Error(400, 'INVALID_USER_NAME', 'Invalid user name'));
        }
        if (typeof body.token !== 'string' || body.token.length >= 256 || body.token === '') {
          return answer(this.v1Error(400, 'INVALID_DATA', 'Invalid Data'));
        }
        // Built by the server when absent (service-register getAPIEndpoint).
        apiEndpoint ??= buildApiEndpoint(String(this.serviceInfo().api), username, body.token);
        st.status = 'ACCEPTED';
        st.settled = { status: 'ACCEPTED', apiEndpoint, username, token: body.token, code: 200 };
        this.onSecret?.('access', body.token);
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
      // v1 restarts the request's lifetime on every write.
      st.expiresAt = this.now() + (this.opts.requestTtlMs ?? DEFAULT_TTL_MS);
      return answer(this.answerFor(st));
    }
    // v2 (open-pryv.io accessState.ts)
    const bad = (message: string) => answer(this.v2Error(400, 'invalid-parameters', message));
    if (status !== 'ACCEPTED' && status !== 'REFUSED' && status !== 'ERROR' && status !== 'REDIRECTED') {
      return bad(`Invalid status: ${String(status)}`);
    }
    if (status === 'ACCEPTED' && (typeof body.username !== 'string' || typeof body.token !== 'string')) {
      return bad('ACCEPTED requires username and token');
    }
    if (status === 'REDIRECTED' && typeof body.redirectUrl !== 'string')
      return bad('REDIRECTED requires redirectUrl');
    st.status = status;
    if (status === 'ACCEPTED') {
      const out: Json = { status, username: body.username, token: body.token };
      if (body.apiEndpoint !== undefined) out.apiEndpoint = body.apiEndpoint;
      st.settled = out;
      this.onSecret?.('access', String(body.token));
      if (register) this.registerAccess(st, String(body.username), String(body.token));
    } else if (status === 'REDIRECTED') {
      st.settled = { status, poll: body.redirectUrl, redirectUrl: body.redirectUrl };
    } else {
      st.settled = { status, reasonId: body.reasonId, message: body.message };
    }
    return answer(this.answerFor(st));
  }

  private registerAccess(st: State, username: string, token: string): void {
    const id = `acc${randomBytes(6).toString('hex')}`;
    const permissions: unknown[] = st.requestedPermissions.map((p) => {
      const { defaultName: _d, ...rest } = p as Json;
      return rest;
    });
    if (this.opts.systemPermissions) {
      permissions.push(
        { streamId: ':_system:account', level: 'none' },
        { streamId: `:_audit:access-${id}`, level: 'read' },
      );
    }
    const access: PryvAccess = { id, username, token, permissions, name: st.requestingAppId, type: 'app' };
    if (this.opts.accessExpires !== undefined) access.expires = this.opts.accessExpires;
    this.accesses.set(token, access);
  }

  // ---- consent page ---------------------------------------------------------------------------

  /** The key a consent URL names: `key`, or the last segment of `poll` / v1's `pollUrl`. */
  private keyFromQuery(q: URLSearchParams): string | undefined {
    const direct = q.get('key');
    if (direct) return direct;
    const poll = q.get('poll') ?? q.get('pollUrl');
    if (!poll) return undefined;
    try {
      return decodeURIComponent(new URL(poll).pathname.split('/').filter(Boolean).at(-1) ?? '');
    } catch {
      return undefined;
    }
  }

  private consentPage(q: URLSearchParams): Answer {
    const key = this.keyFromQuery(q);
    const st = key ? this.get(key) : undefined;
    if (!key || !st) {
      return html(
        404,
        htmlPage(
          'Unknown or expired access request',
          '<p id="message">This access request does not exist or has expired. Start a new one.</p>',
        ),
      );
    }
    if (st.status !== 'NEED_SIGNIN') return html(200, this.donePage(st.status));
    const perms = st.requestedPermissions
      .map((p) => {
        const r = (typeof p === 'object' && p !== null ? p : {}) as Json;
        const what =
          r.streamId !== undefined ? `stream ${String(r.streamId)}` : `feature ${String(r.feature ?? '?')}`;
        const name = r.defaultName !== undefined ? ` (${String(r.defaultName)})` : '';
        return `<li class="permission"><code>${escapeHtml(what)}</code>${escapeHtml(name)}: <strong>${escapeHtml(String(r.level ?? r.setting ?? '?'))}</strong></li>`;
      })
      .join('\n');
    const device =
      typeof st.deviceName === 'string'
        ? `<p>Device: <span id="device">${escapeHtml(st.deviceName)}</span></p>`
        : '';
    return html(
      200,
      htmlPage(
        'Pryv.io access request',
        `<p>The app <strong id="app">${escapeHtml(st.requestingAppId)}</strong> asks for access to the account of <strong id="user">${escapeHtml(this.username)}</strong>:</p>
<ul id="permissions">
${perms || '<li>(no permissions)</li>'}
</ul>
${device}
<form method="post" action="/auth/access.html">
<input type="hidden" name="key" value="${escapeHtml(key)}">
<button type="submit" name="decision" value="accept" id="accept">Accept</button>
<button type="submit" name="decision" value="refuse" id="refuse">Refuse</button>
</form>`,
      ),
    );
  }

  private donePage(status: Status): string {
    const text =
      status === 'ACCEPTED'
        ? 'Access granted. You can close this window and go back to the terminal.'
        : status === 'REFUSED'
          ? 'Access refused. You can close this window.'
          : `This request is already settled (${status}).`;
    return htmlPage(
      status === 'ACCEPTED' ? 'Access granted' : status === 'REFUSED' ? 'Access refused' : 'Request settled',
      `<p id="message">${escapeHtml(text)}</p>`,
    );
  }

  private consentDecision(raw: string): Answer {
    const form = parseForm(raw);
    const key = form.key ?? '';
    const st = this.get(key);
    if (!st)
      return html(
        404,
        htmlPage(
          'Unknown or expired access request',
          '<p id="message">This access request does not exist or has expired.</p>',
        ),
      );
    if (st.status === 'NEED_SIGNIN') {
      if (form.decision === 'accept') this.accept(key);
      else if (form.decision === 'refuse') this.refuse(key);
      else return html(400, htmlPage('Bad request', '<p id="message">Choose Accept or Refuse.</p>'));
    }
    return html(200, this.donePage(this.get(key)?.status ?? 'ERROR'));
  }

  private indexPage(): Answer {
    return html(
      200,
      htmlPage(
        'Pryv.io sandbox',
        `<p>Service info: <code>${escapeHtml(this.serviceInfoUrl)}</code></p><p>Approval: <strong>${escapeHtml(this.approve)}</strong>; user <code>${escapeHtml(this.username)}</code>.</p>`,
      ),
    );
  }

  // ---- core -----------------------------------------------------------------------------------

  /** The access a core request authenticates with (raw token, Basic with the token as user, or ?auth=). */
  private authenticate(
    username: string,
    headers: http.IncomingHttpHeaders,
    q: URLSearchParams,
  ): PryvAccess | Answer {
    let token = headers.authorization ?? q.get('auth') ?? undefined;
    if (token?.startsWith('Basic '))
      token = Buffer.from(token.slice(6), 'base64').toString('utf8').split(':')[0];
    else if (token?.startsWith('Bearer ')) token = token.slice(7);
    const access = token ? this.accesses.get(token) : undefined;
    if (!access || access.username !== username) {
      return json(403, { error: { id: 'invalid-access-token', message: 'Cannot find access from token.' } });
    }
    if (typeof access.expires === 'number' && access.expires * 1000 <= this.now()) {
      return json(403, { error: { id: 'forbidden', message: 'Access has expired.' } });
    }
    return access;
  }

  private meta(): Json {
    return {
      apiVersion: this.generation === 'v1' ? '1.9.0' : '2.0.0',
      serverTime: this.now() / 1000,
      serial: '2019061301',
    };
  }

  private accessInfo(username: string, headers: http.IncomingHttpHeaders, q: URLSearchParams): Answer {
    const forced = this.accessInfoFailures.shift();
    if (forced !== undefined) {
      return json(forced, {
        error: { id: forced === 403 ? 'forbidden' : 'unexpected-error', message: 'Forced failure' },
      });
    }
    const access = this.authenticate(username, headers, q);
    if ('status' in access) return access;
    const now = this.now() / 1000;
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
      meta: this.meta(),
    };
    if (access.expires !== undefined) out.expires = access.expires;
    return json(200, out);
  }

  private deleteAccess(
    username: string,
    id: string,
    headers: http.IncomingHttpHeaders,
    q: URLSearchParams,
  ): Answer {
    const access = this.authenticate(username, headers, q);
    if ('status' in access) return access;
    const target = [...this.accesses.values()].find((a) => a.id === id && a.username === username);
    if (!target) return json(404, { error: { id: 'unknown-resource', message: `Unknown access '${id}'` } });
    // An app token may delete only its own access (Pryv's self-revocation).
    if (target.id !== access.id) {
      return json(403, { error: { id: 'forbidden', message: 'This access cannot delete that access.' } });
    }
    this.accesses.delete(target.token);
    return json(200, { accessDeletion: { id }, meta: this.meta() });
  }

  /** The level `access` has on `streamId` (an exact entry wins over `*`), or undefined. */
  private levelOn(access: PryvAccess, streamId: string): string | undefined {
    let star: string | undefined;
    for (const p of access.permissions) {
      const r = p as Json;
      if (r.streamId === streamId && typeof r.level === 'string') return r.level;
      if (r.streamId === '*' && typeof r.level === 'string') star = r.level;
    }
    return star;
  }

  private getEvents(username: string, headers: http.IncomingHttpHeaders, q: URLSearchParams): Answer {
    const access = this.authenticate(username, headers, q);
    if ('status' in access) return access;
    const asked = [...q.getAll('streams'), ...q.getAll('streams[]')].flatMap((s) => {
      if (s.startsWith('[')) {
        try {
          const v = JSON.parse(s) as unknown;
          return Array.isArray(v) ? v.map(String) : [];
        } catch {
          return [s];
        }
      }
      return [s];
    });
    for (const s of asked) {
      if (!READ_LEVELS.has(this.levelOn(access, s) ?? 'none')) {
        return json(403, {
          error: { id: 'forbidden', message: `The access has no read permission on stream '${s}'.` },
        });
      }
    }
    const all = this.events.get(username) ?? [];
    const events = all.filter((e) =>
      e.streamIds.some(
        (s) =>
          (asked.length === 0 || asked.includes(s)) && READ_LEVELS.has(this.levelOn(access, s) ?? 'none'),
      ),
    );
    return json(200, { events: [...events].sort((a, b) => b.time - a.time), meta: this.meta() });
  }

  private createEvent(
    username: string,
    headers: http.IncomingHttpHeaders,
    q: URLSearchParams,
    raw: string,
  ): Answer {
    const access = this.authenticate(username, headers, q);
    if ('status' in access) return access;
    const body = parseJson(raw);
    if (body === undefined) return this.malformed();
    const streamIds = Array.isArray(body.streamIds)
      ? body.streamIds.map(String)
      : typeof body.streamId === 'string'
        ? [body.streamId]
        : [];
    if (
      streamIds.length === 0 ||
      typeof body.type !== 'string' ||
      !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(body.type)
    ) {
      return json(400, {
        error: {
          id: 'invalid-parameters-format',
          message: "The event needs 'streamIds' and a 'type' such as note/txt.",
        },
      });
    }
    for (const s of streamIds) {
      if (!CREATE_LEVELS.has(this.levelOn(access, s) ?? 'none')) {
        return json(403, {
          error: {
            id: 'forbidden',
            message: `The access has no permission to create events in stream '${s}'.`,
          },
        });
      }
    }
    const now = this.now() / 1000;
    const event: PryvEvent = {
      id: `ev${randomBytes(8).toString('hex')}`,
      streamIds,
      type: body.type,
      content: body.content ?? null,
      time: typeof body.time === 'number' ? body.time : now,
      created: now,
      createdBy: access.id,
    };
    const list = this.events.get(username) ?? [];
    list.push(event);
    this.events.set(username, list);
    return json(201, { event, meta: this.meta() });
  }
}

function parseJson(raw: string): Json | undefined {
  if (raw === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Start a Pryv emulator on 127.0.0.1. */
export async function startPryv(opts: PryvOptions = {}): Promise<PryvSandbox> {
  let sandbox: PryvSandbox | undefined;
  const prefix = (opts.generation ?? 'v2') === 'v2' ? '/reg' : '';
  const keyPath = new RegExp(`^(${prefix}/access/)[^/?]+`);
  const server = http.createServer(
    bufferedHandler(
      (req, _res, raw) => {
        const at = performance.now();
        const u = new URL(req.url ?? '/', 'http://x');
        const method = req.method ?? 'GET';
        const a = sandbox!.handle(method, u.pathname, req.headers, raw, u.searchParams);
        sandbox!.requests.push({
          method,
          path: u.pathname,
          at,
          status: a.status,
          authorization: req.headers.authorization,
          body: parseJson(raw),
        });
        return a;
      },
      {
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.onSecret ? { onSecret: opts.onSecret } : {}),
        // The poll key is a bearer secret: never in a log line.
        redactPath: (p) => p.replace(keyPath, '$1…').replace(/([?&]auth=)[^&]*/, '$1'),
      },
    ),
  );
  const running = await listen(server, opts.port ?? 0);
  sandbox = new PryvSandbox(running, opts);
  return sandbox;
}
