/**
 * Ctrl-C typed on a real terminal (a pseudo-terminal, not a signal sent with kill()): at every
 * waiting point and every prompt, one ^C ends authctl within a second with exit 130 and one
 * `error:` line, saves nothing, frees the loopback port, and leaves the terminal as it found it
 * (ISIG, ICANON and ECHO on, cursor visible). A spinner library that puts stdin in raw mode turns
 * ^C into a plain byte and makes all of this fail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { type FakePryv, startFakePryv } from '../fakes/pryv.js';
import { type FakeLauncher, startFakeLauncher } from '../fakes/safe-launcher.js';
import { type FakeSentinel, freePort, startSentinel } from '../fakes/sentinel.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { CTRL_C, cursorRestored, ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

const skip = ptyPython ? false : 'python3 (for its pty module) is not installed here';

let pryv: FakePryv;
let launcher: FakeLauncher;
let sentinel: FakeSentinel;
before(async () => {
  pryv = await startFakePryv({ generation: 'v2', pollRateMs: 100 });
  launcher = await startFakeLauncher({ policy: 'hold' });
  sentinel = await startSentinel();
});
after(async () => {
  await pryv?.close();
  await launcher?.close();
  await sentinel?.close();
});

/** Can `port` on 127.0.0.1 be bound right now? */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

interface Case {
  name: string;
  args: (port: number) => Promise<string[]> | string[];
  /** What is on screen once authctl waits there. */
  waiting: RegExp;
  env?: Record<string, string>;
  store?: Record<string, unknown>;
  listens?: boolean;
}

const cases: Case[] = [
  {
    name: 'pryv request (spinner while polling)',
    args: () => [
      'pryv',
      'request',
      '--service-info',
      pryv.serviceInfoUrl,
      '--app-id',
      'keyboard-test',
      '--permission',
      'diary:read',
      '--no-open',
    ],
    waiting: /Waiting for approval in the browser/,
  },
  {
    name: 'pryv poll (spinner while polling)',
    args: async () => {
      const { dir, cleanup } = tempConfigDir();
      try {
        const r = await runCli(
          [
            'pryv',
            'request',
            '--service-info',
            pryv.serviceInfoUrl,
            '--app-id',
            'keyboard-test',
            '--permission',
            'diary:read',
            '--no-wait',
          ],
          { configDir: dir },
        );
        assert.equal(r.code, 0, r.stderr);
        return ['pryv', 'poll', (JSON.parse(r.stdout) as { poll: string }).poll];
      } finally {
        cleanup();
      }
    },
    waiting: /Waiting for approval/,
  },
  {
    name: 'safe authorize (spinner on the held POST)',
    args: () => [
      'safe',
      'authorize',
      '--app-name',
      'Keyboard',
      '--app-id',
      'net.example.keyboard',
      '--app-version',
      '1',
      '--app-vendor',
      'Example',
      '--launcher-url',
      launcher.url,
    ],
    waiting: /Waiting for approval in SAFE Launcher/,
  },
  {
    name: 'liveperson login (spinner on the loopback wait)',
    args: (port) => [
      'liveperson',
      'login',
      '--account',
      sentinel.account,
      '--client-id',
      'never-returns',
      '--domain',
      sentinel.url,
      '--redirect-uri',
      `http://localhost:${port}/callback`,
      '--no-open',
    ],
    env: { AUTHCTL_CLIENT_SECRET: 'keyboard-test-secret' },
    waiting: /Waiting for the browser to return/,
    listens: true,
  },
  {
    name: 'oauth login (spinner on the loopback wait)',
    args: (port) => [
      'oauth',
      'login',
      '--authorize-url',
      'http://127.0.0.1:1/authorize',
      '--token-url',
      'http://127.0.0.1:1/token',
      '--client-id',
      'keyboard-client',
      '--redirect-uri',
      `http://127.0.0.1:${port}/callback`,
      '--no-open',
    ],
    waiting: /Waiting for the browser to return/,
    listens: true,
  },
  {
    name: 'oauth login --manual (the paste prompt)',
    args: (port) => [
      'oauth',
      'login',
      '--authorize-url',
      'http://127.0.0.1:1/authorize',
      '--token-url',
      'http://127.0.0.1:1/token',
      '--client-id',
      'keyboard-client',
      '--redirect-uri',
      `http://127.0.0.1:${port}/callback`,
      '--manual',
      '--no-open',
    ],
    waiting: /Paste/i,
  },
  {
    name: 'liveperson login (the hidden client-secret prompt)',
    args: (port) => [
      'liveperson',
      'login',
      '--account',
      sentinel.account,
      '--client-id',
      'prompted-client',
      '--domain',
      sentinel.url,
      '--redirect-uri',
      `http://localhost:${port}/callback`,
      '--no-open',
    ],
    waiting: /Client secret for prompted-client/,
  },
  {
    name: 'liveperson logout (the confirmation prompt)',
    args: () => ['liveperson', 'logout', 'lp'],
    store: {
      lp: sampleProfile({
        provider: 'liveperson',
        flow: 'authorization_code',
        subject: 'agent@example.com',
        refreshToken: 'keyboard-refresh-token',
        params: { account: '12345678', clientId: 'c', domain: 'sentinel.example.com' },
      }),
    },
    waiting: /Log user agent@example.com out/,
  },
];

for (const c of cases) {
  test(`Ctrl-C on a terminal: ${c.name} → exit 130 at once, nothing saved, terminal restored`, {
    skip,
  }, async () => {
    const { dir, cleanup } = tempConfigDir();
    try {
      const file = writeStore(dir, { version: 1, profiles: { bystander: sampleProfile(), ...c.store } });
      const before = fs.readFileSync(file);
      const port = await freePort();
      const args = await c.args(port);
      const r = await runOnPty(
        args,
        [{ expect: c.waiting.source, timeout: 20 }, { sleep: 0.3 }, { send: CTRL_C }],
        { configDir: dir, env: c.env ?? {} },
      );
      assert.equal(r.failedStep, null, `never reached the waiting point; screen:\n${r.output}`);
      assert.equal(r.timedOut, false, `still running 10 s after Ctrl-C; screen:\n${r.output}`);
      assert.equal(r.status, 130, `exit status; screen:\n${r.output}`);
      assert.ok((r.msAfterLastSend ?? 0) < 1000, `exited ${r.msAfterLastSend} ms after Ctrl-C`);
      // Spinners redraw their line by moving to column 1: that starts a new line of text here.
      const screen = stripAnsi(r.output.replace(/\u001b\[1?G/g, '\r'));
      // "^C" is the terminal echoing the key press.
      const errors = screen.split(/[\r\n]+/).filter((l) => /^(\^C)*\s*error:/.test(l));
      assert.equal(errors.length, 1, `one error: line; screen:\n${r.output}`);
      assert.match(errors[0]!, /error: Interrupted/);
      assert.deepEqual(r.lflag, { ISIG: true, ICANON: true, ECHO: true }, 'terminal modes after exit');
      assert.ok(cursorRestored(r.output), 'cursor shown again');
      assert.deepEqual(fs.readFileSync(file), before, 'the store changed');
      assert.deepEqual(fs.readdirSync(dir), ['config.json'], 'lock or temp file left');
      if (c.listens) assert.ok(await bindable(port), `port ${port} still bound after exit`);
    } finally {
      cleanup();
    }
  });
}
