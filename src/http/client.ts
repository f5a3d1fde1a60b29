/**
 * The HTTP client: node:http / node:https behind a small interface. Timeouts per attempt (until the
 * headers) and for the whole body, bounded retries with backoff on 5xx / connection resets (opt-in
 * per request), Retry-After on 429, proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (proxy.ts), extra
 * CAs (--ca-file; NODE_EXTRA_CA_CERTS is Node's own), a body-size cap, redirects never followed, and
 * `--verbose` request logs that carry no secrets.
 *
 * Why not fetch: Node's built-in fetch compiles undici's JavaScript on first use, ≈110 ms and
 * +40 MiB for a CLI that sends one request (docs/performance.md has the figures).
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { asInterrupted, FailureError, NetworkError, ProtocolError, sleep } from '../errors.js';
import { connectTunnel, proxyAuthorization, proxyFor } from './proxy.js';
import { checkUrl, redactUrl } from './url.js';

/** One HTTP request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** JSON body (sets content-type). */
  json?: unknown;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string> | URLSearchParams;
  /** Time allowed until response headers arrive, per attempt (ms); 0 = none. Default 30 s. */
  timeoutMs?: number;
  /** Time allowed for the whole body once the headers arrived (ms); 0 = none. Default 30 s. */
  bodyTimeoutMs?: number;
  /** Extra attempts on 5xx, 429 and connection resets. Default 0. */
  retries?: number;
  signal?: AbortSignal | undefined;
  /** Largest body accepted (bytes). Default 1 MiB. */
  maxBodyBytes?: number;
  /** How the URL appears in verbose logs and errors (default: query values and user info hidden). */
  logUrl?: string;
}

/** A response with the body already read as text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  url: string;
}

/** What flows use to talk HTTP. */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** A TLS client certificate and its private key, both PEM (mutual TLS, RFC 8705). */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/** Settings for the real client. */
export interface HttpClientOptions {
  insecure: boolean;
  caFile?: string | undefined;
  /** Present this certificate in TLS handshakes. */
  clientCert?: ClientCertificate | undefined;
  debug: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Cap on a Retry-After wait (ms). Default 30 s. */
  maxRetryAfterMs?: number;
  /** Base backoff (ms). Default 500. */
  backoffMs?: number;
}

const MiB = 1024 * 1024;

/** Time allowed to establish a connection (TCP, proxy tunnel and TLS), within the header timeout. */
const CONNECT_TIMEOUT_MS = 15_000;

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Retry-After as ms (seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET|HOSTNAME|ALTNAME|EPROTO/i;

/** Map a transport failure to a one-line, secret-free error with a stable code. */
function transportError(e: unknown, host: string): FailureError {
  if (e instanceof FailureError) return e;
  const code = errCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(
        `cannot connect to ${host}: connection refused`,
        'Is the server running and the URL right?',
        'network.refused',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return new NetworkError(
        `cannot resolve ${host} (DNS lookup failed)`,
        'Check the host name and your network.',
        'network.dns',
      );
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new NetworkError(
        `connection to ${host} was closed before the answer was complete`,
        undefined,
        'network.reset',
      );
    case 'ETIMEDOUT':
      return new NetworkError(`connecting to ${host} timed out`, undefined, 'network.timeout');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NetworkError(
        `cannot reach ${host} (${code})`,
        'Check the host name and your network.',
        'network.unreachable',
      );
    default:
      if (code && TLS_CODE.test(code)) {
        return new NetworkError(
          `TLS failure talking to ${host} (${code})`,
          'If the server uses a private CA, pass --ca-file <pem> or set NODE_EXTRA_CA_CERTS.',
          'network.tls',
        );
      }
      return new NetworkError(
        `request to ${host} failed: ${code ?? String((e as Error)?.message ?? e)}`,
        undefined,
        'network.failed',
      );
  }
}

/** Failures worth another attempt (when the request allows retries). */
const transient = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ECONNREFUSED']);

/** Re-exported: flows import the abortable sleep from here. */
export { sleep };

/** Marks an abort caused by one of our own timers (not by the user). */
class TimerAbort extends Error {}

/** The CA list for --ca-file: Node's roots, NODE_EXTRA_CA_CERTS (which `ca` would drop) and the file. */
function loadCa(caFile: string, env: NodeJS.ProcessEnv): string[] {
  const fs = process.getBuiltinModule('node:fs');
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new FailureError(
      `cannot read --ca-file ${caFile}: ${(e as Error).message}`,
      undefined,
      'network.ca_file',
    );
  }
  const ca = [...process.getBuiltinModule('node:tls').rootCertificates, pem];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      ca.push(fs.readFileSync(extra, 'utf8'));
    } catch {
      /* Node already warned about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  return ca;
}

/** What once() needs to send one attempt. */
interface Prepared {
  url: URL;
  host: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/**
 * Build the client. node:http / node:https are loaded on the first request (they are part of Node's
 * snapshot, so this costs little), the CA file is read once.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const env = opts.env ?? process.env;
  let ca: string[] | undefined;
  const caList = () => {
    if (opts.caFile && !ca) ca = loadCa(opts.caFile, env);
    return ca;
  };
  const maxRetryAfter = opts.maxRetryAfterMs ?? 30_000;
  const backoff = opts.backoffMs ?? 500;

  /** Start the request: directly, through a CONNECT tunnel (https) or in absolute form (http). */
  async function open(p: Prepared, method: string, signal: AbortSignal): Promise<ClientRequest> {
    const { url } = p;
    const https = url.protocol === 'https:';
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port || (https ? '443' : '80');
    const proxy = proxyFor(url, env);
    const headers: Record<string, string> = { ...p.headers, host: url.host };
    const base: RequestOptions = { method, headers, signal, agent: false };
    if (proxy && !https) {
      // RFC 9112 §3.2.2: absolute-form request to the proxy.
      const auth = proxyAuthorization(proxy);
      if (auth) headers['proxy-authorization'] = auth;
      return process.getBuiltinModule(proxy.protocol === 'https:' ? 'node:https' : 'node:http').request({
        ...base,
        host: proxy.hostname.replace(/^\[|\]$/g, ''),
        port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
        path: `${url.origin}${url.pathname}${url.search}`,
      });
    }
    const tlsOptions = {
      ...(caList() ? { ca: caList() } : {}),
      ...(opts.clientCert ? { cert: opts.clientCert.cert, key: opts.clientCert.key } : {}),
      // SNI carries names only, never IP addresses (RFC 6066 §3).
      ...(process.getBuiltinModule('node:net').isIP(hostname) ? {} : { servername: hostname }),
    };
    const path = `${url.pathname}${url.search}`;
    if (proxy && https) {
      const raw = await connectTunnel(proxy, hostname, port, signal);
      // TLS to the origin over the tunnel, with the origin's CA options (--ca-file works here too).
      const socket = process
        .getBuiltinModule('node:tls')
        .connect({ ...tlsOptions, socket: raw, host: hostname });
      return process.getBuiltinModule('node:http').request({
        method,
        headers,
        signal,
        path,
        createConnection: () => socket as unknown as Socket,
      });
    }
    const mod = process.getBuiltinModule(https ? 'node:https' : 'node:http');
    return mod.request({ ...base, ...(https ? tlsOptions : {}), host: hostname, port, path });
  }

  async function once(req: HttpRequest, p: Prepared, shownUrl: string): Promise<HttpResponse> {
    const headersTimeout = req.timeoutMs ?? 30_000;
    const bodyTimeout = req.bodyTimeoutMs ?? 30_000;
    const max = req.maxBodyBytes ?? MiB;
    const started = Date.now();
    const { host } = p;
    // One controller for the user's Ctrl-C and our own timers.
    const ac = new AbortController();
    const onUserAbort = () => ac.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onUserAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    let timedOut: 'connect' | number | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      if (ms > 0) {
        timer = setTimeout(() => {
          timedOut = ms;
          ac.abort(new TimerAbort());
        }, ms);
      }
    };
    let phase: 'headers' | 'body' = 'headers';
    const fail = (e: unknown): never => {
      if (req.signal?.aborted) throw asInterrupted(req.signal);
      if (e instanceof ProtocolError) throw e;
      if (timedOut !== undefined) {
        opts.debug(`${req.method} ${shownUrl} -> timeout (${Date.now() - started} ms)`);
        throw Object.assign(
          timedOut === 'connect'
            ? new NetworkError(`connecting to ${host} timed out`, undefined, 'network.timeout')
            : new NetworkError(
                `${host} did not answer within ${Math.round(timedOut / 1000)}s`,
                undefined,
                'network.timeout',
              ),
          // A connection that never came up is worth another try; a server that does not answer is not.
          { transient: timedOut === 'connect' },
        );
      }
      if (phase === 'headers')
        opts.debug(`${req.method} ${shownUrl} -> ${errCode(e) ?? 'error'} (${Date.now() - started} ms)`);
      const code = errCode(e) ?? '';
      throw Object.assign(transportError(e, host), {
        transient: phase === 'body' || transient.has(code),
      });
    };
    try {
      // The header timeout runs from the start of the attempt; the connection (TCP, proxy tunnel,
      // TLS) must also be up within CONNECT_TIMEOUT_MS.
      arm(headersTimeout);
      connectTimer = setTimeout(() => {
        timedOut = 'connect';
        ac.abort(new TimerAbort());
      }, CONNECT_TIMEOUT_MS);
      let res: IncomingMessage;
      try {
        const creq = await open(p, req.method, ac.signal);
        res = await new Promise<IncomingMessage>((resolve, reject) => {
          creq.once('error', reject);
          creq.once('socket', (s: Socket) => {
            const up = () => clearTimeout(connectTimer);
            s.once('encrypted' in s ? 'secureConnect' : 'connect', up);
          });
          creq.once('response', resolve);
          creq.end(p.body);
        });
      } catch (e) {
        return fail(e);
      }
      clearTimeout(connectTimer);
      phase = 'body';
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      try {
        arm(bodyTimeout);
        let size = 0;
        // No re-arming per chunk: the limit is for the whole body, so a server dripping a byte at a
        // time cannot hold authctl past its deadline.
        await new Promise<void>((resolve, reject) => {
          const cut = () => reject(Object.assign(new Error('closed mid-body'), { code: 'ECONNRESET' }));
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > max) {
              reject(
                new ProtocolError(
                  `the answer from ${host} is larger than ${Math.round(max / 1024)} KiB; refusing it`,
                  undefined,
                  'http.too_large',
                ),
              );
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          // A body shorter than its Content-Length (or chunked and cut) never completes.
          res.once('end', () => (res.complete ? resolve() : cut()));
          res.once('error', reject);
          res.once('aborted', cut);
          res.once('close', () => {
            if (!res.complete) cut();
          });
        });
      } catch (e) {
        res.destroy();
        return fail(e);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      opts.debug(`${req.method} ${shownUrl} -> ${status} (${Date.now() - started} ms)`);
      const flat: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        flat[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      let json: unknown;
      if (text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status, headers: flat, text, json, url: req.url };
    } finally {
      clearTimeout(timer);
      clearTimeout(connectTimer);
      req.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** Headers and body for a request (the same bytes on every attempt). */
  function prepare(req: HttpRequest, url: URL): Prepared {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries({ 'user-agent': 'authctl', ...req.headers }))
      headers[k.toLowerCase()] = v;
    let body: Buffer | undefined;
    if (req.json !== undefined) {
      body = Buffer.from(JSON.stringify(req.json), 'utf8');
      headers['content-type'] = 'application/json';
    } else if (req.form) {
      body = Buffer.from(new URLSearchParams(req.form).toString(), 'utf8');
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    if (body) headers['content-length'] = String(body.length);
    else if (req.method !== 'GET') headers['content-length'] = '0';
    headers.accept ??= 'application/json';
    return { url, host: url.host, headers, body };
  }

  return {
    async request(req) {
      // Defence in depth: flows check URLs first with the right exit code; this catches the rest.
      const url = checkUrl(req.url, { insecure: opts.insecure, source: 'server', label: 'request URL' });
      const shownUrl = req.logUrl ?? redactUrl(req.url);
      const prepared = prepare(req, url);
      const attempts = 1 + Math.max(0, req.retries ?? 0);
      for (let i = 1; ; i++) {
        let res: HttpResponse;
        try {
          res = await once(req, prepared, shownUrl);
        } catch (e) {
          if ((e as { transient?: boolean }).transient && i < attempts) {
            await sleep(backoff * 2 ** (i - 1), req.signal);
            continue;
          }
          throw e;
        }
        if (i < attempts && (res.status >= 500 || res.status === 429)) {
          const ra = res.status === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
          const wait = Math.min(ra ?? backoff * 2 ** (i - 1), maxRetryAfter);
          opts.debug(`retrying in ${wait} ms (attempt ${i + 1} of ${attempts})`);
          await sleep(wait, req.signal);
          continue;
        }
        return res;
      }
    },
  };
}
