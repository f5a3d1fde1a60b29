/** Human formatting (src/ui/format.ts) and the colour decision (src/ui/io.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isoUtc, maskToken, relativeTime } from '../../src/lib/format.js';
import { colorWanted } from '../../src/ui/io.js';

test('maskToken never reveals more than the first 4 characters', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), (t) => {
      const m = maskToken(t);
      // Whatever the length note says, the rest is stars and the ellipsis.
      const visible = m.replace(/ \(\d+ chars\)$/, '');
      if (t.length <= 12) assert.equal(visible, '*'.repeat(Math.min(t.length, 8)));
      else assert.equal(visible, `${t.slice(0, 4)}…****`);
    }),
    { numRuns: 1000 },
  );
  assert.equal(maskToken('abcdefghijklmnopqrstuvwxyz'), 'abcd…**** (26 chars)');
  assert.equal(maskToken('short'), '*****');
  assert.equal(maskToken('exactly12chr'), '********');
  assert.equal(maskToken(''), '');
});

test('relativeTime: seconds, minutes, hours and days, future and past', () => {
  const now = Date.UTC(2026, 10, 23, 8, 0, 0);
  const table: Array<[number, string]> = [
    [0, 'in 0s'],
    [42_000, 'in 42s'],
    [59_400, 'in 59s'],
    [59_600, 'in 1m'],
    [42 * 60_000, 'in 42m'],
    [3_600_000, 'in 1h'],
    [5_400_000, 'in 1h 30m'],
    [86_400_000, 'in 1d'],
    [2 * 86_400_000 + 4 * 3_600_000, 'in 2d 4h'],
    [-1000, '1s ago'],
    [-3 * 3_600_000, '3h ago'],
    [-400 * 86_400_000, '400d ago'],
  ];
  for (const [delta, want] of table) assert.equal(relativeTime(now + delta, now), want, String(delta));
});

test('isoUtc: ISO 8601 UTC without milliseconds', () => {
  assert.equal(isoUtc(Date.UTC(2026, 10, 23, 8, 0, 0, 999)), '2026-11-23T08:00:00Z');
  assert.equal(isoUtc(0), '1970-01-01T00:00:00Z');
});

test('colorWanted: --no-color > NO_COLOR > FORCE_COLOR > TTY (and TERM=dumb)', () => {
  const table: Array<[NodeJS.ProcessEnv, boolean, boolean, boolean]> = [
    // env, isTTY, --no-color, expected
    [{}, true, false, true],
    [{}, false, false, false],
    [{}, true, true, false],
    [{ NO_COLOR: '1' }, true, false, false],
    [{ NO_COLOR: '' }, true, false, true], // no-color.org: only a non-empty value counts
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false, false],
    [{ FORCE_COLOR: '1' }, false, false, true],
    [{ FORCE_COLOR: '1' }, false, true, false],
    [{ FORCE_COLOR: '0' }, true, false, false],
    [{ FORCE_COLOR: 'false' }, true, false, false],
    [{ TERM: 'dumb' }, true, false, false],
  ];
  for (const [env, tty, flag, want] of table) {
    assert.equal(colorWanted(env, tty, flag), want, `${JSON.stringify(env)} tty=${tty} flag=${flag}`);
  }
});
