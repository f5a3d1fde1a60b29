/**
 * An ActiGraph-style IdentityServer token endpoint: `POST /connect/token` with the client
 * credentials grant, as ActiGraph's CentrePoint documentation describes it, answering as
 * IdentityServer4's TokenEndpoint / TokenErrorResult do: form-encoded requests only; client
 * credentials in the body or in a Basic header (form-urlencoded inside, RFC 6749 §2.3.1); every
 * error HTTP 400 with JSON {error, error_description?} — invalid_client included, never a 401 —
 * and no-cache headers; an omitted scope granting all of the client's scopes; openid and
 * offline_access refused as invalid_scope; JWT-shaped access tokens with `expires_in` in seconds.
 *
 * Failure injection reproduces what a deployment in front of it does (503, 429 with Retry-After,
 * a plain-text 400 as ActiGraph's README warns of, an HTML 502 page from a gateway).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { bufferedHandler, type CommonOptions, listen, send } from './shared.js';

/** A registered client. */
export interface ActiGraphClient {
  id: string;
  secret: string;
  /** Scopes this client may request (AllowedScopes). */
  scopes: string[];
  /** Grant types the client may use; default ['client_credentials']. */
  grantTypes?: string[];
}

/** Options for startActiGraph. */
export interface ActiGraphOptions extends CommonOptions {
  /** Registered clients (default: one generated client with every ActiGraph scope). */
  clients?: ActiGraphClient[];
  /** expires_in in answers: a number, or a numeric string as some servers send. Default 3600. */
  expiresIn?: number | string;
  /** Leave `scope` out of successful answers (RFC 6749 §5.1 allows it). */
  omitScope?: boolean;
  /** Delay before each answer (ms), to make concurrent callers overlap. */
  delayMs?: number;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
}

/** One answer to inject instead of the normal handling. */
export type Injected =
  | { kind: '503' }
  | { kind: '429'; retryAfter: string }
  | { kind: 'text400' }
  | { kind: 'html502' };

/** What the emulator saw in one request. */
export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** Decoded form fields (last value wins, as IdentityServer reads them). */
  form: Record<string, string>;
  /** The raw body, to assert that nothing secret travels elsewhere. */
  body: string;
  /** Time the request arrived (epoch ms). */
  at: number;
}

/** A running emulator. */
export interface ActiGraphSandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** The token endpoint: `${url}/connect/token`. */
  tokenUrl: string;
  port: number;
  /** The registered clients. */
  clients: ActiGraphClient[];
  /** Every request received, in order (token endpoint or not). */
  requests: RecordedRequest[];
  /** Access tokens issued, in order. */
  issued: string[];
  /** Answer the next `times` requests with an injected failure. */
  inject(answer: Injected, times?: number): void;
  /** Change expires_in for later answers. */
  setExpiresIn(v: number | string): void;
  close(): Promise<void>;
}

/** The scopes ActiGraph documents for CentrePoint. */
export const ACTIGRAPH_SCOPES = ['CentrePoint', 'DataAccess', 'Analytics', 'DataRetrieval'];

/** A generated client allowed every ActiGraph scope. */
export function generatedActiGraphClient(): ActiGraphClient {
  return {
    id: `sandbox-${crypto.randomBytes(4).toString('hex')}`,
    secret: crypto.randomBytes(24).toString('base64url'),
    scopes: [...ACTIGRAPH_SCOPES],
  };
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Form decoding as application/x-www-form-urlencoded defines it ('+' is a space). */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** Start the emulator on 127.0.0.1. */
export async function startActiGraph(opts: ActiGraphOptions = {}): Promise<ActiGraphSandbox> {
  const clients = opts.clients ?? [generatedActiGraphClient()];
  let expiresIn: number | string = opts.expiresIn ?? 3600;
  const requests: RecordedRequest[] = [];
  const issued: string[] = [];
  const queue: Injected[] = [];
  let base = '';

  const noCache = {
    'cache-control': 'no-store, no-cache, max-age=0',
    pragma: 'no-cache',
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...noCache });
    res.end(JSON.stringify(body));
  };
  // TokenErrorResult.cs: always 400, whatever the error .
  const error = (res: http.ServerResponse, code: string, description?: string) =>
    json(res, 400, description ? { error: code, error_description: description } : { error: code });

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) form[k] = v;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({
      method: req.method ?? '',
      path,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      form,
      body,
      at: Date.now(),
    });
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));

    const injected = queue.shift();
    if (injected) {
      switch (injected.kind) {
        case '503':
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('Service Unavailable');
          return;
        case '429':
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': injected.retryAfter });
          res.end('Too Many Requests');
          return;
        case 'text400':
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Bad Request: the request could not be processed.\n');
          return;
        case 'html502':
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end(
            '<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>' +
              '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
          );
          return;
      }
    }

    if (path !== '/connect/token') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    // TokenEndpoint.cs: not a POST, or not form-encoded → invalid_request.
    if (
      req.method !== 'POST' ||
      !/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')
    ) {
      return error(res, 'invalid_request');
    }

    // Client authentication: Basic header (id and secret form-urlencoded inside) or the body.
    let id = form.client_id;
    let secret = form.client_secret;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return error(res, 'invalid_client');
      try {
        id = formDecode(decoded.slice(0, i));
        secret = formDecode(decoded.slice(i + 1));
      } catch {
        return error(res, 'invalid_client');
      }
    }
    const client = clients.find((c) => c.id === id);
    if (!client || secret === undefined || secret !== client.secret) return error(res, 'invalid_client');

    const grant = form.grant_type;
    if (!grant || grant.length > 100) return error(res, 'unsupported_grant_type');
    if (grant !== 'client_credentials') return error(res, 'unsupported_grant_type');
    if (!(client.grantTypes ?? ['client_credentials']).includes(grant))
      return error(res, 'unauthorized_client');

    // ValidateRequestedScopesAsync: omitted scope → every allowed scope (the IdentityServer quirk).
    const requested = form.scope === undefined ? [...client.scopes] : form.scope.split(' ').filter(Boolean);
    if (form.scope !== undefined && requested.length === 0) return error(res, 'invalid_scope');
    for (const s of requested) {
      if (s === 'openid' || s === 'offline_access' || !client.scopes.includes(s)) {
        return error(res, 'invalid_scope');
      }
    }

    const now = Math.floor(Date.now() / 1000);
    const lifetime = Number(expiresIn);
    const token = [
      b64url({ alg: 'RS256', kid: 'sandbox', typ: 'at+jwt' }),
      b64url({
        iss: base,
        nbf: now,
        iat: now,
        exp: now + lifetime,
        aud: `${base}/resources`,
        client_id: client.id,
        scope: requested,
        jti: crypto.randomBytes(8).toString('hex'),
      }),
      crypto.randomBytes(32).toString('base64url'),
    ].join('.');
    issued.push(token);
    opts.onSecret?.('access', token);
    json(res, 200, {
      access_token: token,
      expires_in: expiresIn,
      token_type: 'Bearer',
      ...(opts.omitScope ? {} : { scope: requested.join(' ') }),
    });
  };

  const listener = bufferedHandler(
    (req, res, body) => {
      handler(req, res, body).catch((e) => send(res, { status: 500, body: String(e) }));
    },
    { ...(opts.log ? { log: opts.log } : {}), ...(opts.onSecret ? { onSecret: opts.onSecret } : {}) },
  );
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
    : http.createServer(listener);
  for (const c of clients) opts.onSecret?.('clientSecret', c.secret);
  // https.Server has the same listen/close/closeAllConnections as http.Server.
  const running = await listen(server as unknown as http.Server, opts.port ?? 0);
  const port = running.port;
  base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: base,
    tokenUrl: `${base}/connect/token`,
    port,
    clients,
    requests,
    issued,
    inject(answer, times = 1) {
      for (let i = 0; i < times; i++) queue.push(answer);
    },
    setExpiresIn(v) {
      expiresIn = v;
    },
    close: () => running.close(),
  };
}
