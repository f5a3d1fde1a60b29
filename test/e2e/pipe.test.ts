import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { binPath, cliEnv, tempConfigDir } from '../helpers/cli.js';

test('a reader that closes stdout early (… | head) ends authctl quietly with 141, like SIGPIPE', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const child = spawn(process.execPath, [binPath, '--help'], {
      env: cliEnv(dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close our end before authctl writes (it takes tens of milliseconds to start).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 141);
    assert.equal(stderr, '');
  } finally {
    cleanup();
  }
});
