/** The terminal-width table of `token list` (src/ui/table.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Column, fitWidths, renderTable, truncate } from '../../src/ui/table.js';

const columns: Column[] = [
  { header: 'NAME', shrink: 0 },
  { header: 'NOTE', shrink: 2 },
  { header: 'WHEN', shrink: 1 },
];
const rows = [
  ['first', 'a rather long note that takes room', '2026-11-23T09:00:00Z (in 42m)'],
  ['second-profile', '-', 'no expiry'],
];

const width = (s: string) =>
  Math.max(
    ...s
      .trimEnd()
      .split('\n')
      .map((l) => [...l].length),
  );

test('no width (a pipe): nothing is cut, columns two spaces apart, no trailing spaces', () => {
  const out = renderTable(columns, rows);
  assert.ok(out.includes('a rather long note that takes room'));
  assert.ok(out.includes('2026-11-23T09:00:00Z (in 42m)'));
  assert.ok(!out.includes('…'));
  for (const l of out.trimEnd().split('\n')) assert.equal(l, l.trimEnd());
  assert.match(out, /^NAME {12}NOTE/);
});

test('a narrow width cuts the most shrinkable column first, with an ellipsis, and fits', () => {
  const natural = width(renderTable(columns, rows));
  const out = renderTable(columns, rows, natural - 10);
  assert.ok(width(out) <= natural - 10, out);
  assert.match(out, /a rather long note that…/);
  assert.ok(out.includes('2026-11-23T09:00:00Z (in 42m)'), 'the less shrinkable column is whole');
  // Narrower still: the less shrinkable column gives up room too; the first (shrink 0) never does.
  const narrow = renderTable(columns, rows, 40);
  assert.ok(width(narrow) <= 40, narrow);
  assert.ok(narrow.includes('second-profile'));
  assert.match(narrow, /^first +a rath… {2}2026-11-23T09:…$/m);
});

test('columns never go below their header; too narrow a terminal overflows rather than lose headers', () => {
  const w = fitWidths(columns, rows, 5);
  assert.deepEqual(w, [14, 4, 4]);
  assert.match(renderTable(columns, rows, 5), /^NAME {12}NOTE {2}WHEN$/m);
});

test('truncate counts code points and marks the cut', () => {
  assert.equal(truncate('abcdef', 6), 'abcdef');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('ééééé', 3), 'éé…');
});
