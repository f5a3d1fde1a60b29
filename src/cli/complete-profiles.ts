/**
 * `authctl __complete profiles`, which the shell completion scripts run on every Tab: the saved
 * profile names, straight from the store file, one per line. A leaf (no commander): the hot entry
 * answers it, and src/main.ts when the hot path is off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, STORE_BASENAME } from '../store/paths.js';

/** The names of the saved profiles, straight from the store file; nothing on any problem. */
export function profileNames(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const data = JSON.parse(readFileSync(join(configDir(env), STORE_BASENAME), 'utf8')) as {
      profiles?: unknown;
    };
    const p = data.profiles;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return [];
    // Only names a shell word can carry as they are.
    return Object.keys(p).filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n));
  } catch {
    return [];
  }
}

/** What `authctl __complete <args…>` prints: one profile name per line for `profiles`. */
export function completeHidden(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  if (args[0] !== 'profiles') return '';
  const names = profileNames(env);
  return names.length ? `${names.join('\n')}\n` : '';
}
