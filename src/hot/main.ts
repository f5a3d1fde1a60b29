#!/usr/bin/env node
/**
 * authctl's command: package.json "bin" is this file's bundle, dist/hot.cjs, so a run reads one
 * file of a few KB before it answers. The hot paths are answered here (src/hot/token.ts:
 * `token print|header|export` with a fresh token, --version, help on a pipe, `__complete
 * profiles`; src/hot/actigraph.ts: a reusable `actigraph token`). Anything else names the bundle
 * that does the job, loaded only then: dist/ci.cjs (`actigraph token`'s CI forms that need a
 * request) or the full CLI, dist/authctl.cjs. docs/performance.md says why it is built this way.
 */
import { exitAfterFlush } from '../ui/io.js';
import { run as runActigraph } from './actigraph.js';
import { run as runToken } from './token.js';

const modules = process.env.AUTHCTL_DEBUG_MODULES;
if (modules) {
  // Test hook (test/e2e/startup.test.ts): at exit, write the files and built-ins this run loaded.
  process.on('exit', () => {
    // moduleLoadList (undocumented, untyped): the built-ins this process loaded.
    const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
    const loaded = { files: Object.keys(require.cache), builtins };
    require('node:fs').writeFileSync(modules, JSON.stringify(loaded));
  });
}
const argv = process.argv.slice(2);
const next = argv[0] === 'actigraph' ? runActigraph(argv) : runToken(argv);
// The build keeps these two requires as they are: files beside dist/hot.cjs.
if (next === 'ci') require('./ci.cjs');
else if (next) require('./authctl.cjs');
// Answered (the output is written): exit at once rather than tear the runtime down, ≈ 1–2 % of a
// `token print` (docs/performance.md).
else exitAfterFlush(typeof process.exitCode === 'number' ? process.exitCode : 0);
