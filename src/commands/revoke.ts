/** `token delete --revoke`: revoke at the provider where authctl knows how. */
import type { Context } from '../context.js';
import type { Profile } from '../store/profile.js';

/** Revoke `p`'s token at its provider, or say that the provider has no revocation authctl can call. */
export async function revokeProfile(ctx: Context, name: string, p: Profile): Promise<void> {
  switch (p.provider) {
    case 'safe':
      return (await import('../providers/safe/flow.js')).revokeForDelete(ctx, name, p);
    case 'liveperson':
      return (await import('../providers/liveperson/flow.js')).revokeForDelete(ctx, name, p);
    default:
      ctx.io.err(
        `note: ${p.provider} has no token revocation that authctl can call; deleting '${name}' locally only.\n`,
      );
  }
}
