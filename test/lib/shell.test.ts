/**
 * `token export` quoting (src/protocol/shell.ts): every value must come back byte for byte when the
 * output is evaluated by the shell it is meant for, and nothing in it may ever run. Real shells are
 * used where installed (bash and sh always; zsh, fish, pwsh when present, else skipped visibly);
 * fish and PowerShell are also checked against reference decoders of their documented quoting rules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/errors.js';
import {
  checkCmdValue,
  checkVarName,
  defaultShell,
  quoteDotenv,
  quoteFish,
  quotePosix,
  quotePowerShell,
  renderExports,
  SHELLS,
} from '../../src/lib/shell.js';
import { tempConfigDir } from '../helpers/cli.js';
import { findShell, runShell } from '../helpers/shells.js';

const tmp = tempConfigDir();
process.on('exit', () => tmp.cleanup());
/** A file that a successful injection would create. */
const MARK = path.join(tmp.dir, 'pwned');

/** Values an attacker-controlled server (or bad luck) could put in a token or an endpoint. */
const HOSTILE: string[] = [
  'plain-token.abc_DEF~+/=',
  "it's",
  "''",
  "\\'",
  'say "hi"',
  `$(touch ${MARK})`,
  `\`touch ${MARK}\``,
  `'; touch ${MARK}; echo '`,
  `it's $(touch ${MARK})`,
  `"; touch ${MARK}; echo "`,
  `$HOME \${HOME} $((1+1)) $1 $@ $$`,
  'back\\slash\\',
  '\\',
  'line1\nline2\n',
  '\r\n',
  '  spaced  out  ',
  'tab\there',
  '\u2018smart\u2019 \u201cquotes\u201d \u201aand\u201b',
  'emoji 🔑 ünïcödé',
  '!history !! %PATH% ^&|<>()*?[a]~',
  '-n',
  '--',
  '',
];

/** Evaluate `text` (assignments V0…Vn) in a POSIX-family shell and read back every V. */
function evalPosix(shell: string, text: string, count: number): string[] {
  const file = path.join(tmp.dir, `exports-${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(file, text);
  const names = Array.from({ length: count }, (_, i) => `"$V${i}"`).join(' ');
  const r = runShell(shell, `eval "$(cat '${file}')"; printf '%s\\0' ${names}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\0').slice(0, count);
}

const assignments = (values: string[], shell: Parameters<typeof renderExports>[1]) =>
  renderExports(
    values.map((v, i) => [`V${i}`, v] as const),
    shell,
  );

for (const name of ['bash', 'sh', 'zsh']) {
  const shell = findShell(name);
  test(`quotePosix: eval in real ${name} reproduces every hostile value and runs nothing`, {
    skip: shell ? false : `${name} is not installed here; its quoting is the POSIX one tested in bash/sh`,
  }, () => {
    const back = evalPosix(shell!, assignments(HOSTILE, name === 'zsh' ? 'zsh' : 'bash'), HOSTILE.length);
    assert.deepEqual(back, HOSTILE);
    assert.equal(fs.existsSync(MARK), false, 'nothing was executed');
  });
}

test('quotePosix: random strings (full Unicode, controls) survive eval in bash', () => {
  const bash = findShell('bash');
  assert.ok(bash, 'bash is required');
  const values = fc
    .sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 200, seed: 42 })
    .map((v) => v.replace(/\0/g, '')); // environment values cannot hold NUL
  assert.deepEqual(evalPosix(bash, assignments(values, 'bash'), values.length), values);
});

test('quotePosix: exact form', () => {
  assert.equal(quotePosix('abc'), "'abc'");
  assert.equal(quotePosix("it's"), "'it'\\''s'");
  assert.equal(quotePosix(''), "''");
  assert.equal(quotePosix('$(x)'), "'$(x)'");
});

/** fish single quotes: `\\` → `\`, `\'` → `'`, any other backslash is literal (fish docs, "Quotes"). */
function decodeFish(q: string): string {
  assert.ok(q.startsWith("'") && q.endsWith("'") && q.length >= 2, q);
  let out = '';
  for (let i = 1; i < q.length - 1; i++) {
    const c = q[i]!;
    if (c === '\\' && (q[i + 1] === '\\' || q[i + 1] === "'") && i + 1 < q.length - 1) {
      out += q[++i];
    } else {
      assert.notEqual(c, "'", `unescaped quote inside ${q}`);
      out += c;
    }
  }
  // The closing quote must not be escaped.
  return out;
}

/** PowerShell verbatim strings: any of ' ‘ ’ ‚ ‛ ends the string unless doubled (about_Quoting_Rules). */
function decodePowerShell(q: string): string {
  const isQ = (c: string | undefined) => c !== undefined && /['\u2018\u2019\u201a\u201b]/.test(c);
  assert.ok(isQ(q[0]) && isQ(q.at(-1)), q);
  let out = '';
  for (let i = 1; i < q.length - 1; i++) {
    const c = q[i]!;
    if (isQ(c)) {
      assert.ok(isQ(q[i + 1]) && i + 1 < q.length - 1, `lone quote inside ${q}`);
      out += c;
      i++;
    } else out += c;
  }
  return out;
}

test('quoteFish and quotePowerShell round-trip through their reference decoders', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (v) => {
      assert.equal(decodeFish(quoteFish(v)), v);
      assert.equal(decodePowerShell(quotePowerShell(v)), v);
    }),
    { numRuns: 500 },
  );
  for (const v of HOSTILE) {
    assert.equal(decodeFish(quoteFish(v)), v);
    assert.equal(decodePowerShell(quotePowerShell(v)), v);
  }
  assert.equal(quoteFish("a'b\\c"), "'a\\'b\\\\c'");
  assert.equal(quotePowerShell("a'b\u2019c"), "'a''b\u2019\u2019c'");
});

test('fish: eval in real fish', { skip: findShell('fish') ? false : 'fish is not installed here' }, () => {
  const file = path.join(tmp.dir, 'exports.fish');
  fs.writeFileSync(file, assignments(HOSTILE, 'fish'));
  const names = HOSTILE.map((_, i) => `"$V${i}"`).join(' ');
  const r = runShell(findShell('fish')!, `source '${file}'; printf '%s\\0' ${names}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, HOSTILE.length), HOSTILE);
  assert.equal(fs.existsSync(MARK), false);
});

test('PowerShell: eval in real pwsh', {
  skip: findShell('pwsh') ? false : 'pwsh is not installed here',
}, () => {
  const file = path.join(tmp.dir, 'exports.ps1');
  fs.writeFileSync(file, assignments(HOSTILE, 'powershell'));
  const r = runShell(
    findShell('pwsh')!,
    `. '${file}'; foreach ($i in 0..${HOSTILE.length - 1}) { [Console]::Out.Write((Get-Item "env:V$i" -ErrorAction SilentlyContinue).Value + [char]0) }`,
  );
  assert.equal(r.status, 0, r.stderr);
  // Environment variables cannot hold an empty value in PowerShell: an empty one is unset.
  assert.deepEqual(r.stdout.split('\0').slice(0, HOSTILE.length), HOSTILE);
  assert.equal(fs.existsSync(MARK), false);
});

test('quoteDotenv: single quotes, double quotes, or a refusal — never something a shell runs', () => {
  const bash = findShell('bash')!;
  for (const v of HOSTILE) {
    let q: string;
    try {
      q = quoteDotenv(v, 'V');
    } catch (e) {
      assert.ok(e instanceof UsageError && e.exitCode === 2, String(e));
      assert.match(e.message, /the value of V/);
      // Refused only when neither quoting is safe.
      assert.ok(/['\\\n\r]/.test(v) && /["\\$`\n\r]/.test(v), `refused needlessly: ${JSON.stringify(v)}`);
      continue;
    }
    if (q.startsWith("'")) assert.ok(!/['\\\n\r]/.test(v) && q === `'${v}'`, q);
    else assert.ok(!/["\\$`\n\r]/.test(v) && q === `"${v}"`, q);
    // A .env file sourced by a shell (`set -a; . ./.env`) gives the same value and runs nothing.
    const file = path.join(tmp.dir, 'x.env');
    fs.writeFileSync(file, `V=${q}\n`);
    const r = runShell(bash, `set -a; . '${file}'; printf '%s' "$V"`);
    assert.equal(r.stdout, v, q);
  }
  assert.equal(fs.existsSync(MARK), false);
  assert.equal(quoteDotenv('abc'), "'abc'");
  assert.equal(quoteDotenv("it's"), `"it's"`);
  assert.throws(() => quoteDotenv("it's $(x)"), UsageError);
  assert.throws(() => quoteDotenv('a\\b'), UsageError);
});

test('cmd: safe values as set "N=V"; %, !, ", ^, line breaks and controls refused with exit 2', () => {
  assert.equal(renderExports([['A', 'Bearer x.y-z_~+/=&|<>()']], 'cmd'), 'set "A=Bearer x.y-z_~+/=&|<>()"\n');
  for (const bad of ['50%', 'a!b', 'a"b', 'a^b', 'a\nb', 'a\rb', 'a\tb', '\u0000']) {
    assert.throws(
      () => checkCmdValue('AUTHCTL_TOKEN', bad),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /AUTHCTL_TOKEN/.test(e.message),
      JSON.stringify(bad),
    );
  }
});

test('renderExports: the exact text for each shell', () => {
  const vars: Array<[string, string]> = [
    ['AUTHCTL_TOKEN', "t'1"],
    ['AUTHCTL_AUTHORIZATION', "Bearer t'1"],
  ];
  const expected: Record<string, string> = {
    bash: "export AUTHCTL_TOKEN='t'\\''1'\nexport AUTHCTL_AUTHORIZATION='Bearer t'\\''1'\n",
    zsh: "export AUTHCTL_TOKEN='t'\\''1'\nexport AUTHCTL_AUTHORIZATION='Bearer t'\\''1'\n",
    fish: "set -gx AUTHCTL_TOKEN 't\\'1'\nset -gx AUTHCTL_AUTHORIZATION 'Bearer t\\'1'\n",
    powershell: "$env:AUTHCTL_TOKEN = 't''1'\n$env:AUTHCTL_AUTHORIZATION = 'Bearer t''1'\n",
    cmd: 'set "AUTHCTL_TOKEN=t\'1"\nset "AUTHCTL_AUTHORIZATION=Bearer t\'1"\n',
    dotenv: 'AUTHCTL_TOKEN="t\'1"\nAUTHCTL_AUTHORIZATION="Bearer t\'1"\n',
  };
  for (const shell of SHELLS) assert.equal(renderExports(vars, shell), expected[shell], shell);
});

test('variable names: letters, digits, underscores, not starting with a digit', () => {
  for (const ok of ['AUTHCTL_TOKEN', 'X_TOKEN', '_T', 'a1']) checkVarName(ok);
  for (const bad of ['1X', 'X-TOKEN', 'X TOKEN', '', '$(x)TOKEN', 'X;TOKEN', 'É']) {
    assert.throws(() => checkVarName(bad), UsageError, bad);
    assert.throws(() => renderExports([[bad, 'v']], 'bash'), UsageError, bad);
  }
});

test('defaultShell: from the basename of $SHELL, else bash', () => {
  const table: Array<[string | undefined, string]> = [
    [undefined, 'bash'],
    ['', 'bash'],
    ['/bin/bash', 'bash'],
    ['/usr/bin/zsh', 'zsh'],
    ['/usr/local/bin/fish', 'fish'],
    ['/opt/microsoft/powershell/7/pwsh', 'powershell'],
    ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'powershell'],
    ['powershell', 'powershell'],
    ['/bin/sh', 'bash'],
    ['/bin/dash', 'bash'],
    ['/bin/tcsh', 'bash'],
    ['/usr/bin/zsh-5.9', 'bash'],
  ];
  for (const [SHELL, want] of table) {
    assert.equal(defaultShell(SHELL === undefined ? {} : { SHELL }), want, String(SHELL));
  }
});
