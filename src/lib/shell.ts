/**
 * Shell-correct assignments for `token export`, meant for `eval "$(authctl token export)"`. Every
 * value is quoted so that whatever bytes it holds survive `eval` as data. Pure.
 */
import { UsageError } from '../errors.js';

/** Output syntaxes `token export` supports. */
export type ShellKind = 'bash' | 'zsh' | 'fish' | 'powershell' | 'cmd' | 'dotenv';

export const SHELLS: readonly ShellKind[] = ['bash', 'zsh', 'fish', 'powershell', 'cmd', 'dotenv'];

/** The shell to use when --shell is absent: from $SHELL's basename, else bash. */
export function defaultShell(env: NodeJS.ProcessEnv): ShellKind {
  const base = (env.SHELL ?? '').split(/[\\/]/).pop() ?? '';
  if (base === 'zsh' || base === 'fish' || base === 'bash') return base;
  if (base === 'pwsh' || base === 'powershell' || base === 'pwsh.exe') return 'powershell';
  return 'bash';
}

/** POSIX single quoting: everything literal; a ' becomes '\''. */
export function quotePosix(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** One word of a POSIX command line: as is when it needs no quoting, else single-quoted. */
export function shellWord(v: string): string {
  return /^[\w.:/@%+=,-]+$/.test(v) ? v : quotePosix(v);
}

/** fish single quoting: only \\ and \' are special inside single quotes. */
export function quoteFish(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** PowerShell verbatim string: ' (and its typographic variants, which PowerShell also treats as quotes) doubled. */
export function quotePowerShell(v: string): string {
  return `'${v.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

/**
 * dotenv has no single standard: node `dotenv` and compose read single quotes literally, python-dotenv
 * still decodes \\ and \' inside them, and a .env file is often sourced by a shell (`set -a; . ./.env`),
 * where double quotes expand $ and `. So: single quotes when the value holds no ', \ or line break;
 * double quotes when it holds none of " \ $ ` or a line break (it may hold '); otherwise refuse
 * (exit 2) rather than write a line some reader would take differently or execute.
 */
export function quoteDotenv(v: string, name = 'this variable'): string {
  if (!/['\\\n\r]/.test(v)) return `'${v}'`;
  if (!/["\\$`\n\r]/.test(v)) return `"${v}"`;
  throw new UsageError(
    `the value of ${name} mixes quotes or backslashes in a way no .env dialect reads the same`,
    'Use --shell bash (or fish, powershell) instead.',
  );
}

/** cmd.exe cannot quote %, !, ", ^ or line breaks reliably inside `set "N=V"`: refuse them rather than emit something unsafe. */
export function checkCmdValue(name: string, v: string): void {
  if (/[%!"^\r\n\x00-\x1f]/.test(v)) {
    throw new UsageError(
      `the value of ${name} contains characters cmd.exe cannot hold safely`,
      'Use --shell powershell or --shell dotenv instead.',
    );
  }
}

/** Valid variable name: letters, digits and underscores, not starting with a digit. */
export function checkVarName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(
      `invalid variable name '${name}'`,
      'Use --prefix with letters, digits and underscores, e.g. --prefix MYAPI_.',
    );
  }
}

/** `export NAME='value'`: bash and zsh. */
const posixLine = (name: string, value: string) => `export ${name}=${quotePosix(value)}\n`;

/** One assignment line per shell (a table: a `token export` compiles only its own shell's line). */
const LINE: Record<ShellKind, (name: string, value: string) => string> = {
  bash: posixLine,
  zsh: posixLine,
  fish: (name, value) => `set -gx ${name} ${quoteFish(value)}\n`,
  powershell: (name, value) => `$env:${name} = ${quotePowerShell(value)}\n`,
  cmd: (name, value) => {
    checkCmdValue(name, value);
    return `set "${name}=${value}"\n`;
  },
  dotenv: (name, value) => `${name}=${quoteDotenv(value, name)}\n`,
};

/** Render `vars` as assignments for `shell`, one per line. */
export function renderExports(vars: ReadonlyArray<readonly [string, string]>, shell: ShellKind): string {
  const line = LINE[shell];
  let out = '';
  for (const [name, value] of vars) {
    checkVarName(name);
    out += line(name, value);
  }
  return out;
}
