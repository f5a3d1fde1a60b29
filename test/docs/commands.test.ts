/**
 * The command reference (docs/commands/*.md) is generated from the commander tree by
 * scripts/gen-docs.mjs (`npm run docs`). These tests regenerate it and fail when the committed copy
 * is stale, check it against the built binary's own --help, and check that the generator follows
 * whatever tree it is given (commands regrouped, nested deeper, hidden).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Command, Option } from 'commander';
import { renderCommandDocs } from '../../scripts/gen-docs.mjs';
import { repoRoot, runCli, tempConfigDir } from '../helpers/cli.js';

const committedDir = path.join(repoRoot, 'docs', 'commands');
const mdFiles = (dir: string) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];

describe('docs/commands is current', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-docs-'));
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  test('`npm run docs` into a temp dir reproduces the committed reference byte for byte', () => {
    // The generator as `npm run docs` runs it, in its own process.
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', 'gen-docs.mjs'), '--out', out],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `the generator failed:\n${r.stderr}`);
    const fresh = mdFiles(out);
    assert.ok(fresh.includes('README.md') && fresh.length > 5, `too few pages: ${fresh.join(', ')}`);
    const stale = [
      ...fresh.filter(
        (f) =>
          !fs.existsSync(path.join(committedDir, f)) ||
          fs.readFileSync(path.join(committedDir, f), 'utf8') !== fs.readFileSync(path.join(out, f), 'utf8'),
      ),
      ...mdFiles(committedDir)
        .filter((f) => !fresh.includes(f))
        .map((f) => `${f} (no such command any more)`),
    ];
    assert.deepEqual(
      stale,
      [],
      `docs/commands is stale (${stale.join(', ')}): run \`npm run docs\` and commit docs/commands/`,
    );
  });
});

describe('the reference says what --help says', () => {
  const { dir, cleanup } = tempConfigDir();
  after(cleanup);

  test('every leaf page lists the flags and examples of `authctl <command> --help`, and no hidden flag', async () => {
    const pages = mdFiles(committedDir).filter((f) => f !== 'README.md');
    assert.ok(pages.length >= 10, `expected a page per command, found ${pages.length}`);
    const index = fs.readFileSync(path.join(committedDir, 'README.md'), 'utf8');
    for (const page of pages) {
      const text = fs.readFileSync(path.join(committedDir, page), 'utf8');
      const words = /^# authctl (.+)$/m.exec(text)?.[1]?.split(' ');
      assert.ok(words, `${page}: no "# authctl <command>" title`);
      assert.ok(index.includes(`](${page})`), `the index does not link ${page}`);
      const help = await runCli([...words, '--help'], { configDir: dir });
      assert.equal(help.code, 0, `${words.join(' ')} --help: ${help.stderr}`);
      const usage = /^Usage: (.+)$/m.exec(help.stdout)?.[1];
      assert.ok(usage && text.includes(`\n${usage}\n`), `${page}: usage line differs from --help (${usage})`);
      // Flags from the help's Options section: "  --min-ttl <duration>  renew…", "  -h, --help …".
      const optionsSection = help.stdout.split(/^Options:$/m)[1]?.split(/^\S.*:$/m)[0] ?? '';
      const flags = [
        ...optionsSection.matchAll(/^ {2}((?:-\w, )?--[\w-]+(?: (?:<[^>]+>|\[[^\]]+\]))?)/gm),
      ].map((m) => m[1]!);
      assert.ok(flags.length > 0, `${words.join(' ')} --help lists no options`);
      for (const flag of flags) assert.ok(text.includes(`\`${flag}\``), `${page} lacks ${flag}`);
      const tableFlags = [...text.matchAll(/^\| `((?:-\w, )?--[^`]+)`/gm)].map((m) => m[1]!);
      assert.deepEqual(tableFlags.sort(), [...flags].sort(), `${page}: options table ≠ --help`);
      for (const ex of help.stdout.matchAll(/^ {2}\$ (.+)$/gm)) {
        assert.ok(text.includes(`\n${ex[1]}\n`), `${page} lacks the example: ${ex[1]}`);
      }
      assert.doesNotMatch(text, /--client-secret[ `]/, `${page} shows the hidden --client-secret flag`);
      assert.match(text, /^## Exit codes\n\n\| Code \| Meaning \|\n\|---\|---\|\n\| `0` \| ok \|/m);
    }
  });
});

describe('the generator walks whatever tree it is given', () => {
  test('nested groups, hidden commands and options, choices, defaults, own exit codes', async () => {
    const program = new Command('tool').description('a tool').option('--verbose', 'say more');
    program.addHelpText('after', '\nExamples:\n  $ tool a b c\n\nExit codes: 0 ok, 1 failure, 7 odd.\n');
    const a = program
      .command('a')
      .description('group a')
      .action(() => {});
    const b = a.command('b').description('group b');
    b.command('c')
      .description('deep <leaf> | with pipes')
      .argument('<file...>', 'files to read')
      .addOption(new Option('--mode <m>', 'how').choices(['x', 'y']).default('x'))
      .addOption(new Option('--secret <s>', 'never shown').hideHelp())
      .requiredOption('--name <n>', 'a name')
      .addHelpText('after', '\nExamples:\n  $ tool a b c --name n f1\n\nExit codes: 0 ok, 9 special.\n');
    program.command('ghost', { hidden: true }).description('hidden command');
    program.command('solo').description('a top-level leaf');

    const pages = await renderCommandDocs(program);
    assert.deepEqual([...pages.keys()].sort(), ['README.md', 'a-b-c.md', 'a.md', 'solo.md']);
    const c = pages.get('a-b-c.md')!;
    assert.match(c, /^# tool a b c$/m);
    assert.match(c, /^deep \\<leaf\\> \\\| with pipes$/m);
    assert.match(c, /^tool a b c \[options\] <file\.\.\.>$/m);
    assert.match(c, /^\| `<file\.\.\.>` \| files to read \| yes \|$/m);
    assert.match(c, /^\| `--mode <m>` \| how \| `x` \| `x`, `y` \|$/m);
    assert.match(c, /^\| `--name <n>` \(required\) \| a name \|/m);
    assert.doesNotMatch(c, /--secret/);
    assert.match(c, /^Global options \(accepted by every command\): `--verbose`;/m);
    assert.match(c, /```sh\ntool a b c --name n f1\n```/);
    assert.match(
      c,
      /## Exit codes\n\n\| Code \| Meaning \|\n\|---\|---\|\n\| `0` \| ok \|\n\| `9` \| special \|\n$/,
    );
    const solo = pages.get('solo.md')!;
    assert.match(solo, /\| `7` \| odd \|/, 'a command without its own exit codes inherits the root ones');
    const index = pages.get('README.md')!;
    assert.match(index, /^### a$/m);
    assert.match(index, /\[`a b c`\]\(a-b-c\.md\)/);
    assert.match(pages.get('a.md')!, /^# tool a$/m, 'a group with its own action gets a page');
    assert.match(index, /### Other commands[\s\S]*\[`solo`\]\(solo\.md\)/);
    assert.doesNotMatch(index, /ghost/);
  });
});
