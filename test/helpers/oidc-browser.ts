/**
 * Plain-HTTP stand-ins for a person in a browser at oidc-provider's development interaction pages:
 * `browse` follows the authorize redirect, signs in (any login works), consents — or cancels — and
 * finally GETs the loopback callback the way the browser would; `approveDevice` finishes a device
 * login (RFC 8628): opens the verification URI, confirms — or aborts — the device, signs in and
 * consents. Cookies are kept in a small jar. `loginInBrowser` runs `oauth login` in-process with
 * `browse` as the browser.
 */
import { AuthctlError } from '../../src/errors.js';
import { login } from '../../src/oauth/cli/run.js';
import { type TestContext, type TestContextOptions, testContext } from './context.js';

/**
 * One step with `request`: GET `url`, or POST the form `body` to it; gives the redirect's target, or
 * the HTML of a 200 page (any other status throws).
 */
async function step(
  request: (url: string, init?: RequestInit) => Promise<Response>,
  url: string,
  body: string | undefined,
): Promise<{ location: string } | { html: string }> {
  const res = await request(
    url,
    body ? { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {},
  );
  if (res.status >= 300 && res.status < 400) {
    await res.arrayBuffer();
    return { location: new URL(res.headers.get('location')!, url).toString() };
  }
  const html = await res.text();
  if (res.status !== 200)
    throw new Error(`provider answered HTTP ${res.status} at ${url}: ${html.slice(0, 300)}`);
  return { html };
}

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

/** fetch that follows no redirect and keeps cookies in a jar, sending them to `origin` only when given. */
function jarFetch(origin?: string): (url: string, init?: RequestInit) => Promise<Response> {
  const jar = new Map<string, string>();
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if ((origin === undefined || new URL(url).origin === origin) && jar.size)
      headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
}

/** Drive the login from `authorizeUrl` to the callback on `callbackOrigin` (http://127.0.0.1:PORT). */
export async function browse(startUrl: string, script: BrowserScript = {}): Promise<BrowserResult> {
  const mapped = (u: string) => {
    for (const [from, to] of Object.entries(script.origins ?? {}))
      if (u.startsWith(from)) return to + u.slice(from.length);
    return u;
  };
  const authorizeUrl = mapped(startUrl);
  const providerOrigin = new URL(authorizeUrl).origin;
  // After a pushed authorization request the URL carries no redirect_uri: the callback is then the
  // first hop off the provider.
  const redirectUri = new URL(authorizeUrl).searchParams.get('redirect_uri');
  const isCallback = (u: string) =>
    redirectUri ? u.startsWith(redirectUri.split('?')[0]!) : new URL(u).origin !== providerOrigin;
  const request = jarFetch(providerOrigin);
  let url = authorizeUrl;
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (isCallback(url)) {
      let cb = new URL(url);
      if (script.rewriteCallback) cb = script.rewriteCallback(cb);
      if (script.stopAtCallback) return { callbackUrl: cb.toString() };
      const res = await fetch(cb, { redirect: 'manual' });
      return { callbackUrl: cb.toString(), status: res.status, body: await res.text() };
    }
    const r = await step(request, url, body);
    body = undefined;
    if ('location' in r) {
      url = mapped(r.location);
      continue;
    }
    const { html } = r;
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
    body = form.toString();
  }
  throw new Error('too many redirects');
}

/** The hidden inputs of the first form on a page. */
function hiddenInputs(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = attr(m[0], /name="([^"]+)"/);
    const value = attr(m[0], /value="([^"]*)"/) ?? '';
    if (name) form.set(name, value);
  }
  return form;
}

/** Go from `verificationUri` to the provider's "you are signed in" page; `deny` aborts at the confirmation. */
export async function approveDevice(
  verificationUri: string,
  script: { deny?: boolean; login?: string; userCode?: string } = {},
): Promise<string> {
  const request = jarFetch();
  let url = verificationUri;
  let body: string | undefined;
  let aborted = false;
  for (let hop = 0; hop < 25; hop++) {
    const r = await step(request, url, body);
    body = undefined;
    if ('location' in r) {
      url = r.location;
      continue;
    }
    const { html } = r;
    const action = attr(html, /<form[^>]*action="([^"]+)"/);
    // The final page: success, or after an abort the "interrupted" notice.
    if (!action || aborted) return html;
    const form = hiddenInputs(html);
    if (/name="user_code"/.test(html) && !form.has('user_code')) {
      // The input page (no code in the URL): type the code.
      form.set('user_code', script.userCode ?? '');
    } else if (form.has('confirm') || /deviceConfirmForm/.test(html)) {
      if (script.deny) {
        form.set('abort', 'yes');
        aborted = true;
      } else form.set('confirm', 'yes');
    } else {
      const prompt = attr(html, /name="prompt" value="([^"]+)"/);
      if (prompt === 'login') {
        form.set('login', script.login ?? 'alice');
        form.set('password', 'any');
      }
    }
    url = new URL(action, url).toString();
    body = form.toString();
  }
  throw new Error('too many redirects');
}

/** The outcome of loginInBrowser. */
export interface BrowserLogin {
  ctx: TestContext;
  /** What the login threw (an AuthctlError), if it failed. */
  error?: AuthctlError;
  /** Where the browser ended (absent when it was never opened or script was null). */
  page?: BrowserResult;
}

/**
 * `oauth login` in-process at `issuer` (client `pub`, scope `openid`, a 10 s timeout, then `opts`);
 * when authctl opens the URL the browser follows `script` (null: nobody acts on it). A browser
 * that fails fails the test unless `ignoreBrowserErrors` (for logins that end before the callback).
 */
export async function loginInBrowser(
  issuer: string,
  opts: Record<string, unknown> = {},
  o: { script?: BrowserScript | null; ctx?: TestContextOptions; ignoreBrowserErrors?: boolean } = {},
): Promise<BrowserLogin> {
  const script = o.script === undefined ? {} : o.script;
  let browsing: Promise<BrowserResult> | undefined;
  const ctx = testContext({
    onOpen: (url) => {
      if (script) browsing = browse(url, script);
      return true;
    },
    ...o.ctx,
  });
  const r: BrowserLogin = { ctx };
  try {
    await login(ctx, { issuer, clientId: 'pub', scope: ['openid'], open: true, timeout: 10_000, ...opts });
  } catch (e) {
    if (!(e instanceof AuthctlError)) throw e;
    r.error = e;
  }
  if (browsing) {
    const b: Promise<BrowserResult> = browsing;
    if (o.ignoreBrowserErrors) {
      const page = await b.catch(() => undefined);
      if (page) r.page = page;
    } else r.page = await b;
  }
  return r;
}
