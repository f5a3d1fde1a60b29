/**
 * Cross-process file locks (the kubelogin pattern): an exclusively created lock file beside the
 * data, holding pid, host and a nonce; refreshed by a heartbeat while held. A lock whose owner
 * is dead (same host) or whose heartbeat stopped is stale and is taken over.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreError, sleep } from '../errors.js';

/** Options for acquiring a lock. */
export interface LockOptions {
  /** Give up after this long (ms). */
  waitMs?: number;
  /** A lock whose heartbeat is older than this (ms) is stale. */
  staleMs?: number;
  signal?: AbortSignal | undefined;
  /** Human description used in the error when the wait times out. */
  what?: string;
}

interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
}

function readLock(file: string): LockInfo | null {
  try {
    const [pid, host, nonce] = readFileSync(file, 'utf8').split('\n');
    return { pid: Number(pid), host: host ?? '', nonce: nonce ?? '' };
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long an empty or half-written lock file is respected (ms). */
const HALF_WRITTEN_GRACE_MS = 1500;

/** True when the lock at `file`, last read as `info`, belongs to nobody alive. */
function isStale(file: string, info: LockInfo | null, staleMs: number): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return false; // gone: the next attempt will simply create it
  }
  if (info && info.host === hostname() && info.pid !== process.pid && !processAlive(info.pid)) return true;
  // A half-written lock (no nonce yet) is given a short grace period before it counts as stale: its
  // creator fills it right after creating it, so one still empty after that was left by a writer
  // killed in between, and waiting the full staleMs would block every authctl for 10 s.
  if (!info || info.nonce === '') return Date.now() - mtimeMs > Math.min(staleMs, HALF_WRITTEN_GRACE_MS);
  return Date.now() - mtimeMs > staleMs;
}

/** Run `fn` while holding the lock file `file`; the lock is always released afterwards. */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const waitMs = opts.waitMs ?? 60_000;
  const staleMs = opts.staleMs ?? 10_000;
  const nonce = `${process.pid}-${process.hrtime.bigint()}-${Math.random().toString(36).slice(2)}`;
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n${hostname()}\n${nonce}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new StoreError(`cannot create lock file ${file}: ${(e as Error).message}`);
      }
    }
    const info = readLock(file);
    let removeFailed: string | undefined;
    if (isStale(file, info, staleMs)) {
      // Re-check that the same stale owner is still there right before removing it.
      const again = readLock(file);
      if (info?.nonce === again?.nonce) {
        try {
          unlinkSync(file);
          continue;
        } catch (e) {
          // ENOENT: someone else removed it first; retry at once. Anything else (the path is a
          // directory, or another user's file in a sticky directory) cannot be fixed by retrying
          // immediately: fall through to the deadline and the sleep below, so a lock we cannot
          // remove never spins the CPU and Ctrl-C still ends the wait.
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') continue;
          removeFailed = code ?? (e as Error).message;
        }
      }
    }
    if (Date.now() - started > waitMs) {
      const owner = readLock(file);
      throw new StoreError(
        removeFailed
          ? `timed out waiting for ${opts.what ?? 'the store lock'}: the stale lock ${file} cannot be removed (${removeFailed})`
          : `timed out waiting for ${opts.what ?? 'the store lock'} (${file}${owner ? `, held by pid ${owner.pid}` : ''})`,
        removeFailed
          ? 'Remove that path yourself (it may belong to another user or be a directory) and try again.'
          : 'If no other authctl is running, delete that lock file and try again.',
        'store.lock_timeout',
      );
    }
    await sleep(delay + Math.floor(Math.random() * delay), opts.signal);
    delay = Math.min(delay * 2, 100);
  }
  // Heartbeat: keeps the lock fresh while a slow holder (a network renewal) works.
  const beat = setInterval(
    () => {
      const t = new Date();
      try {
        utimesSync(file, t, t);
      } catch {
        /* lock vanished; nothing to refresh */
      }
    },
    Math.max(200, Math.floor(staleMs / 3)),
  );
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    const owner = readLock(file);
    if (owner && owner.nonce === nonce) {
      try {
        unlinkSync(file);
      } catch {
        /* already gone */
      }
    }
  }
}
