/** Assertions about the CLI's output discipline (README "Exit codes"; docs/security.md). */
import assert from 'node:assert/strict';
import type { CliResult } from './cli.js';

/**
 * A failed run: the expected exit code, nothing on stdout, exactly one `error:` line on stderr
 * (matching `message` when given), and no ANSI escapes. Returns the error line.
 */
export function assertFailure(r: CliResult, code: number, message?: RegExp): string {
  const ctx = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, code, ctx);
  assert.equal(r.stdout, '', ctx);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, ctx);
  assert.doesNotMatch(r.stderr, /\x1b\[/, 'no ANSI escapes when stderr is not a TTY');
  if (message) assert.match(errors[0]!, message, ctx);
  return errors[0]!;
}

/** A successful run with exactly `stdout` and an empty stderr. */
export function assertOutput(r: CliResult, stdout: string): void {
  assert.equal(r.code, 0, `exit ${r.code}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, stdout);
  assert.equal(r.stderr, '');
}
