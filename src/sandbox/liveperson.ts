/**
 * A LivePerson Sentinel emulator (Conversational Cloud app authorization) plus the domain API, on
 * one loopback server. It enforces what LivePerson's developer docs tell a client to do: `v=1.0`
 * on authorize and revoke and `v=2.0` on token; the client secret in the form body; a registered,
 * byte-identical `redirect_uri`; single-use codes; rotating refresh tokens; revocation with the
 * refresh token, which ends the user's whole session. `expires_in` is not sent unless configured
 * (the docs do not document it).
 *
 * Without a session, Sentinel's authorize answers 302 to a login page: with `approve: 'manual'`
 * (the sandbox default on a terminal) this server does the same, with a login form at
 * `/sandbox/login`; `'auto'` behaves as if the user were already signed in (302 straight back with
 * a code), `'refuse'` as if they declined (`error=access_denied`).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { ApprovePolicy, CommonOptions } from './shared.js';
import { bufferedHandler, escapeHtml, html, htmlPage, listen, send as sendAnswer } from './shared.js';

/** One request as the emulator saw it. */
export interface SentinelRequest {
  method: string;
  path: string;
  /** Query parameters (last value wins). */
  query: Record<string, string>;
  /** The raw query string, to assert that no secret was put there. */
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body text. */
  body: string;
  /** The body parsed as application/x-www-form-urlencoded. */
  form: Record<string, string>;
}

/** Settings of the emulator (all mutable on the returned object between requests). */
export interface LivePersonOptions extends CommonOptions {
  account?: string;
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs (compared byte for byte). */
  redirectUris?: string[];
  /** Domain API answer shape: top-level `baseURI` or the `baseURIs[]` list. */
  domainShape?: 'single' | 'list';
  /** `expires_in` sent with tokens; undefined = omitted (the documented case). */
  expiresIn?: number | undefined;
  /** manual: a login page; auto: as if already signed in; refuse: access_denied. Default manual. */
  approve?: ApprovePolicy;
  /** Accounts the login page accepts (default one user `agent` with a random password). */
  users?: LivePersonUser[];
}

/** A user the login page accepts. */
export interface LivePersonUser {
  login: string;
  password: string;
  /** id_token `sub` (default: the login). */
  id?: string;
}

/** A running Sentinel emulator. */
export interface LivePersonSandbox {
  /** http://127.0.0.1:port — also the Sentinel base URL (what --domain takes). */
  url: string;
  /** 127.0.0.1:port — what the domain API hands back. */
  host: string;
  account: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  domainShape: 'single' | 'list';
  expiresIn: number | undefined;
  /** Host the domain API returns (default: `host`). */
  domainHost: string;
  /** Force the domain API to answer this status (400, 401, 500…). */
  domainStatus: number | undefined;
  /** The next authorizations are denied by the user: redirect with error=access_denied. */
  deny: boolean;
  /** Redirect back with a different `state` (an attacker's callback). */
  tamperState: boolean;
  /** Rotate refresh tokens on refresh (default true); false answers without refresh_token. */
  rotate: boolean;
  /** Force the revoke endpoint to answer this status and body. */
  revokeFailure: { status: number; body: string } | undefined;
  /** Subject (user id) put into id_token `sub` when no user signed in through the login page. */
  userId: string;
  approve: ApprovePolicy;
  users: LivePersonUser[];
  /** The domain API base (what --domain-api takes): the same server. */
  domainApi: string;
  log: SentinelRequest[];
  /** Valid refresh tokens. */
  refreshTokens: Set<string>;
  /** Valid access tokens. */
  accessTokens: Set<string>;
  /** Every token and code the emulator has issued (to check that none leaks into output). */
  issued: string[];
  /** Requests whose path contains `part`. */
  requests(part: string): SentinelRequest[];
  /** The browser's part: GET the authorize URL and return the Location the emulator redirects to. */
  authorize(url: string): Promise<{ status: number; location: string | undefined }>;
  /**
   * The user clicking through: authorize, then follow the redirect to the loopback listener
   * (as a browser would) and return that page's status and body.
   */
  clickThrough(
    url: string,
    user?: LivePersonUser,
  ): Promise<{ status: number; body: string; location: string | undefined }>;
  /**
   * A testContext `onOpen` hook: the user clicks through in the background (the page they end up
   * on is pushed to `pages`); returns true like a browser that started.
   */
  onOpen: (url: string) => boolean;
  pages: Array<Promise<{ status: number; body: string; location: string | undefined }>>;
  close(): Promise<void>;
}

/** GET a URL with node:http (no redirect following). */
export function httpGet(
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** POST a form with node:http (no redirect following); returns the status and Location. */
export function httpPostForm(
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(fields).toString();
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const loc = res.headers.location;
          resolve({ status: res.statusCode ?? 0, location: typeof loc === 'string' ? loc : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT shaped like Sentinel's id_token; the signature is junk — authctl does not verify it. */
export function sentinelIdToken(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'RS256', kid: '0000001', typ: 'JWT' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
}

/** Start a Sentinel emulator on 127.0.0.1. */
export async function startLivePerson(opts: LivePersonOptions = {}): Promise<LivePersonSandbox> {
  const codes = new Map<string, { clientId: string; redirectUri: string; used: boolean; sub: string }>();
  /** Who each refresh token belongs to (refreshed id_tokens are not sent, but the user stays known). */
  const refreshOwner = new Map<string, string>();
  /** Authorization requests waiting on the login page. */
  const logins = new Map<string, { redirectUri: string; state: string | undefined; clientId: string }>();
  const kinds = { 'lp-at-': 'access', 'lp-rt-': 'refresh', 'lp-code-': 'code' } as const;
  const token = (prefix: keyof typeof kinds) => {
    const t = `${prefix}${randomBytes(18).toString('base64url')}`;
    fake.issued.push(t);
    opts.onSecret?.(kinds[prefix], t);
    return t;
  };

  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      ...headers,
    });
    res.end(text);
  };
  const oauthErr = (res: http.ServerResponse, status: number, error: string, description: string) =>
    send(res, status, { error, error_description: description });

  const issueTokens = (withRefresh: boolean, withId: boolean, sub: string) => {
    const access = token('lp-at-');
    fake.accessTokens.add(access);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer' };
    if (withRefresh) {
      const refresh = token('lp-rt-');
      fake.refreshTokens.add(refresh);
      refreshOwner.set(refresh, sub);
      body.refresh_token = refresh;
    }
    if (withId) {
      const now = Math.floor(Date.now() / 1000);
      const id = sentinelIdToken({
        sub,
        aud: fake.clientId,
        iss: 'Sentinel',
        iat: now,
        exp: now + 3600,
        is_admin: true,
        is_lpa: false,
      });
      fake.issued.push(id);
      opts.onSecret?.('id', id);
      body.id_token = id;
    }
    if (fake.expiresIn !== undefined) body.expires_in = fake.expiresIn;
    return body;
  };

  const checkClient = (res: http.ServerResponse, form: Record<string, string>): boolean => {
    if (!form.client_id || form.client_secret === undefined) {
      oauthErr(res, 400, 'invalid_request', 'client_id and client_secret are required in the body');
      return false;
    }
    if (form.client_id !== fake.clientId || form.client_secret !== fake.clientSecret) {
      oauthErr(res, 401, 'invalid_client', 'invalid application id or secret');
      return false;
    }
    return true;
  };

  /** The redirect back to the app: a code for `sub`, or access_denied when `sub` is undefined. */
  const backTo = (redirectUri: string, state: string | undefined, sub: string | undefined): string => {
    const back = new URL(redirectUri);
    const echoed = fake.tamperState ? `${state ?? ''}x` : state;
    if (sub === undefined) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
    } else {
      const code = token('lp-code-');
      codes.set(code, { clientId: fake.clientId, redirectUri, used: false, sub });
      back.searchParams.set('code', code);
    }
    if (echoed !== undefined) back.searchParams.set('state', echoed);
    return back.toString();
  };

  const loginPage = (id: string, error?: string) =>
    htmlPage(
      'Sign in to LivePerson',
      `<p>The application <strong id="app">${escapeHtml(fake.clientId)}</strong> asks you to sign in to account <strong id="account">${escapeHtml(fake.account)}</strong>.
It will act on your behalf in Conversational Cloud until you log out.</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/sandbox/login">
<input type="hidden" name="request" value="${escapeHtml(id)}">
<label for="login">Login name</label><input id="login" name="login" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<p><button type="submit" name="action" value="login" id="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button></p>
</form>`,
    );

  /** The login page (GET) and its form (POST). */
  const handleLogin = (req: http.IncomingMessage, res: http.ServerResponse, entry: SentinelRequest) => {
    const expired = () =>
      sendAnswer(
        res,
        html(
          404,
          htmlPage(
            'Login expired',
            '<p id="message">This sign-in request is unknown or was already used. Start the login again.</p>',
          ),
        ),
      );
    if (req.method === 'GET') {
      const id = entry.query.request ?? '';
      if (!logins.has(id)) return expired();
      return sendAnswer(res, html(200, loginPage(id)));
    }
    const f = entry.form;
    const pending = logins.get(f.request ?? '');
    if (!pending) return expired();
    if (f.action === 'cancel') {
      logins.delete(f.request!);
      return send(res, 302, '', { location: backTo(pending.redirectUri, pending.state, undefined) });
    }
    const user = fake.users.find((u) => u.login === f.login && u.password === f.password);
    if (!user) return sendAnswer(res, html(401, loginPage(f.request!, 'Wrong login name or password.')));
    logins.delete(f.request!);
    return send(res, 302, '', {
      location: backTo(pending.redirectUri, pending.state, user.id ?? user.login),
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, entry: SentinelRequest) => {
    const p = entry.path;
    const q = entry.query;
    const acct = `/account/${fake.account}/`;

    // Domain API.
    const dm = /^\/api\/account\/([^/]+)\/service\/([^/]+)\/baseURI\.json$/.exec(p);
    if (dm && req.method === 'GET') {
      if (fake.domainStatus) return send(res, fake.domainStatus, 'Forced failure');
      if (q.version !== '1.0') return send(res, 400, 'Bad Request: version');
      if (dm[1] !== fake.account) return send(res, 401, 'Unauthorized: invalid site');
      if (dm[2] !== 'sentinel') return send(res, 400, 'unknown service');
      const me = { service: 'sentinel', account: fake.account, baseURI: fake.domainHost };
      if (fake.domainShape === 'single') return send(res, 200, me);
      return send(res, 200, {
        baseURIs: [
          { service: 'agentVep', account: fake.account, baseURI: 'va.agentvep.liveperson.net' },
          me,
          { service: 'Sentinel', account: fake.account, baseURI: 'wrong-case.example' },
        ],
      });
    }
    if (p === '/sandbox/login' && (req.method === 'GET' || req.method === 'POST'))
      return handleLogin(req, res, entry);
    if (!p.startsWith('/sentinel/api/account/')) return send(res, 404, 'Not Found');
    if (!p.startsWith(`/sentinel/api${acct}`)) return send(res, 401, 'invalid site');
    const rest = p.slice(`/sentinel/api${acct}`.length);

    // Authorization request: a browser GET.
    if (rest === 'authorize' && req.method === 'GET') {
      if (q.v !== '1.0') return send(res, 400, 'v=1.0 is required');
      if (q.response_type !== 'code') return send(res, 400, 'response_type=code is required');
      if (q.client_id !== fake.clientId) return send(res, 401, 'invalid application id');
      const redirectUri = q.redirect_uri;
      if (redirectUri === undefined || !fake.redirectUris.includes(redirectUri))
        return send(res, 400, 'redirect_uri is not registered');
      // No session yet: Sentinel sends the browser to its login page first.
      if (fake.approve === 'manual' && !fake.deny) {
        const id = randomBytes(12).toString('base64url');
        logins.set(id, { redirectUri, state: q.state, clientId: q.client_id });
        return send(res, 302, '', { location: `/sandbox/login?request=${id}` });
      }
      return send(res, 302, '', {
        location: backTo(
          redirectUri,
          q.state,
          fake.deny || fake.approve === 'refuse' ? undefined : fake.userId,
        ),
      });
    }

    // Token request and refresh.
    if (rest === 'token' && req.method === 'POST') {
      if (q.v !== '2.0') return send(res, 400, 'v=2.0 is required');
      if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
        return oauthErr(res, 400, 'invalid_request', 'form body expected');
      const f = entry.form;
      if (!checkClient(res, f)) return;
      if (f.grant_type === 'authorization_code') {
        const c = f.code ? codes.get(f.code) : undefined;
        if (!c || c.clientId !== f.client_id) return oauthErr(res, 400, 'invalid_grant', 'unknown code');
        if (c.used) return oauthErr(res, 400, 'invalid_grant', 'code already used');
        c.used = true;
        if (f.redirect_uri !== c.redirectUri)
          return oauthErr(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
        return send(res, 200, issueTokens(true, true, c.sub));
      }
      if (f.grant_type === 'refresh_token') {
        const rt = f.refresh_token;
        if (!rt || !fake.refreshTokens.has(rt))
          return oauthErr(res, 400, 'invalid_grant', 'refresh token is invalid');
        const sub = refreshOwner.get(rt) ?? fake.userId;
        if (fake.rotate) fake.refreshTokens.delete(rt);
        return send(res, 200, issueTokens(fake.rotate, false, sub));
      }
      return oauthErr(res, 400, 'unsupported_grant_type', 'unsupported grant_type');
    }

    // Revocation: the refresh token, v=1.0, secret in the body.
    if (rest === 'token/revoke' && req.method === 'POST') {
      if (fake.revokeFailure) return send(res, fake.revokeFailure.status, fake.revokeFailure.body);
      if (q.v !== '1.0') return send(res, 400, 'v=1.0 is required');
      const f = entry.form;
      if (!checkClient(res, f)) return;
      if (!f.token || !fake.refreshTokens.has(f.token))
        return oauthErr(res, 400, 'invalid_grant', 'token is invalid or already revoked');
      fake.refreshTokens.delete(f.token);
      // The SSO session ends: every access token of the user dies with it.
      fake.accessTokens.clear();
      return send(res, 200, '');
    }
    return send(res, 404, 'Not Found');
  };

  const server = http.createServer(
    bufferedHandler(
      (req, res, body) => {
        const u = new URL(req.url ?? '/', 'http://x');
        const entry: SentinelRequest = {
          method: req.method ?? 'GET',
          path: u.pathname,
          query: Object.fromEntries(u.searchParams),
          rawQuery: u.search,
          headers: req.headers,
          body,
          form: Object.fromEntries(new URLSearchParams(body)),
        };
        fake.log.push(entry);
        try {
          handle(req, res, entry);
        } catch (e) {
          send(res, 500, `sandbox error: ${(e as Error).message}`);
        }
      },
      { ...(opts.log ? { log: opts.log } : {}), ...(opts.onSecret ? { onSecret: opts.onSecret } : {}) },
    ),
  );
  const running = await listen(server, opts.port ?? 0);
  const port = running.port;

  const fake: LivePersonSandbox = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    account: opts.account ?? '12345678',
    clientId: opts.clientId ?? 'app-install-1',
    clientSecret: opts.clientSecret ?? 'lp-client-secret-XYZ',
    redirectUris: opts.redirectUris ?? ['http://localhost:8976/callback'],
    domainShape: opts.domainShape ?? 'single',
    expiresIn: opts.expiresIn,
    domainHost: `127.0.0.1:${port}`,
    domainStatus: undefined,
    deny: false,
    tamperState: false,
    rotate: true,
    revokeFailure: undefined,
    userId: 'user-42',
    approve: opts.approve ?? 'manual',
    users: opts.users ?? [{ login: 'agent', password: randomBytes(9).toString('base64url') }],
    domainApi: `http://127.0.0.1:${port}`,
    log: [],
    refreshTokens: new Set(),
    accessTokens: new Set(),
    issued: [],
    requests: (part) => fake.log.filter((r) => r.path.includes(part)),
    async authorize(url) {
      const r = await httpGet(url);
      const loc = r.headers.location;
      return { status: r.status, location: typeof loc === 'string' ? loc : undefined };
    },
    async clickThrough(url, user = fake.users[0]) {
      let a = await fake.authorize(url);
      // The login page (approve 'manual'): sign in as a person would, with the form's fields.
      if (a.status === 302 && a.location?.startsWith('/sandbox/login?') && user) {
        const request = new URL(a.location, fake.url).searchParams.get('request') ?? '';
        a = await httpPostForm(`${fake.url}/sandbox/login`, {
          request,
          login: user.login,
          password: user.password,
          action: 'login',
        });
      }
      if (a.status !== 302 || !a.location) return { status: a.status, body: '', location: a.location };
      const cb = await httpGet(a.location);
      return { status: cb.status, body: cb.body, location: a.location };
    },
    pages: [],
    onOpen: (url) => {
      const page = fake.clickThrough(url);
      page.catch(() => {});
      fake.pages.push(page);
      return true;
    },
    close: () => running.close(),
  };
  opts.onSecret?.('clientSecret', fake.clientSecret);
  return fake;
}

/** A free TCP port on 127.0.0.1 (for a redirect URI the emulator can register up front). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Every secret the emulator knows (client secret, tokens, codes): none may appear in authctl's output. */
export function leakedSecrets(fake: LivePersonSandbox, text: string): string[] {
  return [fake.clientSecret, ...fake.issued].filter((s) => text.includes(s));
}
