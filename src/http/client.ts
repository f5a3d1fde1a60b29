/**
 * The HTTP client: undici (Node's built-in fetch, or the undici package when a proxy or CA file needs
 * it) behind a small interface. Timeouts per attempt, bounded retries with backoff on 5xx / connection resets (opt-in per request), Retry-After on 429,
 * proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, extra CAs, a body-size cap, redirects never followed,
 * and `--verbose` request logs that carry no secrets.
 */
import fs from 'node:fs';
import { asInterrupted, FailureError, NetworkError, ProtocolError, sleep } from '../errors.js';
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

/** The most specific message in an error's cause chain ("fetch failed" → "bad port"). */
function innermostMessage(e: unknown): string {
  let msg = String((e as Error)?.message ?? e);
  let cur: unknown = (e as { cause?: unknown })?.cause;
  for (let i = 0; i < 4 && cur; i++) {
    const m = (cur as Error).message;
    if (typeof m === 'string' && m) msg = m;
    cur = (cur as { cause?: unknown }).cause;
  }
  return msg;
}

/** Map a transport failure to a one-line, secret-free error. */
function transportError(e: unknown, host: string, timeoutMs: number): FailureError {
  const code = errCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(
        `cannot connect to ${host}: connection refused`,
        'Is the server running and the URL right?',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(
        `cannot resolve ${host} (DNS lookup failed)`,
        'Check the host name and your network.',
      );
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new NetworkError(`connection to ${host} was closed before the answer was complete`);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new NetworkError(`connecting to ${host} timed out`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new NetworkError(`${host} did not answer within ${Math.round(timeoutMs / 1000)}s`);
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return new NetworkError(`${host} closed the connection in the middle of the answer`);
    default:
      if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
        return new NetworkError(
          `TLS failure talking to ${host} (${code})`,
          'If the server uses a private CA, pass --ca-file <pem> or set NODE_EXTRA_CA_CERTS.',
        );
      }
      if (!code && innermostMessage(e) === 'bad port') {
        return new NetworkError(
          `request to ${host} refused by Node's fetch: the port is on the Fetch standard's list of blocked ports`,
          'Serve the endpoint on another port.',
        );
      }
      return new NetworkError(`request to ${host} failed: ${code ?? innermostMessage(e)}`);
  }
}

const transient = new Set([
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
]);

/** Re-exported: flows import the abortable sleep from here. */
export { sleep };

/** How requests are sent: Node's built-in fetch, or the undici package's fetch with a dispatcher. */
interface Transport {
  fetch: typeof globalThis.fetch;
  dispatcher?: unknown;
}

/** Marks an abort caused by one of our own timers (not by the user). */
class TimerAbort extends Error {}

/**
 * Build the client. Requests go through undici either way: Node's built-in copy (global `fetch`)
 * by default, and the undici package — with EnvHttpProxyAgent for HTTPS_PROXY/HTTP_PROXY/NO_PROXY,
 * or an Agent carrying --ca-file — only when a proxy or an extra CA file is configured, because
 * importing the package costs more start-up time than a whole token request (see README, Performance).
 * NODE_EXTRA_CA_CERTS is honoured by Node's TLS in both cases.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const env = opts.env ?? process.env;
  let transport: Promise<Transport> | undefined;

  const load = () => {
    transport ??= (async (): Promise<Transport> => {
      const hasProxy = Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
      if (!hasProxy && !opts.caFile && !opts.clientCert) return { fetch: globalThis.fetch };
      const mod = await import('undici');
      let ca: string[] | undefined;
      if (opts.caFile) {
        const tls = await import('node:tls');
        let pem: string;
        try {
          pem = fs.readFileSync(opts.caFile, 'utf8');
        } catch (e) {
          throw new FailureError(`cannot read --ca-file ${opts.caFile}: ${(e as Error).message}`);
        }
        ca = [...tls.rootCertificates, pem];
        // Passing `ca` replaces Node's defaults, so keep NODE_EXTRA_CA_CERTS in as well.
        const extra = env.NODE_EXTRA_CA_CERTS;
        if (extra) {
          try {
            ca.push(fs.readFileSync(extra, 'utf8'));
          } catch {
            /* Node already warned about an unreadable NODE_EXTRA_CA_CERTS */
          }
        }
      }
      const connect = {
        timeout: 15_000,
        ...(ca ? { ca } : {}),
        ...(opts.clientCert ? { cert: opts.clientCert.cert, key: opts.clientCert.key } : {}),
      };
      const dispatcher = hasProxy ? new mod.EnvHttpProxyAgent({ connect }) : new mod.Agent({ connect });
      return { fetch: mod.fetch as unknown as typeof globalThis.fetch, dispatcher };
    })();
    return transport;
  };

  const maxRetryAfter = opts.maxRetryAfterMs ?? 30_000;
  const backoff = opts.backoffMs ?? 500;

  async function once(req: HttpRequest, shownUrl: string): Promise<HttpResponse> {
    const t = await load();
    const headers: Record<string, string> = { 'user-agent': 'authctl', ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.form) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    headers.accept ??= 'application/json';
    const headersTimeout = req.timeoutMs ?? 30_000;
    const bodyTimeout = req.bodyTimeoutMs ?? 30_000;
    const started = Date.now();
    const host = new URL(req.url).host;
    // One controller for the user's Ctrl-C and our own timers.
    const ac = new AbortController();
    const onUserAbort = () => ac.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onUserAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let timedOutAfter = 0;
    const arm = (ms: number) => {
      clearTimeout(timer);
      if (ms > 0) {
        timer = setTimeout(() => {
          timedOutAfter = ms;
          ac.abort(new TimerAbort());
        }, ms);
      }
    };
    const fail = (e: unknown, phase: 'headers' | 'body'): never => {
      if (req.signal?.aborted) throw asInterrupted(req.signal);
      if (timedOutAfter) {
        opts.debug(`${req.method} ${shownUrl} -> timeout (${Date.now() - started} ms)`);
        throw Object.assign(
          new NetworkError(`${host} did not answer within ${Math.round(timedOutAfter / 1000)}s`),
          { transient: false },
        );
      }
      if (phase === 'headers')
        opts.debug(`${req.method} ${shownUrl} -> ${errCode(e) ?? 'error'} (${Date.now() - started} ms)`);
      const code = errCode(e) ?? '';
      throw Object.assign(transportError(e, host, headersTimeout), {
        transient: phase === 'body' || transient.has(code),
      });
    };
    try {
      arm(headersTimeout);
      let res: Response;
      try {
        res = await t.fetch(req.url, {
          method: req.method,
          headers,
          body,
          redirect: 'manual',
          signal: ac.signal,
          ...(t.dispatcher ? { dispatcher: t.dispatcher } : {}),
        } as RequestInit);
      } catch (e) {
        return fail(e, 'headers');
      }
      const max = req.maxBodyBytes ?? MiB;
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        arm(bodyTimeout);
        if (res.body) {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            size += chunk.length;
            if (size > max) {
              ac.abort(new TimerAbort());
              throw new ProtocolError(
                `the answer from ${host} is larger than ${Math.round(max / 1024)} KiB; refusing it`,
              );
            }
            // No re-arming per chunk: the limit is for the whole body, so a server dripping a byte
            // at a time cannot hold authctl past its deadline.
            chunks.push(chunk);
          }
        }
      } catch (e) {
        if (e instanceof ProtocolError) throw e;
        return fail(e, 'body');
      }
      const text = Buffer.concat(chunks).toString('utf8');
      opts.debug(`${req.method} ${shownUrl} -> ${res.status} (${Date.now() - started} ms)`);
      const flat: Record<string, string | undefined> = {};
      res.headers.forEach((v, k) => {
        flat[k] = v;
      });
      let json: unknown;
      if (text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: res.status, headers: flat, text, json, url: req.url };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  return {
    async request(req) {
      // Defence in depth: flows check URLs first with the right exit code; this catches the rest.
      checkUrl(req.url, { insecure: opts.insecure, source: 'server', label: 'request URL' });
      const shownUrl = req.logUrl ?? redactUrl(req.url);
      const attempts = 1 + Math.max(0, req.retries ?? 0);
      for (let i = 1; ; i++) {
        let res: HttpResponse;
        try {
          res = await once(req, shownUrl);
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
