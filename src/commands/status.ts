/**
 * `authctl status [profile] [--json] [--offline]`: for each profile, what it is, when it expires,
 * whether it can be renewed, and whether the provider still accepts its token (an online check
 * where the provider has one, through the ProviderDef `status` hook). Checks run in parallel, each
 * bounded by --timeout, so ten unreachable servers cost one timeout, not ten.
 */
import type { Context } from '../context.js';
import { AuthctlError, FailureError, InterruptedError, NetworkError, NoTokenError } from '../errors.js';
import { formatDuration, isoUtc, maskToken, relativeTime } from '../lib/format.js';
import { loginCommand, provider } from '../providers/index.js';
import { expiresAtMs, isRenewable, type Profile } from '../store/profile.js';

type Opts = Record<string, unknown>;

/** Default time allowed for one profile's online check. */
export const STATUS_TIMEOUT_MS = 5000;

/** One profile's status, as `status --json` prints it (tokens masked). */
export interface ProfileStatus {
  profile: string;
  provider: string;
  flow: string;
  subject: string | null;
  scopes: string[];
  token: string;
  expiresAt: string | null;
  /** "in 42m", "3m ago", or null without a known expiry. */
  expiresIn: string | null;
  renewable: boolean;
  /** online: asked the provider; offline: --offline or already expired; none: the provider has no check. */
  check: 'online' | 'offline' | 'none';
  /** What was checked: "GET access-info", "introspection (RFC 7662)", "expiry", … */
  checkedWith: string;
  /** Whether the token is usable now; null when the online check itself failed. */
  valid: boolean | null;
  /** A short human explanation. */
  detail: string;
  /** Set when the online check failed (network, server error): the error's message. */
  error?: string;
  errorCode?: string;
}

/** Check one profile: local expiry first, then the provider's online check unless offline. */
async function checkOne(
  ctx: Context,
  name: string,
  p: Profile,
  offline: boolean,
  timeoutMs: number,
): Promise<ProfileStatus> {
  const now = ctx.now();
  const exp = expiresAtMs(p);
  const renewable = isRenewable(p, ctx.env);
  const base = {
    profile: name,
    provider: p.provider,
    flow: p.flow,
    subject: p.subject,
    scopes: p.scopes,
    token: maskToken(p.token),
    expiresAt: p.expiresAt,
    expiresIn: exp === null ? null : relativeTime(exp, now),
    renewable,
  };
  if (exp !== null && exp <= now) {
    return {
      ...base,
      check: 'offline',
      checkedWith: 'expiry',
      valid: false,
      detail: renewable
        ? 'expired; renewable (token print renews it)'
        : 'expired and cannot be renewed; log in again',
    };
  }
  const def = provider(p.provider);
  if (offline || !def.status) {
    return {
      ...base,
      check: offline ? 'offline' : 'none',
      checkedWith: 'expiry',
      valid: true,
      detail: offline
        ? 'not expired (not checked online: --offline)'
        : `not expired (${def.label} offers no online check)`,
    };
  }
  const timer = new AbortController();
  const t = setTimeout(
    () =>
      timer.abort(
        new NetworkError(
          `no answer within ${formatDuration(timeoutMs)}`,
          'Check the network, or pass a longer --timeout.',
          'network.timeout',
        ),
      ),
    timeoutMs,
  );
  const child: Context = { ...ctx, signal: AbortSignal.any([ctx.signal, timer.signal]) };
  try {
    const r = await def.status(child, name, p);
    if (r === null) {
      return {
        ...base,
        check: 'none',
        checkedWith: 'expiry',
        valid: true,
        detail: `not expired (no online check is known for this ${def.label} profile)`,
      };
    }
    return {
      ...base,
      check: 'online',
      checkedWith: r.method,
      valid: r.valid,
      detail: r.detail ?? (r.valid ? `${def.label} accepts the token` : `${def.label} rejects the token`),
    };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    if (!(e instanceof AuthctlError) || e instanceof InterruptedError) throw e;
    const msg = e.message.replace(/[.\s]+$/, '');
    return {
      ...base,
      check: 'online',
      checkedWith: 'failed',
      valid: null,
      detail: `the online check failed: ${msg}`,
      error: msg,
      errorCode: e.code,
    };
  } finally {
    clearTimeout(t);
  }
}

/** The human block for one profile (stderr). */
function render(s: ProfileStatus, nowMs: number): string {
  const mark =
    s.valid === true ? '✓' : s.valid === false ? (s.renewable && s.check === 'offline' ? '!' : '✗') : '?';
  const verdict = s.valid === true ? 'valid' : s.valid === false ? 'invalid' : 'unknown (the check failed)';
  const how = s.check === 'online' && s.valid !== null ? `checked online: ${s.checkedWith}` : s.detail;
  const expiry = s.expiresAt
    ? `${isoUtc(Date.parse(s.expiresAt))} (${Date.parse(s.expiresAt) <= nowMs ? `expired ${s.expiresIn}` : s.expiresIn})`
    : 'no expiry';
  return [
    `${mark} ${s.profile}: ${verdict} — ${how}`,
    `    provider ${s.provider} (${s.flow}), subject ${s.subject ?? '-'}, token ${s.token}`,
    `    scopes ${s.scopes.length ? s.scopes.join(' ') : '-'}`,
    `    expires ${expiry}, renewable: ${s.renewable ? 'yes' : 'no'}`,
    ...(s.check === 'online' && s.valid !== null && s.detail ? [`    ${s.detail}`] : []),
  ].join('\n');
}

/** `authctl status`: exit 0 all valid, 4 any invalid (or expired and not renewable), 1 a check failed. */
export async function status(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const snap = ctx.store.read();
  const only = arg ?? (ctx.env.AUTHCTL_PROFILE || undefined);
  let names: string[];
  if (only) {
    ctx.store.get(only, snap);
    names = [only];
  } else {
    names = [...snap.profiles.keys()];
    for (const b of snap.broken) {
      ctx.io.err(
        `warning: profile '${b.name}' in ${ctx.store.file} is damaged (${b.reason}); delete it with 'authctl token delete ${b.name}'.\n`,
      );
    }
  }
  if (names.length === 0) {
    throw new NoTokenError('no profiles saved yet', 'Log in first, e.g. authctl pryv request --help.');
  }
  const timeoutMs = typeof o.timeout === 'number' ? o.timeout : STATUS_TIMEOUT_MS;
  const results = await Promise.all(
    names.map((n) => checkOne(ctx, n, snap.profiles.get(n)!, o.offline === true, timeoutMs)),
  );
  if (o.json) ctx.io.out(`${JSON.stringify(results, null, 2)}\n`);
  else ctx.io.err(`${results.map((r) => render(r, ctx.now())).join('\n')}\n`);

  const invalid = results.filter((r) => r.valid === false && !(r.check === 'offline' && r.renewable));
  const failed = results.filter((r) => r.valid === null);
  if (invalid.length) {
    const list = invalid.map((r) => r.profile).join(', ');
    throw new NoTokenError(
      invalid.length === 1
        ? `profile '${list}' has no usable token (${invalid[0]!.detail})`
        : `${invalid.length} profiles have no usable token (${list})`,
      invalid.length === 1
        ? `Log in again: ${loginCommand(invalid[0]!.profile, snap.profiles.get(invalid[0]!.profile)!)}`
        : 'Log in again for each (authctl token inspect <profile> shows how it was obtained).',
      'status.invalid',
    );
  }
  if (failed.length) {
    const first = failed[0]!;
    throw new FailureError(
      failed.length === 1
        ? `could not check profile '${first.profile}': ${first.error}`
        : `could not check ${failed.length} profiles (${failed.map((r) => r.profile).join(', ')}); first failure: ${first.error}`,
      'Check the network and try again, or pass --offline to check expiry only.',
      'status.check_failed',
    );
  }
}
