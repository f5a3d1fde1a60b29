/**
 * `authctl token import`: store a token obtained elsewhere under a profile, so the token commands,
 * status, helpers and logout work with it. The token comes on stdin (or a hidden prompt on a
 * terminal), never on the command line; a Pryv apiEndpoint may carry it (https://token@host/).
 */
import { parseDuration } from '../cli/parse.js';
import type { Context } from '../context.js';
import { FailureError, NoTokenError, UsageError } from '../errors.js';
import { checkUrl } from '../http/url.js';
import { isoUtc } from '../lib/format.js';
import { decodeJwt } from '../lib/jwt.js';
import { provider } from '../providers/index.js';
import type { Flow, OAuthParams, Profile, ProviderName, PryvParams, SafeParams } from '../store/profile.js';
import { TOKEN_RE } from '../store/profile.js';
import { finishLogin } from './output.js';

type Opts = Record<string, unknown>;

/** The flow an imported token is saved under (a provider not listed: the generic code flow). */
const FLOWS: Record<string, Flow> = {
  pryv: 'pryv-access',
  safe: 'safe-launcher',
  liveperson: 'authorization_code',
  actigraph: 'client_credentials',
  oauth: 'authorization_code',
};

const opt = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;

/** Check a token's characters (what a token header may carry), exit 2 otherwise. */
function checkToken(v: string, what: string): string {
  if (!TOKEN_RE.test(v)) {
    throw new UsageError(
      `the ${what} read from stdin is not a token (it must be visible ASCII characters without spaces)`,
      'Pipe only the token, e.g. printf %s "$TOKEN" | authctl token import …',
    );
  }
  return v;
}

/** The token (and refresh token) from stdin: one per line; a hidden prompt on a terminal. */
async function readTokens(
  ctx: Context,
  needToken: boolean,
  needRefresh: boolean,
): Promise<{ token?: string; refresh?: string }> {
  if (!needToken && !needRefresh) return {};
  if (ctx.io.interactive) {
    const token = needToken
      ? await ctx.prompter.password('Access token:', 'stdin (pipe the token into authctl token import)')
      : undefined;
    const refresh = needRefresh
      ? await ctx.prompter.password('Refresh token:', 'stdin (a second line after the access token)')
      : undefined;
    return { ...(token ? { token: token.trim() } : {}), ...(refresh ? { refresh: refresh.trim() } : {}) };
  }
  const lines = (await ctx.io.readStdin())
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  /** The next line, checked as `what`; none left is a usage error saying `message`. */
  const next = (what: string, message: string, hint: string): string => {
    const line = lines.shift();
    if (line === undefined) throw new UsageError(message, hint);
    return checkToken(line, what);
  };
  const out: { token?: string; refresh?: string } = {};
  if (needToken) {
    out.token = next(
      'token',
      'no token was read from stdin',
      'Pipe the token in: printf %s "$TOKEN" | authctl token import --profile <name> --provider <p>',
    );
  }
  if (needRefresh) {
    out.refresh = next(
      'refresh token',
      '--refresh-token-stdin: no refresh token was read from stdin',
      'Put it on the line after the access token.',
    );
  }
  return out;
}

/** The expiry asked for with --expires-in / --expires-at, else null. */
function flagExpiry(ctx: Context, o: Opts): string | null {
  const inRaw = opt(o, 'expiresIn');
  const atRaw = opt(o, 'expiresAt');
  if (inRaw !== undefined && atRaw !== undefined) {
    throw new UsageError('--expires-in and --expires-at cannot be used together', 'Give one of them.');
  }
  if (inRaw !== undefined) return isoUtc(ctx.now() + parseDuration(inRaw, '--expires-in'));
  if (atRaw !== undefined) {
    const t = Date.parse(atRaw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(atRaw) || Number.isNaN(t)) {
      throw new UsageError(
        `--expires-at: '${atRaw}' is not an ISO 8601 time`,
        'Use e.g. 2026-12-31T23:00:00Z.',
      );
    }
    return isoUtc(t);
  }
  return null;
}

/** `token import --profile NAME --provider P …` (token on stdin). */
export async function importToken(ctx: Context, o: Opts): Promise<void> {
  const name = opt(o, 'profile')!;
  const prov = opt(o, 'provider') as ProviderName;
  const verify = o.verify !== false;
  const wantRefresh = o.refreshTokenStdin === true;
  let expiresAt = flagExpiry(ctx, o);
  const flow = FLOWS[prov] ?? 'authorization_code';
  const pryvParams: PryvParams = {};
  const safeParams: SafeParams = {};
  const oauthParams: OAuthParams = {};
  let embedded: string | undefined;

  if (prov === 'pryv') {
    const raw = opt(o, 'apiEndpoint');
    if (!raw) {
      throw new UsageError(
        'a Pryv import needs --api-endpoint',
        'Pass the apiEndpoint, e.g. --api-endpoint https://alice.pryv.me/ (it may carry the token: https://TOKEN@alice.pryv.me/).',
      );
    }
    const { decomposeApiEndpoint, withTrailingSlash } = await import('../providers/pryv/protocol.js');
    const parts = decomposeApiEndpoint(raw);
    const url = checkUrl(parts.endpoint, { insecure: ctx.insecure, source: 'flag', label: '--api-endpoint' });
    if (url.search || url.hash) throw new UsageError('--api-endpoint must not carry a query or fragment');
    pryvParams.apiEndpoint = withTrailingSlash(`${url.protocol}//${url.host}${url.pathname}`);
    if (parts.token !== undefined) embedded = checkToken(parts.token, 'token in --api-endpoint');
  } else if (opt(o, 'apiEndpoint')) {
    throw new UsageError('--api-endpoint is for Pryv imports (--provider pryv)');
  }
  if (prov === 'safe') {
    const { checkLauncherUrl } = await import('../providers/safe/protocol.js');
    const { DEFAULT_LAUNCHER_URL } = await import('../providers/safe/constants.js');
    safeParams.launcherUrl = checkLauncherUrl(opt(o, 'launcherUrl') ?? DEFAULT_LAUNCHER_URL, ctx.insecure);
  }
  // Only an OAuth profile records a token endpoint and client: nothing could use them elsewhere.
  const oauthOnly = ['issuer', 'tokenUrl', 'clientId'].filter((k) => opt(o, k) !== undefined);
  if ((flow === 'pryv-access' || flow === 'safe-launcher') && (oauthOnly.length || wantRefresh)) {
    throw new UsageError(
      `--issuer, --token-url, --client-id and --refresh-token-stdin are for OAuth providers, not --provider ${prov}`,
      'Drop them: a Pryv or SAFE token is used as it is until it expires or is revoked.',
    );
  }
  for (const [flag, key] of [
    ['issuer', 'issuer'],
    ['tokenUrl', 'tokenUrl'],
  ] as const) {
    const v = opt(o, flag);
    if (v) {
      const label = flag === 'issuer' ? '--issuer' : '--token-url';
      checkUrl(v, { insecure: ctx.insecure, source: 'flag', label });
      oauthParams[key] = v;
    }
  }
  const clientId = opt(o, 'clientId');
  if (clientId) oauthParams.clientId = clientId;
  const scopes = ((o.scope as string[] | undefined) ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  if (scopes.length) oauthParams.scope = scopes;
  if (wantRefresh && (!oauthParams.tokenUrl || !clientId)) {
    throw new UsageError(
      '--refresh-token-stdin needs --token-url and --client-id, or the refresh token could never be used',
      'Pass the token endpoint and the client id the token was issued to.',
    );
  }
  const read = await readTokens(ctx, embedded === undefined, wantRefresh);
  const token = embedded ?? read.token!;

  const jwt = decodeJwt(token)?.payload;
  if (expiresAt === null && typeof jwt?.exp === 'number' && Number.isFinite(jwt.exp)) {
    expiresAt = isoUtc(jwt.exp * 1000);
  }
  const jwtSubject =
    typeof jwt?.sub === 'string' ? jwt.sub : typeof jwt?.client_id === 'string' ? jwt.client_id : null;
  const base = {
    provider: prov,
    token,
    tokenType: prov === 'pryv' ? 'pryv' : 'Bearer',
    obtainedAt: isoUtc(ctx.now()),
    expiresAt,
    subject: jwtSubject,
    scopes,
    details: { imported: true, verified: false },
  };
  let profile: Profile =
    flow === 'pryv-access'
      ? { ...base, flow, params: pryvParams }
      : flow === 'safe-launcher'
        ? { ...base, flow, params: safeParams }
        : { ...base, flow, params: oauthParams };
  if (read.refresh) profile.refreshToken = read.refresh;

  if (verify) profile = await verifyImport(ctx, name, profile, o);
  await finishLogin(
    ctx,
    name,
    profile,
    { json: o.json === true },
    `Imported the token as profile '${name}'${profile.details?.verified ? ` (verified${profile.subject ? ` for ${profile.subject}` : ''})` : ''}`,
  );
}

/** Check the imported token with the provider before saving (exit 4 when it is rejected). */
async function verifyImport(ctx: Context, name: string, p: Profile, o: Opts): Promise<Profile> {
  const nothing = 'Nothing was saved; check the token, or pass --no-verify to save it unchecked.';
  if (p.flow === 'pryv-access') {
    const { accessInfo, profileEndpoint } = await import('../providers/pryv/status.js');
    const { permissionScopes } = await import('../providers/pryv/protocol.js');
    const r = await accessInfo(ctx, profileEndpoint(p), p.token);
    if (!r.valid) {
      throw new NoTokenError(
        `the Pryv server rejects the token (GET access-info: HTTP ${r.status})`,
        nothing,
      );
    }
    const exp = r.info.expires;
    const flagGiven = opt(o, 'expiresIn') !== undefined || opt(o, 'expiresAt') !== undefined;
    const scopes = permissionScopes(r.info.permissions);
    return {
      ...p,
      subject: r.info.username ?? p.subject,
      scopes,
      // An expiry given on the command line wins; else the server's; else the JWT's.
      expiresAt: flagGiven || exp === null ? p.expiresAt : isoUtc(exp * 1000),
      params: { ...p.params, username: r.info.username ?? undefined },
      details: {
        imported: true,
        verified: true,
        permissions: r.info.permissions,
        accessInfo: r.info.summary,
      },
    };
  }
  const def = provider(p.provider);
  if (!def.status) return p;
  let r: Awaited<ReturnType<NonNullable<typeof def.status>>>;
  try {
    r = await def.status(ctx, name, p);
  } catch (e) {
    if (e instanceof FailureError) e.hint = nothing;
    throw e;
  }
  if (r === null) return p;
  if (!r.valid) throw new NoTokenError(`${def.label} rejects the token (${r.method})`, nothing);
  return { ...p, details: { imported: true, verified: true, checkedWith: r.method } };
}
