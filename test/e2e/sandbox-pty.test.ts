/**
 * `authctl sandbox` in a real terminal (python3's pty module): on a TTY it defaults to manual
 * approval and says so, prints what runs where with the exact commands to try, and Ctrl-C stops
 * it with exit 130 and its ports closed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { binPath, cliEnv, repoRoot, tempConfigDir } from '../helpers/cli.js';

const PTY = path.join(repoRoot, 'test', 'e2e', 'pty-session.py');

function inPty(
  args: string[],
  env: NodeJS.ProcessEnv,
  marker: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'python3',
      [PTY, '--interrupt-on', marker, '--timeout', '30', '--', process.execPath, binPath, ...args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('in a terminal: manual approval by default (said on screen), the commands to try, Ctrl-C exits 130 and frees the ports', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const env = cliEnv(dir, { CI: undefined, TERM: 'xterm', NO_COLOR: '1' });
    const r = await inPty(['sandbox'], env, 'Ctrl-C stops the sandbox');
    const out = r.out.replace(/\r/g, '');
    assert.equal(r.code, 130, out);
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
