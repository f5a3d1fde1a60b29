/**
 * Finding: a stale lock that cannot be removed (a directory at the lock path, or another user's
 * file in a sticky directory) made withLock retry with no sleep and no deadline — 100 % CPU, deaf
 * to signals. It must sleep between attempts, give up at the deadline naming the lock file, and
 * stay interruptible.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.js';
import { withLock } from '../../src/store/lock.js';
import { binPath, cliEnv, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

/** CPU time (user + system, in clock ticks) a process has used so far, from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** True when process `pid` catches every one of `signals` (SigCgt in /proc/<pid>/status). */
function catches(pid: number, ...signals: number[]): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    const mask = BigInt(`0x${m?.[1] ?? '0'}`);
    return signals.every((n) => (mask >> BigInt(n - 1)) & 1n);
  } catch {
    return false;
  }
}

test('a lock path that is a directory: withLock sleeps, then times out naming the lock file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-lock-'));
  const lock = path.join(dir, 'x.lock');
  fs.mkdirSync(lock);
  // Old enough to count as stale at once.
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lock, old, old);
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  await assert.rejects(
    withLock(lock, async () => 'never', { waitMs: 800, staleMs: 100 }),
    (e: unknown) =>
      e instanceof StoreError && e.message.includes(lock) && /cannot be removed/.test(e.message),
  );
  const elapsed = Date.now() - started;
  const cpu = process.cpuUsage(cpu0);
  assert.ok(elapsed >= 800 && elapsed < 3000, `gave up after ${elapsed} ms`);
  // Spinning would burn (nearly) the whole wall time in unlink/open system calls.
  assert.ok(
    (cpu.user + cpu.system) / 1000 < elapsed / 4,
    `CPU ${(cpu.user + cpu.system) / 1000} ms of ${elapsed} ms`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a lock path that is a directory: the CLI stays idle and SIGTERM/SIGINT end it within a second', async () => {
  for (const [sig, want] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    const tmp = tempConfigDir();
    writeStore(tmp.dir, { version: 1, profiles: { a: sampleProfile() } });
    const lock = path.join(tmp.dir, 'config.json.lock');
    fs.mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const child = spawn(process.execPath, [binPath, 'token', 'delete', 'a'], {
      env: cliEnv(tmp.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    // Wait until authctl has installed its SIGINT and SIGTERM handlers (it is then past start-up and
    // waiting for the lock), however slow the machine: /proc/<pid>/status lists caught signals.
    for (let i = 0; i < 600 && !catches(child.pid!, 2, 15); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(catches(child.pid!, 2, 15), 'authctl never installed its signal handlers');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = cpuTicks(child.pid!);
    await new Promise((r) => setTimeout(r, 2000));
    const used = cpuTicks(child.pid!) - t0;
    // Clock ticks are 1/100 s: a spinning process uses ~200 in 2 s; a sleeping one almost none.
    assert.ok(used < 40, `authctl used ${used} ticks of CPU in 2 s while waiting for the lock`);
    const sent = Date.now();
    child.kill(sig);
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 3000))]);
    if (code === 'hung') child.kill('SIGKILL');
    assert.equal(code, want, `${sig}: ${err}`);
    assert.ok(Date.now() - sent < 1500, `${sig} took ${Date.now() - sent} ms`);
    assert.equal(err.match(/^error: /gm)?.length, 1, err);
    tmp.cleanup();
  }
});
