/**
 * A fake LivePerson Sentinel (protocols.md §3) plus the domain API (§3.2), on a real node:http
 * server at 127.0.0.1:0. It enforces what the docs say a client must do — `v=1.0`/`v=2.0`, the
 * client secret in the form body, a registered and byte-identical `redirect_uri`, single-use codes,
 * refresh-token rotation, revocation with the refresh token — and logs every request so tests can
 * assert where secrets went.
 */

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { recordSecret, tapServer } from '../helpers/leaks.js';

/** One request as the fake saw it. */
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

/** Settings of the fake (all mutable on the returned object between requests). */
export interface SentinelOptions {
  account?: string;
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs (compared byte for byte). */
  redirectUris?: string[];
  /** Domain API answer shape: top-level `baseURI` or the `baseURIs[]` list (§3.2). */
  domainShape?: 'single' | 'list';
  /** `expires_in` sent with tokens; undefined = omitted (the documented case, §3.5). */
  expiresIn?: number | undefined;
}

/** A running fake Sentinel. */
export interface FakeSentinel {
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
  /** Subject (user id) put into id_token `sub`. */
  userId: string;
  log: SentinelRequest[];
  /** Valid refresh tokens. */
  refreshTokens: Set<string>;
  /** Valid access tokens. */
  accessTokens: Set<string>;
  /** Every token and code the fake has issued (to check that none leaks into output). */
  issued: string[];
  /** Requests whose path contains `part`. */
  requests(part: string): SentinelRequest[];
  /** The browser's part: GET the authorize URL and return the Location the fake redirects to. */
  authorize(url: string): Promise<{ status: number; location: string | undefined }>;
  /**
   * The user clicking through: authorize, then follow the redirect to the loopback listener
   * (as a browser would) and return that page's status and body.
   */
  clickThrough(url: string): Promise<{ status: number; body: string; location: string | undefined }>;
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

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT shaped like Sentinel's id_token (§3.5); the signature is junk — authctl does not verify it. */
export function sentinelIdToken(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'RS256', kid: '0000001', typ: 'JWT' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
}

/** Start a fake Sentinel. */
export async function startSentinel(opts: SentinelOptions = {}): Promise<FakeSentinel> {
  const codes = new Map<string, { clientId: string; redirectUri: string; used: boolean }>();
  const token = (prefix: string) => {
    const t = `${prefix}${randomBytes(18).toString('base64url')}`;
    fake.issued.push(t);
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

  const issueTokens = (withRefresh: boolean, withId: boolean) => {
    const access = token('lp-at-');
    fake.accessTokens.add(access);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer' };
    if (withRefresh) {
      const refresh = token('lp-rt-');
      fake.refreshTokens.add(refresh);
      body.refresh_token = refresh;
    }
    if (withId) {
      const now = Math.floor(Date.now() / 1000);
      const id = sentinelIdToken({
        sub: fake.userId,
        aud: fake.clientId,
        iss: 'Sentinel',
        iat: now,
        exp: now + 3600,
        is_admin: true,
        is_lpa: false,
      });
      fake.issued.push(id);
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

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, entry: SentinelRequest) => {
    const p = entry.path;
    const q = entry.query;
    const acct = `/account/${fake.account}/`;

    // Domain API (§3.2).
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
    if (!p.startsWith('/sentinel/api/account/')) return send(res, 404, 'Not Found');
    if (!p.startsWith(`/sentinel/api${acct}`)) return send(res, 401, 'invalid site');
    const rest = p.slice(`/sentinel/api${acct}`.length);

    // Authorization request (§3.4): a browser GET.
    if (rest === 'authorize' && req.method === 'GET') {
      if (q.v !== '1.0') return send(res, 400, 'v=1.0 is required');
      if (q.response_type !== 'code') return send(res, 400, 'response_type=code is required');
      if (q.client_id !== fake.clientId) return send(res, 401, 'invalid application id');
      const redirectUri = q.redirect_uri;
      if (redirectUri === undefined || !fake.redirectUris.includes(redirectUri))
        return send(res, 400, 'redirect_uri is not registered');
      const back = new URL(redirectUri);
      const state = fake.tamperState ? `${q.state ?? ''}x` : q.state;
      if (fake.deny) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The user denied the request');
      } else {
        const code = token('lp-code-');
        codes.set(code, { clientId: q.client_id, redirectUri, used: false });
        back.searchParams.set('code', code);
      }
      if (state !== undefined) back.searchParams.set('state', state);
      return send(res, 302, '', { location: back.toString() });
    }

    // Token request (§3.5) and refresh (§3.6).
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
        return send(res, 200, issueTokens(true, true));
      }
      if (f.grant_type === 'refresh_token') {
        const rt = f.refresh_token;
        if (!rt || !fake.refreshTokens.has(rt))
          return oauthErr(res, 400, 'invalid_grant', 'refresh token is invalid');
        if (fake.rotate) fake.refreshTokens.delete(rt);
        return send(res, 200, issueTokens(fake.rotate, false));
      }
      return oauthErr(res, 400, 'unsupported_grant_type', 'unsupported grant_type');
    }

    // Revocation (§3.7): the refresh token, v=1.0, secret in the body.
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

  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
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
        send(res, 500, `fake error: ${(e as Error).message}`);
      }
    });
  });
  // Leak check (test/helpers/leaks.ts): what this fake issues and receives is secret.
  tapServer(server, 'sentinel');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const fake: FakeSentinel = {
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
    async clickThrough(url) {
      const a = await fake.authorize(url);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  recordSecret('clientSecret', fake.clientSecret, 'sentinel');
  return fake;
}

/** A free TCP port on 127.0.0.1 (for a redirect URI the fake can register up front). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Every secret the fake knows (client secret, tokens, codes): none may appear in authctl's output. */
export function leakedSecrets(fake: FakeSentinel, text: string): string[] {
  return [fake.clientSecret, ...fake.issued].filter((s) => text.includes(s));
}
