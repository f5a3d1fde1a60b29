/**
 * `authctl completion …` driven in the real shells: bash (the script sourced, `complete -p`, the
 * function run with COMP_WORDS/COMP_CWORD as bash sets them), zsh (its parser, then the same
 * function through bashcompinit), fish (its parser, then `complete -C` as at a Tab), PowerShell
 * (only when pwsh is installed: its parser). Profile names come from the store through the hidden
 * `authctl __complete profiles`, an `authctl` on PATH as users have it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  binPath,
  cliEnv,
  repoRoot,
  runCli,
  sampleProfile,
  tempConfigDir,
  writeStore,
} from '../helpers/cli.js';
import { findShell, runShell } from '../helpers/shells.js';

const cfg = tempConfigDir();
const binDir = path.join(cfg.dir, 'bin');
let env: NodeJS.ProcessEnv;
const scripts: Record<string, string> = {};

before(async () => {
  writeStore(cfg.dir, { version: 1, profiles: { alpha: sampleProfile(), 'beta-ci': sampleProfile() } });
  fs.mkdirSync(binDir);
  fs.writeFileSync(
    path.join(binDir, 'authctl'),
    `#!/bin/sh\nexec '${process.execPath}' '${binPath}' "$@"\n`,
    {
      mode: 0o755,
    },
  );
  env = { ...cliEnv(cfg.dir), PATH: `${binDir}:${process.env.PATH}` };
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
    const r = await runCli(['completion', shell], { configDir: cfg.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const file = path.join(cfg.dir, `authctl.${shell}`);
    fs.writeFileSync(file, r.stdout);
    scripts[shell] = file;
  }
});
after(() => cfg.cleanup());

/** What bash offers for the words (the last one being the word under the cursor). */
function bashComplete(words: string[]): string[] {
  const arr = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = runShell(
    'bash',
    `source '${scripts.bash}'; COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _authctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    env,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean);
}

test('bash: the script registers _authctl; commands, subcommands, flags and their values complete', () => {
  const reg = runShell('bash', `source '${scripts.bash}'; complete -p authctl`, env);
  assert.equal(reg.stdout.trim(), 'complete -F _authctl authctl');
  const top = bashComplete(['authctl', '']);
  for (const c of ['pryv', 'token', 'status', 'logout', 'git-credential', 'setup-git', 'completion', 'exec'])
    assert.ok(top.includes(c), `${c} missing from ${top.join(' ')}`);
  assert.deepEqual(bashComplete(['authctl', 'tok']), ['token']);
  assert.deepEqual(bashComplete(['authctl', 'token', 'p']), ['print']);
  assert.deepEqual(bashComplete(['authctl', 'token', 'export', '--shell', '']), [
    'bash',
    'zsh',
    'fish',
    'powershell',
    'cmd',
    'dotenv',
  ]);
  assert.deepEqual(bashComplete(['authctl', 'token', 'export', '--shell=f']), ['--shell=fish']);
  assert.deepEqual(
    bashComplete(['authctl', 'oauth', 'client-credentials', '--auth-method', 'client_secret_p']),
    ['client_secret_post'],
  );
  assert.deepEqual(bashComplete(['authctl', 'completion', '']), ['bash', 'zsh', 'fish', 'powershell']);
  assert.deepEqual(bashComplete(['authctl', 'git-credential', '']), ['get', 'store', 'erase']);
  assert.deepEqual(bashComplete(['authctl', 'token', 'import', '--provider', 'o']), ['oauth']);
  const flags = bashComplete(['authctl', 'status', '--']);
  for (const f of ['--json', '--offline', '--profile', '--timeout', '--verbose', '--help'])
    assert.ok(flags.includes(f), `${f} missing from ${flags.join(' ')}`);
  assert.ok(!flags.includes('--version'));
  // A flag's value is not taken for a subcommand or a positional.
  assert.deepEqual(bashComplete(['authctl', '--verbose', 'token', 'print', '--min-ttl', '1m', '']), [
    'alpha',
    'beta-ci',
  ]);
});

test('bash: profile names from the store for [profile] and --profile, and only where one is expected', () => {
  assert.deepEqual(bashComplete(['authctl', 'token', 'print', '']), ['alpha', 'beta-ci']);
  assert.deepEqual(bashComplete(['authctl', 'status', 'b']), ['beta-ci']);
  assert.deepEqual(bashComplete(['authctl', 'logout', '--profile', '']), ['alpha', 'beta-ci']);
  assert.deepEqual(bashComplete(['authctl', 'exec', '--profile', 'al']), ['alpha']);
  assert.deepEqual(bashComplete(['authctl', 'token', 'print', '--profile=b']), ['--profile=beta-ci']);
  // After the profile, nothing more is expected.
  assert.deepEqual(bashComplete(['authctl', 'token', 'print', 'alpha', '']), []);
  // After `exec … --`, commands complete.
  assert.ok(bashComplete(['authctl', 'exec', '--profile', 'alpha', '--', 'bas']).includes('bash'));
});

test('__complete profiles: names one per line; an unreadable store gives nothing and no error', async () => {
  const modules = path.join(cfg.dir, 'modules.json');
  const r = await runCli(['__complete', 'profiles'], {
    configDir: cfg.dir,
    env: { AUTHCTL_DEBUG_MODULES: modules },
  });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'alpha\nbeta-ci\n');
  // Answered on every Tab by the hot entry alone, with the bytes the full CLI prints.
  const { files } = JSON.parse(fs.readFileSync(modules, 'utf8')) as { files: string[] };
  assert.deepEqual(
    files.map((f) => path.relative(repoRoot, f)),
    [path.join('dist', 'hot.cjs')],
  );
  const full = await runCli(['__complete', 'profiles'], {
    configDir: cfg.dir,
    env: { AUTHCTL_NO_FAST_PATH: '1' },
  });
  assert.deepEqual([full.code, full.stdout, full.stderr], [0, r.stdout, '']);
  const broken = tempConfigDir();
  try {
    writeStore(broken.dir, '{ not json');
    const b = await runCli(['__complete', 'profiles'], { configDir: broken.dir });
    assert.deepEqual([b.code, b.stdout, b.stderr], [0, '', '']);
  } finally {
    broken.cleanup();
  }
});

const zsh = findShell('zsh');
test('zsh: the script parses (zsh -n) and completes through bashcompinit', {
  skip: !zsh && 'zsh is not installed',
}, () => {
  const n = runShell(zsh!, `zsh -n '${scripts.zsh}' && echo parsed`, env);
  assert.equal(n.stdout.trim(), 'parsed', n.stderr);
  const r = runShell(
    zsh!,
    `autoload -U compinit; compinit -u -d '${cfg.dir}/zcompdump'; source '${scripts.zsh}'; print -r -- "\${_comps[authctl]}";
f() { emulate -L sh; setopt kshglob noshglob braceexpand
  COMP_WORDS=(authctl token export --shell ""); COMP_CWORD=4; _authctl_bash; print -r -- "\${COMPREPLY[*]}"
  COMP_WORDS=(authctl token print ""); COMP_CWORD=3; _authctl_bash; print -r -- "\${COMPREPLY[*]}"; }; f`,
    env,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    '_bash_complete -F _authctl_bash',
    'bash zsh fish powershell cmd dotenv',
    'alpha beta-ci',
  ]);
});

test('zsh at a real prompt (zpty): the script autoloaded from $fpath completes a command and a profile name', {
  skip: !zsh && 'zsh is not installed',
}, () => {
  const fdir = path.join(cfg.dir, 'zfunc');
  fs.mkdirSync(fdir, { recursive: true });
  fs.copyFileSync(scripts.zsh!, path.join(fdir, '_authctl'));
  // zsh's own pseudo-terminal module drives an interactive zsh: type, press Tab, read the screen.
  const driver = `zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z 'fpath=(${fdir} $fpath); autoload -U compinit; compinit -u -d ${fdir}/dump; PS1="READY> "'
zpty -r z out '*READY> '
zpty -w -n z $'authctl token prin\t'
if zpty -r z out '*token print*'; then print OK1; fi
zpty -w -n z $'\x15authctl status bet\t'
if zpty -r z out '*beta-ci*'; then print OK2; fi
zpty -d z`;
  const r = spawnSync(zsh!, ['-f', '-c', driver], { env, encoding: 'utf8', timeout: 20_000 });
  assert.deepEqual(r.stdout.trim().split('\n'), ['OK1', 'OK2'], r.stderr);
});

const fish = findShell('fish');
test('fish: the script parses (fish -n) and `complete -C` offers what a Tab would', {
  skip: !fish && 'fish is not installed',
}, () => {
  const n = runShell(fish!, `fish -n '${scripts.fish}'; and echo parsed`, env);
  assert.equal(n.stdout.trim(), 'parsed', n.stderr);
  const c = (line: string) => {
    const r = runShell(fish!, `source '${scripts.fish}'; complete -C '${line}'`, env);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);
  };
  assert.deepEqual(c('authctl token p'), ['print']);
  assert.deepEqual(c('authctl token export --shell '), [
    'bash',
    'cmd',
    'dotenv',
    'fish',
    'powershell',
    'zsh',
  ]);
  assert.deepEqual(c('authctl token print '), ['alpha', 'beta-ci']);
  assert.deepEqual(c('authctl status --profile '), ['alpha', 'beta-ci']);
  assert.ok(c('authctl status --o').includes('--offline'));
  assert.deepEqual(c('authctl git-credential '), ['erase', 'get', 'store']);
});

const pwsh = findShell('pwsh');
test('PowerShell: the script parses', {
  skip: !pwsh && 'pwsh is not installed (no parser to check with)',
}, () => {
  const r = runShell(
    pwsh!,
    `$e = $null; [System.Management.Automation.Language.Parser]::ParseFile('${scripts.powershell}', [ref]$null, [ref]$e) | Out-Null; $e.Count`,
    env,
  );
  assert.equal(r.stdout.trim(), '0', r.stderr);
});
