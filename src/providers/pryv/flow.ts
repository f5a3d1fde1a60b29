/**
 * The Pryv.io access-request flow (docs/protocol-notes/pryv.md): service info → create → poll until
 * the user decides → check the apiEndpoint → verify the token with access-info → a profile to save.
 * Each step is a request function that does the I/O and hands the answer to a pure validator in
 * ../protocol/pryv.ts. The poll key is a bearer secret: logs and errors show it masked.
 */
import type { Context } from '../../context.js';
import {
  FailureError,
  NetworkError,
  NoTokenError,
  ProtocolError,
  RefusedError,
  TimeoutError,
} from '../../errors.js';
import { checkUrl, redactUrl } from '../../http/url.js';
import { isoUtc } from '../../lib/format.js';
import type { Profile } from '../../store/profile.js';
import type { Spinner } from '../../ui/spinner.js';
import {
  DEFAULT_POLL_RATE_MS,
  MAX_REDIRECTS,
  POLL_REQUEST_TIMEOUT_MS,
  TOKEN_TYPE,
  UNREACHABLE_GRACE_FAILURES,
  UNREACHABLE_GRACE_MS,
  WAITING_TEXT,
} from './constants.js';
import {
  type AccessInfo,
  type AccessRequestBody,
  buildApiEndpoint,
  type CreatedRequest,
  classifyPollAnswer,
  cleanServerText,
  describeServerError,
  formatDuration,
  maskPollUrl,
  nextPollDelay,
  type PermissionRequest,
  type PollAnswer,
  parseAccessInfo,
  parseCreateResponse,
  parseServiceInfo,
  permissionFlagValue,
  permissionScopes,
  type ServiceInfo,
  splitServerAdded,
  trustedApiEndpoint,
} from './protocol.js';
import { getAccessInfo } from './status.js';

/** Parse a URL a server handed us without ever echoing it (it may hold the poll key). */
function checkServerUrl(ctx: Context, raw: string, label: string, shown: string): URL {
  try {
    new URL(raw);
  } catch {
    throw new ProtocolError(`${label} from ${shown} is not a valid URL`);
  }
  return checkUrl(raw, { insecure: ctx.insecure, source: 'server', label });
}

/** GET and validate the service info; `access` and `api` must pass the http rules. */
export async function fetchServiceInfo(ctx: Context, url: string): Promise<ServiceInfo> {
  const shown = redactUrl(url);
  const res = await ctx.http().request({ method: 'GET', url, retries: 2, signal: ctx.signal });
  if (res.status !== 200) {
    throw new FailureError(
      `GET ${shown} answered ${describeServerError(res.status, res.json)}`,
      'Check --service-info (Pryv Lab: https://reg.pryv.me/service/info; open-pryv: https://<host>/reg/service/info).',
    );
  }
  if (res.json === undefined) throw new ProtocolError(`service info from ${shown} is not JSON`);
  const info = parseServiceInfo(res.json, shown);
  checkServerUrl(ctx, info.access, "service info 'access'", shown);
  checkServerUrl(ctx, buildApiEndpoint(info.api, 'username'), "service info 'api'", shown);
  return info;
}

/**
 * POST the access request to `serviceInfo.access`, exactly as given (never a fixed path:
 * open-pryv.io serves its register under /reg), and validate the answer.
 */
export async function createAccessRequest(
  ctx: Context,
  info: ServiceInfo,
  body: AccessRequestBody,
): Promise<CreatedRequest> {
  const shown = redactUrl(info.access);
  const res = await ctx.http().request({ method: 'POST', url: info.access, json: body, signal: ctx.signal });
  // The create answer is 201 (the docs say 200; accept both).
  if (res.status !== 201 && res.status !== 200) {
    throw new FailureError(
      `the Pryv register at ${shown} rejected the access request: ${describeServerError(res.status, res.json)}`,
      res.status >= 500 ? 'The server failed; try again later.' : 'Check --app-id and --permission.',
    );
  }
  if (res.json === undefined) throw new ProtocolError(`the access request answer from ${shown} is not JSON`);
  const created = parseCreateResponse(res.json, shown);
  checkServerUrl(ctx, created.poll, "the 'poll' URL", shown);
  checkServerUrl(ctx, created.authUrl, 'the consent page URL', shown);
  return created;
}

/** How to wait for the user's decision. */
export interface WaitOptions {
  pollUrl: string;
  /** poll_rate_ms known so far (create answer), else DEFAULT_POLL_RATE_MS. */
  rateMs?: number | undefined;
  /** Wait before the first poll (0 = at once). */
  firstDelayMs: number;
  /** --timeout, in ms. */
  timeoutMs: number;
  /**
   * The server already answered this run (the access request was just created there): transport
   * failures are then retried until the deadline, without the short grace of a never-reached server.
   */
  serverAnswered?: boolean;
}

/** The accepted answer and what the poll bodies told us on the way. */
export interface WaitOutcome {
  username: string;
  token: string;
  apiEndpoint: string | undefined;
  /** Poll URL the answer came from (after any REDIRECTED hop). */
  pollUrl: string;
  /**
   * `serviceInfo` objects embedded in poll bodies served by the ORIGINAL poll URL's origin, oldest
   * first (v1 always, v2 NEED_SIGNIN). Bodies from a host a REDIRECTED answer moved polling to are
   * not kept: a redirect may move polling, never the trust anchor.
   */
  serviceInfos: unknown[];
  appId: string | undefined;
  requestedPermissions: unknown;
}

/**
 * Poll until the user decides (docs/protocol-notes/pryv.md, "Poll answers"): a deadline, not an
 * attempt count; the server's `poll_rate_ms` re-read on every answer and never exceeded; 5xx, 429
 * (Retry-After) and unparseable answers retried with bounded backoff; REDIRECTED followed; terminal
 * states end it at once.
 */
export async function waitForDecision(ctx: Context, opts: WaitOptions): Promise<WaitOutcome> {
  const deadline = ctx.now() + opts.timeoutMs;
  let url = opts.pollUrl;
  let rate = opts.rateMs ?? DEFAULT_POLL_RATE_MS;
  let delay = opts.firstDelayMs;
  let failures = 0;
  let lastFailure: string | undefined;
  let redirects = 0;
  const origin = new URL(opts.pollUrl).origin;
  const serviceInfos: unknown[] = [];
  const keepServiceInfo = (v: unknown) => {
    if (v !== undefined && new URL(url).origin === origin) serviceInfos.push(v);
  };
  // A poll URL whose server has never answered (DNS failure, connection refused from the first try)
  // gives up after a short grace instead of retrying until --timeout; once it has answered, transport
  // failures are retried until the deadline as before.
  let answered = opts.serverAnswered === true;
  let unreachableSince = ctx.now();
  let unreachableFailures = 0;
  let appId: string | undefined;
  let requestedPermissions: unknown;

  const timedOut = () =>
    lastFailure
      ? new TimeoutError(
          `gave up after ${formatDuration(opts.timeoutMs)} (--timeout) while the Pryv server kept failing; last failure: ${lastFailure}`,
          'Check the server and try again, or raise --timeout.',
        )
      : new TimeoutError(
          `no decision within ${formatDuration(opts.timeoutMs)} (--timeout) waiting for approval in the browser`,
          'Run the command again and approve the request sooner, or raise --timeout.',
        );

  const spinner: Spinner = await ctx.spinner();
  // Started once the first answer says "still waiting": a first answer that is already final
  // (approved, refused, expired) never shows "Waiting for approval…".
  let spinning = false;
  const spin = () => {
    if (!spinning) spinner.start(WAITING_TEXT);
    spinning = true;
  };
  if (opts.firstDelayMs > 0) spin();
  let done = false;
  try {
    for (;;) {
      if (delay > 0) {
        const remaining = deadline - ctx.now();
        if (delay >= remaining) {
          if (remaining > 0) await ctx.sleep(remaining);
          throw timedOut();
        }
        await ctx.sleep(delay);
      }
      const remaining = deadline - ctx.now();
      if (remaining <= 0) throw timedOut();
      const where = maskPollUrl(url);
      let answer: PollAnswer;
      try {
        const res = await ctx.http().request({
          method: 'GET',
          url,
          logUrl: where,
          signal: ctx.signal,
          timeoutMs: Math.max(250, Math.min(POLL_REQUEST_TIMEOUT_MS, remaining)),
          bodyTimeoutMs: Math.max(250, Math.min(POLL_REQUEST_TIMEOUT_MS, remaining)),
        });
        answered = true;
        answer = classifyPollAnswer(res, where, ctx.now());
      } catch (e) {
        // Transport failures (refused, reset, timeout) count like a 5xx: retried until the deadline,
        // once the server has answered at all.
        if (!(e instanceof NetworkError)) throw e;
        if (!answered) {
          unreachableFailures++;
          if (
            unreachableFailures >= UNREACHABLE_GRACE_FAILURES ||
            ctx.now() - unreachableSince >= UNREACHABLE_GRACE_MS
          ) {
            e.message = `the Pryv server at ${where} never answered: ${e.message}`;
            e.hint = `Gave up after ${unreachableFailures} attempts. Check the poll URL and your network, then run the command again.`;
            throw e;
          }
        }
        answer = { kind: 'retry', reason: e.message, retryAfterMs: undefined };
      }
      // Only once the server has answered: "Waiting for approval" about a host that never answered
      // would be a lie (its failure is reported after the grace instead).
      if (answer.kind !== 'accepted' && answered) spin();
      switch (answer.kind) {
        case 'pending':
          // Re-read poll_rate_ms on every answer; keep the previous value when it is absent.
          rate = answer.pollRateMs ?? rate;
          failures = 0;
          lastFailure = undefined;
          keepServiceInfo(answer.serviceInfo);
          appId ??= answer.appId;
          requestedPermissions ??= answer.requestedPermissions;
          delay = nextPollDelay(rate, 0);
          break;
        case 'retry':
          failures++;
          lastFailure = answer.reason;
          delay = nextPollDelay(rate, failures, answer.retryAfterMs);
          ctx.io.debug(`poll failed (${answer.reason}); next try in ${formatDuration(delay)}`);
          spinner.update(`${WAITING_TEXT} (the server is failing; retrying)`);
          break;
        case 'redirected': {
          if (++redirects > MAX_REDIRECTS) {
            throw new ProtocolError(`the access request was redirected more than ${MAX_REDIRECTS} times`);
          }
          checkServerUrl(ctx, answer.poll, 'the REDIRECTED poll URL', where);
          url = answer.poll;
          ctx.io.debug(`the access request moved to ${maskPollUrl(url)}`);
          answered = false;
          unreachableSince = ctx.now();
          unreachableFailures = 0;
          failures = 0;
          lastFailure = undefined;
          delay = nextPollDelay(rate, 0);
          break;
        }
        case 'accepted':
          keepServiceInfo(answer.serviceInfo);
          // "Access approved by …" is printed by the caller once the token has been checked.
          done = true;
          if (spinning) spinner.stop();
          return {
            username: answer.username,
            token: answer.token,
            apiEndpoint: answer.apiEndpoint,
            pollUrl: url,
            serviceInfos,
            appId,
            requestedPermissions,
          };
        case 'refused':
          throw new RefusedError(
            `access refused: ${answer.message || 'no message'} (${answer.reasonId})`,
            'Nothing was saved. Run the command again if this was a mistake.',
          );
        case 'error':
          throw new FailureError(
            `the Pryv server reported an error: ${answer.message}${answer.id ? ` (${answer.id})` : ''}`,
            'Nothing was saved. Start a new request with authctl pryv request.',
          );
        case 'expired':
          // 400 = unknown or expired key; the request is gone, as if it had timed out.
          throw new TimeoutError(
            `the access request expired or is unknown on the server: ${answer.message}${answer.id ? ` (${answer.id})` : ''}`,
            'Start a new request with authctl pryv request.',
          );
      }
    }
  } finally {
    if (!done) spinner.stop();
  }
}

/** Check a new token with access-info before it is saved; it must belong to `username`. */
export async function verifyAccess(
  ctx: Context,
  endpoint: string,
  token: string,
  username: string,
): Promise<AccessInfo> {
  const host = new URL(`${endpoint}access-info`).host;
  const { res, shown } = await getAccessInfo(ctx, endpoint, token, 2);
  if (res.status === 401 || res.status === 403) {
    throw new NoTokenError(
      `token rejected by ${host} (GET access-info: ${describeServerError(res.status, res.json)})`,
      'Nothing was saved. Run authctl pryv request again.',
    );
  }
  if (res.status !== 200) {
    throw new FailureError(
      `GET ${shown} answered ${describeServerError(res.status, res.json)}`,
      'Nothing was saved. Try again later, or pass --no-verify to save the token without checking it.',
    );
  }
  if (res.json === undefined) throw new ProtocolError(`access-info from ${shown} is not JSON`);
  const info = parseAccessInfo(res.json, shown);
  if (info.username !== undefined && info.username.toLowerCase() !== username.toLowerCase()) {
    throw new ProtocolError(
      `access-info on ${host} says the token belongs to '${cleanServerText(info.username, 80)}', not '${cleanServerText(username, 80)}'`,
      'Nothing was saved.',
    );
  }
  return info;
}

/** Everything needed to turn an accepted answer into a profile. */
export interface ProfileInput {
  decision: Pick<WaitOutcome, 'username' | 'token' | 'apiEndpoint'>;
  service: ServiceInfo;
  serviceInfoUrl: string | null;
  appId: string | null;
  /**
   * What was asked for (with default names): saved as the renewal parameters (the re-login hint
   * asks for exactly this again), and as scopes when the token is not verified.
   */
  requested: ReadonlyArray<PermissionRequest>;
  verify: boolean;
}

/**
 * Check the apiEndpoint against the service's template (docs/protocol-notes/pryv.md, "Security"),
 * verify the token unless told not to, and build the profile: apiEndpoint saved without the token,
 * scopes from what access-info reports as granted, expiry from its `expires` (seconds since the
 * epoch).
 */
export async function buildPryvProfile(ctx: Context, input: ProfileInput): Promise<Profile> {
  const { username, token } = input.decision;
  const endpoint = trustedApiEndpoint({
    apiEndpoint: input.decision.apiEndpoint,
    username,
    token,
    apiTemplate: input.service.api,
    insecure: ctx.insecure,
  });
  let scopes = permissionScopes(input.requested);
  let expiresAt: string | null = null;
  const details: Record<string, unknown> = {
    permissions: input.requested.map((p) => ({ ...p })),
    verified: false,
  };
  if (input.verify) {
    const info = await verifyAccess(ctx, endpoint, token, username);
    // Permissions the server added on its own are shown apart and never asked for again.
    const { granted, serverAdded } = splitServerAdded(info.permissions, input.requested);
    scopes = permissionScopes(granted);
    expiresAt = info.expires === null ? null : isoUtc(info.expires * 1000);
    details.permissions = granted;
    if (serverAdded.length) details.serverAddedPermissions = serverAdded;
    details.accessInfo = info.summary;
    details.verified = true;
  }
  return {
    provider: 'pryv',
    flow: 'pryv-access',
    token,
    tokenType: TOKEN_TYPE,
    obtainedAt: isoUtc(ctx.now()),
    expiresAt,
    subject: username,
    scopes,
    params: {
      apiEndpoint: endpoint,
      username,
      serviceInfoUrl: input.serviceInfoUrl ?? undefined,
      appId: input.appId ?? undefined,
      permissions: input.requested.map(permissionFlagValue),
    },
    details,
  };
}
