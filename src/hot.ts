/**
 * The hot entry, built on its own as dist/hot.cjs (a few KB) and run first by bin/authctl.js.
 * It answers, without loading the full CLI (dist/authctl.cjs: commander and every command):
 * - `token print|header|export` when the profile's token is fresh: the store file is read once and
 *   only the profile asked for is validated (a damaged sibling does not matter);
 * - `--version` / `-V`;
 * - `[command…] --help` / `-h` when stdout is not a terminal, from help texts the build rendered
 *   with commander itself (dist/help.json; a terminal gets commander's help at its own width);
 * - `actigraph token` in its CI forms when the saved token can be reused.
 * Anything else — renewal due, an unusual flag, a missing or damaged profile, a store whose modes
 * need tightening, any error — returns the bundle to run before anything was written: dist/ci.cjs
 * for `actigraph token`'s CI forms that need a request (the same src/main.ts without commander or
 * the other providers' flows), else dist/authctl.cjs, which does the whole job with its usual
 * output. test/e2e/fast-path.test.ts and test/e2e/startup*.test.ts keep the paths byte-for-byte equal.
 */
import { fstatSync, lstatSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseHot, parseHotActigraph } from './cli/fast.js';
import { parseProfileName, parseScopes } from './cli/parse.js';
import { checkUrl } from './http/url.js';
import { relativeTime } from './lib/format.js';
import { defaultShell, renderExports } from './lib/shell.js';
import {
  CACHE_MIN_TTL_MS,
  type ClientCredentialsSpec,
  isReusable,
} from './oauth/grants/client-credentials-spec.js';
import {
  ACTIGRAPH_AUTH_METHOD,
  ACTIGRAPH_TOKEN_URL,
  scopeWarnings,
} from './providers/actigraph/constants.js';
import { authorizationValue, exportVars, PROVIDERS } from './providers/index.js';
import { configDir, STORE_BASENAME } from './store/paths.js';
import { expiresAtMs, type Profile, parseProfile } from './store/profile.js';
import { writeStdout } from './ui/io.js';

/** Replaced by the build with package.json's version. */
declare const __AUTHCTL_VERSION__: string;

/** What the launcher runs when the hot entry did not answer: the CI bundle or the full CLI. */
export type Next = 'ci' | 'authctl';

/**
 * Run argv on the hot path: undefined when it was fully handled (output written), else the bundle
 * (dist/<name>.cjs) the launcher runs instead, nothing having been written.
 */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Next | undefined {
  if (env.AUTHCTL_NO_FAST_PATH === '1' || env.AUTHCTL_PARSE_ONLY === '1') return 'authctl';
  let text: ReturnType<typeof answer>;
  try {
    text = answer(argv, env);
  } catch {
    // Anything unexpected before output: the full CLI does the job (and reports it properly).
    return 'authctl';
  }
  if (text === undefined) return argv[0] === 'actigraph' && parseHotActigraph(argv) ? 'ci' : 'authctl';
  // From here on something may have been written: never hand over (it would be written twice).
  try {
    if (typeof text === 'object') {
      writeStderr(text.err);
      if (text.out) writeStdout(text.out);
    } else writeStdout(text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    // EPIPE, as the full CLI does: the reader went away; end quietly with SIGPIPE's status.
    process.exitCode = code === 'EPIPE' ? 141 : 1;
    if (code !== 'EPIPE') process.stderr.write(`error: cannot write the output (${code ?? String(e)}).\n`);
  }
  return undefined;
}

/**
 * A plain synchronous write to stderr: process.stderr would build a stream (and load net, tty and
 * stream modules, several ms) for one line. Falls back to it when the descriptor is non-blocking.
 */
function writeStderr(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(2, buf, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    process.stderr.write(buf.subarray(off));
  }
}

/** What to print for argv (stdout, or both streams), or undefined to hand over to the full CLI. */
function answer(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): string | { out: string; err: string } | undefined {
  if (argv[0] === 'actigraph') return cachedActigraph(argv, env);
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return `${__AUTHCTL_VERSION__}\n`;
  const last = argv[argv.length - 1];
  if (last === '--help' || last === '-h') return help(argv.slice(0, -1));
  const hot = parseHot(argv);
  if (!hot) return undefined;
  let prefix = 'AUTHCTL_';
  if (hot.name === 'export') {
    prefix = hot.opts.prefix ?? prefix;
    // Throws (→ full CLI, exit 2) on a bad prefix before the store is read, as the full CLI does.
    renderExports([[`${prefix}TOKEN`, 'x']], 'bash');
  }
  const p = freshProfile(hot.profile, env, hot.opts.minTtl);
  if (!p) return undefined;
  switch (hot.name) {
    case 'print':
      return `${p.token}\n`;
    case 'header':
      return `Authorization: ${authorizationValue(p)}\n`;
    case 'export':
      return renderExports(exportVars(p, prefix), hot.opts.shell ?? defaultShell(env));
  }
}

/**
 * The profile named by `arg` (else AUTHCTL_PROFILE, else the only one) when it is valid and has
 * more than `minTtl` left; undefined for every other case, which the full CLI handles.
 */
function freshProfile(arg: string | undefined, env: NodeJS.ProcessEnv, minTtl: number): Profile | undefined {
  const found = readProfile(arg, env);
  if (!found) return undefined;
  const exp = expiresAtMs(found.profile);
  // Fresh as flows/renew.ts isFresh() has it: no known expiry, or more than minTtl left.
  if (exp !== null && !(exp - Date.now() > minTtl)) return undefined;
  return found.profile;
}

/**
 * `actigraph token` when the saved token is reused (same request, more than a minute left): the one
 * stderr line and, with --print, the token — what flows/oauth-client-credentials.ts prints then.
 */
function cachedActigraph(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { out: string; err: string } | undefined {
  const a = parseHotActigraph(argv);
  if (!a || a.force) return undefined;
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
  const savedId = typeof p.params.clientId === 'string' && p.params.clientId ? p.params.clientId : undefined;
  const who = p.subject ?? savedId ?? 'the client';
  return {
    err: `Using cached token for ${who} from profile '${name}' (expires ${relativeTime(exp, now)}); --force fetches a new one.\n`,
    out: a.print ? `${p.token}\n` : '',
  };
}

/** The valid profile named by `arg` (else AUTHCTL_PROFILE, else the only one), read with one file read. */
function readProfile(
  arg: string | undefined,
  env: NodeJS.ProcessEnv,
): { name: string; profile: Profile } | undefined {
  const dir = configDir(env);
  const file = join(dir, STORE_BASENAME);
  if (process.platform !== 'win32') {
    // The full CLI tightens (and warns about) a store other users can read, and has its own rules
    // for links: only a plain 0600-style file in a private directory is read here.
    const d = lstatSync(dir, { throwIfNoEntry: false });
    const f = lstatSync(file, { throwIfNoEntry: false });
    if (!d?.isDirectory() || !f?.isFile()) return undefined;
    if ((d.mode & 0o077) !== 0 && (d.mode & 0o1000) === 0) return undefined;
    if ((f.mode & 0o077) !== 0) return undefined;
  }
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { version = 1, profiles } = data as { version?: unknown; profiles?: unknown };
  if (version !== 1) return undefined;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return undefined;
  const all = profiles as Record<string, unknown>;
  let name = arg || env.AUTHCTL_PROFILE;
  if (!name) {
    const names = Object.keys(all);
    if (names.length !== 1) return undefined;
    name = names[0]!;
  }
  if (!Object.hasOwn(all, name)) return undefined;
  const r = parseProfile(
    all[name],
    PROVIDERS.map((d) => d.name),
  );
  return r.ok ? { name, profile: r.profile } : undefined;
}

/**
 * Pre-rendered help for `words --help` when stdout is not a terminal (80 columns, no colour: what
 * commander prints there too). Flags among the words, or a terminal, go to commander.
 */
function help(words: readonly string[]): string | undefined {
  if (words.some((w) => w.startsWith('-'))) return undefined;
  // A terminal gets commander's help at its width; /dev/null is a character device but no terminal.
  if (fstatSync(1).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(1)) return undefined;
  let texts: Record<string, string>;
  try {
    texts = JSON.parse(readFileSync(join(__dirname, 'help.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const key = words.join(' ');
  return Object.hasOwn(texts, key) ? texts[key] : undefined;
}
