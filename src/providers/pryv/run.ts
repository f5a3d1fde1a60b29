/**
 * `authctl pryv request` and `authctl pryv poll` (docs/providers/pryv.md): validate the flags, run
 * the access-request flow, show the consent URL, and save the profile through finishLogin.
 */

import { readFileSync } from 'node:fs';
import { parseDuration } from '../../cli/parse.js';
import { assertCanSave, assertStoreUsable, finishLogin, saveRules } from '../../commands/output.js';
import type { Context } from '../../context.js';
import { FailureError, ProtocolError, UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { registerSecret } from '../../lib/secrets.js';
import { tryOpen } from '../../ui/browser.js';
import {
  DEFAULT_LANG,
  DEFAULT_POLL_RATE_MS,
  DEFAULT_SERVICE_INFO_URL,
  DEFAULT_TIMEOUT,
  MAX_REQUEST_LIFETIME_MS,
} from './constants.js';
import {
  buildPryvProfile,
  createAccessRequest,
  fetchServiceInfo,
  type WaitOutcome,
  waitForDecision,
} from './flow.js';
import {
  buildAccessRequestBody,
  buildApiEndpoint,
  cleanServerText,
  noWaitJson,
  parseAppId,
  parseDeviceName,
  parseLang,
  parsePermissions,
  parseServiceInfo,
  requestedFromBody,
  type ServiceInfo,
  serviceInfoUrlFromPollUrl,
  serviceInfoUrlFromRegister,
  withCliFlag,
} from './protocol.js';

/** Options of `pryv request`, as commander hands them over (camelCase; --no-x gives x === false). */
export interface RequestOptions {
  appId?: string;
  permission?: string[];
  serviceInfo?: string;
  lang?: string;
  deviceName?: string;
  /** --timeout in ms (already parsed). */
  timeout?: number;
  open?: boolean;
  wait?: boolean;
  verify?: boolean;
  qr?: boolean;
  profile?: string;
  json?: boolean;
  print?: boolean;
}

/** Options of `pryv poll`. */
export interface PollOptions {
  /** --from: the JSON `pryv request --no-wait` printed. */
  from?: string;
  timeout?: number;
  verify?: boolean;
  profile?: string;
  json?: boolean;
  print?: boolean;
}

const DEFAULT_TIMEOUT_MS = parseDuration(DEFAULT_TIMEOUT);

/**
 * --timeout in ms. 0 means "until the server expires the request": the longest default lifetime of
 * a request (1 h on the v1 and v2 registers; docs/protocol-notes/pryv.md, "Timing"), so a failing
 * server cannot keep us retrying forever.
 */
function timeoutMs(v: number | undefined): number {
  if (v === undefined) return DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(v) || v < 0) {
    throw new UsageError('--timeout must be a duration such as 10m', 'Use e.g. --timeout 10m.');
  }
  return v === 0 ? MAX_REQUEST_LIFETIME_MS : v;
}

/** Print the consent URL (always, first), optionally as a QR code, then try the browser. */
async function showConsentPage(
  ctx: Context,
  url: string,
  opts: { open: boolean; qr: boolean },
): Promise<void> {
  ctx.io.err(`Open this URL in a browser to approve the access request:\n\n  ${url}\n\n`);
  if (opts.qr) {
    await (await import('../../ui/qr.js')).showQr(ctx.io, url);
  }
  if (opts.open && !(await tryOpen(ctx.browser, url))) {
    ctx.io.err('Could not open a browser; open the URL above yourself.\n');
  }
}

/** `authctl pryv request`: ask for access, open the consent page, wait, verify and save. */
export async function request(ctx: Context, opts: RequestOptions): Promise<void> {
  // Everything the user typed is checked before the first request (exit 2).
  const appId = parseAppId(opts.appId);
  const permissions = parsePermissions(opts.permission);
  const lang = parseLang(opts.lang ?? DEFAULT_LANG);
  const deviceName = parseDeviceName(opts.deviceName);
  const timeout = timeoutMs(opts.timeout);
  const serviceInfoUrl = checkUrl(opts.serviceInfo ?? DEFAULT_SERVICE_INFO_URL, {
    insecure: ctx.insecure,
    source: 'flag',
    label: '--service-info',
  }).href;
  assertStoreUsable(ctx);
  const rules = saveRules(opts as Record<string, unknown>);
  assertCanSave(
    ctx,
    opts.profile ?? 'pryv',
    { provider: 'pryv', flow: 'pryv-access', clientId: appId },
    rules,
  );

  const service = await fetchServiceInfo(ctx, serviceInfoUrl);
  const created = await createAccessRequest(
    ctx,
    service,
    buildAccessRequestBody({ appId, permissions, lang, deviceName }),
  );
  // The key is not registered for redaction here: the consent URL shown to the user carries it (v1
  // `pollUrl=`), and showing that URL is this command's job. `pryv poll` registers it.
  // The parsed, normalised URL (percent-encoded, no control characters) is what is printed and
  // handed to the browser, never the server's text as sent.
  const consentUrl = new URL(withCliFlag(created.authUrl)).href;
  await showConsentPage(ctx, consentUrl, { open: opts.open !== false, qr: Boolean(opts.qr) });

  if (opts.wait === false) {
    ctx.io.out(noWaitJson(created, consentUrl, DEFAULT_POLL_RATE_MS));
    ctx.io.err(
      'Not waiting (--no-wait). Save stdout to a file (… --no-wait > req.json) and finish later with: authctl pryv poll --from req.json\n',
    );
    return;
  }

  const rate = created.pollRateMs ?? DEFAULT_POLL_RATE_MS;
  const decision = await waitForDecision(ctx, {
    pollUrl: created.poll,
    rateMs: rate,
    firstDelayMs: rate,
    timeoutMs: timeout,
    serverAnswered: true,
  });
  const profile = await buildPryvProfile(ctx, {
    decision,
    service,
    serviceInfoUrl,
    appId,
    requested: permissions,
    verify: opts.verify !== false,
  });
  approved(ctx, decision);
  await finishLogin(ctx, opts.profile ?? 'pryv', profile, { ...opts, ...rules });
}

/** Said once the answer has been checked (and the token verified, unless --no-verify). */
function approved(ctx: Context, decision: WaitOutcome): void {
  ctx.io.err(`Access approved by ${cleanServerText(decision.username, 80)}.\n`);
}

/**
 * The service info to check the apiEndpoint against, for `pryv poll`: one embedded in the poll
 * bodies (v1 always, v2 NEED_SIGNIN), else the one an open-pryv `/reg/access/<key>` URL implies.
 */
async function serviceForPoll(
  ctx: Context,
  pollUrl: string,
  outcome: WaitOutcome,
): Promise<{ service: ServiceInfo; url: string | null }> {
  for (const candidate of outcome.serviceInfos) {
    try {
      const service = parseServiceInfo(candidate, 'the poll answer');
      checkUrl(service.access, { insecure: ctx.insecure, source: 'server', label: "service info 'access'" });
      checkUrl(buildApiEndpoint(service.api, 'username'), {
        insecure: ctx.insecure,
        source: 'server',
        label: "service info 'api'",
      });
      return {
        service,
        url: serviceInfoUrlFromRegister(service) ?? serviceInfoUrlFromPollUrl(pollUrl) ?? null,
      };
    } catch (e) {
      if (!(e instanceof ProtocolError || e instanceof FailureError)) throw e;
      ctx.io.debug(`ignoring the service info embedded in a poll answer: ${(e as Error).message}`);
    }
  }
  // Only the register serving the poll URL the user gave, fetched from that origin: never the host a
  // REDIRECTED answer moved polling to (anyone holding the key can set REDIRECTED).
  const derived = serviceInfoUrlFromPollUrl(pollUrl);
  if (derived) return { service: await fetchServiceInfo(ctx, derived), url: derived };
  throw new FailureError(
    "cannot check the returned apiEndpoint: the poll answers carried no service info and the poll URL does not reveal the register's",
    'Nothing was saved. Use authctl pryv request --service-info <url> for this platform instead.',
  );
}

/**
 * The poll URL from one of three sources: --from FILE (the --no-wait JSON), `-` (the URL on stdin),
 * or the argument itself, which works but warns: the URL carries the request key, a bearer secret,
 * and argv is visible to every local user.
 */
async function pollUrlFrom(ctx: Context, arg: string | undefined, opts: PollOptions): Promise<string> {
  const hint =
    'Use authctl pryv poll --from req.json (the output of pryv request --no-wait), or pipe the URL: authctl pryv poll - < url.txt';
  if (opts.from !== undefined && arg !== undefined) {
    throw new UsageError('give the poll URL once: either --from or the argument', hint);
  }
  if (opts.from !== undefined) {
    let text: string;
    try {
      text = opts.from === '-' ? await ctx.io.readStdin() : readFileSync(opts.from, 'utf8');
    } catch (e) {
      throw new UsageError(
        `--from: cannot read ${opts.from}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        hint,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`--from: ${opts.from} is not the JSON pryv request --no-wait prints`, hint);
    }
    const poll = (json as { poll?: unknown } | null)?.poll;
    if (typeof poll !== 'string' || poll === '') {
      throw new UsageError(`--from: ${opts.from} has no "poll" field`, hint);
    }
    const key = (json as { key?: unknown }).key;
    if (typeof key === 'string') registerSecret(key);
    return poll;
  }
  if (arg === '-') {
    const url = (await ctx.io.readStdin()).trim();
    if (url === '') throw new UsageError('no poll URL on stdin', hint);
    return url;
  }
  if (arg === undefined || arg === '') throw new UsageError('no poll URL given', hint);
  ctx.io.err(
    'warning: the poll URL on the command line carries the request key, which other users of this machine can see (ps); prefer --from req.json or the URL on stdin (authctl pryv poll -).\n',
  );
  return arg;
}

/** `authctl pryv poll [poll-url | -] [--from req.json]`: finish a request started with --no-wait. */
export async function poll(ctx: Context, arg: string | undefined, opts: PollOptions): Promise<void> {
  const timeout = timeoutMs(opts.timeout);
  const pollUrl = await pollUrlFrom(ctx, arg, opts);
  let parsed: URL;
  try {
    parsed = new URL(pollUrl);
  } catch {
    throw new UsageError(
      'the poll URL is not a valid URL',
      'Pass the "poll" value printed by pryv request --no-wait.',
    );
  }
  // The key is the poll URL's last path segment: a bearer secret, redacted from anything shown.
  registerSecret(parsed.pathname.split('/').filter(Boolean).pop());
  checkUrl(parsed.href, { insecure: ctx.insecure, source: 'flag', label: 'the poll URL' });
  assertStoreUsable(ctx);
  // The app id and user are known only from the answer; finishLogin checks them again.
  const rules = saveRules(opts as Record<string, unknown>);
  assertCanSave(ctx, opts.profile ?? 'pryv', { provider: 'pryv', flow: 'pryv-access' }, rules);

  const outcome = await waitForDecision(ctx, { pollUrl: parsed.href, firstDelayMs: 0, timeoutMs: timeout });
  const { service, url } = await serviceForPoll(ctx, parsed.href, outcome);
  const requested = requestedFromBody(outcome.requestedPermissions);
  const profile = await buildPryvProfile(ctx, {
    decision: outcome,
    service,
    serviceInfoUrl: url,
    appId: outcome.appId ?? null,
    requested,
    verify: opts.verify !== false,
  });
  approved(ctx, outcome);
  await finishLogin(ctx, opts.profile ?? 'pryv', profile, { ...opts, ...rules });
}
