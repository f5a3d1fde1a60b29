#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): it starts faster than an ESM entry on Node 20.
require('../dist/authctl.cjs');
