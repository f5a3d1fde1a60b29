/**
 * What a provider is to the rest of authctl. Each provider folder (src/providers/<name>/) exports
 * one ProviderDef from its index.ts, and src/providers/index.ts lists them: `token`, renewal,
 * revocation, status, re-login hints and `token list` reach provider-specific behaviour only
 * through that registry. Definitions stay light (no commander, no network code at module load):
 * hooks import their implementation lazily.
 */
import type { Command } from 'commander';
import type { CommandKit } from '../cli/kit.js';
import type { Context } from '../context.js';
import type { Profile, ProviderName } from '../store/profile.js';

/** How a revocation at the provider ended. */
export type RevokeOutcome =
  /** The provider confirmed the revocation. */
  | 'revoked'
  /** The provider no longer knew the token (expired, revoked already, server restarted). */
  | 'already-invalid'
  /** Nothing to revoke (e.g. no refresh token). */
  | 'nothing'
  /** The provider has no revocation authctl can call. */
  | 'unsupported';

/** One provider: its commands and the hooks shared commands call for its profiles. */
export interface ProviderDef {
  name: ProviderName;
  /** Human name, e.g. "Pryv.io". */
  label: string;
  /** How messages name its token endpoint ("ActiGraph" → "ActiGraph token endpoint <host>"). */
  endpointLabel?: string;
  /** Declare `authctl <name> …` on the program (flags, help, examples, lazy actions). */
  register(program: Command, kit: CommandKit): void;
  /** The shell command that obtains a fresh token for `p` saved as `name` (exit-4 hints). */
  loginCommand(name: string, p: Profile): string;
  /** The value of the Authorization header for this profile; default `<type> <token>`. */
  authorization?(p: Profile): string;
  /** Variables `token export` and `exec` add beyond the token ones (names without prefix). */
  extraVars?(p: Profile): Array<[string, string]>;
  /** Revoke the profile's grant at the provider (the caller deletes the profile afterwards). */
  revoke?(ctx: Context, name: string, p: Profile): Promise<RevokeOutcome>;
}
