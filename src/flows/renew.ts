/**
 * Getting a usable token for `token print/header/export` and `exec`: return the saved one while it
 * has more than `minTtl` left; otherwise renew it under the profile's lock (read → check → fetch →
 * write), re-reading the store inside the lock because another process may have renewed it already.
 */
import type { Context } from '../context.js';
import { NoTokenError } from '../errors.js';
import { needsSecret } from '../oauth/client-auth/index.js';
import { loginCommand } from '../providers/hints.js';
import { expiresAtMs, type Profile } from '../store/profile.js';
import { isoUtc } from '../ui/format.js';

/** True when the token has more than `minTtlMs` left (or no known expiry). */
export function isFresh(p: Profile, nowMs: number, minTtlMs: number): boolean {
  const exp = expiresAtMs(p);
  return exp === null || exp - nowMs > minTtlMs;
}

/** The client secret renewal can use: the saved one, else AUTHCTL_CLIENT_SECRET. */
export function renewalSecret(p: Profile, env: NodeJS.ProcessEnv): string | undefined {
  return p.clientSecret ?? (env.AUTHCTL_CLIENT_SECRET || undefined);
}

/**
 * Whether renewing `p` needs the client secret: confidential refresh clients, and client
 * credentials / token exchange with a secret-based method (not a key, certificate or assertion).
 */
function renewalNeedsSecret(p: Profile): boolean {
  const P = p.params;
  if (typeof P.clientAssertionFile === 'string' || typeof P.clientAssertionEnv === 'string') return false;
  const method = typeof P.authMethod === 'string' ? P.authMethod : undefined;
  if (p.refreshToken || p.flow === 'token_exchange') {
    return P.confidential === true && (method === undefined || needsSecret(method as never));
  }
  return method === undefined || needsSecret(method as never);
}

/** Whether authctl can renew this profile without the user (refresh token, client credentials, token exchange). */
export function isRenewable(p: Profile, env: NodeJS.ProcessEnv): boolean {
  if (!p.refreshToken && p.flow !== 'client_credentials' && p.flow !== 'token_exchange') return false;
  return !renewalNeedsSecret(p) || renewalSecret(p, env) !== undefined;
}

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
  if (p.refreshToken) {
    const { refreshProfile } = await import('../oauth/grants/refresh.js');
    return refreshProfile(ctx, name, p, secret);
  }
  if (p.flow === 'token_exchange') {
    const { renewTokenExchange } = await import('../oauth/grants/token-exchange.js');
    return renewTokenExchange(ctx, name, p, secret);
  }
  const { renewClientCredentials } = await import('../oauth/grants/client-credentials.js');
  return renewClientCredentials(ctx, name, p, secret);
}

/** Renew under the profile lock and save; `force` renews even if another process just did. */
export async function renewAndSave(
  ctx: Context,
  name: string,
  minTtlMs: number,
  force: boolean,
): Promise<Profile> {
  return ctx.store.withProfileLock(
    name,
    async () => {
      const current = ctx.store.get(name);
      if (!force && isFresh(current, ctx.now(), minTtlMs)) return current;
      const renewed = await renewNow(ctx, name, current);
      await ctx.store.save(name, renewed, ctx.signal);
      return renewed;
    },
    ctx.signal,
  );
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
