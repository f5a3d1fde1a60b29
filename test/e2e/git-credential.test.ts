/**
 * The git credential helper with the real git: `authctl setup-git` writes the helper into a
 * throw-away global config (GIT_CONFIG_GLOBAL, temp HOME), then `git ls-remote` against a tiny
 * smart-HTTP server on 127.0.0.1 that demands the token as the Basic-auth password (401 otherwise)
 * gets its refs. The helper renews an expired token first, as `token print` does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedTokenEndpoint } from '../fakes/token-endpoint.js';
import {
  binPath,
  cliEnv,
  readStore,
  runCli,
  sampleProfile,
  tempConfigDir,
  writeStore,
} from '../helpers/cli.js';

const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'.replace(/^4b/, 'a1');
const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;

let server: http.Server;
let port = 0;
let accepted = 'none-yet';
const auths: Array<string | undefined> = [];

before(async () => {
  server = http.createServer((req, res) => {
    auths.push(req.headers.authorization);
    const want = `Basic ${Buffer.from(`authctl:${accepted}`).toString('base64')}`;
    if (req.headers.authorization !== want) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end('auth required\n');
      return;
    }
    if (!req.url?.startsWith('/repo.git/info/refs?service=git-upload-pack')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/x-git-upload-pack-advertisement',
      'cache-control': 'no-cache',
    });
    res.end(
      `${pkt('# service=git-upload-pack\n')}0000${pkt(`${SHA} refs/heads/main\0agent=fake-server\n`)}0000`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** An isolated git + authctl environment. */
function gitEnv() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-git-home-'));
  const cfg = tempConfigDir();
  const env = cliEnv(cfg.dir, {
    HOME: home,
    GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
  });
  // git runs the helper through sh: it must find node the way a user's shell would.
  env.PATH = `${path.dirname(process.execPath)}:${env.PATH}`;
  return {
    env,
    dir: cfg.dir,
    home,
    cleanup: () => {
      cfg.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

function git(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('setup-git, then git ls-remote gets the refs with the token as password; store/erase are ignored', async () => {
  const g = gitEnv();
  try {
    accepted = 'git-token-value-0001';
    writeStore(g.dir, {
      version: 1,
      profiles: { ci: sampleProfile({ token: accepted, expiresAt: '2099-01-01T00:00:00Z' }) },
    });
    const url = `http://127.0.0.1:${port}/repo.git`;
    const before = await git(['ls-remote', url], g.env);
    assert.notEqual(before.code, 0, 'the server let git in without the token');

    const s = await runCli(['setup-git', '--host', `127.0.0.1:${port}`, '--profile', 'ci'], {
      configDir: g.dir,
      env: { HOME: g.home, GIT_CONFIG_GLOBAL: g.env.GIT_CONFIG_GLOBAL },
    });
    assert.equal(s.code, 0, s.stderr);
    assert.match(
      s.stderr,
      new RegExp(
        `for http://127\\.0\\.0\\.1:${port} \\(credential\\.http://127\\.0\\.0\\.1:${port}\\.helper`,
      ),
    );
    const cfg = await git(
      ['config', '--global', '--get-all', `credential.http://127.0.0.1:${port}.helper`],
      g.env,
    );
    assert.deepEqual(cfg.stdout.split('\n').slice(0, -1), [
      '',
      `!'${binPath}' git-credential --profile 'ci'`,
    ]);

    const r = await git(['ls-remote', url], g.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${SHA}\trefs/heads/main\n`);
    assert.equal(auths.at(-1), `Basic ${Buffer.from(`authctl:${accepted}`).toString('base64')}`);
    assert.doesNotMatch(r.stderr, /error/);

    // Run twice: a second setup replaces, it does not stack helpers.
    await runCli(['setup-git', '--host', `127.0.0.1:${port}`, '--profile', 'ci'], {
      configDir: g.dir,
      env: { HOME: g.home, GIT_CONFIG_GLOBAL: g.env.GIT_CONFIG_GLOBAL },
    });
    const cfg2 = await git(
      ['config', '--global', '--get-all', `credential.http://127.0.0.1:${port}.helper`],
      g.env,
    );
    assert.equal(cfg2.stdout.split('\n').filter(Boolean).length, 1);
  } finally {
    g.cleanup();
  }
});

test('the helper protocol: get answers username/password (+ expiry); store and erase print nothing', async () => {
  const g = gitEnv();
  try {
    writeStore(g.dir, {
      version: 1,
      profiles: { ci: sampleProfile({ token: 'proto-token-01', expiresAt: '2099-01-01T00:00:00Z' }) },
    });
    const input = 'protocol=https\nhost=git.example.com\nusername=bob\n\n';
    const get = await runCli(['git-credential', 'get', '--profile', 'ci'], { configDir: g.dir, input });
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'username=bob\npassword=proto-token-01\npassword_expiry_utc=4070908800\n');
    for (const action of ['store', 'erase']) {
      const r = await runCli(['git-credential', action, '--profile', 'ci'], {
        configDir: g.dir,
        input: `${input.trim()}\npassword=proto-token-01\n\n`,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
    }
    assert.equal(readStore(g.dir).profiles.ci!.token, 'proto-token-01');
    const bad = await runCli(['git-credential', 'fill', '--profile', 'ci'], { configDir: g.dir, input });
    assert.equal(bad.code, 2, bad.stderr);
  } finally {
    g.cleanup();
  }
});

test('git through the helper renews an expired token first (client credentials), and uses the new one', async () => {
  const g = gitEnv();
  const te = await startScriptedTokenEndpoint(() => ({
    access_token: 'git-renewed-token-02',
    token_type: 'Bearer',
    expires_in: 600,
  }));
  try {
    accepted = 'git-renewed-token-02';
    writeStore(g.dir, {
      version: 1,
      profiles: {
        ci: sampleProfile({
          token: 'git-old-token-0001',
          expiresAt: '2020-01-01T00:00:00Z',
          clientSecret: 'saved-secret-xyz',
          params: { tokenUrl: te.url, clientId: 'svc', authMethod: 'client_secret_basic', scope: '' },
        }),
      },
    });
    const s = await runCli(['setup-git', '--host', `127.0.0.1:${port}`, '--profile', 'ci'], {
      configDir: g.dir,
      env: { HOME: g.home, GIT_CONFIG_GLOBAL: g.env.GIT_CONFIG_GLOBAL },
    });
    assert.equal(s.code, 0, s.stderr);
    const r = await git(['ls-remote', `http://127.0.0.1:${port}/repo.git`], g.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(te.requests.length, 1);
    assert.equal(readStore(g.dir).profiles.ci!.token, 'git-renewed-token-02');
  } finally {
    await te.close();
    g.cleanup();
  }
});

test('setup-git: a host with a scheme or path is exit 2; an unknown profile is exit 4; git config untouched', async () => {
  const g = gitEnv();
  try {
    writeStore(g.dir, { version: 1, profiles: { ci: sampleProfile() } });
    const env = { HOME: g.home, GIT_CONFIG_GLOBAL: g.env.GIT_CONFIG_GLOBAL };
    for (const host of ['https://git.example.com', 'git.example.com/org', 'a b']) {
      const r = await runCli(['setup-git', '--host', host, '--profile', 'ci'], { configDir: g.dir, env });
      assert.equal(r.code, 2, `${host}: ${r.stderr}`);
    }
    const r = await runCli(['setup-git', '--host', 'git.example.com', '--profile', 'nope'], {
      configDir: g.dir,
      env,
    });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(fs.existsSync(g.env.GIT_CONFIG_GLOBAL!), false);
    const ok = await runCli(['setup-git', '--host', 'Git.Example.com', '--profile', 'ci'], {
      configDir: g.dir,
      env,
    });
    assert.equal(ok.code, 0, ok.stderr);
    const cfg = await git(
      ['config', '--global', '--get-all', 'credential.https://git.example.com.helper'],
      g.env,
    );
    assert.match(cfg.stdout, /git-credential --profile 'ci'/);
  } finally {
    g.cleanup();
  }
});
