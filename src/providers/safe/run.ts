/** `authctl safe authorize | status | revoke`: the SAFE Launcher preset (docs/protocol-notes/safe.md). */

import { parseDuration } from '../../cli/parse.js';
import { assertStoreUsable, finishLogin } from '../../commands/output.js';
import type { Context } from '../../context.js';
import { NoTokenError, UsageError } from '../../errors.js';
import { isoUtc } from '../../lib/format.js';
import type { Profile } from '../../store/profile.js';
import { DEFAULT_LAUNCHER_URL, DEFAULT_TIMEOUT } from './constants.js';
import { profileLauncherUrl, requestAuthorization, revokeAtLauncher, tokenCall } from './flow.js';
import { checkApp, checkLauncherUrl, checkPermissions } from './protocol.js';
import { loginCommand } from './relogin.js';

type Opts = Record<string, unknown>;

/** Default for --timeout when called without commander: the flag's own default, 5m. */
const DEFAULT_TIMEOUT_MS = parseDuration(DEFAULT_TIMEOUT);

/**
 * `safe authorize`: check every input before any request (exit 2), ask the Launcher, wait for the
 * user's decision, and save the JWT with no expiry (it lives as long as the Launcher session).
 */
export async function authorize(ctx: Context, opts: Opts): Promise<void> {
  const app = checkApp({
    name: opts.appName,
    id: opts.appId,
    version: opts.appVersion,
    vendor: opts.appVendor,
  });
  const permissions = checkPermissions(opts.permission as string[] | undefined);
  const launcherUrl = checkLauncherUrl(
    typeof opts.launcherUrl === 'string' ? opts.launcherUrl : DEFAULT_LAUNCHER_URL,
    ctx.insecure,
  );
  const timeoutMs = typeof opts.timeout === 'number' ? opts.timeout : DEFAULT_TIMEOUT_MS;
  const name = typeof opts.profile === 'string' ? opts.profile : 'safe';
  assertStoreUsable(ctx);

  ctx.io.err(
    `Asking the SAFE Launcher at ${launcherUrl} to authorize ${app.name} ${app.version} by ${app.vendor} (${app.id}) ` +
      `with ${permissions.length ? permissions.join(', ') : 'no permissions'}. ` +
      'Click Allow or Deny in the Launcher window (Ctrl-C cancels).\n',
  );
  const grant = await requestAuthorization(ctx, { app, permissions, launcherUrl, timeoutMs });
  const asked = [...permissions].sort().join(',');
  if ([...grant.permissions].sort().join(',') !== asked) {
    ctx.io.err(
      `note: the Launcher granted ${grant.permissions.join(', ') || 'no permissions'} (asked for ${permissions.join(', ') || 'none'}).\n`,
    );
  }
  const profile: Profile = {
    provider: 'safe',
    flow: 'safe-launcher',
    token: grant.token,
    tokenType: 'Bearer',
    obtainedAt: isoUtc(ctx.now()),
    // No `exp` claim: valid while the in-memory Launcher session lives (`app/server/session_manager.js`).
    expiresAt: null,
    subject: app.id,
    scopes: grant.permissions,
    params: {
      launcherUrl,
      appName: app.name,
      appId: app.id,
      appVersion: app.version,
      appVendor: app.vendor,
    },
    details: {
      app: { name: app.name, id: app.id, version: app.version, vendor: app.vendor },
      permissions: grant.permissions,
    },
  };
  await finishLogin(
    ctx,
    name,
    profile,
    { json: Boolean(opts.json), print: Boolean(opts.print) },
    `Authorized ${app.id} in SAFE Launcher; saved its token as profile '${name}'`,
  );
}

/** Resolve `[profile]` and insist that it was saved by `safe authorize` (else exit 2). */
function safeProfile(ctx: Context, arg: string | undefined): { name: string; p: Profile } {
  const snap = ctx.store.read();
  const name = ctx.store.resolveName(arg, ctx.env, snap);
  const p = ctx.store.get(name, snap);
  if (p.provider !== 'safe') {
    throw new UsageError(
      `profile '${name}' is a ${p.provider} profile, not a SAFE Launcher one`,
      "Name a profile saved by 'authctl safe authorize'.",
    );
  }
  return { name, p };
}

/** `safe status`: GET /auth with the token — exit 0 when the Launcher accepts it, 4 when not. */
export async function status(ctx: Context, profileArg: string | undefined, opts: Opts): Promise<void> {
  const { name, p } = safeProfile(ctx, profileArg);
  const base = profileLauncherUrl(ctx, p, opts.launcherUrl);
  const r = await tokenCall(
    ctx,
    'GET',
    base,
    p.token,
    `Saved SAFE tokens do not survive a Launcher restart; once it runs, check again, or run: ${loginCommand(name, p)}`,
  );
  if (r === 'valid') {
    ctx.io.err(
      `valid: the SAFE Launcher at ${base} accepts the token of profile '${name}' (${p.subject ?? '-'}).\n`,
    );
    return;
  }
  throw new NoTokenError(
    `the token of profile '${name}' is invalid: the SAFE Launcher at ${base} no longer knows it (it restarted, its user logged out, or the token was revoked)`,
    `Authorize again: ${loginCommand(name, p)}`,
  );
}

/**
 * `safe revoke`: DELETE /auth, then delete the profile. A token the Launcher had already forgotten
 * still deletes the profile (with a note); if the Launcher cannot be reached the profile is kept.
 */
export async function revoke(ctx: Context, profileArg: string | undefined, opts: Opts): Promise<void> {
  const { name, p } = safeProfile(ctx, profileArg);
  const r = await revokeAtLauncher(
    ctx,
    p,
    opts.launcherUrl,
    `The token was not revoked and profile '${name}' was kept; to delete it locally only, run: authctl token delete ${name}`,
  );
  // Delete only the token we revoked: another process may have re-authorized meanwhile.
  const deleted = await ctx.store.update((profiles) => {
    const cur = profiles[name] as { token?: unknown } | undefined;
    if (cur?.token !== p.token) return false;
    delete profiles[name];
    return true;
  }, ctx.signal);
  if (r === 'invalid') {
    ctx.io.err(
      'note: the SAFE Launcher no longer knew this token (it restarted, logged out, or the token was revoked already).\n',
    );
  }
  if (deleted) {
    ctx.io.err(
      `${r === 'valid' ? 'Revoked the token at the SAFE Launcher and deleted' : 'Deleted'} profile '${name}'.\n`,
    );
  } else {
    ctx.io.err(
      `${r === 'valid' ? 'Revoked the token at the SAFE Launcher. ' : ''}Profile '${name}' changed meanwhile (a new authorization?); kept it.\n`,
    );
  }
}
