/** One style for the `error:` line (src/ui/errorline.ts): what happened, then what to do next. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FailureError,
  InterruptedError,
  NetworkError,
  NoTokenError,
  ProtocolError,
  RefusedError,
  StoreError,
  TimeoutError,
  UsageError,
} from '../../src/errors.js';
import { errorLine } from '../../src/ui/errorline.js';

test('every error class thrown without a hint still says what to do next, in two sentences', () => {
  const errors = [
    new FailureError('it broke'),
    new NetworkError('connection refused by 127.0.0.1:1'),
    new ProtocolError('the answer is not JSON.'),
    new StoreError('cannot write the store'),
    new UsageError('--client-id is empty'),
    new RefusedError('logout cancelled; nothing was revoked or deleted'),
    new NoTokenError('no profile named x'),
    new TimeoutError('no decision within 5m'),
    new InterruptedError('SIGINT'),
    new InterruptedError('SIGTERM'),
  ];
  for (const e of errors) {
    const { line, code } = errorLine(e, false, 'authctl actigraph token');
    assert.equal(code, e.exitCode);
    assert.equal(line.split('\n').length, 1, line);
    // "error: <what>. <Next step>."
    assert.match(line, /^error: [^\n]*[^.]\. [A-Z][^\n]*\.$/, line);
    assert.ok(!line.includes('..'), line);
  }
  assert.equal(
    errorLine(new UsageError('--client-id is empty'), false, 'authctl actigraph token').line,
    "error: --client-id is empty. Run 'authctl actigraph token --help' for usage.",
  );
});

test('Interrupted reads the same from a signal and from a prompt', () => {
  const fromSignal = errorLine(new InterruptedError('SIGINT'), false).line;
  const prompt = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
  const fromPrompt = errorLine(prompt, false);
  assert.equal(fromPrompt.code, 130);
  assert.equal(fromPrompt.line, fromSignal);
  assert.match(fromSignal, /^error: Interrupted\. /);
});

test('a hint keeps its own end; a hint ending in a command gets no period glued to the last argument', () => {
  const cmd = 'authctl pryv request --app-id my-app --permission diary:read';
  assert.equal(
    errorLine(new NoTokenError('the token of profile p expired', `Run: ${cmd}`), false).line,
    `error: the token of profile p expired. Run: ${cmd}`,
  );
  assert.equal(
    errorLine(new FailureError('it broke.', 'Try again later'), false).line,
    'error: it broke. Try again later.',
  );
  assert.equal(errorLine(new FailureError('x', 'Is it up?'), false).line, 'error: x. Is it up?');
  assert.equal(
    errorLine(
      new NoTokenError(
        'x',
        'Set AUTHCTL_CLIENT_SECRET, or run: AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id c',
      ),
      false,
    ).line,
    'error: x. Set AUTHCTL_CLIENT_SECRET, or run: AUTHCTL_CLIENT_SECRET=… authctl actigraph token --client-id c',
  );
  // A command in the middle of a sentence is not its end.
  assert.equal(
    errorLine(new StoreError('x', "Delete it with 'authctl token delete p' and log in again"), false).line,
    "error: x. Delete it with 'authctl token delete p' and log in again.",
  );
});
