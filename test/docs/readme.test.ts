/**
 * The documentation says only what the product does. Every `authctl …` line in the shell examples of
 * README.md, docs/providers/*.md and docs/tokens.md is run through the real CLI's argument parser
 * (AUTHCTL_PARSE_ONLY=1: commander parses and validates the line, then exits without running the
 * action), so a renamed flag, a missing required option or a bad choice in an example fails here.
 * The README stays a short page (at most 15,500 bytes), and no doc points at a document that is not
 * in the repository.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { repoRoot, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

const README = path.join(repoRoot, 'README.md');
const DOCS = path.join(repoRoot, 'docs');
const README_MAX_BYTES = 15_500;

/** Files whose shell examples are checked against the CLI. */
function exampleFiles(): string[] {
  const providers = path.join(DOCS, 'providers');
  const files = [README];
  if (fs.existsSync(providers)) {
    for (const f of fs.readdirSync(providers).sort())
      if (f.endsWith('.md')) files.push(path.join(providers, f));
  }
  const tokens = path.join(DOCS, 'tokens.md');
  if (fs.existsSync(tokens)) files.push(tokens);
  return files;
}

/** README.md and every Markdown file under docs/. */
function allDocs(): string[] {
  const out = [README];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(DOCS);
  return out;
}

const rel = (file: string) => path.relative(repoRoot, file);

// ---------------------------------------------------------------------------------------------
// Extracting commands from Markdown
// ---------------------------------------------------------------------------------------------

/** Fence languages whose lines are shell commands. `text` marks a synopsis (not checked). */
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh', 'fish', 'powershell']);

export interface Block {
  lang: string;
  /** 1-based line number of each logical line (continuations joined). */
  lines: Array<{ line: number; text: string }>;
}

/** Fenced code blocks of a Markdown text, with `\`-continued lines joined. */
export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let cur: Block | null = null;
  let pending: { line: number; text: string } | null = null;
  markdown.split('\n').forEach((raw, i) => {
    const fence = /^\s*```\s*([\w-]*)/.exec(raw);
    if (fence) {
      if (cur) {
        if (pending) cur.lines.push(pending);
        blocks.push(cur);
        cur = null;
        pending = null;
      } else cur = { lang: (fence[1] ?? '').toLowerCase(), lines: [] };
      return;
    }
    if (!cur) return;
    const continued = /\\$/.test(raw);
    const piece = continued ? raw.slice(0, -1) : raw;
    if (pending) pending.text += ` ${piece.trim()}`;
    else pending = { line: i + 1, text: piece };
    if (!continued) {
      cur.lines.push(pending);
      pending = null;
    }
  });
  return blocks;
}

/** Value that stands for a placeholder (`…`, `<id>`) or for anything the user's shell expands. */
const DUMMY = 'dummy';

/** One `authctl …` invocation found in an example line. */
export interface Invocation {
  argv: string[];
  /** Things wrong with the example itself (e.g. a token variable expanded by the user's shell). */
  problems: string[];
}

/** Replace documentation placeholders by a dummy value: `…`, `<id>`, `<poll url>`. */
function fillPlaceholders(line: string): string {
  return line.replace(/…/g, DUMMY).replace(/<[A-Za-z][\w .:-]*>/g, DUMMY);
}

/** Quoting state at `pos` in a shell line: outside quotes, inside '…', or inside "…". */
function quoteStateAt(line: string, pos: number): 'none' | 'single' | 'double' {
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < pos; i++) {
    const c = line[i];
    if (state === 'single') {
      if (c === "'") state = 'none';
    } else if (c === '\\') i++;
    else if (state === 'double') {
      if (c === '"') state = 'none';
    } else if (c === "'") state = 'single';
    else if (c === '"') state = 'double';
  }
  return state;
}

/** Skip a `$(…)` starting at `i` (pointing at `$`); returns the index just past its `)`. */
function skipSubstitution(line: string, i: number): number {
  let depth = 0;
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '\\') j++;
    else if (c === "'") {
      const end = line.indexOf("'", j + 1);
      j = end < 0 ? line.length : end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return line.length;
}

/**
 * Split the words of the command that starts at `start` (just after the word `authctl`), as a
 * POSIX shell would, until the command ends (`|`, `;`, `&`, `)`, a redirection, a comment, or the
 * end of the line). Expansions the user's shell would make (`$VAR`, `"$(…)"`) become a dummy value.
 */
function shellWords(line: string, start: number): Invocation {
  const argv: string[] = [];
  const isExec = () => argv[0] === 'exec';
  const problems: string[] = [];
  let word: string | null = null;
  const push = () => {
    if (word !== null) argv.push(word);
    word = null;
  };
  const expansion = (name: string) => {
    if (/^AUTHCTL_/.test(name) && isExec())
      problems.push(
        `$${name} is expanded by your shell before authctl runs, so the command never sees the token: ` +
          `let a child shell expand it (sh -c '… "$${name}" …')`,
      );
  };
  const varAt = (i: number): { name: string; end: number } | null => {
    const m = /^\$(?:\{(\w+)[^}]*\}|(\w+))/.exec(line.slice(i));
    return m ? { name: (m[1] ?? m[2]) as string, end: i + m[0].length } : null;
  };
  let i = start;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      push();
      i++;
    } else if ('|;&)'.includes(c)) break;
    else if (c === '<' || c === '>') {
      if (word !== null && /^\d+$/.test(word)) word = null; // 2>… : the fd number is not an argument
      break;
    } else if (c === '#' && word === null) break;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word = (word ?? '') + line.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      word ??= '';
      i++;
      while (i < line.length && line[i] !== '"') {
        const d = line[i] as string;
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
          word += line[i + 1];
          i += 2;
        } else if (d === '$' && line[i + 1] === '(') {
          word += DUMMY;
          i = skipSubstitution(line, i);
        } else if (d === '$' && varAt(i)) {
          const v = varAt(i) as { name: string; end: number };
          expansion(v.name);
          word += DUMMY;
          i = v.end;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else if (c === '$' && line[i + 1] === '(') {
      word = (word ?? '') + DUMMY;
      i = skipSubstitution(line, i);
    } else if (c === '$' && varAt(i)) {
      const v = varAt(i) as { name: string; end: number };
      expansion(v.name);
      word = (word ?? '') + DUMMY;
      i = v.end;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return { argv, problems };
}

/**
 * Every `authctl …` invocation in one example line: at the start of the line (after an optional
 * `$ ` prompt and `NAME=value` assignments), after `|`, `&&`, `;`, and inside `$(…)` / `<(…)`
 * (so `eval "$(authctl token export ci)"` and `curl -H "$(authctl token header ci)"` count).
 * Occurrences inside single quotes are data for another program and are not taken.
 */
export function invocations(rawLine: string): Invocation[] {
  const line = fillPlaceholders(rawLine.replace(/^\s*\$\s+/, ''));
  if (/^\s*#/.test(line)) return [];
  const found: Invocation[] = [];
  for (const m of line.matchAll(/(?<![\w./!-])authctl(?=\s|$)/g)) {
    const at = m.index ?? 0;
    const before = line.slice(0, at);
    const commandPosition =
      /^\s*$/.test(before) || // first word
      /^\s*(?:\w+=\S*\s+)+$/.test(before) || // after env assignments
      /(?:[|;&]|&&|[$<]\()\s*$/.test(before); // after a pipe, a separator, or in $( … ) / <( … )
    if (!commandPosition) continue;
    const state = quoteStateAt(line, at);
    if (state === 'single' || (state === 'double' && !/\$\(\s*$/.test(before))) continue;
    found.push(shellWords(line, at + 'authctl'.length));
  }
  return found;
}

/** One example found in a file. */
interface Example {
  where: string;
  text: string;
  argv: string[];
  problems: string[];
}

function examplesOf(file: string): { examples: Example[]; unlabelled: string[] } {
  const examples: Example[] = [];
  const unlabelled: string[] = [];
  for (const block of fencedBlocks(fs.readFileSync(file, 'utf8'))) {
    const shell = SHELL_LANGS.has(block.lang);
    for (const { line, text } of block.lines) {
      if (!shell) {
        if (block.lang === '' && /^\s*(\$\s+)?authctl\s/.test(text)) unlabelled.push(`${rel(file)}:${line}`);
        continue;
      }
      for (const inv of invocations(text))
        examples.push({ where: `${rel(file)}:${line}`, text: text.trim(), ...inv });
    }
  }
  return { examples, unlabelled };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

test('the extractor finds what a shell would run, and flags a token variable the user’s shell expands', () => {
  const argvOf = (l: string) => invocations(l).map((i) => i.argv);
  assert.deepEqual(argvOf('authctl token print ci'), [['token', 'print', 'ci']]);
  assert.deepEqual(argvOf('$ authctl token print ci --min-ttl 5m'), [
    ['token', 'print', 'ci', '--min-ttl', '5m'],
  ]);
  assert.deepEqual(argvOf('eval "$(authctl token export ci)"'), [['token', 'export', 'ci']]);
  assert.deepEqual(argvOf('AUTHCTL_CLIENT_SECRET=… authctl oauth client-credentials --client-id <id>'), [
    ['oauth', 'client-credentials', '--client-id', DUMMY],
  ]);
  assert.deepEqual(
    argvOf('printf %s "$S" | authctl actigraph token --client-id "$ID" --scope "A B" # note'),
    [['actigraph', 'token', '--client-id', DUMMY, '--scope', 'A B']],
  );
  assert.deepEqual(argvOf('curl -H "$(authctl token header ci)" https://x/ && authctl token list > out'), [
    ['token', 'header', 'ci'],
    ['token', 'list'],
  ]);
  assert.deepEqual(argvOf('curl -K <(authctl token header --curl ci) https://x/'), [
    ['token', 'header', '--curl', 'ci'],
  ]);
  assert.deepEqual(argvOf("sh -c 'authctl token print x' # authctl inside quotes is data"), []);
  assert.deepEqual(argvOf('# authctl token print ci'), []);
  const good = invocations(
    `authctl exec --profile ci -- sh -c 'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://a/'`,
  );
  assert.deepEqual(good[0]?.argv, [
    'exec',
    '--profile',
    'ci',
    '--',
    'sh',
    '-c',
    'curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://a/',
  ]);
  assert.deepEqual(good[0]?.problems, []);
  const bad = invocations(
    'authctl exec --profile ci -- curl -H "Authorization: $AUTHCTL_AUTHORIZATION" https://a/',
  );
  assert.equal(bad[0]?.problems.length, 1);
  assert.match(bad[0]?.problems[0] ?? '', /expanded by your shell/);
  const blocks = fencedBlocks('x\n```sh\nauthctl a \\\n  --b c\n```\n```text\nauthctl d\n```\n');
  assert.deepEqual(
    blocks.map((b) => [b.lang, b.lines.map((l) => [l.line, l.text])]),
    [
      ['sh', [[3, 'authctl a  --b c']]],
      ['text', [[7, 'authctl d']]],
    ],
  );
});

test(`README.md is at most ${README_MAX_BYTES} bytes`, () => {
  const size = fs.statSync(README).size;
  assert.ok(size <= README_MAX_BYTES, `README.md is ${size} bytes; move reference material to docs/`);
});

test('no doc points at a document that is not in the repository', () => {
  const rules: Array<[RegExp, string, (text: string, index: number) => boolean]> = [
    [/cli\.md|protocols\.md|design\.md|shared\/docs/gi, 'names an outside document', () => true],
    // "RFC 6749 §4.4" cites a public RFC section; any other "§4.4" points at a private document.
    [/§\s*\d/g, 'cites a section of an outside document', (t, i) => !/RFC \d{3,5} $/.test(t.slice(0, i))],
    [/\bQ\d+\b/g, 'cites a numbered question of an outside document', () => true],
  ];
  const found: string[] = [];
  for (const file of allDocs()) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [re, what, applies] of rules) {
      for (const m of text.matchAll(re)) {
        if (!applies(text, m.index ?? 0)) continue;
        const line = text.slice(0, m.index).split('\n').length;
        found.push(`${rel(file)}:${line}: "${m[0]}" ${what}`);
      }
    }
  }
  if (found.length) assert.fail(found.join('\n'));
});

const perFile = exampleFiles().map((f) => ({ file: f, ...examplesOf(f) }));
const allExamples = perFile.flatMap((f) => f.examples);

test('every example block is labelled, and each checked file has examples to check', () => {
  assert.deepEqual(
    perFile.flatMap((f) => f.unlabelled),
    [],
    'a ``` block with authctl lines needs a language: sh for commands (checked), text for a synopsis',
  );
  for (const { file, examples } of perFile) {
    const min = file === README ? 30 : 3;
    assert.ok(examples.length >= min, `${rel(file)}: only ${examples.length} authctl examples found`);
  }
});

test('exec examples let a child shell expand the token variables', () => {
  const bad = allExamples.flatMap((e) => e.problems.map((p) => `${e.where}: ${e.text}\n    ${p}`));
  if (bad.length) assert.fail(bad.join('\n'));
});

const cfg = tempConfigDir();
after(cfg.cleanup);
// Keep any example that the parser lets through by mistake off the network: every non-loopback
// request goes to a proxy on a closed loopback port.
const env = {
  AUTHCTL_PARSE_ONLY: '1',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
};

/** Whether the built CLI honours AUTHCTL_PARSE_ONLY (then `token list --json` prints nothing). */
async function parseOnlySupported(): Promise<boolean> {
  const help = await runCli(['--help'], { configDir: cfg.dir });
  assert.equal(help.code, 0, `authctl --help failed: ${help.stderr}`);
  const probe = tempConfigDir();
  try {
    writeStore(probe.dir, { version: 1, profiles: { probe: sampleProfile() } });
    const r = await runCli(['token', 'list', '--json'], { configDir: probe.dir, env });
    return r.stdout === '';
  } finally {
    probe.cleanup();
  }
}

test('every authctl example parses with the real CLI', async (t) => {
  if (!(await parseOnlySupported())) {
    t.skip(
      `this build ignores AUTHCTL_PARSE_ONLY (\`token list --json\` still ran), so the ${allExamples.length} ` +
        'authctl examples cannot be parse-checked yet',
    );
    return;
  }
  const failures: string[] = [];
  // The same command line in several files is parsed once (reported at its first place).
  const seen = new Set<string>();
  const queue = allExamples.filter((e) => {
    const key = JSON.stringify(e.argv);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const r = await runCli(e.argv, { configDir: cfg.dir, env, timeoutMs: 20_000 });
      const helpLike = e.argv.some((a) => ['--help', '-h', '--version', '-V'].includes(a));
      if (r.code !== 0 || (!helpLike && r.stdout !== ''))
        failures.push(
          `${e.where}: ${e.text}\n    argv ${JSON.stringify(e.argv)} → exit ${r.code ?? r.signal}` +
            `${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}` +
            `${!helpLike && r.stdout ? ' (and it printed on stdout: the action ran)' : ''}`,
        );
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  if (failures.length)
    assert.fail(`${failures.length} of ${seen.size} distinct examples do not parse:\n${failures.join('\n')}`);
});
