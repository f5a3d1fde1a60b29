/**
 * The hot path of `authctl actigraph …` (src/hot/main.ts runs it first, in dist/hot.cjs): pre-rendered
 * help on a pipe, as for every command, and `actigraph token` in its CI forms.
 * When the saved token is reused (same request, more than a minute left), it prints the one stderr
 * line and, with --print, the token — what the full CLI prints then — without loading it. When a request is due it hands over to dist/ci.cjs (src/main.ts
 * without commander); any other form goes to the full CLI. test/e2e/startup-actigraph.test.ts runs
 * every form both ways and compares the bytes.
 */
import { type HotActigraph, parseHotActigraph } from '../cli/fast.js';
import { parseProfileName, parseScopes } from '../cli/parse.js';
import { checkUrl } from '../http/url.js';
import { relativeTime } from '../lib/format.js';
import {
  CACHE_MIN_TTL_MS,
  type ClientCredentialsSpec,
  isReusable,
} from '../oauth/grants/client-credentials-spec.js';
import {
  ACTIGRAPH_AUTH_METHOD,
  ACTIGRAPH_TOKEN_URL,
  scopeWarnings,
} from '../providers/actigraph/constants.js';
import { expiresAtMs, oauthClientId } from '../store/profile.js';
import { asksHelp, help, type Next, readProfile, runHot } from './shared.js';

/** Run `actigraph token …` on the hot path; see runHot() for the result. */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Next | undefined {
  if (asksHelp(argv)) return runHot(env, () => help(argv.slice(0, -1)));
  // Parsed once: the same form decides the answer here and the hand-over to dist/ci.cjs.
  const a = parseHotActigraph(argv);
  return runHot(env, () => (a ? cachedActigraph(a, env) : undefined), a ? 'ci' : 'authctl');
}

/**
 * `actigraph token` when the saved token is reused (same request, more than a minute left): the one
 * stderr line and, with --print, the token — what the full CLI (oauth/cli/obtain.ts) prints then.
 */
function cachedActigraph(a: HotActigraph, env: NodeJS.ProcessEnv): { out: string; err: string } | undefined {
  if (a.force) return undefined;
  const clientId = a.clientId.trim();
  const scopes = parseScopes(a.scopes);
  if (!clientId || scopes.length === 0 || scopeWarnings(scopes).length > 0) return undefined;
  const tokenUrl = a.tokenUrl ?? ACTIGRAPH_TOKEN_URL;
  // Both throw on a bad value: the full CLI then reports it (exit 2).
  checkUrl(tokenUrl, { insecure: a.global.insecure, source: 'flag', label: '--token-url' });
  const name = parseProfileName(a.profile ?? 'actigraph');
  const found = readProfile(name, env);
  if (!found) return undefined;
  const p = found.profile;
  const spec: ClientCredentialsSpec = {
    provider: 'actigraph',
    tokenUrl,
    clientId,
    authMethod: ACTIGRAPH_AUTH_METHOD,
    scopes,
  };
  const now = Date.now();
  if (!isReusable(p, spec, now)) return undefined;
  const exp = expiresAtMs(p)!;
  // Keep a margin so the line cannot differ from the full CLI's by the time it would run.
  if (exp - now <= CACHE_MIN_TTL_MS + 1000) return undefined;
  const savedId = oauthClientId(p);
  const who = p.subject ?? savedId ?? 'the client';
  return {
    err: `Using cached token for ${who} from profile '${name}' (expires ${relativeTime(exp, now)}); --force fetches a new one.\n`,
    out: a.print ? `${p.token}\n` : '',
  };
}
