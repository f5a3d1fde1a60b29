/**
 * A plain-HTTP stand-in for a person finishing a device login (RFC 8628) at oidc-provider's pages:
 * opens the verification URI (with the code), confirms — or aborts — the device, signs in and
 * consents at the development interaction pages. Cookies are kept in a small jar.
 */

const attr = (html: string, re: RegExp) => re.exec(html)?.[1]?.replace(/&amp;/g, '&');

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
  const jar = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
  let url = verificationUri;
  let method = 'GET';
  let body: string | undefined;
  let aborted = false;
  for (let hop = 0; hop < 25; hop++) {
    const res = await request(url, {
      method,
      ...(body ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
    });
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      url = new URL(res.headers.get('location')!, url).toString();
      continue;
    }
    const html = await res.text();
    if (res.status !== 200)
      throw new Error(`provider answered HTTP ${res.status} at ${url}: ${html.slice(0, 300)}`);
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
    method = 'POST';
    body = form.toString();
  }
  throw new Error('too many redirects');
}
