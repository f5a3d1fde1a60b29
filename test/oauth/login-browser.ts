/**
 * A plain-HTTP stand-in for a person in a browser at oidc-provider's development interaction pages:
 * follows the authorize redirect, signs in (any login works), consents — or cancels — and finally
 * GETs the loopback callback the way the browser would. Cookies are kept in a small jar.
 */

/** What the user does at the provider. */
export interface BrowserScript {
  /** The account to sign in as (dev interactions accept anything). Default 'alice'. */
  login?: string;
  /** Cancel at the login page instead of signing in (→ error=access_denied). */
  deny?: boolean;
  /** Change the callback URL before the browser follows it (state tampering). */
  rewriteCallback?: (url: URL) => URL;
  /** Stop before following the callback and hand back its URL (for --manual paste tests). */
  stopAtCallback?: boolean;
  /** Origins to reach elsewhere (a provider named by a host that only a test proxy resolves). */
  origins?: Record<string, string>;
}

/** The end of the journey. */
export interface BrowserResult {
  /** The loopback callback URL the provider redirected to (after rewriteCallback). */
  callbackUrl: string;
  /** authctl's page, when the callback was followed. */
  status?: number;
  body?: string;
}

const attr = (html: string, re: RegExp) => re.exec(html)?.[1]?.replace(/&amp;/g, '&');

/** Drive the login from `authorizeUrl` to the callback on `callbackOrigin` (http://127.0.0.1:PORT). */
export async function browse(startUrl: string, script: BrowserScript = {}): Promise<BrowserResult> {
  const mapped = (u: string) => {
    for (const [from, to] of Object.entries(script.origins ?? {}))
      if (u.startsWith(from)) return to + u.slice(from.length);
    return u;
  };
  const authorizeUrl = mapped(startUrl);
  const jar = new Map<string, string>();
  const providerOrigin = new URL(authorizeUrl).origin;
  // After a pushed authorization request the URL carries no redirect_uri: the callback is then the
  // first hop off the provider.
  const redirectUri = new URL(authorizeUrl).searchParams.get('redirect_uri');
  const isCallback = (u: string) =>
    redirectUri ? u.startsWith(redirectUri.split('?')[0]!) : new URL(u).origin !== providerOrigin;
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (new URL(url).origin === providerOrigin && jar.size)
      headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
  let url = authorizeUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (isCallback(url)) {
      let cb = new URL(url);
      if (script.rewriteCallback) cb = script.rewriteCallback(cb);
      if (script.stopAtCallback) return { callbackUrl: cb.toString() };
      const res = await fetch(cb, { redirect: 'manual' });
      return { callbackUrl: cb.toString(), status: res.status, body: await res.text() };
    }
    const res = await request(url, {
      method,
      ...(body ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
    });
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      url = mapped(new URL(res.headers.get('location')!, url).toString());
      continue;
    }
    const html = await res.text();
    if (res.status !== 200)
      throw new Error(`provider answered HTTP ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const action = attr(html, /<form[^>]*action="([^"]+)"/);
    const prompt = attr(html, /name="prompt" value="([^"]+)"/);
    if (!action || !prompt) throw new Error(`no interaction form at ${url}: ${html.slice(0, 300)}`);
    if (script.deny) {
      const abort = attr(html, /href="([^"]*\/abort)"/);
      if (!abort) throw new Error('no abort link on the interaction page');
      url = new URL(abort, url).toString();
      continue;
    }
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', script.login ?? 'alice');
      form.set('password', 'any');
    }
    url = mapped(new URL(action, url).toString());
    method = 'POST';
    body = form.toString();
  }
  throw new Error('too many redirects');
}
