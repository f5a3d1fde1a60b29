/** Output shared by every command: the profile summary (`token list --json` item) and login endings. */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { isoUtc, relativeTime } from '../lib/format.js';
import {
  type Flow,
  isLivePerson,
  isOAuth,
  isRenewable,
  oauthClientId,
  type Profile,
  type ProviderName,
  renewalSecret,
  savedParams,
} from '../store/profile.js';

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
    params: savedParams(p),
  };
}

/**
 * Whether authctl can renew the profile by itself, as `token list` shows it: `yes`, `no` (a new
 * login is needed), or `needs AUTHCTL_CLIENT_SECRET` (renewable once the secret is in the
 * environment: it was not saved with the profile).
 */
export function renewalState(
  p: Profile,
  env: NodeJS.ProcessEnv,
): 'yes' | 'no' | 'needs AUTHCTL_CLIENT_SECRET' {
  if (isRenewable(p, env)) return 'yes';
  const usesSecret = p.flow === 'client_credentials' || (p.refreshToken !== undefined && isConfidential(p));
  return usesSecret && renewalSecret(p, env) === undefined ? 'needs AUTHCTL_CLIENT_SECRET' : 'no';
}

/** Whether an OAuth profile's client was saved as confidential (it authenticates with a secret or key). */
const isConfidential = (p: Profile): boolean => isOAuth(p) && p.params.confidential === true;

/** How renewal will work for a profile just saved: one sentence for the login's last line. */
export function renewalNote(p: Profile): string {
  const withSecret = p.clientSecret !== undefined;
  if (p.flow === 'client_credentials') {
    return withSecret
      ? 'authctl will renew it with the saved client secret'
      : 'renewal needs AUTHCTL_CLIENT_SECRET (the secret was not saved)';
  }
  if (p.refreshToken) {
    if (!isConfidential(p) || withSecret) return 'authctl will renew it with the refresh token';
    return 'authctl will renew it with the refresh token; that needs AUTHCTL_CLIENT_SECRET (the secret was not saved)';
  }
  return p.expiresAt === null ? 'no renewal needed' : 'it cannot be renewed: log in again when it expires';
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

/** Who a login is for: what decides whether saving it over a profile is renewal or replacement. */
export interface LoginIdentity {
  provider: ProviderName;
  flow: Flow;
  /** Client id (OAuth client, LivePerson app install, Pryv or SAFE app id), when known. */
  clientId?: string | undefined;
  /** Account (LivePerson account, Pryv user name), when known. */
  account?: string | undefined;
}

/** How a login may treat an existing profile of another identity. */
export interface SaveRules {
  /** `--replace`: overwrite whatever the profile holds. */
  replace?: boolean;
  /** The user typed `--profile <name>` (not the default name). */
  explicitProfile?: boolean;
}

/**
 * The save rules from a command's parsed flags. The command layer (kit.ts) says whether --profile
 * was typed; a caller that does not say (a direct call with a `profile`) named it on purpose.
 */
export function saveRules(opts: Record<string, unknown>): SaveRules {
  const explicit =
    typeof opts.explicitProfile === 'boolean' ? opts.explicitProfile : typeof opts.profile === 'string';
  return { replace: opts.replace === true, explicitProfile: explicit };
}

/** The identity of a saved profile: its client (OAuth) or app (Pryv, SAFE), its account or user. */
export function identityOf(p: Profile): LoginIdentity {
  const id: LoginIdentity = { provider: p.provider, flow: p.flow };
  if (p.flow === 'pryv-access') {
    id.clientId = p.params.appId;
    id.account = p.params.username;
  } else if (p.flow === 'safe-launcher') id.clientId = p.params.appId;
  else {
    id.clientId = oauthClientId(p);
    if (isLivePerson(p)) id.account = p.params.account;
  }
  return id;
}

/** "oauth client_credentials, client svc" */
function describeIdentity(id: LoginIdentity): string {
  return [
    `${id.provider} ${id.flow}`,
    id.clientId !== undefined ? `client ${id.clientId}` : '',
    id.account !== undefined ? `account ${id.account}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Whether `next` is another login than `saved`; a field either side does not know is not compared. */
function differs(saved: LoginIdentity, next: LoginIdentity): boolean {
  if (saved.provider !== next.provider || saved.flow !== next.flow) return true;
  const known = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined;
  if (known(saved.clientId, next.clientId) && saved.clientId !== next.clientId) return true;
  return known(saved.account, next.account) && saved.account !== next.account;
}

/**
 * Refuse (exit 2) to save `next` over profile `name` when that profile holds another login (other
 * provider, flow, client id or account), unless the name was given with --profile or --replace
 * was passed. The same login again is renewal and passes. Logins call it before their first
 * request (with what they know then) and finishLogin calls it again with the whole identity.
 */
export function assertCanSave(
  ctx: Context,
  name: string,
  next: LoginIdentity,
  rules: SaveRules,
  snap = ctx.store.read(),
): void {
  if (rules.replace || rules.explicitProfile) return;
  const saved = snap.profiles.get(name);
  if (!saved) return;
  const was = identityOf(saved);
  if (!differs(was, next)) return;
  throw new UsageError(
    `profile '${name}' holds another login (${describeIdentity(was)}); this one (${describeIdentity(next)}) would replace it`,
    `Pass --profile <name> to save it under another name, or --replace to overwrite '${name}'.`,
    'usage.profile_taken',
  );
}

/** Options every login command shares. */
export interface LoginOutputOptions extends SaveRules {
  json?: boolean;
  print?: boolean;
}

/**
 * Save a login's result and report it: stdout gets the token (--print) or the summary (--json),
 * else nothing; stderr gets one human line, which also says how the profile will be renewed.
 */
export async function finishLogin(
  ctx: Context,
  name: string,
  profile: Profile,
  opts: LoginOutputOptions,
  message?: string,
): Promise<void> {
  assertCanSave(ctx, name, identityOf(profile), opts);
  await ctx.store.save(name, profile, ctx.signal);
  const style = await ctx.style();
  const who = profile.subject ? ` for ${profile.subject}` : '';
  ctx.io.err(
    `${style.green('✓')} ${message ?? `Saved token${who} as profile '${name}'`} (expires: ${describeExpiry(profile, ctx.now())}); ${renewalNote(profile)}.\n`,
  );
  if (opts.json) ctx.io.out(`${JSON.stringify(summarize(name, profile, ctx.env), null, 2)}\n`);
  else if (opts.print) ctx.io.out(`${profile.token}\n`);
}
