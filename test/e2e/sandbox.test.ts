/**
 * Every authctl flow for the four providers against `authctl sandbox` started as a separate
 * process (the built binary, `--json --approve auto --clients <file>`), as someone's CI would:
 * read the one JSON line, then run pryv request, safe authorize / status / revoke, liveperson
 * login (the browser step is the redirect-following stand-in) / logout, actigraph token, renewal
 * through token print, and token delete --revoke; the sandbox logs one line per request on stderr
 * without a secret, and Ctrl-C-like SIGINT stops it with 130 and frees its ports.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SandboxDescription } from '../../src/sandbox/index.js';
import { freePort } from '../fakes/sentinel.js';
import { livepersonArgs, pryvRequestArgs } from '../helpers/args.js';
import { binPath, cliEnv, readStore, repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';
import { recordSecret } from '../helpers/leaks.js';

const followRedirects = `${process.execPath} ${path.join(repoRoot, 'test', 'fakes', 'sentinel-browser.mjs')}`;

let child: ChildProcess;
let d: SandboxDescription;
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
let redirectUri: string;
const tmp = tempConfigDir();
after(() => {
  child?.kill('SIGKILL');
  tmp.cleanup();
});

const cfg = (name: string) => {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

before(async () => {
  redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const clients = path.join(tmp.dir, 'clients.json');
  fs.writeFileSync(
    clients,
    JSON.stringify({
      liveperson: { account: '31415926', redirectUris: [redirectUri] },
      actigraph: {
        clients: [
          { id: 'e2e-ci', secret: 'e2e-ci-secret-value', scopes: ['CentrePoint', 'Analytics'] },
          { id: 'e2e-limited', secret: 'e2e-limited-secret', scopes: ['CentrePoint'] },
        ],
      },
    }),
  );
  child = spawn(process.execPath, [binPath, 'sandbox', '--json', '--approve', 'auto', '--clients', clients], {
    env: cliEnv(tmp.dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON line within 10 s; stderr:\n${stderr}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, nl));
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}:\n${stderr}`)));
  });
  d = JSON.parse(line) as SandboxDescription;
  // The human line on stderr follows the JSON line.
  for (let i = 0; i < 100 && !stderr.includes('Ctrl-C stops it'); i++)
    await new Promise((r) => setTimeout(r, 20));
  // The leak check: the credentials the sandbox generated must not show up in authctl's output.
  recordSecret('clientSecret', d.liveperson!.clientSecret, 'sandbox');
  for (const c of d.actigraph!.clients) recordSecret('clientSecret', c.secret, 'sandbox');
});

test('--json: one JSON line with every base URL and credential, all on 127.0.0.1', () => {
  assert.equal(stdout.split('\n').length, 2, 'exactly one line so far');
  assert.equal(d.approve, 'auto');
  for (const url of [
    d.pryv!.serviceInfo,
    d.safe!.launcherUrl,
    d.liveperson!.domainApi,
    d.actigraph!.tokenUrl,
  ]) {
    assert.equal(new URL(url).hostname, '127.0.0.1', url);
  }
  assert.equal(d.liveperson!.account, '31415926');
  assert.deepEqual(d.liveperson!.redirectUris, [redirectUri]);
  assert.match(d.liveperson!.clientSecret, /^[\w-]{20,}$/, 'a generated secret');
  assert.deepEqual(
    d.actigraph!.clients.map((c) => c.id),
    ['e2e-ci', 'e2e-limited'],
  );
  assert.match(stderr, /approval auto: every consent request is accepted at once \(--approve\)/);
});

test('pryv request, token print, the token against the core, token delete --revoke', async () => {
  const dir = cfg('pryv');
  const r = await runCli(pryvRequestArgs(d.pryv!.serviceInfo), { configDir: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Access approved by alice/);
  const p = readStore(dir).profiles.pryv!;
  assert.deepEqual(p.scopes, ['diary:read']);
  const printed = await runCli(['token', 'print', 'pryv'], { configDir: dir });
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, `${p.token}\n`);
  const header = await runCli(['token', 'header', 'pryv'], { configDir: dir });
  assert.equal(header.stdout, `Authorization: ${p.token}\n`);
  // The token is useful: it reads the granted stream and may not write to it.
  const api = `${d.pryv!.url}/alice/`;
  const read = await fetch(`${api}events?streams[]=diary`, { headers: { authorization: String(p.token) } });
  assert.equal(read.status, 200);
  const write = await fetch(`${api}events`, {
    method: 'POST',
    headers: { authorization: String(p.token), 'content-type': 'application/json' },
    body: JSON.stringify({ streamIds: ['diary'], type: 'note/txt', content: 'x' }),
  });
  assert.equal(write.status, 403);
  const del = await runCli(['token', 'delete', 'pryv', '--revoke'], { configDir: dir });
  assert.equal(del.code, 0, del.stderr);
  assert.equal((await runCli(['token', 'print', 'pryv'], { configDir: dir })).code, 4);
});

test('safe authorize, safe status, safe revoke (the token is dead at the Launcher)', async () => {
  const dir = cfg('safe');
  const app = [
    '--app-name',
    'Demo',
    '--app-id',
    'net.example.e2e',
    '--app-version',
    '1.0',
    '--app-vendor',
    'Example',
  ];
  const r = await runCli(
    ['safe', 'authorize', ...app, '--permission', 'SAFE_DRIVE_ACCESS', '--launcher-url', d.safe!.launcherUrl],
    { configDir: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const token = String(readStore(dir).profiles.safe!.token);
  const status = await runCli(['safe', 'status'], { configDir: dir });
  assert.equal(status.code, 0, status.stderr);
  const revoke = await runCli(['safe', 'revoke'], { configDir: dir });
  assert.equal(revoke.code, 0, revoke.stderr);
  await new Promise((res) => setTimeout(res, 50));
  const check = await fetch(`${d.safe!.launcherUrl}/auth`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(check.status, 401);
  assert.equal(await check.text(), 'Unauthorized');
  // A second authorize, then token delete --revoke does the same through the token commands.
  assert.equal(
    (await runCli(['safe', 'authorize', ...app, '--launcher-url', d.safe!.launcherUrl], { configDir: dir }))
      .code,
    0,
  );
  const del = await runCli(['token', 'delete', 'safe', '--revoke'], { configDir: dir });
  assert.equal(del.code, 0, del.stderr);
});

test('liveperson login through the domain API, renewal by token print (rotating refresh), logout', async () => {
  const dir = cfg('lp');
  const lp = d.liveperson!;
  const env = { AUTHCTL_CLIENT_SECRET: lp.clientSecret, BROWSER: followRedirects };
  const r = await runCli(
    livepersonArgs(lp.account, lp.clientId, ['--domain-api', lp.domainApi], redirectUri, '--timeout', '20s'),
    { configDir: dir, env },
  );
  assert.equal(r.code, 0, r.stderr);
  const first = readStore(dir).profiles.liveperson!;
  assert.ok(first.refreshToken);
  // Less than --min-ttl left: token print renews silently with the refresh token, which rotates.
  const renewed = await runCli(['token', 'print', 'liveperson', '--min-ttl', '2h'], { configDir: dir, env });
  assert.equal(renewed.code, 0, renewed.stderr);
  const second = readStore(dir).profiles.liveperson!;
  assert.equal(renewed.stdout, `${second.token}\n`);
  assert.notEqual(second.token, first.token);
  assert.notEqual(second.refreshToken, first.refreshToken);
  const out = await runCli(['liveperson', 'logout', '--yes'], { configDir: dir, env });
  assert.equal(out.code, 0, out.stderr);
  assert.equal((await runCli(['token', 'print', 'liveperson'], { configDir: dir, env })).code, 4);
});

test('actigraph token, renewal by token print, a scope the client lacks, a wrong secret', async () => {
  const dir = cfg('ag');
  const ci = d.actigraph!.clients[0]!;
  const args = (id: string, scope: string) => [
    'actigraph',
    'token',
    '--client-id',
    id,
    '--scope',
    scope,
    '--token-url',
    d.actigraph!.tokenUrl,
  ];
  const r = await runCli(args(ci.id, 'CentrePoint'), {
    configDir: dir,
    env: { AUTHCTL_CLIENT_SECRET: ci.secret },
  });
  assert.equal(r.code, 0, r.stderr);
  const first = readStore(dir).profiles.actigraph!;
  const renewed = await runCli(['token', 'print', 'actigraph', '--min-ttl', '2h'], {
    configDir: dir,
    env: { AUTHCTL_CLIENT_SECRET: ci.secret },
  });
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.notEqual(renewed.stdout, `${first.token}\n`, 'a new token');
  const limited = d.actigraph!.clients[1]!;
  const scope = await runCli([...args(limited.id, 'Analytics'), '--profile', 'lim'], {
    configDir: dir,
    env: { AUTHCTL_CLIENT_SECRET: limited.secret },
  });
  assert.equal(scope.code, 1, scope.stderr);
  assert.match(scope.stderr, /invalid_scope/);
  const wrong = await runCli([...args(ci.id, 'CentrePoint'), '--force'], {
    configDir: dir,
    env: { AUTHCTL_CLIENT_SECRET: 'wrong' },
  });
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, /invalid_client/);
  const del = await runCli(['token', 'delete', 'actigraph', '--revoke'], { configDir: dir });
  assert.equal(del.code, 0, del.stderr);
});

test('the sandbox logged one line per request, never a secret; SIGINT stops it with 130 and frees the ports', async () => {
  const lines = stderr.split('\n').filter((l) => /^\[(pryv|safe|liveperson|actigraph)\] /.test(l));
  for (const p of ['pryv', 'safe', 'liveperson', 'actigraph']) {
    assert.ok(
      lines.some((l) => l.startsWith(`[${p}] `)),
      `a log line for ${p}`,
    );
  }
  for (const l of lines) assert.match(l, /^\[\w+\] [A-Z]+ \/\S* (\d{3}|closed) \d+ms$/, l);
  assert.ok(
    lines.some((l) => /^\[pryv\] GET \/reg\/access\/… 20\d /.test(l)),
    'poll key masked',
  );
  assert.ok(
    lines.some((l) => /authorize\?v&response_type&client_id&redirect_uri&state 302/.test(l)),
    'query values dropped',
  );
  for (const secret of [d.liveperson!.clientSecret, ...d.actigraph!.clients.map((c) => c.secret)]) {
    assert.ok(!stderr.includes(secret), 'no client secret in the log');
  }
  for (const dir of ['pryv', 'lp', 'ag']) {
    for (const p of Object.values(readStore(cfg(dir)).profiles)) assert.ok(!stderr.includes(String(p.token)));
  }
  const ports = [d.pryv!.url, d.safe!.url, d.liveperson!.url, d.actigraph!.url].map((u) =>
    Number(new URL(u).port),
  );
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.equal(stdout.split('\n').length, 2, 'still exactly one line on stdout');
  assert.match(stderr, /authctl sandbox: stopped; its state is gone\.\nerror: Interrupted/);
  for (const port of ports) assert.ok(await canListen(port), `port ${port} is free again`);
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
