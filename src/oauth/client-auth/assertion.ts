/**
 * A federated client assertion (RFC 7521 §4.2, RFC 7523 §2.2): a JWT the client did not sign
 * itself — a GitHub Actions, GitLab or Kubernetes OIDC token — sent as `client_assertion`. It is
 * read from its file or variable on every request, so renewal uses the CI system's newest token.
 */
import fs from 'node:fs';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { JWT_BEARER_ASSERTION, type OAuthClient, type PreparedClientAuth } from './types.js';

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

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

/** The assertion as it is now; exit 2 when the file or variable is missing, empty or not a JWT. */
export function readAssertion(ctx: Context, client: OAuthClient): string {
  const { value: jwt, from } = readFileOrEnv(
    ctx,
    { file: client.assertionFile, env: client.assertionEnv },
    'client-assertion',
    'Set it to the OIDC token your CI system issued.',
  );
  if (!JWT_RE.test(jwt)) throw new UsageError(`${from}: it does not hold a JWT`);
  return jwt;
}

export function federatedAssertion(ctx: Context, client: OAuthClient): PreparedClientAuth {
  return {
    headers: {},
    form: [
      ['client_id', client.clientId],
      ['client_assertion_type', JWT_BEARER_ASSERTION],
      ['client_assertion', readAssertion(ctx, client)],
    ],
  };
}
