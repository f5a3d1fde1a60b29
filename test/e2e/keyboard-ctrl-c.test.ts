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
import { test } from 'node:test';
import { useFakePryv } from '../fakes/pryv.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import { freePort, useSentinel } from '../fakes/sentinel.js';
import { livepersonLoginArgs, oauthLoginArgs, pryvRequestArgs, safeAuthorizeArgs } from '../helpers/args.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import { CTRL_C, cursorRestored, ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

const skip = ptyPython ? false : 'python3 (for its pty module) is not installed here';

const pryv = useFakePryv({ generation: 'v2', pollRateMs: 100 });
const launcher = useFakeLauncher({ policy: 'hold' });
const sentinel = useSentinel();

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
    args: () => pryvRequestArgs(pryv().serviceInfoUrl, '--no-open'),
    waiting: /Waiting for approval in the browser/,
  },
  {
    name: 'pryv poll (spinner while polling)',
    args: async () => {
      const { dir, cleanup } = tempConfigDir();
      try {
        const r = await runCli(pryvRequestArgs(pryv().serviceInfoUrl, '--no-wait'), { configDir: dir });
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
    args: () => safeAuthorizeArgs(launcher().url),
    waiting: /Waiting for approval in SAFE Launcher/,
  },
  {
    name: 'liveperson login (spinner on the loopback wait)',
    args: (port) => livepersonLoginArgs(sentinel(), 'never-returns', port, '--no-open'),
    env: { AUTHCTL_CLIENT_SECRET: 'keyboard-test-secret' },
    waiting: /Waiting for the browser to return/,
    listens: true,
  },
  {
    name: 'oauth login (spinner on the loopback wait)',
    args: (port) => oauthLoginArgs('keyboard-client', port, '--no-open'),
    waiting: /Waiting for the browser to return/,
    listens: true,
  },
  {
    name: 'oauth login --manual (the paste prompt)',
    args: (port) => oauthLoginArgs('keyboard-client', port, '--manual', '--no-open'),
    waiting: /Paste/i,
  },
  {
    name: 'liveperson login (the hidden client-secret prompt)',
    args: (port) => livepersonLoginArgs(sentinel(), 'prompted-client', port, '--no-open'),
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
