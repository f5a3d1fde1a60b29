/**
 * `authctl sandbox` in a real terminal (python3's pty module): on a TTY it defaults to manual
 * approval and says so, prints what runs where with the exact commands to try, and Ctrl-C stops
 * it with exit 130 and its ports closed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { tempConfigDir } from '../helpers/cli.js';
import { CTRL_C, ptyPython, runOnPty, stripAnsi } from '../helpers/pty.js';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('in a terminal: manual approval by default (said on screen), the commands to try, Ctrl-C exits 130 and frees the ports', {
  skip: ptyPython ? false : 'needs python3',
}, async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const r = await runOnPty(
      ['sandbox'],
      [
        { expect: 'Ctrl-C stops the sandbox', timeout: 20 },
        { send: CTRL_C },
        { expect: 'error: Interrupted', timeout: 10 },
      ],
      { configDir: dir, env: { NO_COLOR: '1' }, cols: 400 },
    );
    const out = stripAnsi(r.output).replace(/\r/g, '');
    assert.equal(r.failedStep, null, out);
    assert.equal(r.status, 130, out);
    assert.ok(r.lflag.ISIG && r.lflag.ICANON && r.lflag.ECHO, 'the terminal is left as it was');
    assert.match(
      out,
      /Approval: manual: requests wait for you on the consent pages \(a terminal is attached; pass --approve auto/,
    );
    assert.match(
      out,
      /\$ authctl pryv request --app-id sandbox-app --permission diary:read --service-info http:\/\/127\.0\.0\.1:\d+\/reg\/service\/info/,
    );
    assert.match(out, /\$ authctl safe authorize .* --launcher-url http:\/\/127\.0\.0\.1:\d+ /);
    assert.match(
      out,
      /\$ AUTHCTL_CLIENT_SECRET=[\w-]+ authctl liveperson login --account 12345678 --client-id sandbox-app-\w+ --domain-api http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.match(
      out,
      /\$ AUTHCTL_CLIENT_SECRET=[\w-]+ authctl actigraph token --client-id sandbox-\w+ --scope CentrePoint --token-url http:\/\/127\.0\.0\.1:\d+\/connect\/token/,
    );
    assert.match(out, /login page user 'agent', password '[\w-]+'/);
    assert.match(out, /authctl sandbox: stopped; its state is gone\.\nerror: Interrupted/);
    const ports = [
      ...new Set([...out.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]))),
    ].filter((p) => p !== 8976);
    assert.equal(ports.length, 4, `four servers: ${ports.join(', ')}`);
    for (const p of ports) assert.ok(await canListen(p), `port ${p} was closed`);
  } finally {
    cleanup();
  }
});
