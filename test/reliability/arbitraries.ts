/**
 * fast-check building blocks for the property tests (test/cli/property-flags.test.ts, test/providers/property-*.test.ts): hostile strings,
 * random and mutated server answers, and the one invariant every parser must keep — it returns a
 * valid result or throws a coded AuthctlError, never another exception.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AuthctlError } from '../../src/errors.js';
import { TOKEN_RE } from '../../src/store/profile.js';

/** Strings servers (or attackers) like to send: control characters, CRLF, HTML, unicode, huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      '.',
      '-',
      '_',
      '~',
      ' ',
      '\t',
      '\r',
      '\n',
      '\0',
      '\x7f',
      '\x1b',
      'é',
    ),
  }),
  fc.constantFrom(
    '',
    ' ',
    '\r\n',
    'Bearer',
    'bearer',
    'tok\r\nX-Injected: 1',
    'tok\nSet-Cookie: a=b',
    'tok en',
    '<html><body>502</body></html>',
    '{}',
    '\u0000',
    '\u2028',
    '\u001b[31mred',
    '😀',
    '$(touch pwned)',
    '`id`',
    'x'.repeat(5000),
    '99999999999999999999',
    '1e400',
    '-1',
    '3600',
    ' 3600 ',
    'NaN',
  ),
);

/** Any JSON value, plus the numbers and shapes that break naive code. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue(),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e21,
    -1e21,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    2 ** 31,
    8.64e12,
    [],
    {},
    [null],
    { toString: 'x' },
  ),
);

/**
 * A valid answer with some fields dropped, some replaced by hostile values, and junk added — the
 * "mutated server answer" of the property tests.
 */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc
    .record({
      drop: fc.subarray(keys),
      replace: fc.array(fc.tuple(fc.constantFrom(...keys), hostileValue), { maxLength: 3 }),
      extra: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue()), { maxLength: 2 }),
    })
    .map(({ drop, replace, extra }) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of extra)
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const k of keys) o[k] = base[k];
      for (const k of drop) delete o[k];
      for (const [k, v] of replace) o[k] = v;
      return o;
    });
}

/** A server answer: mostly the mutated valid one, sometimes anything at all. */
export function answer(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: mutated(base) }, { weight: 1, arbitrary: hostileValue });
}

/** What a raw HTTP answer looks like to a validator: status, text, parsed JSON, headers. */
export interface RawAnswer {
  status: number;
  text: string;
  json: unknown;
  headers: Record<string, string | undefined>;
}

/** A raw HTTP answer around `body`: a likely or random status, JSON or not, odd headers. */
export function rawAnswer(
  body: fc.Arbitrary<unknown>,
  statuses: number[] = [200, 201, 400, 401, 403, 404, 429, 500, 503],
): fc.Arbitrary<RawAnswer> {
  return fc
    .record({
      status: fc.oneof(fc.constantFrom(...statuses), fc.integer({ min: 100, max: 599 })),
      body,
      asText: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileString }),
      retryAfter: fc.option(fc.oneof(hostileString, fc.nat().map(String)), { nil: undefined }),
      contentType: fc.option(hostileString, { nil: undefined }),
    })
    .map(({ status, body, asText, retryAfter, contentType }) => {
      // Either the JSON the body serialises to, or text that may or may not parse.
      const text = asText ?? JSON.stringify(body) ?? '';
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return {
        status,
        text,
        json,
        headers: { 'retry-after': retryAfter, 'content-type': contentType },
      };
    });
}

/** Control characters and ANSI escapes must never reach the terminal from a server. */
const CONTROL_RE = /[\x00-\x1f\x7f]/;

/**
 * The invariant: `fn` returns (and `check` accepts the result) or throws an AuthctlError with a
 * exit code from the contract. `fromServer` also forbids control characters in the message and hint
 * (they would come from the server's text and could rewrite the user's terminal, or split the one
 * `error:` line). Flag parsers may echo what the user typed as it is.
 */
export function codedOrValid<T>(fn: () => T, check?: (v: T) => void, fromServer = true): void {
  let v: T;
  try {
    v = fn();
  } catch (e) {
    if (!(e instanceof AuthctlError)) {
      const err = e as Error;
      throw new Error(`not a coded error: ${err?.constructor?.name}: ${err?.message}`);
    }
    assert.ok(e.exitCode >= 1 && e.exitCode <= 5, `exit code ${e.exitCode}`);
    if (fromServer) {
      assert.doesNotMatch(e.message, CONTROL_RE, `control character in: ${JSON.stringify(e.message)}`);
      assert.doesNotMatch(e.hint ?? '', CONTROL_RE);
    }
    return;
  }
  check?.(v);
}

/** Assert `t` (when present) is a token authctl may store and send (TOKEN_RE). */
export function assertToken(t: unknown, what = 'token'): void {
  if (t === undefined) return;
  assert.equal(typeof t, 'string', what);
  assert.match(t as string, TOKEN_RE, `${what} ${JSON.stringify(t)}`);
}

/** Number of runs per property: FC_RUNS overrides (the stress script raises it). */
export const RUNS = Number(process.env.FC_RUNS ?? 300);
