/** Pure parsers for flag values shared by every command (durations, scopes); bad values are exit 2. */
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parse `90s`, `10m`, `1h`, `1h30m`, `250ms` or plain seconds into milliseconds. */
export function parseDuration(value: string, flag = '--timeout'): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return checkRange(Math.round(Number(v) * 1000), value, flag);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  let matched = false;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    pos = re.lastIndex;
    matched = true;
  }
  if (!matched || pos !== v.length) {
    throw new UsageError(
      `${flag}: invalid duration '${value}'`,
      'Use a number of seconds or a value like 90s, 10m, 1h or 1h30m.',
    );
  }
  return checkRange(Math.round(total), value, flag);
}

/** A duration must be a whole number of ms that timers and dates can hold (not 1e400 → Infinity). */
function checkRange(ms: number, value: string, flag: string): number {
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`${flag}: duration '${value}' is too long`, 'Use a value like 10m, 1h or 24h.');
  }
  return ms;
}

/** Split repeatable `--scope` values (each may hold several space-separated scopes), dropping duplicates. */
export function parseScopes(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const s of v.split(/\s+/)) if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/** Commander collector for repeatable flags. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** What a profile name may be: 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit. */
export const PROFILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Validate a profile name (PROFILE_NAME_RE). */
export function parseProfileName(value: string): string {
  if (!PROFILE_NAME_RE.test(value)) {
    throw new UsageError(
      `invalid profile name '${value}'`,
      'Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    );
  }
  return value;
}
