#!/usr/bin/env node
/**
 * Build: one CommonJS bundle of src/ (dist/authctl.cjs). CommonJS loads faster than an ESM graph
 * on Node 20, and a single file avoids module resolution on the hot path (`token print`).
 * The heavy, ESM-only dependencies stay external and are loaded with import() only where used.
 * Type checking is `tsc --noEmit` (npm run check); esbuild only strips types.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// commander is bundled: it is only initialised off the hot path, and inside the bundle it is covered
// by the launcher's code cache (an external CommonJS package would be compiled on every run).
const external = ['ora', 'open', '@inquirer/prompts', 'chalk', 'uqr'];
const out = new URL('../dist/authctl.cjs', import.meta.url).pathname;
const tmp = `${out}.${process.pid}.tmp`;
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.18',
  external,
  // import.meta.url has no CommonJS equivalent; give it one (used to find package.json).
  define: { 'import.meta.url': '__authctl_import_meta_url' },
  banner: {
    js:
      'const __authctl_import_meta_url = require("node:url").pathToFileURL(__filename).href;\n' +
      // See below: the launcher passes an import function in; run directly, the bundle uses its own.
      'var __authctl_import = typeof __authctl_import === "function" ? __authctl_import : (s) => import(s);',
  },
  legalComments: 'none',
  plugins: [
    {
      // commander requires node:child_process at load time, only for executable subcommands, which
      // authctl does not use; loading it (with net, dgram and streams) is ~3 ms of every --help.
      name: 'lazy-child-process-in-commander',
      setup(b) {
        b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          const eager = "const childProcess = require('node:child_process');";
          if (!text.includes(eager))
            throw new Error('commander changed: update the lazy child_process patch');
          const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
          return { contents: text.replace(eager, lazy), loader: 'js' };
        });
      },
    },
  ],
  logLevel: 'warning',
});
// Node 20 ignores vm's importModuleDynamically for functions restored from a V8 code cache (the
// launcher's), so a literal import() of an external package (ora, @inquirer/prompts, open, undici…)
// fails with "A dynamic import callback was not specified" on every run after the first. Route them
// through __authctl_import, which bin/authctl.js supplies from its own (normally loaded) module.
const code = readFileSync(tmp, 'utf8').replace(
  /\bimport\((["'])([^"'.][^"']*)\1\)/g,
  '__authctl_import($1$2$1)',
);
// The first line names this build; the launcher keys its V8 code cache on it (no hashing at start-up).
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
writeFileSync(tmp, `// authctl-build ${id}\n${code}`);
// Replace atomically, so a test running the CLI meanwhile never sees a half-written bundle.
renameSync(tmp, out);
