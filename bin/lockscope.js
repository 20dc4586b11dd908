#!/usr/bin/env node
'use strict';
// The lockscope CLI: `lockscope check <dir|file...>`, `lockscope lsp`. Built by `npm run build`.
// the bundle is minified: an internal error's stack trace maps back to the sources through dist/cli.js.map
process.setSourceMapsEnabled?.(true);
let cli;
try {
  cli = require('../dist/cli.js');
} catch {
  process.stderr.write('lockscope: dist/cli.js is missing; run "npm run build" first\n');
  process.exit(2);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`lockscope: internal error: ${(e && e.stack) || e}\n`);
    process.exitCode = 2;
  },
);
