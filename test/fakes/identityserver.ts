/**
 * A fake IdentityServer4-style token endpoint (protocols.md §4.7), as ActiGraph's
 * auth.actigraphcorp.com presumably runs: POST /connect/token, form-encoded, client credentials
 * in the body or in a Basic header (form-urlencoded inside, RFC 6749 §2.3.1), every error HTTP 400
 * with JSON {error, error_description} — invalid_client included, never a 401 — no-cache headers,
 * an omitted scope granting all the client's scopes, and JWT-looking access tokens.
 * Failure injection reproduces what a real deployment in front of it does (503, 429 + Retry-After,
 * a plain-text 400 as ActiGraph's README warns of, an HTML 502 page from a gateway).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { recordSecret, tapServer } from '../helpers/leaks.js';

/** A registered client. */
export interface IdsClient {
  id: string;
  secret: string;
  /** Scopes this client may request (AllowedScopes). */
  scopes: string[];
  /** Grant types the client may use; default ['client_credentials']. */
  grantTypes?: string[];
}

/** Options for the fake. */
export interface IdsOptions {
  clients?: IdsClient[];
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

/** What the fake saw in one request. */
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

/** A running fake. */
export interface IdsFake {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** The token endpoint: `${url}/connect/token`. */
  tokenUrl: string;
  port: number;
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

/** Default clients: `ci-client` may use every ActiGraph scope; `limited` only CentrePoint. */
export const DEFAULT_IDS_CLIENTS: IdsClient[] = [
  {
    id: 'ci-client',
    secret: 'ci-s3cret:with+odd/chars=%',
    scopes: ['CentrePoint', 'DataAccess', 'Analytics', 'DataRetrieval'],
  },
  { id: 'limited', secret: 'limited-secret', scopes: ['CentrePoint'] },
  { id: 'no-cc', secret: 'no-cc-secret', scopes: ['CentrePoint'], grantTypes: ['authorization_code'] },
];

/**
 * The CI recipe's argv against this fake (or any token URL):
 * `actigraph token --client-id <id> --scope CentrePoint --token-url <tokenUrl> …extra`.
 */
export function actigraphArgs(
  tokenUrl: string,
  extra: string[] = [],
  client: Pick<IdsClient, 'id'> = DEFAULT_IDS_CLIENTS[0]!,
): string[] {
  return [
    'actigraph',
    'token',
    '--client-id',
    client.id,
    '--scope',
    'CentrePoint',
    '--token-url',
    tokenUrl,
    ...extra,
  ];
}

/** The environment that hands the recipe its secret: `{ AUTHCTL_CLIENT_SECRET: <secret> }`. */
export function actigraphEnv(client: Pick<IdsClient, 'secret'> = DEFAULT_IDS_CLIENTS[0]!): {
  AUTHCTL_CLIENT_SECRET: string;
} {
  return { AUTHCTL_CLIENT_SECRET: client.secret };
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Form decoding as application/x-www-form-urlencoded defines it ('+' is a space). */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** Start the fake on 127.0.0.1 with a free port. */
export async function startIdentityServer(opts: IdsOptions = {}): Promise<IdsFake> {
  const clients = opts.clients ?? DEFAULT_IDS_CLIENTS;
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
  // TokenErrorResult.cs: always 400, whatever the error (protocols.md §4.7).
  const error = (res: http.ServerResponse, code: string, description?: string) =>
    json(res, 400, description ? { error: code, error_description: description } : { error: code });

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
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
      b64url({ alg: 'RS256', kid: 'fake', typ: 'at+jwt' }),
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
    json(res, 200, {
      access_token: token,
      expires_in: expiresIn,
      token_type: 'Bearer',
      ...(opts.omitScope ? {} : { scope: requested.join(' ') }),
    });
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((e) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
    : http.createServer(listener);
  // Leak check (test/helpers/leaks.ts): what this fake issues and receives is secret.
  tapServer(server, 'identityserver');
  for (const c of clients) recordSecret('clientSecret', c.secret, 'identityserver');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: base,
    tokenUrl: `${base}/connect/token`,
    port,
    requests,
    issued,
    inject(answer, times = 1) {
      for (let i = 0; i < times; i++) queue.push(answer);
    },
    setExpiresIn(v) {
      expiresIn = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
