/**
 * Getting a usable token for `token print/header/export` and `exec`: return the saved one while it
 * has more than `minTtl` left; otherwise renew it under the profile's lock (read → check → fetch →
 * write), re-reading the store inside the lock because another process may have renewed it already.
 */
import type { Context } from '../context.js';
import { AuthctlError, NoTokenError } from '../errors.js';
import { isoUtc } from '../lib/format.js';
import { loginCommand, provider } from '../providers/index.js';
import { expiresAtMs, isFresh, isRenewable, type Profile, renewalSecret } from '../store/profile.js';

export { isFresh, isRenewable, renewalSecret };

/** Why the profile cannot be renewed, phrased for the exit-4 hint. */
function notRenewableHint(name: string, p: Profile, env: NodeJS.ProcessEnv): string {
  const cmd = loginCommand(name, p);
  if ((p.flow === 'client_credentials' || p.refreshToken) && renewalSecret(p, env) === undefined) {
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
  try {
    if (p.refreshToken) {
      const { refreshProfile } = await import('../flows/oauth-refresh.js');
      return await refreshProfile(ctx, name, p, secret);
    }
    const { renewClientCredentials } = await import('../flows/oauth-client-credentials.js');
    return await renewClientCredentials(ctx, name, p, secret!, provider(p.provider).endpointLabel);
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
  const { profile } = await ctx.store.obtainUnderLock(
    name,
    (current) => !force && isFresh(current!, ctx.now(), minTtlMs),
    // A profile deleted meanwhile is reported as such (exit 4), not renewed from thin air.
    async (current) => renewNow(ctx, name, current ?? ctx.store.get(name)),
    ctx.signal,
  );
  return profile;
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
  return renewAndSave(ctx, name, minTtlMs, false);
}
