/**
 * The error kinds: each one's name, exit code, default machine-readable code and hint, a code
 * given at the throw site, and the class chain callers test with instanceof.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthctlError,
  FailureError,
  InterruptedError,
  NetworkError,
  NoTokenError,
  ProtocolError,
  RefusedError,
  StoreError,
  TimeoutError,
  UsageError,
} from '../src/errors.js';

test('every error kind keeps its name, exit code and default code; a given code and hint win', () => {
  const kinds = [
    [FailureError, 'FailureError', 1, 'failure', true],
    [NetworkError, 'NetworkError', 1, 'network', true],
    [ProtocolError, 'ProtocolError', 1, 'protocol', true],
    [StoreError, 'StoreError', 1, 'store', true],
    [UsageError, 'UsageError', 2, 'usage', false],
    [RefusedError, 'RefusedError', 3, 'refused', false],
    [NoTokenError, 'NoTokenError', 4, 'token.unusable', false],
    [TimeoutError, 'TimeoutError', 5, 'timeout', false],
  ] as const;
  for (const [Kind, name, exitCode, code, isFailure] of kinds) {
    const plain = new Kind('what happened');
    assert.equal(plain.name, name);
    assert.equal(plain.message, 'what happened');
    assert.equal(plain.exitCode, exitCode, name);
    assert.equal(plain.code, code, name);
    assert.equal(plain.hint, undefined);
    assert.equal(plain.reloginLead, undefined);
    assert.match(String(plain.stack), new RegExp(`^${name}: what happened`));
    assert.ok(plain instanceof AuthctlError && plain instanceof Error);
    assert.equal(plain instanceof FailureError, isFailure, name);
    const given = new Kind('m', 'do this next', 'x.y');
    assert.equal(given.hint, 'do this next');
    assert.equal(given.code, 'x.y');
    assert.equal(new Kind('m', undefined, 'x.z').code, 'x.z');
  }
  assert.deepEqual(
    [new InterruptedError(), new InterruptedError('SIGTERM')].map((e) => [e.exitCode, e.code, e.message]),
    [
      [130, 'interrupted', 'Interrupted.'],
      [143, 'terminated', 'Terminated.'],
    ],
  );
});
