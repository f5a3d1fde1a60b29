/** Human formatting helpers: masking, relative times. Pure functions. */

/** Mask a secret for display: a short prefix, the length, never the whole value. */
export function maskToken(token: string): string {
  if (token.length <= 12) return '*'.repeat(Math.min(token.length, 8));
  return `${token.slice(0, 4)}…${'*'.repeat(4)} (${token.length} chars)`;
}

/** "in 42m", "3h ago", "in 2d 4h": a relative description of `whenMs` against `nowMs`. */
export function relativeTime(whenMs: number, nowMs: number): string {
  const diff = whenMs - nowMs;
  const abs = Math.abs(diff);
  const s = Math.round(abs / 1000);
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m`;
  else if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    text = `${Math.floor(s / 3600)}h${m ? ` ${m}m` : ''}`;
  } else {
    const h = Math.floor((s % 86_400) / 3600);
    text = `${Math.floor(s / 86_400)}d${h ? ` ${h}h` : ''}`;
  }
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** ISO 8601 UTC without milliseconds, e.g. 2026-11-23T08:00:00Z. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration as the user would type it: 600000 → "10m", 90000 → "1m30s", 250 → "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
