/**
 * `authctl logout [profile]` and `authctl token delete [--revoke]`: revoke the token at the provider
 * where it can be revoked, then delete the profile. One line says how the revocation ended; a
 * revocation that failed keeps the profile unless --force.
 */
import type { Context } from '../context.js';
import { AuthctlError, InterruptedError, NoTokenError, RefusedError, UsageError } from '../errors.js';
import { provider } from '../providers/index.js';
import type { RevokeOutcome } from '../providers/types.js';

type Opts = Record<string, unknown>;

/** What removeProfile is asked to do. */
export interface RemoveOptions {
  revoke: boolean;
  /** Skip the confirmation question (on a terminal). */
  yes: boolean;
  /** Delete the profile even when the revocation failed. */
  force: boolean;
  /** The command as the user typed it, for hints ("authctl logout ci"). */
  command: string;
}

/** One line saying how a revocation ended. */
export function revokeLine(label: string, name: string, outcome: RevokeOutcome): string {
  switch (outcome) {
    case 'revoked':
      return `Revoked the token at ${label} (profile '${name}').`;
    case 'already-invalid':
      return `note: ${label} no longer knew the token of '${name}' (expired, revoked already, or the server restarted).`;
    case 'nothing':
      return `note: profile '${name}' has nothing ${label} can revoke (no refresh token).`;
    case 'unsupported':
      return `note: ${label} has no token revocation that authctl can call; deleting '${name}' locally only.`;
  }
}

/**
 * Revoke (when asked) and delete profile `name`. On a terminal, a revocation is confirmed first
 * unless --yes; without one it goes ahead (the command itself is the request).
 */
export async function removeProfile(ctx: Context, name: string, o: RemoveOptions): Promise<void> {
  const snap = ctx.store.read();
  const p = snap.profiles.get(name);
  if (!p && !snap.broken.some((b) => b.name === name)) {
    throw new NoTokenError(
      `no profile named '${name}'`,
      `Known profiles: ${[...snap.profiles.keys()].join(', ') || 'none'}.`,
    );
  }
  if (o.revoke && p) {
    const def = provider(p.provider);
    if (!o.yes && ctx.io.interactive) {
      const ok = await ctx.prompter.confirm(
        `Revoke the token of profile '${name}' at ${def.label} and delete the profile?`,
        '--yes',
      );
      if (!ok) throw new RefusedError('cancelled; nothing was revoked or deleted', undefined, 'cancelled');
    }
    let outcome: RevokeOutcome;
    try {
      outcome = def.revoke ? await def.revoke(ctx, name, p) : 'unsupported';
    } catch (e) {
      if (!(e instanceof AuthctlError) || e instanceof InterruptedError) throw e;
      const why = e.message.replace(/[.\s]+$/, '');
      if (!o.force) {
        // The error line says what failed and that the profile is still there.
        e.hint = `Profile '${name}' was kept (its token may still work); to delete it anyway, run: ${o.command} --force`;
        e.message = `revoking the token of '${name}' at ${def.label} failed: ${why}`;
        throw e;
      }
      ctx.io.err(
        `warning: revoking the token of '${name}' at ${def.label} failed (${why}); deleting the profile anyway (--force), the token may still work.\n`,
      );
      await ctx.store.delete(name, ctx.signal);
      ctx.io.err(`Deleted profile '${name}'.\n`);
      return;
    }
    ctx.io.err(`${revokeLine(def.label, name, outcome)}\n`);
  }
  await ctx.store.delete(name, ctx.signal);
  ctx.io.err(`Deleted profile '${name}'.\n`);
}

/** `authctl logout [profile] [--yes] [--force]`: the same as `token delete <profile> --revoke`. */
export async function logout(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const name = ctx.store.resolveName(arg, ctx.env);
  await removeProfile(ctx, name, {
    revoke: true,
    yes: o.yes === true,
    force: o.force === true,
    command: `authctl logout ${name}`,
  });
}

/** `token delete [profile] [--revoke] [--yes] [--force]`. */
export async function deleteProfile(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  if (!arg) {
    throw new UsageError(
      'name the profile to delete',
      'Pass it as the argument or with --profile (authctl token list shows them).',
    );
  }
  await removeProfile(ctx, arg, {
    revoke: o.revoke === true,
    yes: o.yes === true,
    force: o.force === true,
    command: `authctl token delete ${arg}${o.revoke ? ' --revoke' : ''}`,
  });
}
