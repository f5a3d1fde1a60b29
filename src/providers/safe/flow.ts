/**
 * SAFE Launcher flow (docs/protocol-notes/safe.md): probe /health, POST /auth and wait — with no
 * HTTP timeout — while the Launcher's user clicks Allow or Deny, bounded only by --timeout and
 * Ctrl-C; then check (GET /auth) or revoke (DELETE /auth) a saved token with the strict bearer header.
 */
import type { Context } from '../../context.js';
import { FailureError, NetworkError, TimeoutError } from '../../errors.js';
import type { HttpRequest, HttpResponse } from '../../http/client.js';
import { type Profile, paramsOf } from '../../store/profile.js';
import type { RevokeOutcome } from '../types.js';
import {
  AUTH_PATH,
  CHECK_TIMEOUT_MS,
  DEFAULT_LAUNCHER_URL,
  HEALTH_PATH,
  HEALTH_TIMEOUT_MS,
  notRunningMessage,
  type SafePermission,
  WAITING_TEXT,
} from './constants.js';
import {
  authRequestBody,
  bearerValue,
  checkLauncherUrl,
  launcherEndpoint,
  processAuthorizeAnswer,
  processTokenAnswer,
  type SafeApp,
  type SafeCheck,
  type SafeGrant,
} from './protocol.js';

/** What `safe authorize` asks for. */
export interface AuthorizeRequest {
  app: SafeApp;
  permissions: SafePermission[];
  /** Normalised base URL (checkLauncherUrl). */
  launcherUrl: string;
  /** Give up after this long (ms); 0 = no limit. */
  timeoutMs: number;
}

/** "5m", "90s", "250ms" for messages. */
function humanMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Copy an exit-1 error with another hint (same class, same exit code). */
function rehint(e: FailureError, hint: string): FailureError {
  const Ctor = e.constructor as new (message: string, hint?: string) => FailureError;
  return new Ctor(e.message, hint);
}

/**
 * Send one request to the Launcher; transport failures become "not running" (connection refused:
 * nothing listens there) or "cannot reach", with `hint` telling the user what to do.
 */
async function send(ctx: Context, base: string, req: HttpRequest, hint: string): Promise<HttpResponse> {
  try {
    return await ctx.http().request(req);
  } catch (e) {
    if (e instanceof NetworkError) {
      // The HTTP client words ECONNREFUSED as "connection refused" (src/http/client.ts).
      if (/connection refused/.test(e.message)) throw new NetworkError(notRunningMessage(base), hint);
      throw new NetworkError(`cannot reach the SAFE Launcher at ${base}: ${e.message}`, hint);
    }
    throw e;
  }
}

/**
 * Ask the Launcher to authorise the app (docs/protocol-notes/safe.md, 'The held-open POST'). The
 * POST is held open until the user decides (`server.timeout = 0` in `boot.js`), so it runs with no
 * header/body timeout and no retry; --timeout aborts it (exit 5) and Ctrl-C aborts it (exit 130).
 * Never sends an Authorization header (see below).
 */
export async function requestAuthorization(ctx: Context, r: AuthorizeRequest): Promise<SafeGrant> {
  const timer = new AbortController();
  const t =
    r.timeoutMs > 0
      ? setTimeout(
          () =>
            timer.abort(
              new TimeoutError(
                `no answer from the SAFE Launcher within ${humanMs(r.timeoutMs)}; the request was cancelled`,
                'Answer the prompt in the Launcher window sooner, or pass a longer --timeout.',
              ),
            ),
          // Node fires a timer longer than 2^31-1 ms after 1 ms (TimeoutOverflowWarning): clamp it.
          Math.min(r.timeoutMs, 2 ** 31 - 1),
        )
      : undefined;
  const signal = AbortSignal.any([ctx.signal, timer.signal]);
  const retryHint = 'Then run this command again.';
  try {
    // A quick probe, so a Launcher that is not running is reported before the long wait.
    // Its status does not matter (older Launchers may lack /health); only reaching it does. A probe
    // that merely times out (a busy machine) is not a verdict: the POST below still gets its chance.
    try {
      await send(
        ctx,
        r.launcherUrl,
        {
          method: 'GET',
          url: launcherEndpoint(r.launcherUrl, HEALTH_PATH),
          timeoutMs: HEALTH_TIMEOUT_MS,
          bodyTimeoutMs: HEALTH_TIMEOUT_MS,
          maxBodyBytes: 64 * 1024,
          signal,
        },
        retryHint,
      );
    } catch (e) {
      if (!(e instanceof NetworkError && /did not answer within/.test(e.message))) throw e;
      ctx.io.debug(
        `the Launcher's /health did not answer within ${HEALTH_TIMEOUT_MS} ms; trying POST /auth anyway`,
      );
    }
    const url = launcherEndpoint(r.launcherUrl, AUTH_PATH);
    const spinner = await ctx.spinner();
    spinner.start(WAITING_TEXT);
    let res: HttpResponse;
    try {
      res = await send(
        ctx,
        r.launcherUrl,
        {
          method: 'POST',
          url,
          // No `headers`: a stale Authorization here would be rejected by the Launcher's global
          // bearer middleware (`utils.js`, on every route) with 401 `Unauthorized`.
          json: authRequestBody(r.app, r.permissions),
          timeoutMs: 0,
          bodyTimeoutMs: 0,
          retries: 0,
          signal,
        },
        retryHint,
      );
    } finally {
      spinner.stop();
    }
    return processAuthorizeAnswer(res, url);
  } finally {
    if (t) clearTimeout(t);
  }
}

/** The Launcher base URL for a saved profile: `--launcher-url` if given, else the saved one. */
export function profileLauncherUrl(ctx: Context, p: Profile, flag: unknown): string {
  if (typeof flag === 'string') return checkLauncherUrl(flag, ctx.insecure);
  return checkLauncherUrl(
    paramsOf(p, 'safe-launcher').launcherUrl ?? DEFAULT_LAUNCHER_URL,
    ctx.insecure,
    'the Launcher URL saved with the profile',
  );
}

/**
 * GET /auth (check) or DELETE /auth (revoke) with `Authorization: Bearer <jwt>` (`controllers/auth.js`).
 * 'valid' = 200; 'invalid' = the Launcher no longer knows the token. Failures are exit 1 with
 * `hint` (also when the Launcher cannot be reached).
 */
export async function tokenCall(
  ctx: Context,
  method: 'GET' | 'DELETE',
  base: string,
  token: string,
  hint: string,
): Promise<SafeCheck> {
  const url = launcherEndpoint(base, AUTH_PATH);
  const res = await send(
    ctx,
    base,
    {
      method,
      url,
      headers: { authorization: bearerValue(token) },
      timeoutMs: CHECK_TIMEOUT_MS,
      bodyTimeoutMs: CHECK_TIMEOUT_MS,
      maxBodyBytes: 64 * 1024,
      signal: ctx.signal,
    },
    hint,
  );
  try {
    return processTokenAnswer(res, url);
  } catch (e) {
    if (e instanceof FailureError) throw rehint(e, `${e.hint ? `${e.hint} ` : ''}${hint}`);
    throw e;
  }
}

/**
 * Revoke a saved SAFE token at its Launcher (DELETE /auth). Returns 'invalid' when the Launcher
 * had already forgotten it. Throws (exit 1) when it could not be revoked; the caller keeps the
 * profile then, and `keptHint` says so.
 */
export async function revokeAtLauncher(
  ctx: Context,
  p: Profile,
  launcherUrl: unknown,
  keptHint: string,
): Promise<SafeCheck> {
  const base = profileLauncherUrl(ctx, p, launcherUrl);
  return tokenCall(ctx, 'DELETE', base, p.token, keptHint);
}

/** The hook for `token delete --revoke`: revoke at the Launcher; a forgotten token is 'already-invalid'. */
export async function revokeForDelete(ctx: Context, name: string, p: Profile): Promise<RevokeOutcome> {
  const r = await revokeAtLauncher(
    ctx,
    p,
    undefined,
    `Profile '${name}' was kept; to delete it locally only, run: authctl token delete ${name}`,
  );
  return r === 'invalid' ? 'already-invalid' : 'revoked';
}
