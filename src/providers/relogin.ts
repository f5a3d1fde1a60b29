/** Pieces of the "Run: authctl …" commands that profiles' re-login hints print. Pure. */
import { shellWord } from '../lib/shell.js';

/** ` --flag value`, the value quoted for a POSIX shell; empty when the value is absent or the default. */
export function flag(name: string, value: unknown, def?: string): string {
  if (value === undefined || value === null || value === '' || value === def) return '';
  return ` ${name} ${shellWord(String(value))}`;
}

/** ` --flag v1 --flag v2 …` for a repeatable flag. */
export function flags(name: string, values: readonly string[]): string {
  return values.map((v) => flag(name, v)).join('');
}

/** ` --profile <name>` unless the name is the provider's default. */
export function profileFlag(name: string, def: string): string {
  return flag('--profile', name, def);
}

/** A placeholder the user must fill in, for a value the profile does not record. */
export const MISSING = '<value>';
