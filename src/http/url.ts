/** URL rules: plain http only for loopback hosts (localhost, 127.0.0.0/8, ::1) unless --insecure. Pure. */
import { FailureError, ProtocolError, UsageError } from '../errors.js';

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // Exactly these three; a `*.localhost` name is left to DNS and so is not trusted here.
  if (h === 'localhost') return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127(\.\d{1,3}){3}$/.test(h);
}

/** Where a URL came from: a flag the user typed (exit 2 on refusal) or a server's answer (exit 1). */
export type UrlSource = 'flag' | 'server';

/**
 * Parse and check a URL: http(s) only; plain http only for loopback unless `insecure`.
 * `label` names the flag or the field, for the error message.
 */
export function checkUrl(raw: string, opts: { insecure: boolean; source: UrlSource; label: string }): URL {
  const Err = opts.source === 'flag' ? UsageError : ProtocolError;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Control characters from a server's answer must not reach the terminal.
    throw new Err(`${opts.label}: not a valid URL: '${raw.replace(/[\x00-\x1f\x7f]/g, '?')}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Err(`${opts.label}: unsupported scheme '${url.protocol}' (use https)`);
  }
  if (url.protocol === 'http:' && !opts.insecure && !isLoopbackHost(url.hostname)) {
    const msg =
      opts.source === 'flag'
        ? `${opts.label}: plain http is refused for ${url.host}; use https (or --insecure if you must)`
        : `${opts.label}: the server handed back a plain http URL for ${url.host}; refusing it (nothing was saved)`;
    if (opts.source === 'flag') throw new UsageError(msg);
    throw new FailureError(msg, 'Use --insecure only if you trust the network between you and that server.');
  }
  return url;
}

/**
 * A host given without a scheme means https, except a loopback host, which means http
 * (`--domain`, hosts from discovery APIs). A full URL is kept as is.
 */
export function hostToBaseUrl(hostOrUrl: string): string {
  const v = hostOrUrl.trim().replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v;
  // A bracketed IPv6 literal keeps its colons: [::1]:8080 → ::1.
  const host = v.startsWith('[') ? v.slice(1, v.indexOf(']')) : v.replace(/[:/].*$/, '');
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${v}`;
}

/** The URL for logs: no user info, query values and fragment replaced. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    const names = [...new Set(u.searchParams.keys())];
    const query = names.length ? `?${names.map((n) => `${n}=***`).join('&')}` : '';
    return `${u.protocol}//${u.host}${u.pathname}${query}`;
  } catch {
    return '<invalid url>';
  }
}
