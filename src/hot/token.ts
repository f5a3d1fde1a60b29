/**
 * The hot paths of every command but `actigraph` (src/hot/main.ts runs them first, in dist/hot.cjs).
 * They answer, without loading the full CLI (dist/authctl.cjs: commander and every command):
 * - `token print|header|export` when the profile's token is fresh: the store file is read once and
 *   only the profile asked for is validated (a damaged sibling does not matter);
 * - `--version` / `-V`, and `__complete profiles` (the profile names shell completion asks for);
 * - `[command…] --help` / `-h` when stdout is not a terminal, from help texts the build rendered
 *   with commander itself (dist/help.json; a terminal gets commander's help at its own width).
 * Anything else — renewal due, an unusual flag, a missing or damaged profile, a store whose modes
 * need tightening, any error — hands over before anything was written, and src/hot/main.ts runs
 * the full CLI, which does the whole job with its usual output. test/e2e/fast-path.test.ts and
 * test/e2e/startup.test.ts keep both paths byte-for-byte equal.
 */
import { completeHidden } from '../cli/complete-profiles.js';
import { parseHot } from '../cli/fast.js';
import { defaultShell, renderExports } from '../lib/shell.js';
import { authorizationValue, exportVars } from '../providers/index.js';
import { expiresAtMs, type Profile } from '../store/profile.js';
import { type Answer, asksHelp, help, type Next, readProfile, runHot } from './shared.js';

/** Replaced by the build with package.json's version. */
declare const __AUTHCTL_VERSION__: string;

/** Run argv on the hot path; see runHot() for the result. */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Next | undefined {
  return runHot(env, () => answer(argv, env));
}

/** What to print for argv (stdout, or both streams), or undefined to hand over to the full CLI. */
function answer(argv: readonly string[], env: NodeJS.ProcessEnv): Answer | undefined {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return `${__AUTHCTL_VERSION__}\n`;
  // Profile names for shell completion, on every Tab.
  if (argv[0] === '__complete') return completeHidden(argv.slice(1), env);
  if (asksHelp(argv)) return help(argv.slice(0, -1));
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
