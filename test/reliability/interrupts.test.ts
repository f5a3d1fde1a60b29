/**
 * Interrupts at every waiting point, through the binary: Pryv polling, the held-open SAFE POST,
 * the OAuth and LivePerson loopback waits, and a renewal in `token print` (slow token endpoint).
 * SIGINT gives exit 130 and SIGTERM exit 143, with one `error:` line, nothing on stdout, the store
 * byte for byte, no lock or temp file, the loopback port free again at once, and the held request
 * abandoned at the server.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { expiredActigraphProfile } from '../fakes/identityserver.js';
import { useFakePryv } from '../fakes/pryv.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import { freePort, useSentinel } from '../fakes/sentinel.js';
import { livepersonLoginArgs, oauthLoginArgs, pryvRequestArgs, safeAuthorizeArgs } from '../helpers/args.js';
import { assertFailure } from '../helpers/assert.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';
import { startFaultServer } from './fault-servers.js';

const pryv = useFakePryv({ generation: 'v1', pollRateMs: 50 });
const launcher = useFakeLauncher({ policy: 'hold' });
const sentinel = useSentinel();
/** A token endpoint that accepts the renewal and never answers it. */
const tokenEndpoint = useServer(() => startFaultServer('hang'));

/** A waiting point: the command, and how to tell that it is waiting there. */
interface Point {
  name: string;
  args: (port: number) => string[];
  env?: Record<string, string>;
  /** The store it starts with (the renewal needs its expired profile). */
  store?: () => Record<string, unknown>;
  /** Resolves once the process waits at this point. */
  waiting: (child: ChildProcess, stderr: () => string) => Promise<void>;
  /** A loopback port the command listens on while waiting. */
  listens?: boolean;
}

const onStderr = (re: RegExp) => (_child: ChildProcess, stderr: () => string) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (re.test(stderr())) {
        clearInterval(t);
        // A little later, so the process is inside the wait, not just past the print.
        setTimeout(resolve, 150);
      }
    }, 20);
  });

const points: Point[] = [
  {
    name: 'Pryv polling',
    args: () => pryvRequestArgs(pryv().serviceInfoUrl, '--no-open'),
    waiting: onStderr(/Waiting for approval in the browser/),
  },
  {
    name: 'held-open SAFE POST',
    args: () => safeAuthorizeArgs(launcher().url),
    waiting: onStderr(/Waiting for approval in SAFE Launcher/),
  },
  {
    name: 'OAuth loopback wait',
    args: (port) => oauthLoginArgs('interrupt-client', port),
    waiting: onStderr(/Waiting for the browser to return/),
    listens: true,
  },
  {
    name: 'LivePerson loopback wait',
    args: (port) => livepersonLoginArgs(sentinel(), 'not-registered-so-the-browser-never-returns', port),
    env: { AUTHCTL_CLIENT_SECRET: 'interrupt-test-secret' },
    waiting: onStderr(/Waiting for the browser to return/),
    listens: true,
  },
  {
    name: 'renewal in token print',
    args: () => ['token', 'print', 'ci'],
    env: { AUTHCTL_CLIENT_SECRET: 'interrupt-test-secret' },
    store: () => ({
      ci: expiredActigraphProfile(`${tokenEndpoint().url}/connect/token`, 'ci'),
    }),
    waiting: () =>
      new Promise<void>((resolve) => {
        const seen = tokenEndpoint().requests.length;
        const t = setInterval(() => {
          if (tokenEndpoint().requests.length > seen) {
            clearInterval(t);
            resolve();
          }
        }, 20);
      }),
  },
];

/** Can `port` on 127.0.0.1 be bound right now? */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  const code = signal === 'SIGINT' ? 130 : 143;
  test(`${signal} at every waiting point → exit ${code}, store untouched, listener closed`, async (t) => {
    // One at a time per signal: the renewal point counts requests at a shared fake.
    for (const p of points) {
      const { dir, cleanup } = tempConfigDir();
      try {
        const file = writeStore(dir, {
          version: 1,
          profiles: { bystander: sampleProfile(), ...p.store?.() },
        });
        const before = fs.readFileSync(file);
        const port = await freePort();
        // The POST this run will hold (the previous run's was dropped and left the queue).
        const held = p.name === 'held-open SAFE POST' ? launcher().pending : undefined;
        let signalledAt = 0;
        const r = await runCli([...p.args(port), '--verbose'], {
          configDir: dir,
          env: p.env ?? {},
          timeoutMs: 30_000,
          onSpawn: (child) => {
            let stderr = '';
            child.stderr?.on('data', (d: Buffer) => {
              stderr += d.toString();
            });
            void p
              .waiting(child, () => stderr)
              .then(() => {
                signalledAt = Date.now();
                child.kill(signal);
              });
          },
        });
        const exitAfter = Date.now() - signalledAt;
        assert.ok(signalledAt > 0, `${p.name}: never reached the waiting point\n${r.stderr}`);
        assertFailure(
          r,
          code,
          signal === 'SIGINT'
            ? /^error: Interrupted\. Nothing was saved; /
            : /^error: Terminated\. Nothing was saved; /,
        );
        assert.ok(exitAfter < 2000, `${p.name}: exited ${exitAfter} ms after the signal`);
        assert.deepEqual(fs.readFileSync(file), before, `${p.name}: the store changed`);
        assert.deepEqual(fs.readdirSync(dir), ['config.json'], `${p.name}: lock or temp file left`);
        if (p.listens) assert.ok(await bindable(port), `${p.name}: port ${port} still bound after exit`);
        if (held) {
          const h = await held;
          await h.abandoned;
          assert.equal(h.gone, true, 'the held POST was dropped by the client');
        }
        t.diagnostic(`${p.name}: ${signal} → exit ${r.code} ${exitAfter} ms after the signal`);
      } finally {
        cleanup();
      }
    }
  });
}
