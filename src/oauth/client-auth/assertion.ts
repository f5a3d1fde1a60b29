/**
 * A federated client assertion (RFC 7521 §4.2, RFC 7523 §2.2): a JWT the client did not sign
 * itself — a GitHub Actions, GitLab or Kubernetes OIDC token — sent as `client_assertion`. It is
 * read from its file or variable on every request, so renewal uses the CI system's newest token.
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readFileOrEnv } from '../token-source.js';
import { JWT_BEARER_ASSERTION, type OAuthClient, type PreparedClientAuth } from './types.js';

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

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
