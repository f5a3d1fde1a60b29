/**
 * Children authctl starts: `exec`'s child and the BROWSER process never inherit authctl's own
 * secret inputs (AUTHCTL_CLIENT_SECRET); `exec` relays HUP, QUIT, USR1, USR2, WINCH and TERM to the
 * child and exits only after it, with its status; a command line too big for the kernel (E2BIG)
 * is a clear error, not "This is a bug".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { useHostilePryv } from '../fakes/hostile-pryv.js';
import { pryvRequestArgs } from '../helpers/args.js';
import {
  cliEnv,
  configDirPerTest,
  runCli,
  sampleProfile,
  spawnExec,
  tempConfigDir,
  writeStore,
} from '../helpers/cli.js';

const hostile = useHostilePryv();
const configDir = configDirPerTest();

const SECRET = 'client-secret-do-not-leak-42';
const tmp = tempConfigDir();
writeStore(tmp.dir, { version: 1, profiles: { ci: sampleProfile({ token: 'tok-exec-123' }) } });
after(() => tmp.cleanup());

test('exec: the child gets the token variables but not AUTHCTL_CLIENT_SECRET', async () => {
  const r = await runCli(
    [
      'exec',
      '--profile',
      'ci',
      '--',
      process.execPath,
      '-e',
      'process.stdout.write(JSON.stringify(process.env))',
    ],
    { configDir: tmp.dir, env: { AUTHCTL_CLIENT_SECRET: SECRET } },
  );
  assert.equal(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout) as Record<string, string>;
  assert.equal(env.AUTHCTL_TOKEN, 'tok-exec-123');
  assert.equal(env.AUTHCTL_AUTHORIZATION, 'Bearer tok-exec-123');
  assert.equal(env.AUTHCTL_CLIENT_SECRET, undefined);
  assert.ok(!r.stdout.includes(SECRET));
});

test('BROWSER: the browser process does not inherit AUTHCTL_CLIENT_SECRET', async () => {
  const fake = await hostile();
  const out = path.join(tmp.dir, 'browser-env.txt');
  const script = path.join(tmp.dir, 'fake-browser.sh');
  fs.writeFileSync(script, `#!/bin/sh\nenv > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`, { mode: 0o755 });
  const dir = configDir();
  const r = await runCli(pryvRequestArgs(fake.serviceInfoUrl, '--no-wait'), {
    configDir: dir,
    env: { AUTHCTL_CLIENT_SECRET: SECRET, BROWSER: script },
  });
  assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 100 && !fs.existsSync(out); i++) await new Promise((res) => setTimeout(res, 50));
  const env = fs.readFileSync(out, 'utf8');
  assert.match(env, /^AUTHCTL_CONFIG_DIR=/m, 'the browser ran with the environment');
  assert.ok(!env.includes(SECRET), 'the browser saw AUTHCTL_CLIENT_SECRET');
});

/** A child that records every signal it gets; on SIGTERM it prints the list and exits 7. */
const RECORDER = `const got = [];
for (const s of ['SIGHUP','SIGQUIT','SIGUSR1','SIGUSR2','SIGWINCH','SIGINT']) process.on(s, () => { got.push(s); process.stdout.write('got ' + s + '\\n'); });
process.on('SIGTERM', () => { process.stdout.write('done ' + got.join(',') + '\\n'); setTimeout(() => process.exit(7), 300); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;

test('exec relays HUP, QUIT, USR1, USR2, WINCH, TERM to the child and exits with its status, after it', async () => {
  const x = spawnExec(tmp.dir, RECORDER);
  const { child, waitFor } = x;
  try {
    await waitFor(/ready/);
    for (const sig of ['SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
      child.kill(sig);
      await waitFor(new RegExp(`got ${sig}`));
      assert.equal(x.exited(), false, `authctl ended on ${sig} and left its child behind`);
    }
    child.kill('SIGTERM');
    const code = await x.closed;
    assert.match(x.out(), /done SIGHUP,SIGQUIT,SIGUSR1,SIGUSR2,SIGWINCH\n/);
    assert.equal(code, 7, x.err());
  } finally {
    if (!x.exited()) process.kill(-child.pid!, 'SIGKILL');
  }
});

test('exec: a command line the kernel refuses (E2BIG) is a clear error, exit 1', async () => {
  // Fill authctl's own environment close to the kernel's ARG_MAX (argv + environment), so it starts,
  // but its child, which also gets the token in AUTHCTL_TOKEN and AUTHCTL_AUTHORIZATION, does not.
  const token = 'T'.repeat(60_000);
  const cfg = tempConfigDir();
  writeStore(cfg.dir, { version: 1, profiles: { big: sampleProfile({ token }) } });
  const base = cliEnv(cfg.dir);
  const used = Object.entries(base).reduce((n, [k, v]) => n + k.length + (v ?? '').length + 2 + 8, 0) + 4096;
  const fill: Record<string, string> = {};
  let left = 2_097_152 - used - 90_000;
  for (let i = 0; left > 1000; i++) {
    const n = Math.min(100_000, left - 100);
    fill[`FILL${i}`] = 'x'.repeat(n);
    left -= n + 16;
  }
  try {
    const r = await runCli(['exec', '--profile', 'big', '--', 'true'], { configDir: cfg.dir, env: fill });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: cannot run true: .*larger than the system allows \(E2BIG\)/m);
    assert.doesNotMatch(r.stderr, /bug/i);
    assert.equal(r.stderr.match(/^error: /gm)?.length, 1);
  } finally {
    cfg.cleanup();
  }
});
