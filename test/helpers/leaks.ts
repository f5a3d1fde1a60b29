/**
 * Leak recording for the post-suite secrets check (test/reliability/leak-check.mjs, run by
 * test/run.mjs). When AUTHCTL_TEST_LEAK_DIR is set, the fakes record every secret they hand out or
 * receive (access, refresh and ID tokens, client secrets, authorization codes, PKCE verifiers, Pryv
 * poll keys), and runCli / testContext record everything authctl wrote. The checker then fails
 * where a secret appears outside the places the contract allows. Without the variable, every
 * function here does nothing. (AUTHCTL_* variables are stripped from the CLI's environment by
 * cliEnv, so authctl itself never sees this one.)
 */
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/** What kind of secret a value is; decides where it may appear (see leak-check.mjs). */
export type SecretKind =
  | 'access'
  | 'refresh'
  | 'id'
  | 'clientSecret'
  | 'code'
  | 'verifier'
  | 'pollKey'
  /** Not a secret: a Pryv consent URL, which carries the poll key and must be shown to the user. */
  | 'consentUrl';

const dir = (): string | undefined => process.env.AUTHCTL_TEST_LEAK_DIR || undefined;

/** Short values (test ids like "c", "s") would match everywhere: only these lengths are tracked. */
const MIN_LENGTH = 8;

function append(kind: 'secrets' | 'outputs', record: unknown): void {
  const d = dir();
  if (!d) return;
  try {
    fs.appendFileSync(path.join(d, `${kind}-${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
  } catch {
    /* the directory went away: recording is best effort */
  }
}

const testFile = () => path.relative(process.cwd(), process.argv[1] ?? '?');

/** Record a secret a fake issued or received. */
export function recordSecret(kind: SecretKind, value: unknown, source: string): void {
  if (!dir() || typeof value !== 'string' || value.length < MIN_LENGTH) return;
  append('secrets', { kind, value, source, test: testFile() });
}

/** Record what one authctl run wrote: a CLI process (with its argv) or an in-process context. */
export function recordOutput(via: 'cli' | 'context', stdout: string, stderr: string, args?: string[]): void {
  if (!dir() || (stdout === '' && stderr === '')) return;
  append('outputs', { via, args, stdout, stderr, test: testFile() });
}

/** Secret-bearing fields of token, SAFE and Pryv answers and of token requests. */
const RESPONSE_FIELDS: Record<string, SecretKind> = {
  access_token: 'access',
  refresh_token: 'refresh',
  id_token: 'id',
  token: 'access',
  key: 'pollKey',
};
const REQUEST_FIELDS: Record<string, SecretKind> = {
  client_secret: 'clientSecret',
  code: 'code',
  code_verifier: 'verifier',
  refresh_token: 'refresh',
};

function recordFields(obj: unknown, fields: Record<string, SecretKind>, source: string): void {
  if (typeof obj !== 'object' || obj === null) return;
  for (const [k, kind] of Object.entries(fields))
    recordSecret(kind, (obj as Record<string, unknown>)[k], source);
  const authUrl = (obj as Record<string, unknown>).authUrl ?? (obj as Record<string, unknown>).url;
  if (typeof authUrl === 'string' && typeof (obj as Record<string, unknown>).key === 'string')
    append('secrets', { kind: 'consentUrl', value: authUrl, source, test: testFile() });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (/json/i.test(contentType ?? '') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * Watch a fake's traffic: request bodies and Basic credentials (secrets authctl sent), response
 * bodies and Location headers (tokens, keys and codes the fake issued). Runs before the fake's
 * own handler and only wraps push/write/end, so the fake behaves exactly as before.
 */
export function tapServer(server: EventEmitter, source: string): void {
  if (!dir()) return;
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const inChunks: Buffer[] = [];
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null && chunk !== undefined)
        inChunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding));
      return push(chunk, encoding);
    };
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i >= 0) {
        try {
          recordSecret('clientSecret', decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' ')), source);
        } catch {
          recordSecret('clientSecret', decoded.slice(i + 1), source);
        }
      }
    }
    const outChunks: Buffer[] = [];
    const take = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      outChunks.push(
        Buffer.isBuffer(chunk)
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk)
            : Buffer.from(
                String(chunk),
                typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
              ),
      );
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => http.ServerResponse;
    let headLocation: string | undefined;
    (res as unknown as { write: unknown }).write = (...a: unknown[]) => {
      take(a[0], a[1]);
      return write(...a);
    };
    (res as unknown as { end: unknown }).end = (...a: unknown[]) => {
      take(a[0], a[1]);
      return end(...a);
    };
    (res as unknown as { writeHead: unknown }).writeHead = (...a: unknown[]) => {
      const h = a.find((x) => typeof x === 'object' && x !== null) as Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(h ?? {}))
        if (k.toLowerCase() === 'location') headLocation = String(v);
      return writeHead(...a);
    };
    res.once('finish', () => {
      const reqText = Buffer.concat(inChunks).toString('utf8');
      recordFields(parseBody(reqText, req.headers['content-type']), REQUEST_FIELDS, source);
      const resText = Buffer.concat(outChunks).toString('utf8');
      const type = res.getHeader('content-type');
      recordFields(parseBody(resText, typeof type === 'string' ? type : undefined), RESPONSE_FIELDS, source);
      const location = headLocation ?? res.getHeader('location');
      if (typeof location === 'string') {
        try {
          const u = new URL(location, 'http://x');
          recordSecret('code', u.searchParams.get('code'), source);
        } catch {
          /* not a URL */
        }
      }
    });
  });
}
