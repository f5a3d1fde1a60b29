/** `authctl liveperson login | logout`: the Sentinel preset (docs/protocol-notes/liveperson.md). */

import { parseDuration } from '../../cli/parse.js';
import { assertCanSave, assertStoreUsable, finishLogin, saveRules } from '../../commands/output.js';
import type { Context } from '../../context.js';
import { RefusedError, UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { livePersonParams, type Profile } from '../../store/profile.js';
import { resolveClientSecret } from '../../ui/secret.js';
import {
  profileClientId,
  reportRevoke,
  resolveSentinel,
  revokeAndDelete,
  SSO_WARNING,
  sentinelBaseFromFlag,
} from './flow.js';
import {
  DEFAULT_DOMAIN_API,
  DEFAULT_REDIRECT_URI,
  DEFAULT_TIMEOUT,
  livePersonProfile,
  validateAccount,
} from './protocol.js';

type Opts = Record<string, unknown>;

/** Default for --timeout when called without commander: the flag's own default, 5m. */
const DEFAULT_TIMEOUT_MS = parseDuration(DEFAULT_TIMEOUT);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `liveperson login`: check every flag before any request (exit 2), resolve the client secret
 * (required: Sentinel app installations have a secret), find the Sentinel, run the authorization
 * code flow with the preset's quirks, and save the profile.
 */
export async function login(ctx: Context, opts: Opts): Promise<void> {
  const account = validateAccount(opts.account);
  const clientId = str(opts.clientId)?.trim();
  if (!clientId) throw new UsageError('--client-id is empty', 'Pass the app installation id.');
  const domainFlag = str(opts.domain);
  const domainApi = str(opts.domainApi) ?? DEFAULT_DOMAIN_API;
  // Fail on bad URLs before asking for a secret or touching the network.
  if (domainFlag !== undefined) sentinelBaseFromFlag(ctx, domainFlag);
  else checkUrl(domainApi, { insecure: ctx.insecure, source: 'flag', label: '--domain-api' });
  const redirectUri = str(opts.redirectUri) ?? DEFAULT_REDIRECT_URI;
  const timeoutMs = typeof opts.timeout === 'number' ? opts.timeout : DEFAULT_TIMEOUT_MS;
  const name = str(opts.profile) ?? 'liveperson';
  const manual = Boolean(opts.manual);
  if (manual && !ctx.io.interactive) {
    throw new UsageError(
      '--manual needs a terminal to paste the redirected URL into',
      'Run it in an interactive terminal, or drop --manual and finish the login in a browser on this machine.',
    );
  }
  const { parseRedirectUri } = await import('../../oauth/authorize.js');
  parseRedirectUri(redirectUri, { manual, flag: '--redirect-uri' });
  assertStoreUsable(ctx);
  assertCanSave(
    ctx,
    name,
    { provider: 'liveperson', flow: 'authorization_code', clientId, account },
    saveRules(opts),
  );

  const secret = await resolveClientSecret(ctx, opts, clientId);
  const target = await resolveSentinel(ctx, { account, domain: domainFlag, domainApi });

  const { authorizationCodeLogin } = await import('../../oauth/grants/authorization-code.js');
  const result = await authorizationCodeLogin(ctx, {
    authorizeUrl: target.endpoints.authorizeUrl,
    tokenUrl: target.endpoints.tokenUrl,
    // The credentials go in the form body, not Basic auth (developer-center `methods/token.md`).
    client: { clientId, secret, authMethod: 'client_secret_post' },
    // The Sentinel authorize docs mention neither scope nor PKCE.
    scopes: [],
    redirectUri,
    pkce: false,
    open: opts.open !== false,
    manual,
    timeoutMs,
    providerLabel: 'LivePerson',
  });
  const where = `the Sentinel token endpoint ${new URL(target.endpoints.tokenUrl).host}`;
  const profile: Profile = livePersonProfile(
    result.tokens,
    {
      account,
      domain: target.base,
      endpoints: target.endpoints,
      clientId,
      redirectUri: result.redirectUri,
      clientSecret: opts.saveSecret ? secret : undefined,
      // Kept so the re-login hint repeats how the Sentinel was found.
      ...(domainFlag !== undefined ? { domainFlag } : domainApi !== DEFAULT_DOMAIN_API ? { domainApi } : {}),
    },
    ctx.now(),
    where,
  );
  if (result.tokens.expiresIn === undefined) {
    ctx.io.debug(
      'the token response has no expires_in; assuming the 30 minutes LivePerson recommends between refreshes',
    );
  }
  if (!profile.refreshToken) {
    ctx.io.err(
      'warning: LivePerson returned no refresh token; this login cannot be renewed and you will have to log in again when it expires.\n',
    );
  }
  await finishLogin(
    ctx,
    name,
    profile,
    { json: Boolean(opts.json), print: Boolean(opts.print), ...saveRules(opts) },
    `Logged in to LivePerson account ${account}${profile.subject ? ` as ${profile.subject}` : ''}; saved as profile '${name}'`,
  );
}

/**
 * The client secret for logout: an explicit flag, else the saved one, else AUTHCTL_CLIENT_SECRET,
 * else a prompt (exit 2 without a TTY).
 */
async function logoutSecret(ctx: Context, opts: Opts, p: Profile, clientId: string): Promise<string> {
  if (typeof opts.clientSecret === 'string' || opts.clientSecretStdin) {
    return resolveClientSecret(ctx, opts, clientId);
  }
  if (p.clientSecret) return p.clientSecret;
  return resolveClientSecret(ctx, opts, clientId);
}

/**
 * `liveperson logout [profile]`: warn that this ends the user's session in every LivePerson app,
 * confirm (--yes skips; required without a TTY), revoke the refresh token, delete the profile.
 */
export async function logout(ctx: Context, profileArg: string | undefined, opts: Opts): Promise<void> {
  const name = ctx.store.resolveName(profileArg, ctx.env, undefined, 'liveperson');
  const p = ctx.store.get(name);
  if (p.provider !== 'liveperson') {
    throw new UsageError(
      `profile '${name}' is a ${p.provider} profile, not a LivePerson one`,
      `Use 'authctl token delete ${name}' to remove it.`,
    );
  }
  const clientId = profileClientId(p);
  const account = livePersonParams(p).account ?? '?';
  ctx.io.err(`warning: ${SSO_WARNING}.\n`);
  if (!opts.yes) {
    if (!ctx.io.interactive) {
      throw new UsageError(
        'liveperson logout needs confirmation and there is no terminal to ask on',
        "Pass --yes to confirm ending the user's LivePerson session everywhere.",
      );
    }
    const who = p.subject ? `user ${p.subject}` : 'this user';
    const ok = await ctx.prompter.confirm(
      `Log ${who} out of LivePerson account ${account} in all applications and delete profile '${name}'?`,
      '--yes',
    );
    if (!ok) throw new RefusedError('logout cancelled; nothing was revoked or deleted');
  }
  const secret = await logoutSecret(ctx, opts, p, clientId);
  const outcome = await revokeAndDelete(ctx, name, secret);
  reportRevoke(ctx, name, outcome);
  const style = await ctx.style();
  ctx.io.err(
    `${style.green('✓')} ${outcome === 'revoked' ? 'Revoked the LivePerson session and deleted' : 'Deleted'} profile '${name}'.\n`,
  );
}
