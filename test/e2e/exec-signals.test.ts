/**
 * `authctl exec` and Ctrl-C: the child must receive SIGINT exactly once, whether it comes from the
 * terminal (which signals the whole foreground process group, child included) or is sent to authctl
 * alone (a CI runner cancelling a job), and authctl exits with the child's status.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sampleProfile, spawnExec, tempConfigDir, writeStore } from '../helpers/cli.js';
import { CTRL_C, ptyPython, runOnPty } from '../helpers/pty.js';

/** A child that counts SIGINTs: prints "ready", and 400 ms after the first SIGINT prints the count and exits 3. */
const COUNTER = `let n = 0;
process.on('SIGINT', () => { if (n++ === 0) setTimeout(() => { process.stdout.write('sigints=' + n + '\\n'); process.exit(3); }, 400); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;

const tmp = tempConfigDir();
before(() => writeStore(tmp.dir, { version: 1, profiles: { ci: sampleProfile() } }));
after(() => tmp.cleanup());

test('SIGINT sent to authctl alone (no terminal) is forwarded to the child once', async () => {
  const x = spawnExec(tmp.dir, COUNTER);
  await x.waitFor(/ready/);
  process.kill(x.child.pid!, 'SIGINT');
  const code = await x.closed;
  assert.equal(x.out(), 'ready\nsigints=1\n', x.err());
  assert.equal(code, 3, "authctl exits with the child's status");
});

test('Ctrl-C in a terminal reaches the child once, not twice', {
  skip: ptyPython ? false : 'python3 (for its pty module) is not installed here',
}, async () => {
  const r = await runOnPty(
    ['exec', '--profile', 'ci', '--', process.execPath, '-e', COUNTER],
    [{ expect: 'ready' }, { send: CTRL_C }],
    { configDir: tmp.dir },
  );
  assert.match(r.output, /sigints=1\r?\n/, `the child saw: ${r.output}`);
  assert.equal(r.status, 3, r.output);
});
