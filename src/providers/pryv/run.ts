/**
 * `authctl pryv request` and `authctl pryv poll` (cli.md "Pryv"): validate the flags, run the
 * access-request flow, show the consent URL, and save the profile through finishLogin.
 */

import { parseDuration } from '../../cli/parse.js';
import { assertStoreUsable, finishLogin } from '../../commands/output.js';
import type { Context } from '../../context.js';
import { FailureError, ProtocolError, UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
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
  timeout?: number;
  verify?: boolean;
  profile?: string;
  json?: boolean;
  print?: boolean;
}

const DEFAULT_TIMEOUT_MS = parseDuration(DEFAULT_TIMEOUT);

/**
 * --timeout in ms. 0 means "until the server expires the request": the longest default lifetime
 * of a request (§1.8: 1 h in v1 and v2), so a failing server cannot keep us retrying forever (Q11).
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
    const { renderUnicodeCompact } = await import('uqr');
    ctx.io.err(`${renderUnicodeCompact(url)}\n\n`);
  }
  if (!opts.open) return;
  let opened = false;
  try {
    opened = await ctx.browser.open(url);
  } catch {
    opened = false;
  }
  if (!opened) ctx.io.err('Could not open a browser; open the URL above yourself.\n');
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

  const service = await fetchServiceInfo(ctx, serviceInfoUrl);
  const created = await createAccessRequest(
    ctx,
    service,
    buildAccessRequestBody({ appId, permissions, lang, deviceName }),
  );
  const consentUrl = withCliFlag(created.authUrl);
  await showConsentPage(ctx, consentUrl, { open: opts.open !== false, qr: Boolean(opts.qr) });

  if (opts.wait === false) {
    ctx.io.out(noWaitJson(created, consentUrl, DEFAULT_POLL_RATE_MS));
    ctx.io.err(
      'Not waiting (--no-wait). Finish later with: authctl pryv poll <poll> (the "poll" value printed on stdout)\n',
    );
    return;
  }

  const rate = created.pollRateMs ?? DEFAULT_POLL_RATE_MS;
  const decision = await waitForDecision(ctx, {
    pollUrl: created.poll,
    rateMs: rate,
    firstDelayMs: rate,
    timeoutMs: timeout,
  });
  const profile = await buildPryvProfile(ctx, {
    decision,
    service,
    serviceInfoUrl,
    appId,
    requested: permissions,
    verify: opts.verify !== false,
  });
  await finishLogin(ctx, opts.profile ?? 'pryv', profile, opts);
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
  const derived = serviceInfoUrlFromPollUrl(pollUrl) ?? serviceInfoUrlFromPollUrl(outcome.pollUrl);
  if (derived) return { service: await fetchServiceInfo(ctx, derived), url: derived };
  throw new FailureError(
    "cannot check the returned apiEndpoint: the poll answers carried no service info and the poll URL does not reveal the register's",
    'Nothing was saved. Use authctl pryv request --service-info <url> for this platform instead.',
  );
}

/** `authctl pryv poll <poll-url>`: finish a request started with --no-wait. */
export async function poll(ctx: Context, pollUrl: string, opts: PollOptions): Promise<void> {
  const timeout = timeoutMs(opts.timeout);
  let parsed: URL;
  try {
    parsed = new URL(pollUrl);
  } catch {
    throw new UsageError(
      '<poll-url> is not a valid URL',
      'Pass the "poll" value printed by pryv request --no-wait.',
    );
  }
  checkUrl(parsed.href, { insecure: ctx.insecure, source: 'flag', label: '<poll-url>' });
  assertStoreUsable(ctx);

  const outcome = await waitForDecision(ctx, { pollUrl, firstDelayMs: 0, timeoutMs: timeout });
  const { service, url } = await serviceForPoll(ctx, pollUrl, outcome);
  const requested = requestedFromBody(outcome.requestedPermissions);
  const profile = await buildPryvProfile(ctx, {
    decision: outcome,
    service,
    serviceInfoUrl: url,
    appId: outcome.appId ?? null,
    requested,
    verify: opts.verify !== false,
  });
  await finishLogin(ctx, opts.profile ?? 'pryv', profile, opts);
}
