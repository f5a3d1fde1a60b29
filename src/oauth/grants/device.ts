/**
 * Device authorization grant (RFC 8628): ask the device authorization endpoint for a user code, let
 * the caller show it, then poll the token endpoint (RFC 8628 §3.4 and 3.5) —
 * `authorization_pending` keeps going, `slow_down` adds 5 s to the interval each time,
 * `access_denied` is a refusal (exit 3), `expired_token` or the deadline (the sooner of
 * `expires_in` and --timeout) is a timeout (exit 5). Nothing here prints: the caller gets the code
 * through `onCode` and does the talking.
 */
import type { Context } from '../../context.js';
import { AuthctlError, ProtocolError, RefusedError, TimeoutError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import type { OAuthClient } from '../client-auth/index.js';
import { parseExpiresIn, type TokenSet } from '../protocol.js';
import { postFormExpecting, requestToken } from '../token-endpoint.js';

/** RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.2: the interval when the server names none, and the slow_down step (§3.5). */
export const DEFAULT_INTERVAL_S = 5;
export const SLOW_DOWN_STEP_S = 5;

/** Everything one device login needs. */
export interface DeviceConfig {
  deviceUrl: string;
  tokenUrl: string;
  client: OAuthClient;
  scopes: string[];
  resource?: readonly string[] | undefined;
  audience?: string | undefined;
  /** --param pairs for the device authorization request. */
  extraParams?: ReadonlyArray<readonly [string, string]> | undefined;
  /** --token-param pairs for the token requests. */
  tokenParams?: ReadonlyArray<readonly [string, string]> | undefined;
  caFile?: string | undefined;
  /** Give up after this long (exit 5); 0 = only the server's expires_in. */
  timeoutMs: number;
}

/** The device authorization response (RFC 8628 §3.2); `deviceCode` is secret. */
export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string | undefined;
  expiresIn: number;
  interval: number;
}

/** Validate a device authorization response. */
export function parseDeviceResponse(json: unknown, where: string, insecure: boolean): DeviceCode {
  const b = json as Record<string, unknown>;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw new ProtocolError(`${where} answered something that is not a JSON object`);
  }
  const field = (name: string, why: string) =>
    new ProtocolError(`${where}: invalid answer: '${name}' ${why}`);
  const s = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : undefined);
  const deviceCode = s('device_code');
  if (!deviceCode || !/^[\x21-\x7e]+$/.test(deviceCode)) throw field('device_code', 'is missing or invalid');
  const userCode = s('user_code');
  // Shown to the user: printable ASCII only, bounded.
  if (!userCode || !/^[\x20-\x7e]{1,64}$/.test(userCode))
    throw field('user_code', 'is missing or not printable');
  // Google's and Microsoft's older endpoints say verification_url (RFC 8628 §3.2 names verification_uri).
  const uri = s('verification_uri') ?? s('verification_url');
  if (!uri) throw field('verification_uri', 'is missing');
  const verificationUri = checkUrl(uri, { insecure, source: 'server', label: 'verification_uri' }).href;
  const complete = s('verification_uri_complete');
  const verificationUriComplete = complete
    ? checkUrl(complete, { insecure, source: 'server', label: 'verification_uri_complete' }).href
    : undefined;
  const expiresIn = parseExpiresIn(b.expires_in);
  if (expiresIn === undefined || expiresIn === 'invalid' || expiresIn <= 0)
    throw field('expires_in', 'is not a positive number of seconds');
  const interval = parseExpiresIn(b.interval);
  if (interval === 'invalid') throw field('interval', 'is not a number of seconds');
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete,
    expiresIn,
    interval: Math.max(1, interval ?? DEFAULT_INTERVAL_S),
  };
}

/** Ask for a device code (RFC 8628 §3.1). */
export async function requestDeviceCode(ctx: Context, cfg: DeviceConfig): Promise<DeviceCode> {
  const where = `device authorization endpoint ${new URL(cfg.deviceUrl).host}`;
  const res = await postFormExpecting(
    ctx,
    {
      tokenUrl: cfg.deviceUrl,
      client: cfg.client,
      params: {
        scope: cfg.scopes.length ? cfg.scopes.join(' ') : undefined,
        resource: cfg.resource,
        audience: cfg.audience,
      },
      extraParams: cfg.extraParams,
      caFile: cfg.caFile,
      retries: 1,
      label: where,
    },
    [200],
  );
  return parseDeviceResponse(res.json, where, ctx.insecure);
}

/** How long to wait, in ms, before the next poll; exposed for the tests of the schedule. */
export function nextInterval(current: number, error: string): number {
  return error === 'slow_down' ? current + SLOW_DOWN_STEP_S : current;
}

/** Poll until the user approved (tokens), denied (exit 3), or time ran out (exit 5). */
export async function pollDeviceToken(
  ctx: Context,
  cfg: DeviceConfig,
  code: DeviceCode,
  onSlowDown?: (intervalS: number) => void,
): Promise<TokenSet> {
  const started = ctx.now();
  const limit = cfg.timeoutMs > 0 ? Math.min(code.expiresIn * 1000, cfg.timeoutMs) : code.expiresIn * 1000;
  const deadline = started + limit;
  const byTimeout = cfg.timeoutMs > 0 && cfg.timeoutMs < code.expiresIn * 1000;
  const codeExpired = () =>
    new TimeoutError(
      'the device code expired before it was approved',
      'Run the device login again and enter the new code.',
      'oauth.expired_token',
    );
  const expired = () =>
    byTimeout
      ? new TimeoutError(
          'the device login was not approved before --timeout',
          'Run it again and enter the code sooner, or pass a longer --timeout.',
          'oauth.device_timeout',
        )
      : codeExpired();
  let interval = code.interval;
  let networkFailures = 0;
  for (;;) {
    const wait = interval * 1000;
    if (ctx.now() + wait >= deadline) {
      // Wait out what is left, then give up: polling after the deadline would be pointless.
      await ctx.sleep(Math.max(0, deadline - ctx.now()));
      throw expired();
    }
    await ctx.sleep(wait);
    try {
      return await requestToken(ctx, {
        tokenUrl: cfg.tokenUrl,
        client: cfg.client,
        params: { grant_type: DEVICE_CODE_GRANT, device_code: code.deviceCode },
        extraParams: cfg.tokenParams,
        caFile: cfg.caFile,
        retries: 0,
      });
    } catch (e) {
      if (!(e instanceof AuthctlError)) throw e;
      switch (e.code) {
        case 'oauth.authorization_pending':
          networkFailures = 0;
          continue;
        case 'oauth.slow_down':
          interval = nextInterval(interval, 'slow_down');
          onSlowDown?.(interval);
          continue;
        case 'oauth.access_denied':
          throw new RefusedError(
            'the device login was denied',
            'Run it again and approve the request if you meant to.',
            'oauth.access_denied',
          );
        case 'oauth.expired_token':
          throw codeExpired();
        default:
          // A dropped connection or a 5xx while waiting is not the end: try again a few times.
          if (e.code.startsWith('network') && ++networkFailures < 3) continue;
          throw e;
      }
    }
  }
}
