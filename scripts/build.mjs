// Build: copy the two WASM files into grammars/, type-check every project (tsc -b), then bundle
// the client, the server, the CLI and the tests with esbuild.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const r = (...p) => path.join(root, ...p);

for (const [from, to] of [
  ['node_modules/tree-sitter-c/tree-sitter-c.wasm', 'grammars/tree-sitter-c.wasm'],
  ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'grammars/web-tree-sitter.wasm'],
]) {
  fs.copyFileSync(r(from), r(to));
}

if (!process.argv.includes('--no-check')) {
  execFileSync(process.execPath, [r('node_modules/typescript/bin/tsc'), '-b', r('tsconfig.json')], {
    stdio: 'inherit',
  });
}

// web-tree-sitter's ESM build needs import.meta.url; its CJS build works inside a CJS bundle.
const alias = { 'web-tree-sitter': r('node_modules/web-tree-sitter/web-tree-sitter.cjs') };
const common = {
  alias,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [r('client/src/extension.ts')],
    outfile: r('dist/client.js'),
    external: ['vscode'],
  }),
  esbuild.build({ ...common, entryPoints: [r('server/src/main.ts')], outfile: r('dist/server.js') }),
  esbuild.build({ ...common, entryPoints: [r('server/src/cli.ts')], outfile: r('dist/cli.js') }),
  esbuild.build({ ...common, entryPoints: [r('server/src/tree/indexer.ts')], outfile: r('dist/indexer.js') }),
  esbuild.build({
    ...common,
    entryPoints: [r('server/src/tree/extract-worker.ts')],
    outfile: r('dist/extract-worker.js'),
  }),
]);

// tests: one bundle per *.test.ts, keeping the folder layout under test/out/
const tests = [];
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory() && !['out', 'fixtures', 'node_modules'].includes(e.name)) walk(p);
    else if (e.isFile() && e.name.endsWith('.test.ts')) tests.push(p);
  }
};
walk(r('test'));
fs.rmSync(r('test/out'), { recursive: true, force: true });
await esbuild.build({
  ...common,
  entryPoints: tests,
  outdir: r('test/out'),
  outbase: r('test'),
  external: ['vscode'],
});
