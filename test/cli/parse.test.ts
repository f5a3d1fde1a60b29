import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseProfileName, parseScopes } from '../../src/cli/parse.js';
import { UsageError } from '../../src/errors.js';

test('parseDuration accepts seconds and h/m/s/ms forms', () => {
  const cases: Array<[string, number]> = [
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['45', 45_000],
    ['0', 0],
    ['250ms', 250],
    ['1.5', 1500],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, input);
});

test('parseDuration rejects garbage with a usage error', () => {
  for (const bad of ['', 'abc', '10x', '1h30', 'h', '-5', '5 m']) {
    assert.throws(() => parseDuration(bad), UsageError, bad);
  }
});

test('parseScopes splits, joins repeats and drops duplicates', () => {
  assert.deepEqual(parseScopes(['a b', 'c', 'a']), ['a', 'b', 'c']);
  assert.deepEqual(parseScopes(undefined), []);
});

test('parseProfileName allows safe names only', () => {
  assert.equal(parseProfileName('ci.prod-1'), 'ci.prod-1');
  for (const bad of ['', '../x', 'a b', '-x', 'x'.repeat(65)])
    assert.throws(() => parseProfileName(bad), UsageError);
});
