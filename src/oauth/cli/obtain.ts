/**
 * Running the client-credentials grant for a command (`oauth client-credentials`, the ActiGraph
 * preset): reuse a cached token that still has more than a minute left, otherwise fetch one under
 * the profile's lock (read → check → fetch → save) so parallel CI jobs make one request. This is
 * the command layer: it prints and saves; the grant module only computes.
 */
import { assertCanSave, finishLogin, type SaveRules, saveRules, summarize } from '../../commands/output.js';
import type { Context } from '../../context.js';
import { relativeTime } from '../../lib/format.js';
import type { Profile } from '../../store/profile.js';
import { expiresAtMs, oauthClientId } from '../../store/profile.js';
import { resolveClientSecret, type SecretOptions } from '../../ui/secret.js';
import { needsSecret, usesCertificate } from '../client-auth/index.js';
import {
  buildProfile,
  type ClientCredentialsSpec,
  fetchClientCredentials,
  isReusable,
  sameRequest,
} from '../grants/client-credentials.js';

export { absoluteCaFile } from '../grants/client-credentials.js';

/** How a command runs the flow: profile, output and secret options. */
export interface ClientCredentialsRun extends SecretOptions {
  profile: string;
  force?: boolean;
  saveSecret?: boolean;
  json?: boolean;
  print?: boolean;
}

/**
 * The run options from a command's parsed flags (shared by `actigraph token` and `oauth
 * client-credentials`), once the profile they name may take this client's token (exit 2 before any
 * request). The provider's name is the default profile.
 */
export function runOptions(
  ctx: Context,
  opts: Record<string, unknown>,
  provider: 'oauth' | 'actigraph',
  clientId: string,
): ClientCredentialsRun & SaveRules {
  const run = {
    profile: typeof opts.profile === 'string' ? opts.profile : provider,
    force: opts.force === true,
    saveSecret: opts.saveSecret === true,
    json: opts.json === true,
    print: opts.print === true,
    ...(typeof opts.clientSecret === 'string' ? { clientSecret: opts.clientSecret } : {}),
    clientSecretStdin: opts.clientSecretStdin === true,
    ...saveRules(opts),
  };
  assertCanSave(ctx, run.profile, { provider, flow: 'client_credentials', clientId }, run);
  return run;
}

/** Report a reused token: one stderr line, then the token or the summary as asked. */
function reuse(ctx: Context, name: string, p: Profile, run: ClientCredentialsRun): void {
  ctx.io.err(
    `Using cached token for ${p.subject ?? oauthClientId(p) ?? 'the client'} from profile '${name}' (expires ${relativeTime(expiresAtMs(p)!, ctx.now())}); --force fetches a new one.\n`,
  );
  if (run.json) ctx.io.out(`${JSON.stringify(summarize(name, p, ctx.env), null, 2)}\n`);
  else if (run.print) ctx.io.out(`${p.token}\n`);
}

/** The saved profile under `name`, or undefined when there is none (or it is damaged). */
function savedProfile(ctx: Context, name: string): Profile | undefined {
  return ctx.store.read().profiles.get(name);
}

/**
 * Obtain a token for a command: the cached one when it is reusable (no secret needed, no network),
 * otherwise resolve the secret (when the method uses one), discover the endpoint if needed, and
 * fetch under the profile lock.
 */
export async function obtainClientCredentials(
  ctx: Context,
  spec: ClientCredentialsSpec,
  run: ClientCredentialsRun,
): Promise<void> {
  const name = run.profile;
  const existing = savedProfile(ctx, name);
  const usesSecret =
    needsSecret(spec.authMethod) && !spec.client?.assertionFile && !spec.client?.assertionEnv;
  // --save-secret on a profile that lacks the secret must go through a real request, which
  // also proves the secret is right before it is stored.
  const wantsSecretSaved = (p: Profile) =>
    usesSecret && Boolean(run.saveSecret) && p.clientSecret === undefined;
  if (!run.force && existing && isReusable(existing, spec, ctx.now()) && !wantsSecretSaved(existing)) {
    reuse(ctx, name, existing, run);
    return;
  }

  let secret: string | undefined;
  let keepSecret = false;
  if (usesSecret) {
    // A secret saved earlier with --save-secret for this very request serves when no other source
    // is given, and stays saved (replaced by the one that works now, so a rotated secret is kept).
    const savedSecret =
      existing?.clientSecret !== undefined && sameRequest(existing, spec) ? existing.clientSecret : undefined;
    const explicit =
      run.clientSecret !== undefined ||
      run.clientSecretStdin === true ||
      Boolean(ctx.env.AUTHCTL_CLIENT_SECRET);
    secret =
      !explicit && savedSecret !== undefined
        ? savedSecret
        : await resolveClientSecret(ctx, run, spec.clientId);
    keepSecret = Boolean(run.saveSecret) || savedSecret !== undefined;
  }

  let tokenUrl = spec.tokenUrl;
  if (tokenUrl === undefined) {
    // Discovery (and its code) only when the endpoint is not given.
    const { discover, endpointFor } = await import('../discovery.js');
    const meta = await discover(ctx, spec.issuer!, spec.caFile);
    const mtls = usesCertificate({ clientId: spec.clientId, authMethod: spec.authMethod, ...spec.client });
    tokenUrl = endpointFor(meta, 'token_endpoint', meta.tokenEndpoint, mtls);
    // RFC 8414 §2: when the list is absent, client_secret_basic is the default.
    const methods = meta.tokenEndpointAuthMethods;
    if (methods && !methods.includes(spec.authMethod)) {
      ctx.io.err(
        `warning: ${spec.issuer} does not list ${spec.authMethod} among its token endpoint auth methods (${methods.join(', ')}); trying it anyway.\n`,
      );
    }
  }
  const url = tokenUrl;

  await ctx.store.withProfileLock(
    name,
    async () => {
      // Another process may have fetched a token while this one waited for the lock.
      const current = run.force ? undefined : savedProfile(ctx, name);
      if (current && isReusable(current, spec, ctx.now()) && !wantsSecretSaved(current)) {
        reuse(ctx, name, current, run);
        return;
      }
      const set = await fetchClientCredentials(ctx, spec, url, secret);
      const profile = buildProfile(spec, url, set, ctx.now(), keepSecret ? secret : undefined);
      await finishLogin(ctx, name, profile, run, `Saved token for ${spec.clientId} as profile '${name}'`);
    },
    ctx.signal,
  );
}
