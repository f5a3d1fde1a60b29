/**
 * The hot path. `token print`, `token header` and `token export` run in scripts and loops, so they
 * are parsed here with node:util's parseArgs and never load commander (≈40 ms). Anything unusual
 * (help, an unknown flag, a bad value) returns null and goes through the full commander program,
 * which reports it properly. test/cli/fast-path.test.ts keeps both parsers in agreement.
 */
import { parseArgs } from 'node:util';
import { SHELLS, type ShellKind } from '../protocol/shell.js';
import { parseDuration } from './parse.js';

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
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        verbose: { type: 'boolean' },
        insecure: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'min-ttl': { type: 'string' },
        ...(name === 'export' ? { shell: { type: 'string' }, prefix: { type: 'string' } } : {}),
      },
    });
  try {
    parsed = parse();
  } catch {
    return null;
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length > 1) return null;
  let minTtl = 30_000;
  if (typeof v['min-ttl'] === 'string') {
    try {
      minTtl = parseDuration(v['min-ttl'], '--min-ttl');
    } catch {
      return null;
    }
  }
  const shell = v.shell as string | undefined;
  if (shell !== undefined && !SHELLS.includes(shell as ShellKind)) return null;
  return {
    name,
    profile: parsed.positionals[0],
    global: { verbose: v.verbose === true, insecure: v.insecure === true, color: v['no-color'] !== true },
    opts: {
      minTtl,
      ...(shell ? { shell: shell as ShellKind } : {}),
      ...(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}),
    },
  };
}
