/**
 * A token the user names by a flag pair, `--<stem>-file <path>` or `--<stem>-env <VAR>` (a
 * federated client assertion, a token to exchange): read as it is now, on every request, so renewal
 * uses whatever the CI system holds at that moment.
 */
import fs from 'node:fs';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * A credential as it is now in its file (`--<stem>-file`) or variable (`--<stem>-env`), trimmed,
 * with `from` naming its flag for messages; exit 2 when it cannot be read, is not set or is empty.
 */
export function readFileOrEnv(
  ctx: Context,
  src: { file?: string | undefined; env?: string | undefined },
  stem: string,
  unsetHint?: string,
): { value: string; from: string } {
  const from = src.file !== undefined ? `--${stem}-file ${src.file}` : `--${stem}-env ${src.env}`;
  let raw: string | undefined;
  if (src.file !== undefined) {
    try {
      raw = fs.readFileSync(src.file, 'utf8');
    } catch (e) {
      throw new UsageError(
        `${from}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  } else {
    raw = ctx.env[src.env ?? ''];
    if (raw === undefined || raw === '') throw new UsageError(`${from}: the variable is not set`, unsetHint);
  }
  const value = raw.trim();
  if (value === '') throw new UsageError(`${from}: it is empty`);
  return { value, from };
}
