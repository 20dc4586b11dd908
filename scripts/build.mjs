// Build: copy the two WASM files into grammars/, type-check every project (tsc -b), then bundle
// the client, the server, the CLI and the tests with esbuild. Each step says what it does and how long it
// took (--quiet: nothing but errors); --no-check skips the type check.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const r = (...p) => path.join(root, ...p);
const quiet = process.argv.includes('--quiet');
let t = performance.now();
/** Say what the next step does; the previous one's time goes first. */
const step = (what) => {
  const now = performance.now();
  if (!quiet) process.stdout.write(`build: ${what}\n`);
  t = now;
};
const took = () => {
  if (!quiet) process.stdout.write(`build:   done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
};

step('copying the grammar WASM files into grammars/');

for (const [from, to] of [
  ['node_modules/tree-sitter-c/tree-sitter-c.wasm', 'grammars/tree-sitter-c.wasm'],
  ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'grammars/web-tree-sitter.wasm'],
]) {
  fs.copyFileSync(r(from), r(to));
}

if (!process.argv.includes('--no-check')) {
  step('type-checking the server, the client and the tests (tsc -b; about a minute from scratch)');
  execFileSync(process.execPath, [r('node_modules/typescript/bin/tsc'), '-b', r('tsconfig.json')], {
    stdio: 'inherit',
  });
  took();
}

// web-tree-sitter's ESM build needs import.meta.url; its CJS build works inside a CJS bundle.
const alias = { 'web-tree-sitter': r('node_modules/web-tree-sitter/web-tree-sitter.cjs') };
// the engine's identity, the same in every bundle of one build: the on-disk cache is keyed by it, so the CLI
// and the language server's indexer (two bundles of the same sources) share cache entries
const engineId = (() => {
  const h = createHash('sha1');
  const files = [];
  const walkSrc = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walkSrc(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  walkSrc(r('server/src'));
  for (const f of files.sort()) h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f));
  h.update(JSON.parse(fs.readFileSync(r('package.json'), 'utf8')).version);
  return h.digest('hex').slice(0, 16);
})();
const common = {
  alias,
  define: { LOCKSCOPE_ENGINE_ID: JSON.stringify(engineId) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};
// the shipped bundles are minified (smaller .vsix, faster start); names are kept so that a stack trace still
// names its functions, and the source maps beside them in dist/ (not shipped) map it back to the sources
// (bin/lockscope.js turns them on). Test bundles stay readable.
const dist = { ...common, minify: true, keepNames: true };
step(
  'bundling and minifying dist/client.js, server.js, cli.js, indexer.js and extract-worker.js ' +
    `(esbuild; engine id ${engineId})`,
);
await Promise.all([
  esbuild.build({
    ...dist,
    entryPoints: [r('client/src/extension.ts')],
    outfile: r('dist/client.js'),
    external: ['vscode'],
  }),
  esbuild.build({ ...dist, entryPoints: [r('server/src/main.ts')], outfile: r('dist/server.js') }),
  esbuild.build({ ...dist, entryPoints: [r('server/src/cli.ts')], outfile: r('dist/cli.js') }),
  esbuild.build({ ...dist, entryPoints: [r('server/src/tree/indexer.ts')], outfile: r('dist/indexer.js') }),
  esbuild.build({
    ...dist,
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
took();
fs.writeFileSync(r('dist/engine-id.txt'), `${engineId}\n`);
step(`bundling ${tests.length} test files into test/out/ (esbuild)`);
fs.rmSync(r('test/out'), { recursive: true, force: true });
await esbuild.build({
  ...common,
  entryPoints: tests,
  outdir: r('test/out'),
  outbase: r('test'),
  external: ['vscode'],
});
took();
