/**
 * Hints and examples that work when pasted. Every "Run: authctl …" re-login hint a profile can
 * produce, and every `$ …` example in every command's --help, is run by a real bash exactly as
 * printed, with AUTHCTL_PARSE_ONLY=1 so the built CLI parses and validates the command line and
 * runs nothing. Only `authctl` is on PATH (a shim that logs each invocation's exit status); any
 * other command an example mentions (curl, a deploy script) is a no-op, so nothing leaves the
 * machine.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loginCommand } from '../../src/providers/index.js';
import type { Profile } from '../../src/store/profile.js';
import { binPath, runCli, tempConfigDir } from '../helpers/cli.js';
import { findShell } from '../helpers/shells.js';

const bash = findShell('bash');
const skip = bash ? false : 'bash is not installed here';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-hints-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const shimDir = path.join(work, 'bin');
const log = path.join(work, 'invocations.log');
fs.mkdirSync(shimDir);
fs.writeFileSync(
  path.join(shimDir, 'authctl'),
  `#!/bin/sh\n"${process.execPath}" "${binPath}" "$@"\nrc=$?\nprintf '%s\\n' "$rc" >> "${log}"\nexit $rc\n`,
  { mode: 0o755 },
);
const store = tempConfigDir();
after(store.cleanup);

/** Run `line` in bash as a user pasting it would; returns the exit statuses of its authctl calls. */
function pasted(line: string): { statuses: number[]; stderr: string } {
  fs.rmSync(log, { force: true });
  const r = spawnSync(
    bash!,
    ['--norc', '--noprofile', '-c', `command_not_found_handle() { return 0; }\n${line}`],
    {
      env: {
        PATH: shimDir,
        HOME: work,
        AUTHCTL_PARSE_ONLY: '1',
        AUTHCTL_CONFIG_DIR: store.dir,
        CI: 'true',
        BROWSER: 'true',
      },
      // Examples may write files (`… > req.json`): in the scratch directory, not the repository.
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const statuses = fs.existsSync(log)
    ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number)
    : [];
  return { statuses, stderr: r.stderr };
}

function assertParses(line: string): void {
  const r = pasted(line);
  assert.ok(r.statuses.length > 0, `authctl never ran for: ${line}\n${r.stderr}`);
  assert.deepEqual(
    r.statuses.filter((s) => s !== 0),
    [],
    `does not parse as printed: ${line}\n${r.stderr}`,
  );
  // (The line's own status is not checked: a fish example such as `… --shell fish | source` is
  // not bash; what matters is that authctl accepted its command line.)
}

const base = {
  token: 'tok',
  tokenType: 'Bearer',
  obtainedAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-01T01:00:00Z',
  subject: null,
  scopes: [] as string[],
};
const profile = (p: Partial<Profile> & Pick<Profile, 'provider' | 'flow' | 'params'>): Profile => ({
  ...base,
  ...p,
});

/** One profile per way each provider can be logged in to, with values that need quoting. */
const profiles: Array<[string, Profile]> = [
  [
    'pryv',
    profile({
      provider: 'pryv',
      flow: 'pryv-access',
      // Built from the requested permissions (what the user typed).
      scopes: ['diary:read', 'notes:contribute:My Notes'],
      params: { appId: 'my-app-id', serviceInfoUrl: 'https://reg.pryv.me/service/info', username: 'alice' },
    }),
  ],
  [
    'pryv-lab',
    profile({
      provider: 'pryv',
      flow: 'pryv-access',
      scopes: ['*:manage'],
      params: { appId: "bob's app", serviceInfoUrl: 'https://reg.pryv.example/reg/service/info' },
    }),
  ],
  [
    'safe',
    profile({
      provider: 'safe',
      flow: 'safe-launcher',
      scopes: ['SAFE_DRIVE_ACCESS'],
      params: {
        appName: 'My Demo App',
        appId: 'net.example.demo',
        appVersion: '0.1.0',
        appVendor: 'Example & Co',
        launcherUrl: 'http://127.0.0.1:8100',
      },
    }),
  ],
  [
    'liveperson',
    profile({
      provider: 'liveperson',
      flow: 'authorization_code',
      params: {
        account: '12345678',
        clientId: 'app-install-id',
        redirectUri: 'http://localhost:8123/callback',
      },
    }),
  ],
  [
    'lp-domain',
    profile({
      provider: 'liveperson',
      flow: 'authorization_code',
      params: { account: '12345678', clientId: 'c', domainFlag: 'sentinel.example.com' },
    }),
  ],
  [
    'lp-api',
    profile({
      provider: 'liveperson',
      flow: 'authorization_code',
      params: { account: '12345678', clientId: 'c', domainApi: 'https://api.liveperson.example/' },
    }),
  ],
  [
    'actigraph',
    profile({
      provider: 'actigraph',
      flow: 'client_credentials',
      params: {
        clientId: 'ci-client',
        scope: ['CentrePoint', 'DataRetrieval'],
        tokenUrl: 'https://auth.example/connect/token',
      },
    }),
  ],
  [
    'oauth',
    profile({
      provider: 'oauth',
      flow: 'client_credentials',
      params: {
        issuer: 'https://id.example.com',
        clientId: 'svc',
        scope: ['api:read', 'api:write'],
        resource: ['https://api.example.com/'],
        audience: 'my api',
        authMethod: 'client_secret_post',
      },
    }),
  ],
  [
    'oauth-urls',
    profile({
      provider: 'oauth',
      flow: 'authorization_code',
      params: {
        authorizeUrl: 'https://id.example.com/authorize?tenant=a b',
        tokenUrl: 'https://id.example.com/token',
        clientId: 'cli-app',
        scope: ['openid', 'offline_access'],
      },
    }),
  ],
];

for (const [name, p] of profiles) {
  test(`re-login hint of a ${p.provider} ${p.flow} profile '${name}' runs as printed`, { skip }, () => {
    const hint = loginCommand(name, p);
    assert.match(hint, /(^|\s)authctl /);
    assertParses(hint);
  });
}

/** Every command path, from `authctl --help` down. */
async function commandPaths(): Promise<string[][]> {
  const paths: string[][] = [[]];
  for (let i = 0; i < paths.length; i++) {
    const r = await runCli([...paths[i]!, '--help'], { configDir: store.dir });
    assert.equal(r.code, 0, r.stderr);
    const commands = r.stdout.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
    for (const m of commands.matchAll(/^ {2}([a-z][\w-]*)/gm)) {
      if (m[1] !== 'help') paths.push([...paths[i]!, m[1]!]);
    }
  }
  return paths;
}

test('every `$ …` example in every --help runs as printed', { skip }, async () => {
  const paths = await commandPaths();
  assert.ok(paths.length >= 20, `only ${paths.length} commands found`);
  let examples = 0;
  for (const p of paths) {
    const r = await runCli([...p, '--help'], { configDir: store.dir });
    const lines = [...r.stdout.matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1]!);
    assert.ok(lines.length > 0, `authctl ${p.join(' ')} --help shows no example`);
    for (const line of lines) {
      // Placeholders (`<url>`) would be shell redirections: give them a dummy value.
      // Output redirections go nowhere: `> "${fpath[1]}/_authctl"` would write outside the scratch
      // directory in bash.
      assertParses(
        line.replace(/<([\w-]+)>/g, 'dummy-$1').replace(/(\d?)>\s*("[^"]*"|[^\s&|;]+)/g, '$1>/dev/null'),
      );
      examples++;
    }
  }
  assert.ok(examples >= 30, `only ${examples} examples`);
});
