/**
 * What the hot paths (src/hot/token.ts, src/hot/actigraph.ts; both in dist/hot.cjs) share: the
 * rule for handing over, the one store read, and the writes.
 */
import { fstatSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../providers/index.js';
import { configDir, STORE_BASENAME } from '../store/paths.js';
import { type Profile, parseProfile } from '../store/profile.js';
import { writeAll, writeStdout } from '../ui/io.js';

/** What src/hot/main.ts runs when a hot path did not answer: the CI bundle or the full CLI. */
export type Next = 'ci' | 'authctl';

/** What a hot entry prints: stdout text, or both streams. */
export type Answer = string | { out: string; err: string };

/**
 * Run `answer` on the hot path: undefined when it was fully handled (output written), else the
 * bundle (dist/<name>.cjs) to run instead, nothing having been written. `fallback` is
 * that bundle when `answer` returns undefined.
 */
export function runHot(
  env: NodeJS.ProcessEnv,
  answer: () => Answer | undefined,
  fallback: Next = 'authctl',
): Next | undefined {
  if (env.AUTHCTL_NO_FAST_PATH === '1' || env.AUTHCTL_PARSE_ONLY === '1') return 'authctl';
  let text: Answer | undefined;
  try {
    text = answer();
  } catch {
    // Anything unexpected before output: the full CLI does the job (and reports it properly).
    return 'authctl';
  }
  if (text === undefined) return fallback;
  // From here on something may have been written: never hand over (it would be written twice).
  try {
    if (typeof text === 'object') {
      // Plain synchronous writes: process.stderr would build a stream (net, tty…) for one line.
      writeAll(2, text.err);
      if (text.out) writeStdout(text.out);
    } else writeStdout(text);
  } catch (e) {
    writeFailed(e);
  }
  return undefined;
}

/** The output could not be written (its own function: compiled only then). */
function writeFailed(e: unknown): void {
  const code = (e as NodeJS.ErrnoException)?.code;
  // EPIPE, as the full CLI does: the reader went away; end quietly with SIGPIPE's status.
  process.exitCode = code === 'EPIPE' ? 141 : 1;
  if (code !== 'EPIPE') process.stderr.write(`error: cannot write the output (${code ?? String(e)}).\n`);
}

/** The valid profile named by `arg` (else AUTHCTL_PROFILE, else the only one), read with one file read. */
export function readProfile(
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

/** Whether argv ends with `--help` or `-h` (what commander takes as a help request there). */
export function asksHelp(argv: readonly string[]): boolean {
  const last = argv[argv.length - 1];
  return last === '--help' || last === '-h';
}

/**
 * Pre-rendered help for `words --help` when stdout is not a terminal (80 columns, no colour: what
 * commander prints there too). Flags among the words, or a terminal, go to commander.
 */
export function help(words: readonly string[]): string | undefined {
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
