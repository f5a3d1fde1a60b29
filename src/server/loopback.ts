/**
 * The loopback listener that receives the authorization redirect (RFC 8252 §7.3, §8.3; wrangler's
 * rules): bound to the loopback interface only, answering only the callback path, every response
 * ended before the server closes, and nothing from the URL (code, state) ever logged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailureError } from '../errors.js';
import { isLoopbackHost } from '../http/url.js';
import { errorPage, notFoundPage, PAGE_HEADERS, type Page } from './pages.js';

/** Where and how to listen. */
export interface LoopbackOptions {
  /** The redirect URI's host: 127.0.0.1 (or another 127/8 address), ::1, or localhost (both families). */
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** The callback path; every other path answers 404. */
  path: string;
  /** Handles a request on the callback path; its page is sent once it resolves. */
  onCallback: (url: URL) => Promise<Page>;
  /** The redirect URI and the flag that sets it, for the port-in-use message. */
  redirectUri: string;
  flag?: string;
  debug?: (line: string) => void;
}

/** A running listener. */
export interface LoopbackServer {
  /** The port actually bound. */
  port: number;
  /** Wait for every response in progress to end, then stop listening and drop the connections. */
  close(): Promise<void>;
}

/** The addresses to bind for a redirect host: `localhost` may resolve to either family in the browser. */
export function bindAddresses(hostname: string): string[] {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return ['127.0.0.1', '::1'];
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return ['::1'];
  return [h];
}

function send(res: http.ServerResponse, page: Page, method: string | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (res.writableEnded || res.destroyed) {
      resolve();
      return;
    }
    res.writeHead(page.status, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(page.html) });
    res.end(method === 'HEAD' ? undefined : page.html, () => resolve());
    res.once('close', () => resolve());
  });
}

function listenOn(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** Start listening (before the browser opens, so the redirect cannot arrive to a closed port). */
export async function listenLoopback(opts: LoopbackOptions): Promise<LoopbackServer> {
  const debug = opts.debug ?? (() => {});
  const inFlight = new Set<Promise<void>>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const work = (async () => {
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://127.0.0.1');
      } catch {
        await send(res, notFoundPage(), req.method);
        return;
      }
      // Only the callback path, only GET/HEAD, and only for a loopback Host (DNS rebinding).
      if (
        url.pathname !== opts.path ||
        !isLoopbackHost(hostHeader) ||
        (req.method !== 'GET' && req.method !== 'HEAD')
      ) {
        debug(`loopback listener: ${req.method ?? '?'} on another path or host answered 404`);
        await send(res, notFoundPage(), req.method);
        return;
      }
      debug('loopback listener: redirect received');
      let page: Page;
      try {
        page = await opts.onCallback(url);
      } catch (e) {
        page = errorPage(e instanceof Error ? e.message : String(e));
      }
      await send(res, page, req.method);
    })();
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const servers: http.Server[] = [];
  const closeAll = async () => {
    // The response is always ended before the server closes (wrangler); bounded so a stuck
    // exchange cannot hold the CLI forever.
    await Promise.race([
      Promise.allSettled([...inFlight]),
      new Promise((r) => setTimeout(r, 10_000).unref()),
    ]);
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };

  let port = opts.port;
  const addresses = bindAddresses(opts.hostname);
  const flag = opts.flag ?? '--redirect-uri';
  for (const [i, host] of addresses.entries()) {
    const server = http.createServer(handler);
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 1_000;
    try {
      await listenOn(server, host, port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // `localhost`: an IPv6-less machine simply has no ::1 to bind.
      if (i > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
      await closeAll();
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (code === 'EADDRINUSE') {
        throw new FailureError(
          `port ${port} on ${host} is already in use, so authctl cannot receive the redirect to ${opts.redirectUri}`,
          `Stop the program using it, or pass ${flag} with another port (registered with the client).`,
        );
      }
      if (code === 'EACCES') {
        throw new FailureError(
          `not allowed to listen on ${where} for the redirect to ${opts.redirectUri}`,
          `Pass ${flag} with a port above 1023 (registered with the client).`,
        );
      }
      throw new FailureError(
        `cannot listen on ${where} for the redirect to ${opts.redirectUri}: ${(e as Error).message}`,
        `Pass ${flag} with a loopback address this machine has, e.g. http://127.0.0.1:<port>/callback.`,
      );
    }
    server.on('error', (e) => debug(`loopback listener error: ${e.message}`));
    servers.push(server);
    if (port === 0) port = (server.address() as AddressInfo).port;
  }
  debug(`loopback listener on ${addresses.join(' and ')} port ${port}`);
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
