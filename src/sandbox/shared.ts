/**
 * What every sandbox emulator shares: the loopback HTTP server (start, one log line per request,
 * close with every socket), HTML pages with escaping, and the secret hook.
 *
 * The emulators are product code (`authctl sandbox`, `authctl demo`) and the servers authctl's own
 * tests run against. Nothing here is a security boundary: state lives in memory, pages trust
 * whoever can reach the loopback port.
 */
import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What kind of secret a value is (for a leak checker watching the emulators). */
export type SecretKind =
  | 'access'
  | 'refresh'
  | 'id'
  | 'clientSecret'
  | 'code'
  | 'verifier'
  | 'pollKey'
  /** Not a secret itself: a Pryv consent URL (it embeds the poll key and is meant to be shown). */
  | 'consentUrl';

/** Called with every secret an emulator issues or receives. */
export type OnSecret = (kind: SecretKind, value: string) => void;

/** How `authctl sandbox` answers consent requests: ask a person, or decide at once. */
export type ApprovePolicy = 'manual' | 'auto' | 'refuse';

/** Options every emulator accepts. */
export interface CommonOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** One line per request (method, path without query values or secrets, status). */
  log?: (line: string) => void;
  /** Secret hook (see SecretKind); off by default. */
  onSecret?: OnSecret;
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"'`]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!,
  );
}

/**
 * A whole HTML page. `bodyHtml` must already be escaped (build it with escapeHtml); the title is
 * escaped here. No script and no external resource: the pages work offline and without JS.
 */
export function htmlPage(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.sandbox{font-size:.8rem;color:#a33;text-transform:uppercase;letter-spacing:.05em}
ul{padding-left:1.2rem}code{background:#f3f3f3;padding:0 .2rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem;cursor:pointer}
label{display:block;margin:.6rem 0 .2rem}input{font-size:1rem;padding:.3rem;width:100%;box-sizing:border-box}
</style>
</head>
<body>
<p class="sandbox">authctl sandbox — local emulator, not the real service</p>
<h1 id="title">${escapeHtml(title)}</h1>
${bodyHtml}
</body>
</html>
`;
}

/** One HTTP answer: an object is sent as JSON, a string as is. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers,
});

/** HTML answer. */
export const html = (status: number, page: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body: page,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers },
});

/** Plain-text answer (or another text type). */
export const text = (status: number, body: string, type = 'text/plain'): Answer => ({
  status,
  body,
  headers: { 'content-type': `${type}; charset=utf-8` },
});

/** Send an Answer on `res`. */
export function send(res: http.ServerResponse, a: Answer): void {
  const isText = typeof a.body === 'string';
  const payload = isText ? (a.body as string) : JSON.stringify(a.body);
  const headers: Record<string, string | number> = {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...a.headers,
  };
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(a.status, headers);
  res.end(payload);
}

/** Parse an application/x-www-form-urlencoded body (last value wins). */
export function parseForm(raw: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw));
}

/** The path for a log line: query keys kept, query values dropped (they may be secrets). */
export function logPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  if (q < 0) return rawUrl;
  const keys = [...new URLSearchParams(rawUrl.slice(q + 1)).keys()];
  return keys.length ? `${rawUrl.slice(0, q)}?${keys.join('&')}` : rawUrl.slice(0, q);
}

const REQUEST_SECRET_FIELDS: Record<string, SecretKind> = {
  client_secret: 'clientSecret',
  code: 'code',
  code_verifier: 'verifier',
  refresh_token: 'refresh',
};

/** Report the secrets a request carries (form or JSON body fields, a Basic password). */
export function reportRequestSecrets(
  onSecret: OnSecret | undefined,
  headers: http.IncomingHttpHeaders,
  raw: string,
): void {
  if (!onSecret) return;
  const auth = headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) {
      const secret = decoded.slice(i + 1);
      try {
        onSecret('clientSecret', decodeURIComponent(secret.replace(/\+/g, ' ')));
      } catch {
        onSecret('clientSecret', secret);
      }
    }
  }
  if (raw === '') return;
  let fields: Record<string, unknown> = {};
  if (/^\s*\{/.test(raw)) {
    try {
      fields = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
  } else fields = parseForm(raw);
  for (const [k, kind] of Object.entries(REQUEST_SECRET_FIELDS)) {
    const v = fields?.[k];
    if (typeof v === 'string' && v !== '') onSecret(kind, v);
  }
}

/** A started loopback server. */
export interface Running {
  server: http.Server;
  port: number;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  /** Stop listening and destroy every open connection (held requests included). */
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:`port` (0 = free port); resolves once listening, rejects on EADDRINUSE. */
export async function listen(server: http.Server, port = 0): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * A request handler that reads the whole body first, then asks `route` for an Answer (or lets it
 * answer `res` itself by returning undefined, for held requests), logs one line and reports the
 * request's secrets.
 */
export function bufferedHandler(
  /** Returns an Answer to send, or anything else when it answered `res` itself (or will, later). */
  route: (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => unknown,
  opts: { log?: (line: string) => void; onSecret?: OnSecret; redactPath?: (p: string) => string },
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (opts.log) {
        const log = opts.log;
        const shown = logPath(opts.redactPath ? opts.redactPath(req.url ?? '/') : (req.url ?? '/'));
        const started = Date.now();
        res.once('close', () => {
          const status = res.headersSent ? res.statusCode : 'closed';
          log(`${req.method ?? '?'} ${shown} ${status} ${Date.now() - started}ms`);
        });
      }
      reportRequestSecrets(opts.onSecret, req.headers, raw);
      let a: unknown;
      try {
        a = route(req, res, raw);
      } catch (e) {
        a = json(500, { error: { id: 'unexpected-error', message: (e as Error).message } });
      }
      if (typeof a === 'object' && a !== null && 'status' in a && !res.headersSent) send(res, a as Answer);
    });
  };
}
