/**
 * The slow-request notice (src/ui/activity.ts) off a terminal: one line naming the host once a
 * request has been outstanding for the delay, never while a spinner or prompt owns the screen,
 * never during silent renewal, and nothing at all for a quick answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { claimTerminal, hushLines, watchRequest } from '../../src/ui/activity.js';
import type { IO } from '../../src/ui/io.js';

function capture(): { io: IO; lines: string[] } {
  const lines: string[] = [];
  const io = {
    out: () => {},
    err: (t: string) => {
      lines.push(t);
    },
    interactive: false,
    color: false,
    verbose: false,
    debug: () => {},
    readStdin: async () => '',
  } satisfies IO;
  return { io, lines };
}

test('a quick answer shows nothing; a slow one shows one line naming the host, once per host', async () => {
  const { io, lines } = capture();
  watchRequest(io, 'quick.example:443', 50)();
  await wait(100);
  assert.deepEqual(lines, []);

  let done = watchRequest(io, 'reg.pryv.me', 20);
  await wait(80);
  done();
  assert.deepEqual(lines, ['Contacting reg.pryv.me…\n']);
  done = watchRequest(io, 'reg.pryv.me', 20);
  await wait(80);
  done();
  assert.equal(lines.length, 1, 'the same host is announced once');
});

test('nothing while a spinner or prompt owns the terminal, or during silent renewal', async () => {
  const { io, lines } = capture();
  const release = claimTerminal();
  let done = watchRequest(io, 'claimed.example', 20);
  await wait(80);
  done();
  release();
  const unhush = hushLines();
  done = watchRequest(io, 'hushed.example', 20);
  await wait(80);
  done();
  unhush();
  assert.deepEqual(lines, []);
  // Released: the next slow request speaks again.
  done = watchRequest(io, 'free.example', 20);
  await wait(80);
  done();
  assert.deepEqual(lines, ['Contacting free.example…\n']);
});
