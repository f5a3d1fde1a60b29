import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { binPath, cliEnv, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

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

// A pipe whose writer is non-blocking (the reader's side set O_NONBLOCK on the shared file
// description) and a reader that waits: the synchronous write stops at EAGAIN once the pipe buffer
// (64 KiB on Linux) is full, the rest goes through the process stream, and authctl must not exit
// before that stream has flushed. Python makes such a pipe; Node's child_process cannot.
const NONBLOCKING_READER = `
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
p = subprocess.Popen(sys.argv[2:], stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
time.sleep(0.5)
out = b''
while True:
    b = os.read(r, 65536)
    if not b:
        break
    out += b
open(sys.argv[1], 'wb').write(out)
sys.exit(p.wait())
`;

test('output larger than a full non-blocking pipe arrives whole before authctl exits', {
  skip: spawnSync('python3', ['-c', '0']).status !== 0 && 'python3 is not installed',
}, async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    // 60 KiB, under the store's 64 KiB limit per token: `token export` writes it twice (≈ 120 KiB).
    const token = 'a'.repeat(60 * 1024);
    writeStore(dir, { version: 1, profiles: { big: sampleProfile({ token, expiresAt: null }) } });
    const expected = await runCli(['token', 'export', 'big', '--shell', 'bash'], { configDir: dir });
    assert.equal(expected.code, 0, expected.stderr);
    assert.ok(expected.stdout.length > 120 * 1024);
    const outFile = path.join(dir, 'out');
    const r = spawnSync(
      'python3',
      [
        '-c',
        NONBLOCKING_READER,
        outFile,
        process.execPath,
        binPath,
        'token',
        'export',
        'big',
        '--shell',
        'bash',
      ],
      { env: cliEnv(dir), encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(outFile, 'utf8'), expected.stdout);
  } finally {
    cleanup();
  }
});
