/**
 * The hot path. `token print`, `token header` and `token export` run in scripts and loops, so they
 * are parsed here and never load commander (≈40 ms). Anything unusual (help, an unknown flag, a bad
 * value) returns null and goes through the full commander program, which reports it properly.
 * test/e2e/fast-path.test.ts keeps both parsers in agreement.
 */
import { SHELLS, type ShellKind } from '../lib/shell.js';
import { PROFILE_NAME_RE, parseDuration } from './parse.js';

/** A hot command parsed without commander. */
export interface HotCommand {
  name: 'print' | 'header' | 'export';
  profile: string | undefined;
  global: { verbose: boolean; insecure: boolean; color: boolean };
  opts: { minTtl: number; shell?: ShellKind; prefix?: string };
}

const HOT = new Set(['print', 'header', 'export']);

/** Parse argv as a hot command, or return null to use the full program. */
export function parseHot(argv: readonly string[]): HotCommand | null {
  if (argv[0] !== 'token' || !HOT.has(argv[1] ?? '')) return null;
  const name = argv[1] as HotCommand['name'];
  const rest = argv.slice(2);
  // Most runs give no flag at all (`token print ci`): the flag parser is then not even compiled.
  const parsed = rest.some((a) => a.startsWith('-'))
    ? parseFlags(
        rest,
        ['verbose', 'insecure', 'no-color'],
        name === 'export' ? ['min-ttl', 'shell', 'prefix'] : ['min-ttl'],
      )
    : { values: {}, positionals: rest };
  if (!parsed) return null;
  const v = parsed.values;
  if (parsed.positionals.length > 1) return null;
  const all = (k: string): string[] => (Array.isArray(v[k]) ? v[k] : []);
  let minTtl = 30_000;
  try {
    for (const t of all('min-ttl')) minTtl = parseDuration(t, '--min-ttl');
  } catch {
    return null;
  }
  if (!all('shell').every((s) => SHELLS.includes(s as ShellKind))) return null;
  const shell = all('shell').at(-1) as ShellKind | undefined;
  const prefix = all('prefix').at(-1);
  return {
    name,
    profile: parsed.positionals[0],
    global: { verbose: v.verbose === true, insecure: v.insecure === true, color: v['no-color'] !== true },
    opts: {
      minTtl,
      ...(shell ? { shell } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
    },
  };
}

/** `actigraph token` as the hot path takes it: only the flags a cached-token run uses. */
export interface HotActigraph {
  clientId: string;
  scopes: string[];
  tokenUrl: string | undefined;
  profile: string | undefined;
  print: boolean;
  /** Only the full CLI's dispatch (src/main.ts) takes --force; the hot entry declines it. */
  force: boolean;
  global: { verbose: boolean; insecure: boolean; color: boolean };
}

/**
 * Parse `actigraph token …` in its common CI forms (client id, scopes, token URL, profile, --print,
 * --force), or return null (→ commander) for anything else: --json, --save-secret, a secret flag,
 * --ca-file, help, an unknown flag, a value that looks like a flag, a repeated single-value flag,
 * or a profile name commander would refuse.
 */
export function parseHotActigraph(argv: readonly string[]): HotActigraph | null {
  if (argv[0] !== 'actigraph' || argv[1] !== 'token') return null;
  const parsed = parseFlags(
    argv.slice(2),
    ['print', 'force', 'verbose', 'insecure', 'no-color'],
    ['client-id', 'scope', 'token-url', 'profile'],
  );
  if (!parsed || parsed.positionals.length > 0) return null;
  const v = parsed.values;
  const one = (k: string): string | undefined | null => {
    const list = Array.isArray(v[k]) ? v[k] : [];
    if (list.length > 1 || list.some((x) => x === '' || x.startsWith('-'))) return null;
    return list[0];
  };
  const clientId = one('client-id');
  const tokenUrl = one('token-url');
  const profile = one('profile');
  const scopes = Array.isArray(v.scope) ? v.scope : [];
  if (!clientId || tokenUrl === null || profile === null) return null;
  if (scopes.some((s) => s === '' || s.startsWith('-'))) return null;
  if (profile !== undefined && !PROFILE_NAME_RE.test(profile)) return null;
  return {
    clientId,
    scopes,
    tokenUrl,
    profile,
    print: v.print === true,
    force: v.force === true,
    global: { verbose: v.verbose === true, insecure: v.insecure === true, color: v['no-color'] !== true },
  };
}

/** Flags as the hot forms take them: each boolean true when given, each string flag every value. */
interface Flags {
  values: Record<string, string[] | boolean | undefined>;
  positionals: string[];
}

/**
 * A strict parser for the few long flags of the hot forms: `--flag`, `--name value`, `--name=value`
 * and positionals. Everything else — a short flag, `--`, an unknown flag, `--flag=x` on a boolean, a
 * missing value or one that starts with '-' — returns null, and commander handles the command.
 * (node:util's parseArgs would do, but compiling it costs each `token print` about 2 ms.)
 */
function parseFlags(
  args: readonly string[],
  booleans: readonly string[],
  strings: readonly string[],
): Flags | null {
  const values: Flags['values'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) {
      positionals.push(a);
      continue;
    }
    if (!a.startsWith('--') || a === '--') return null;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (booleans.includes(name)) {
      if (eq >= 0) return null;
      values[name] = true;
      continue;
    }
    if (!strings.includes(name)) return null;
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('-'))) return null;
    const list = values[name];
    if (Array.isArray(list)) list.push(value);
    else values[name] = [value];
  }
  return { values, positionals };
}
