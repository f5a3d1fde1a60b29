/** Output shared by every command: the profile summary (`token list --json` item) and login endings. */
import type { Context } from '../context.js';
import { isoUtc, relativeTime } from '../lib/format.js';
import { isRenewable, type Profile } from '../store/profile.js';

/** The public, token-free view of a profile, as `token list --json` prints it. */
export interface ProfileSummary {
  profile: string;
  provider: string;
  flow: string;
  subject: string | null;
  scopes: string[];
  obtainedAt: string;
  expiresAt: string | null;
  renewable: boolean;
  tokenType: string;
  hasRefreshToken: boolean;
  params: Record<string, unknown>;
}

/** Summarise a profile without any secret. */
export function summarize(name: string, p: Profile, env: NodeJS.ProcessEnv): ProfileSummary {
  return {
    profile: name,
    provider: p.provider,
    flow: p.flow,
    subject: p.subject,
    scopes: p.scopes,
    obtainedAt: p.obtainedAt,
    expiresAt: p.expiresAt,
    renewable: isRenewable(p, env),
    tokenType: p.tokenType,
    hasRefreshToken: Boolean(p.refreshToken),
    params: { ...p.params },
  };
}

/** Human description of expiry: "2026-11-23T09:00:00Z (in 42m)" or "no expiry". */
export function describeExpiry(p: Profile, nowMs: number): string {
  if (p.expiresAt === null) return 'no expiry';
  const t = Date.parse(p.expiresAt);
  return `${isoUtc(t)} (${t <= nowMs ? `expired ${relativeTime(t, nowMs)}` : relativeTime(t, nowMs)})`;
}

/**
 * Read the store before a login starts: a login must not ask the user (or a server) for anything
 * when its result could not be saved. A damaged store is exit 1 naming the file, before any request.
 */
export function assertStoreUsable(ctx: Context): void {
  ctx.store.read();
}

/** Options every login command shares. */
export interface LoginOutputOptions {
  json?: boolean;
  print?: boolean;
}

/**
 * Save a login's result and report it: stdout gets the token (--print) or the summary (--json),
 * else nothing; stderr gets one human line.
 */
export async function finishLogin(
  ctx: Context,
  name: string,
  profile: Profile,
  opts: LoginOutputOptions,
  message?: string,
): Promise<void> {
  await ctx.store.save(name, profile, ctx.signal);
  const style = await ctx.style();
  const who = profile.subject ? ` for ${profile.subject}` : '';
  ctx.io.err(
    `${style.green('✓')} ${message ?? `Saved token${who} as profile '${name}'`} (expires: ${describeExpiry(profile, ctx.now())}).\n`,
  );
  if (opts.json) ctx.io.out(`${JSON.stringify(summarize(name, profile, ctx.env), null, 2)}\n`);
  else if (opts.print) ctx.io.out(`${profile.token}\n`);
}
