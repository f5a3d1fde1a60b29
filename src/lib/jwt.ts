/** JWT decoding for display and claim checks (RFC 7519). No signature verification. Pure. */
import { isRecord } from './json.js';

/** Decoded header and payload of a compact JWS, or null when `token` is not one. */
export function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p, i) => i < 2 && p.length === 0)) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObj(header) || !isObj(payload)) return null;
    return { header, payload };
  } catch {
    return null;
  }
}

const isObj = isRecord;

/** True when `token` has the three dot-separated base64url segments of a compact JWS. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
