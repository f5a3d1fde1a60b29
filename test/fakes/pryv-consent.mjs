#!/usr/bin/env node
/**
 * A stand-in for the Pryv consent page (app-web-auth3), run as the BROWSER command by CLI tests:
 * `BROWSER="node test/fakes/pryv-consent.mjs"` makes authctl run it with the consent URL as the
 * last argument. Like app-web-auth3's context.js it reads `poll` (or v1's `pollUrl`) from the
 * URL, loads the state with GET, then settles it with an unauthenticated POST (docs/protocol-notes/pryv.md).
 *
 * Environment:
 *   PRYV_CONSENT           accept (default) | refuse | none (only record the URL)
 *   PRYV_CONSENT_USERNAME  user name sent on accept (default alice)
 *   PRYV_CONSENT_TOKEN     token sent on accept (default random)
 *   PRYV_CONSENT_ENDPOINT  apiEndpoint to send instead of the one built from serviceInfo.api;
 *                          "omit" sends none
 *   PRYV_CONSENT_DELAY_MS  wait before deciding (default 100)
 *   PRYV_CONSENT_LOG       file to append one JSON line per step to (opened URL, answers, errors)
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const env = process.env;
const log = (entry) => {
  if (env.PRYV_CONSENT_LOG) appendFileSync(env.PRYV_CONSENT_LOG, `${JSON.stringify(entry)}\n`);
};

try {
  const opened = new URL(process.argv.at(-1));
  log({ step: 'opened', url: opened.href });
  const poll = opened.searchParams.get('poll') ?? opened.searchParams.get('pollUrl');
  if (!poll) throw new Error('no poll or pollUrl parameter in the consent URL');
  await new Promise((r) => setTimeout(r, Number(env.PRYV_CONSENT_DELAY_MS ?? 100)));
  const action = env.PRYV_CONSENT ?? 'accept';
  if (action !== 'none') {
    const state = await (await fetch(poll)).json();
    log({ step: 'loaded', status: state.status });
    let body;
    if (action === 'refuse') {
      body = {
        status: 'REFUSED',
        reasonId: 'REFUSED_BY_USER',
        message: 'The user refused to give access to the requested permissions',
      };
    } else {
      const username = env.PRYV_CONSENT_USERNAME ?? 'alice';
      const token = env.PRYV_CONSENT_TOKEN ?? `ck${randomBytes(12).toString('hex')}`;
      body = { status: 'ACCEPTED', username, token };
      const api = state.serviceInfo?.api;
      if (env.PRYV_CONSENT_ENDPOINT && env.PRYV_CONSENT_ENDPOINT !== 'omit') {
        body.apiEndpoint = env.PRYV_CONSENT_ENDPOINT;
      } else if (!env.PRYV_CONSENT_ENDPOINT && typeof api === 'string') {
        // buildAPIEndpoint (lib-js utils): scheme://token@rest/
        const [, scheme, rest] = /(.+):\/\/(.+)/.exec(api.replace('{username}', username));
        body.apiEndpoint = `${scheme}://${token}@${rest.endsWith('/') ? rest : `${rest}/`}`;
      }
    }
    // app-web-auth3 always re-adds returnURL when updating the state.
    body.returnURL = state.returnURL ?? null;
    const res = await fetch(poll, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    log({ step: 'settled', action, status: res.status });
  }
} catch (e) {
  log({ step: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
}
