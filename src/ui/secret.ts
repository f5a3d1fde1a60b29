/**
 * Where a client secret comes from — never on argv by necessity, since other users can read argv:
 * --client-secret (works, but warns), --client-secret-stdin, AUTHCTL_CLIENT_SECRET, or a hidden
 * prompt on a TTY.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { registerSecret } from '../lib/secrets.js';

/** The secret-related flags a command accepts. */
export interface SecretOptions {
  clientSecret?: string;
  clientSecretStdin?: boolean;
}

/** Resolve the client secret; without any source and without a TTY, exit 2 naming AUTHCTL_CLIENT_SECRET. */
export async function resolveClientSecret(
  ctx: Context,
  opts: SecretOptions,
  clientId: string,
): Promise<string> {
  const secret = await readClientSecret(ctx, opts, clientId);
  // Redacted (with its Basic and form-encoded forms) from anything authctl shows from now on.
  registerSecret(secret, { basicUser: clientId });
  return secret;
}

async function readClientSecret(ctx: Context, opts: SecretOptions, clientId: string): Promise<string> {
  if (typeof opts.clientSecret === 'string') {
    ctx.io.err(
      'warning: --client-secret puts the secret on the command line, where other users of this machine can see it (ps); prefer AUTHCTL_CLIENT_SECRET or --client-secret-stdin.\n',
    );
    if (opts.clientSecret === '') throw new UsageError('--client-secret is empty');
    return opts.clientSecret;
  }
  if (opts.clientSecretStdin) {
    const secret = (await ctx.io.readStdin()).replace(/\r?\n$/, '');
    if (secret === '') throw new UsageError('--client-secret-stdin: nothing was read from stdin');
    return secret;
  }
  const env = ctx.env.AUTHCTL_CLIENT_SECRET;
  if (env) return env;
  if (ctx.io.interactive) {
    const s = await ctx.prompter.password(
      `Client secret for ${clientId}:`,
      'AUTHCTL_CLIENT_SECRET or --client-secret-stdin',
    );
    if (s === '') throw new UsageError('no client secret entered');
    return s;
  }
  throw new UsageError(
    'no client secret',
    'Set AUTHCTL_CLIENT_SECRET, or pipe it with --client-secret-stdin (there is no terminal to ask on).',
  );
}
