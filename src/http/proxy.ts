/**
 * Proxies from the environment, with the rules of Go's net/http ProxyFromEnvironment (which gh and
 * kubelogin use) and curl:
 * - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs (upper case first, then lower case);
 *   a proxy given without a scheme means `http://`.
 * - `NO_PROXY` (or `no_proxy`): comma- or space-separated; `*` disables the proxy; `example.com`
 *   matches that host and its subdomains, `.example.com` its subdomains only; `host:port` matches
 *   that port only; IP addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`) match addresses.
 * - Loopback destinations (`localhost`, 127.0.0.0/8, ::1) are never proxied: a SAFE Launcher JWT or a
 *   loopback redirect must not travel to a proxy. `AUTHCTL_PROXY_LOOPBACK=1` lifts that rule; it
 *   exists for authctl's own tests (a proxy fake on 127.0.0.1) and is documented in docs/performance.md.
 *
 * The CONNECT tunnel itself is in connectTunnel(); the client (client.ts) runs TLS to the origin over
 * it with the origin's CA options, so `--ca-file` applies behind a proxy too.
 */
import type { Socket } from 'node:net';
import { NetworkError } from '../errors.js';
import { isLoopbackHost } from './url.js';

/** The proxy to use for `url`, or null to connect directly. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | null {
  const raw =
    url.protocol === 'https:'
      ? env.HTTPS_PROXY || env.https_proxy
      : url.protocol === 'http:'
        ? env.HTTP_PROXY || env.http_proxy
        : undefined;
  if (!raw) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackDestination(host) && env.AUTHCTL_PROXY_LOOPBACK !== '1') return null;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (bypassed(host, port, env.NO_PROXY ?? env.no_proxy ?? '')) return null;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new NetworkError(
      `the proxy URL in ${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not a valid URL`,
      'Fix or unset the variable.',
      'network.proxy',
    );
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new NetworkError(
      `unsupported proxy scheme '${proxy.protocol}' (authctl speaks to http:// and https:// proxies)`,
      'Use an http:// proxy URL.',
      'network.proxy',
    );
  }
  return proxy;
}

/** localhost, 127.0.0.0/8, ::1 and their IPv4-mapped forms (::ffff:127.x.y.z). */
function isLoopbackDestination(host: string): boolean {
  if (isLoopbackHost(host)) return true;
  // new URL() writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return /^(0{0,4}:){0,5}:?ffff:(127\.|7f[0-9a-f]{2}:)/i.test(host);
}

/** Whether NO_PROXY exempts host:port. */
export function bypassed(host: string, port: string, noProxy: string): boolean {
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    // host:port, [v6]:port; a bare IPv6 address (several colons) has no port.
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (entry === host) return true;
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry)) return true;
    } else if (host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** Whether the IP address `host` lies in `cidr` (IPv4 or IPv6); a host name never does. */
function inCidr(host: string, cidr: string): boolean {
  const net = process.getBuiltinModule('node:net');
  const [base, bits] = cidr.split('/');
  const family = net.isIP(base ?? '');
  const prefix = Number(bits);
  if (!family || !Number.isInteger(prefix) || net.isIP(host) !== family) return false;
  try {
    const list = new net.BlockList();
    list.addSubnet(base!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
}

/** The Proxy-Authorization value from the proxy URL's user info, or undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** The proxy as logs show it: scheme, host and port only (never the credentials). */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * Open a CONNECT tunnel (RFC 9110 §9.3.6) to `host:port` through `proxy`; resolves with the raw
 * socket once the proxy answered 2xx. `signal` aborts it (our timers and Ctrl-C).
 */
export function connectTunnel(proxy: URL, host: string, port: string, signal: AbortSignal): Promise<Socket> {
  const mod = process.getBuiltinModule(proxy.protocol === 'https:' ? 'node:https' : 'node:http');
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const headers: Record<string, string> = { host: target, 'user-agent': 'authctl' };
  const auth = proxyAuthorization(proxy);
  if (auth) headers['proxy-authorization'] = auth;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      signal,
    });
    req.once('connect', (res, socket, head) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        socket.destroy();
        reject(
          new NetworkError(
            `the proxy ${proxyLabel(proxy)} refused to connect to ${target} (HTTP ${status})`,
            status === 407
              ? 'The proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port).'
              : 'Check HTTPS_PROXY and NO_PROXY.',
            'network.proxy',
          ),
        );
        return;
      }
      // Bytes the proxy sent after its answer belong to the origin's stream (a TLS server hello).
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', reject);
    req.once('response', (res) => {
      // A proxy that answers CONNECT with a normal response (no tunnel).
      res.resume();
      reject(
        new NetworkError(
          `the proxy ${proxyLabel(proxy)} did not open a tunnel to ${target} (HTTP ${res.statusCode})`,
          'Check HTTPS_PROXY and NO_PROXY.',
          'network.proxy',
        ),
      );
    });
    req.end();
  });
}
