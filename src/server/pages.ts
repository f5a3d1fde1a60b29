/**
 * The HTML pages the loopback listener answers with. Every value is escaped (a hostile
 * `error_description` must not become markup), pages load nothing external, and the headers
 * forbid scripts, framing, caching and referrers (the callback URL holds the code).
 */

/** A page to send: status, body and headers. */
export interface Page {
  status: number;
  html: string;
}

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"'`]/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[ch]!,
  );
}

/** Response headers for every page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  connection: 'close',
};

function layout(title: string, body: string, ok: boolean): string {
  const colour = ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>authctl: ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#1f2328}
h1{font-size:1.4em;color:${colour}}p.detail{background:#f6f8fa;padding:.75em 1em;border-radius:6px;overflow-wrap:anywhere}</style>
</head><body><h1 id="authctl-title">${escapeHtml(title)}</h1>${body}</body></html>
`;
}

const para = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;

/** The login worked: the code was already exchanged for tokens. */
export function successPage(providerLabel: string): Page {
  return {
    status: 200,
    html: layout(
      'Login complete',
      para(`authctl received your tokens from ${providerLabel}.`) +
        para('You can close this tab and return to the terminal.'),
      true,
    ),
  };
}

/** The login failed; `message` is shown escaped. */
export function errorPage(message: string, hint?: string): Page {
  return {
    status: 400,
    html: layout(
      'Login failed',
      para(message, 'detail') + (hint ? para(hint) : '') + para('See the terminal for details.'),
      false,
    ),
  };
}

/** A callback after the login already ended (a reload, a second tab). */
export function alreadyFinishedPage(): Page {
  return {
    status: 409,
    html: layout(
      'Login already finished',
      para('This authctl login has already finished. You can close this tab.'),
      false,
    ),
  };
}

/** Anything but the callback path. */
export function notFoundPage(): Page {
  return {
    status: 404,
    html: layout('Not found', para('This address only receives the login redirect.'), false),
  };
}
