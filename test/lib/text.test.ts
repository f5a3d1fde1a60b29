/** The one sanitiser: what may reach a terminal from a server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTerminalSafe, serverText, terminalSafe } from '../../src/lib/text.js';

const HOSTILE = [
  ['OSC window title', '\u001b]0;pwned\u0007'],
  ['clear screen', '\u001b[2J'],
  ['C1 CSI', '\u009b31m'],
  ['bidi override', '\u202eevil'],
  ['bidi isolate', '\u2066x\u2069'],
  ['carriage return', 'fake\rline'],
  ['line separator', 'a\u2028b'],
  ['paragraph separator', 'a\u2029b'],
  ['DEL', 'a\u007fb'],
  ['NUL and BEL', 'a\u0000\u0007b'],
] as const;

test('terminalSafe removes every control, C1, bidi and separator character but keeps LF and TAB', () => {
  for (const [what, s] of HOSTILE) {
    const out = terminalSafe(`x${s}y\n\tz`);
    assert.ok(isTerminalSafe(out), `${what}: ${JSON.stringify(out)}`);
    assert.ok(!/[\u001b\u009b\u202e\u2066\u2028\u2029\r\u0000\u0007\u007f]/.test(out), what);
    assert.ok(out.endsWith('y\n\tz'), `${what}: newline and tab kept`);
  }
});

test('terminalSafe keeps authctl-style SGR colours only when asked, and nothing else', () => {
  const styled = '\u001b[32m✓\u001b[39m done \u001b]8;;http://evil\u0007link\u001b[2J';
  assert.equal(terminalSafe(styled, true), '\u001b[32m✓\u001b[39m done ]8;;http://evillink[2J');
  assert.equal(terminalSafe(styled, false), '[32m✓[39m done ]8;;http://evillink[2J');
});

test('serverText: one bounded line without tags or controls', () => {
  assert.equal(serverText('<h1>Bad</h1>\n\r\u001b[2Jgateway\u202e'), 'Bad [2Jgateway');
  assert.equal(serverText({ toString: 'x' }), '{"toString":"x"}');
  assert.equal(serverText('a'.repeat(10), 4), 'aaaa…');
  assert.equal(serverText(undefined), '');
});
