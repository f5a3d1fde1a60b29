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

/** The assertion as it is now; exit 2 when the file or variable is missing, empty or not a JWT. */
export function readAssertion(ctx: Context, client: OAuthClient): string {
  let raw: string;
  let from: string;
  if (client.assertionFile !== undefined) {
    from = `--client-assertion-file ${client.assertionFile}`;
    try {
      raw = fs.readFileSync(client.assertionFile, 'utf8');
    } catch (e) {
      throw new UsageError(
        `${from}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  } else {
    from = `--client-assertion-env ${client.assertionEnv}`;
    const v = ctx.env[client.assertionEnv ?? ''];
    if (v === undefined || v === '') {
      throw new UsageError(
        `${from}: the variable is not set`,
        'Set it to the OIDC token your CI system issued.',
      );
    }
    raw = v;
  }
  const jwt = raw.trim();
  if (jwt === '') throw new UsageError(`${from}: it is empty`);
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
