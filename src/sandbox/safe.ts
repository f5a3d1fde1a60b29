/**
 * A SAFE Launcher emulator (the local REST API of maidsafe's safe_launcher 0.11, API 0.6).
 *
 * Reproduced from the public Launcher source: routes mounted at `/`, `/0.5` and `/0.6`; the
 * `POST /auth` validation order and its exact 400 bodies; the POST held open until the Launcher
 * user decides (no server timeout), or an immediate 401 `Unauthorised` when nobody is logged in;
 * per-session HS256 JWTs with payload {id, iat} and session reuse for an identical app and
 * permissions; the strict global Authorization check (exactly `Bearer <jwt>`) answering 401
 * `Unauthorized` on any route, POST /auth included; the odd JSON 401 `{errorCode:400}` when GET or
 * DELETE /auth has no header; DELETE answering 200 before the session is removed; /health; the JSON
 * 404 for unknown routes. Denial is plain text `Unauthorised` (British), a bad bearer plain text
 * `Unauthorized` (American).
 *
 * The Launcher asked its user in a desktop window; here the held requests are listed on a page of
 * the same server, `/sandbox/requests`, with Allow and Deny buttons (`approve: 'auto' | 'refuse'`
 * decides without it).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { ApprovePolicy, CommonOptions } from './shared.js';
import { bufferedHandler, escapeHtml, html, htmlPage, listen, parseForm, send } from './shared.js';

/** One request as the emulator saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An app identity as sent in POST /auth. */
export interface SafeApp {
  name: unknown;
  id: unknown;
  version: unknown;
  vendor: unknown;
}

/** A POST /auth waiting for the Launcher user's Allow or Deny. */
export interface HeldRequest {
  /** Id on the approval page. */
  id: string;
  app: SafeApp;
  permissions: string[];
  /** Click Allow: answer 200 {token, permissions}. */
  allow(): void;
  /** Click Deny: answer 401 text `Unauthorised`. */
  deny(): void;
  /** Resolves when the client went away before the user decided (e.g. authctl timed out). */
  abandoned: Promise<void>;
  /** True once the client disconnected without an answer. */
  readonly gone: boolean;
}

/** What happens to a valid POST /auth. */
export type AuthPolicy = 'hold' | 'allow' | 'deny';

/** A Launcher-side failure injected into the next Allow: HTTP 500 with this FFI body. */
export interface FfiFailure {
  errorCode: number;
  description: string;
}

/** Options for startSafe. */
export interface SafeOptions extends CommonOptions {
  /** false: every valid POST /auth is refused at once with 401 `Unauthorised`. Default true. */
  loggedIn?: boolean;
  /** Default 'hold': the page or allowNext()/denyNext() decide. */
  policy?: AuthPolicy;
  /** The sandbox's name for policy: manual = hold, auto = allow, refuse = deny (policy wins). */
  approve?: ApprovePolicy;
  /** Called when a request starts waiting for the user (policy 'hold'). */
  onPending?: (info: { app: SafeApp; permissions: string[]; pageUrl: string }) => void;
  /** Permissions this Launcher knows (an old one knows only SAFE_DRIVE_ACCESS). */
  knownPermissions?: string[];
}

interface Session {
  id: string;
  key: Buffer;
  app: { name: unknown; id: unknown; version: unknown; vendor: unknown };
  permissions: string[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Sign an HS256 JWT as jsonwebtoken 7 does with its defaults. */
export function signJwt(payload: Record<string, unknown>, key: Buffer): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = crypto.createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** The running emulator and its controls. */
export interface SafeSandbox {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  loggedIn: boolean;
  policy: AuthPolicy;
  /** Held POSTs, oldest first (the Launcher queues them). */
  held: HeldRequest[];
  /** The next (or current oldest) held POST, once it has arrived. */
  readonly pending: Promise<HeldRequest>;
  /** Allow the oldest held POST (waits for one to arrive). */
  allowNext(): Promise<HeldRequest>;
  /** Deny the oldest held POST (waits for one to arrive). */
  denyNext(): Promise<HeldRequest>;
  /** Make the next Allow fail in FFI with HTTP 500 and this body. */
  failNextAllow(f: FfiFailure): void;
  /** Live sessions (id → app), as the in-memory pool holds them. */
  sessionCount(): number;
  /** Simulate a Launcher restart or logout: every session is forgotten. */
  forgetSessions(): void;
  /** Mint a valid token for an app directly (as if authorised earlier). */
  mint(app: SafeApp, permissions: string[]): string;
  /** Requests for a method and path ('/auth' also matches '/0.6/auth'). */
  requestsTo(method: string, path: string): RecordedRequest[];
  /** The approval page listing held requests. */
  pageUrl: string;
  close(): Promise<void>;
}

/** Start a Launcher emulator on 127.0.0.1. */
export async function startSafe(opts: SafeOptions = {}): Promise<SafeSandbox> {
  const known = opts.knownPermissions ?? ['SAFE_DRIVE_ACCESS', 'LOW_LEVEL_API'];
  const sessions = new Map<string, Session>();
  const held: HeldRequest[] = [];
  const waiters: Array<(h: HeldRequest) => void> = [];
  let ffiFailure: FfiFailure | undefined;
  let nextId = 1;

  const sendText = (res: http.ServerResponse, status: number, text: string, type = 'text/plain') => {
    res.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  // Express's res.sendStatus(n): text/plain body with the status name.
  const sendStatus = (res: http.ServerResponse, status: number) =>
    sendText(res, status, http.STATUS_CODES[status] ?? String(status));
  // ResponseError(status, message) → {errorCode: 400, description}(errorCode is not the status).
  const responseError = (res: http.ServerResponse, status: number, description: string) =>
    sendJson(res, status, { errorCode: 400, description });

  /** utils.js getSessionIdFromRequest. */
  const sessionFromHeader = (value: string): Session | undefined => {
    if (value.indexOf(' ') !== 6) return undefined;
    const parts = value.split(' ');
    if (!(parts.length === 2 && parts[0]!.toLowerCase() === 'bearer')) return undefined;
    const token = parts[1]!;
    const sections = token.split('.');
    if (sections.length !== 3) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(sections[1]!, 'base64').toString()) as { id?: unknown };
      const s = typeof payload.id === 'string' ? sessions.get(payload.id) : undefined;
      if (!s) return undefined;
      const expected = crypto
        .createHmac('sha256', s.key)
        .update(`${sections[0]}.${sections[1]}`)
        .digest('base64url');
      const a = Buffer.from(expected);
      const b = Buffer.from(sections[2]!);
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return undefined;
      return s;
    } catch {
      return undefined;
    }
  };

  const sameApp = (s: Session, app: SafeApp, permissions: string[]) =>
    s.app.name === app.name &&
    s.app.id === app.id &&
    s.app.vendor === app.vendor &&
    s.app.version === app.version &&
    JSON.stringify(s.permissions) === JSON.stringify(permissions);

  /** CreateSession: reuse an identical app's session, else a new one; sign a JWT. */
  const createSession = (app: SafeApp, permissions: string[]): string => {
    let s = [...sessions.values()].find((x) => sameApp(x, app, permissions));
    if (!s) {
      s = {
        id: crypto.randomBytes(32).toString('base64'),
        key: crypto.randomBytes(32),
        app: { name: app.name, id: app.id, version: app.version, vendor: app.vendor },
        permissions: [...permissions],
      };
      sessions.set(s.id, s);
    }
    const token = signJwt({ id: s.id, iat: Math.floor(Date.now() / 1000) }, s.key);
    opts.onSecret?.('access', token);
    return token;
  };

  const nextHeld = (): Promise<HeldRequest> =>
    held.length > 0 ? Promise.resolve(held[0]!) : new Promise((resolve) => waiters.push(resolve));

  const handleAuthPost = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    // bodyParser.json({strict:false}) only parses JSON content types; otherwise body = {}.
    let body: unknown = {};
    if (/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      try {
        body = raw.length ? JSON.parse(raw) : {};
      } catch {
        // body-parser's SyntaxError reaches Express's default handler: an HTML 400.
        return sendText(res, 400, '<pre>SyntaxError: Unexpected token in JSON</pre>', 'text/html');
      }
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const app = b.app as Record<string, unknown> | undefined;
    if (!(app?.name && app.id && app.vendor && app.version)) {
      return responseError(res, 400, 'Fields are missing');
    }
    if (![app.name, app.id, app.vendor, app.version].every((v) => /[^\s]/.test(String(v)))) {
      return responseError(res, 400, 'Values cannot be empty');
    }
    if (!Object.hasOwn(b, 'permissions')) return responseError(res, 400, 'Permission field is missing');
    const perms = b.permissions;
    if (!Array.isArray(perms) || !perms.every((p) => typeof p === 'string' && known.includes(p))) {
      return responseError(res, 400, 'Invalid permissions requested');
    }
    const permissions = perms as string[];
    const theApp: SafeApp = { name: app.name, id: app.id, version: app.version, vendor: app.vendor };
    // Not logged in: handleAuthRequest answers authResponse(payload, false) at once.
    if (!fake.loggedIn) return sendText(res, 401, 'Unauthorised', 'text/html');

    let settled = false;
    let gone = false;
    let onGone: () => void = () => {};
    const abandoned = new Promise<void>((resolve) => {
      onGone = resolve;
    });
    const remove = () => {
      const i = held.indexOf(h);
      if (i >= 0) held.splice(i, 1);
    };
    const h: HeldRequest = {
      id: String(nextId++),
      app: theApp,
      permissions,
      allow: () => {
        if (settled) return;
        settled = true;
        remove();
        if (ffiFailure) {
          const f = ffiFailure;
          ffiFailure = undefined;
          return sendJson(res, 500, f);
        }
        const token = createSession(theApp, permissions);
        sendJson(res, 200, { token, permissions });
      },
      deny: () => {
        if (settled) return;
        settled = true;
        remove();
        // authRejected: res.status(401).send('Unauthorised') — Express sends strings as text/html.
        sendText(res, 401, 'Unauthorised', 'text/html');
      },
      abandoned,
      get gone() {
        return gone;
      },
    };
    res.on('close', () => {
      if (!settled) {
        settled = true;
        gone = true;
        remove();
        onGone();
      }
    });
    if (fake.policy === 'allow') return h.allow();
    if (fake.policy === 'deny') return h.deny();
    held.push(h);
    for (const w of waiters.splice(0)) w(h);
    opts.onPending?.({ app: theApp, permissions, pageUrl: fake.pageUrl });
  };

  const approvalPage = (): string => {
    const items = held
      .map(
        (h) => `<li class="request" id="request-${escapeHtml(h.id)}">
<p><strong class="app-name">${escapeHtml(h.app.name)}</strong> ${escapeHtml(h.app.version)} by ${escapeHtml(h.app.vendor)} (<code>${escapeHtml(h.app.id)}</code>) asks for:
${h.permissions.length ? h.permissions.map((p) => `<code class="permission">${escapeHtml(p)}</code>`).join(', ') : 'no special permission'}</p>
<form method="post" action="/sandbox/requests/${escapeHtml(h.id)}">
<button type="submit" name="decision" value="allow" class="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</form></li>`,
      )
      .join('\n');
    return htmlPage(
      'SAFE Launcher: authorisation requests',
      held.length
        ? `<ul id="requests">\n${items}\n</ul>`
        : '<p id="message">No app is waiting for authorisation. Reload this page after starting authctl safe authorize.</p>',
    );
  };

  const route = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    fake.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body: raw });
    // The approval page is the sandbox's stand-in for the Launcher window (no Authorization check).
    if (url.pathname === '/sandbox/requests' && req.method === 'GET')
      return send(res, html(200, approvalPage()));
    const decide = /^\/sandbox\/requests\/([^/]+)$/.exec(url.pathname);
    if (decide && req.method === 'POST') {
      const h = held.find((x) => x.id === decide[1]);
      const decision = parseForm(raw).decision;
      if (!h)
        return send(
          res,
          html(
            404,
            htmlPage(
              'Request not found',
              '<p id="message">This request was already decided, or its app gave up waiting.</p>',
            ),
          ),
        );
      if (decision !== 'allow' && decision !== 'deny')
        return send(res, html(400, htmlPage('Bad request', '<p id="message">Choose Allow or Deny.</p>')));
      if (decision === 'allow') h.allow();
      else h.deny();
      return send(
        res,
        html(
          200,
          htmlPage(
            decision === 'allow' ? 'Access allowed' : 'Access denied',
            `<p id="message">${escapeHtml(h.app.name)} was ${decision === 'allow' ? 'allowed' : 'denied'}. You can close this window.</p>`,
          ),
        ),
      );
    }

    // Global middleware setSessionHeaderAndParseBody: runs first, on every route.
    const authz = req.headers.authorization;
    let session: Session | undefined;
    if (authz !== undefined && authz !== '') {
      session = sessionFromHeader(authz);
      if (!session) return sendStatus(res, 401);
    }
    // app.use('/health', …) answers any method under /health.
    if (url.pathname === '/health' || url.pathname.startsWith('/health/')) return sendStatus(res, 200);
    const m = /^(?:\/0\.5|\/0\.6)?\/auth\/?$/.exec(url.pathname);
    if (m) {
      if (req.method === 'POST') return handleAuthPost(req, res, raw);
      if (req.method === 'GET') {
        if (!session) return sendJson(res, 401, { errorCode: 400, description: 'Unauthorised' });
        return sendStatus(res, 200);
      }
      if (req.method === 'DELETE') {
        if (!session) return sendJson(res, 401, { errorCode: 400, description: 'Unauthorised' });
        const id = session.id;
        sendStatus(res, 200);
        // revokeApp runs asynchronously and is not awaited.
        setImmediate(() => sessions.delete(id));
        return;
      }
    }
    return sendJson(res, 404, { errorCode: 404, description: 'Endpoint Not Found' });
  };

  const server = http.createServer(
    bufferedHandler(route, {
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.onSecret ? { onSecret: opts.onSecret } : {}),
    }),
  );
  // boot.js: server.timeout = 0 — no server-side limit while the user decides.
  server.timeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  const running = await listen(server, opts.port ?? 0);
  const port = running.port;
  const policy: AuthPolicy =
    opts.policy ?? (opts.approve === 'auto' ? 'allow' : opts.approve === 'refuse' ? 'deny' : 'hold');

  const fake: SafeSandbox = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    loggedIn: opts.loggedIn ?? true,
    policy,
    held,
    get pending() {
      return nextHeld();
    },
    async allowNext() {
      const h = await nextHeld();
      h.allow();
      return h;
    },
    async denyNext() {
      const h = await nextHeld();
      h.deny();
      return h;
    },
    failNextAllow(f) {
      ffiFailure = f;
    },
    sessionCount: () => sessions.size,
    forgetSessions: () => sessions.clear(),
    mint: (app, permissions) => createSession(app, permissions),
    requestsTo: (method, path) =>
      fake.requests.filter((r) => r.method === method && r.path.replace(/^\/0\.[56]/, '') === path),
    pageUrl: `http://127.0.0.1:${port}/sandbox/requests`,
    close: () => running.close(),
  };
  return fake;
}
