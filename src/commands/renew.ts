/**
 * Getting a usable token for `token print/header/export` and `exec`: return the saved one while it
 * has more than `minTtl` left; otherwise renew it under the profile's lock (read → check → fetch →
 * write), re-reading the store inside the lock because another process may have renewed it already.
 */
import type { Context } from '../context.js';
import { AuthctlError, asInterrupted, NoTokenError } from '../errors.js';
import { isoUtc } from '../lib/format.js';
import { registerSecret } from '../lib/secrets.js';
import { loginCommand, provider } from '../providers/index.js';
import {
  expiresAtMs,
  isFresh,
  isRenewable,
  oauthClientId,
  type Profile,
  renewalSecret,
} from '../store/profile.js';
import { hushLines } from '../ui/activity.js';

export { isFresh, isRenewable, renewalSecret };

/** Why the profile cannot be renewed, phrased for the exit-4 hint. */
function notRenewableHint(name: string, p: Profile, env: NodeJS.ProcessEnv): string {
  const cmd = loginCommand(name, p);
  if (isRenewable({ ...p, clientSecret: 'x' }, env) && renewalSecret(p, env) === undefined) {
    return `Set AUTHCTL_CLIENT_SECRET so authctl can renew it, or run: ${cmd}`;
  }
  return `Run: ${cmd}`;
}

/** Renew `p` now (no freshness check); the caller holds the profile lock and saves the result. */
export async function renewNow(ctx: Context, name: string, p: Profile): Promise<Profile> {
  if (!isRenewable(p, ctx.env)) {
    throw new NoTokenError(
      `profile '${name}' cannot be renewed automatically`,
      notRenewableHint(name, p, ctx.env),
    );
  }
  const secret = renewalSecret(p, ctx.env);
  // Held for this request: redacted from anything shown (a server may echo the request).
  const clientId = oauthClientId(p);
  registerSecret(secret, clientId === undefined ? {} : { basicUser: clientId });
  registerSecret(p.refreshToken);
  try {
    if (p.refreshToken) {
      const { refreshProfile } = await import('../oauth/grants/refresh.js');
      return await refreshProfile(ctx, name, p, secret);
    }
    if (p.flow === 'token_exchange') {
      const { renewTokenExchange } = await import('../oauth/grants/token-exchange.js');
      return await renewTokenExchange(ctx, name, p, secret);
    }
    const { renewClientCredentials } = await import('../oauth/grants/client-credentials.js');
    return await renewClientCredentials(ctx, name, p, secret, provider(p.provider).endpointLabel);
  } catch (e) {
    // The engine cannot name the re-login command (it does not know providers): finish the hint.
    if (e instanceof AuthctlError && e.reloginLead) e.hint = `${e.reloginLead}: ${loginCommand(name, p)}`;
    throw e;
  }
}

/** Renew under the profile lock and save; `force` renews even if another process just did. */
export async function renewAndSave(
  ctx: Context,
  name: string,
  minTtlMs: number,
  force: boolean,
): Promise<Profile> {
  // Ctrl-C during a renewal waits (at most SAVE_GRACE_MS) for the answer and its save: a server
  // that rotates refresh tokens has already invalidated the old one once it answers.
  const grace = graceSignal(ctx.signal, SAVE_GRACE_MS);
  const rctx: Context = { ...ctx, signal: grace };
  const { profile } = await ctx.store.obtainUnderLock(
    name,
    (current) => !force && isFresh(current!, ctx.now(), minTtlMs),
    // A profile deleted meanwhile is reported as such (exit 4), not renewed from thin air.
    async (current) => {
      const p = current ?? ctx.store.get(name);
      try {
        const next = await renewNow(rctx, name, p);
        if (next.details && 'needsRelogin' in next.details) {
          const { needsRelogin: _, ...rest } = next.details;
          next.details = rest;
        }
        return next;
      } catch (e) {
        // The token endpoint answered with a valid token set that authctl then rejected (an ID
        // token failing a check): keep the rotated refresh token anyway and mark the profile.
        const rotated = (e as { rotatedRefreshToken?: unknown }).rotatedRefreshToken;
        if (typeof rotated === 'string' && rotated !== p.refreshToken) {
          const reason = e instanceof Error ? e.message : 'the refresh answer was rejected';
          await ctx.store.save(
            name,
            { ...p, refreshToken: rotated, details: { ...p.details, needsRelogin: reason } },
            grace,
          );
        }
        throw e;
      }
    },
    grace,
  );
  // Saved; now honour the Ctrl-C that arrived meanwhile.
  if (ctx.signal.aborted) throw asInterrupted(ctx.signal);
  return profile;
}

/** How long Ctrl-C waits for a renewal's answer and save (bounded, about a second). */
const SAVE_GRACE_MS = 1000;

/** A signal that aborts `ms` after `signal` does. */
function graceSignal(signal: AbortSignal, ms: number): AbortSignal {
  const c = new AbortController();
  const later = () => setTimeout(() => c.abort(signal.reason), ms).unref();
  if (signal.aborted) later();
  else signal.addEventListener('abort', later, { once: true });
  return c.signal;
}

/** The profile with a token good for at least `minTtlMs`, renewing it when needed and possible. */
export async function usableProfile(ctx: Context, name: string, minTtlMs: number): Promise<Profile> {
  const p = ctx.store.get(name);
  if (isFresh(p, ctx.now(), minTtlMs)) return p;
  if (!isRenewable(p, ctx.env)) {
    const exp = expiresAtMs(p)!;
    const state =
      exp <= ctx.now()
        ? `expired at ${isoUtc(exp)}`
        : `expires at ${isoUtc(exp)}, less than the ${Math.round(minTtlMs / 1000)}s --min-ttl away`;
    throw new NoTokenError(`the token of profile '${name}' ${state}`, notRenewableHint(name, p, ctx.env));
  }
  // Renewal here is silent (no "Contacting …" line on a pipe; stderr of a script stays empty).
  const release = hushLines();
  try {
    return await renewAndSave(ctx, name, minTtlMs, false);
  } finally {
    release();
  }
}
