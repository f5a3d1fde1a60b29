/**
 * A login whose result could not be saved must not start: with a damaged store, every login
 * command exits 1 naming the file before it sends a single request (no consent prompt in a
 * Launcher or a browser for a token that would then be lost), and the file stays byte for byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { pryvRequestArgs, safeAuthorizeArgs } from '../helpers/args.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';

test('with an unparseable store, no login sends a request; exit 1 naming the file, file untouched', async () => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const { dir, cleanup } = tempConfigDir();
  try {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"version":1,"profiles":', { mode: 0o600 });
    const before = fs.readFileSync(file);
    const logins: string[][] = [
      pryvRequestArgs(`${base}/service/info`),
      ['pryv', 'poll', `${base}/reg/access/abcdefghijklmnop`],
      safeAuthorizeArgs(base),
      ['liveperson', 'login', '--account', '12345', '--client-id', 'c', '--domain', base],
      ['oauth', 'login', '--issuer', base, '--client-id', 'c'],
      ['oauth', 'client-credentials', '--token-url', `${base}/token`, '--client-id', 'c'],
      [
        'actigraph',
        'token',
        '--client-id',
        'c',
        '--scope',
        'CentrePoint',
        '--token-url',
        `${base}/connect/token`,
      ],
    ];
    for (const args of logins) {
      const r = await runCli(args, { configDir: dir, env: { AUTHCTL_CLIENT_SECRET: 'cs-never-used' } });
      const what = args.slice(0, 2).join(' ');
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`error: the token store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`),
        what,
      );
      assert.equal(r.stdout, '', what);
      assert.equal(connections, 0, `${what} contacted the server`);
      assert.deepEqual(fs.readFileSync(file), before, what);
    }
  } finally {
    server.close();
    cleanup();
  }
});
