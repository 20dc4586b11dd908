/**
 * Set-up (issue 15, item 9): `engines` and the README state the Node version the code needs (the cache frames
 * its entries with zlib.crc32, new in Node 20.15), the quick test tier runs only the unit and fixture tests, and
 * no dependency's install script runs (tree-sitter-c's builds a native binding; only its .wasm is used).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/engine';

const root = repoRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

/** The least version a `>=X.Y[.Z]` range allows, as [major, minor]. */
function least(range: string): [number, number] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range);
  assert.ok(m, `engines.node is not a >= range: ${range}`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

test('engines.node allows no Node without zlib.crc32 (20.15), as long as the cache uses it', () => {
  const cache = fs.readFileSync(path.join(root, 'server', 'src', 'tree', 'cache.ts'), 'utf8');
  if (!/zlib\.crc32/.test(cache)) return;
  const [major, minor] = least(pkg.engines.node);
  assert.ok(major > 20 || (major === 20 && minor >= 15), `engines.node ${pkg.engines.node} allows Node 20.<15`);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.match(readme, new RegExp(`Node\\.js ${major}\\.${minor} or newer`), 'the README says the same version');
});

test('npm run test:quick: the unit and fixture tests, without the type check or the slow tiers', () => {
  const quick = pkg.scripts['test:quick'];
  assert.ok(quick, 'no test:quick script');
  assert.match(quick, /build\.mjs --no-check/);
  assert.match(quick, /node scripts\/test-quick\.mjs$/);
  const script = fs.readFileSync(path.join(root, 'scripts', 'test-quick.mjs'), 'utf8');
  assert.match(script, /test', 'out', 'unit'/, 'only test/out/unit/: no CLI, LSP, packaging, soak or corpus runs');
});

test("tree-sitter-c's install script (node-gyp-build for a native binding nobody loads) is denied", () => {
  assert.equal(pkg.allowScripts?.['tree-sitter-c'], false, 'package.json allowScripts does not deny tree-sitter-c');
  // only its .wasm is used: the build copies it, and nothing requires the package
  const build = fs.readFileSync(path.join(root, 'scripts', 'build.mjs'), 'utf8');
  assert.match(build, /node_modules\/tree-sitter-c\/tree-sitter-c\.wasm/);
  // every install script a dependency has is decided (none is needed: the tests pass without them)
  for (const [name, allowed] of Object.entries(pkg.allowScripts ?? {}))
    assert.equal(allowed, false, `${name}: an install script is allowed; say why in README.md`);
  // and the project has none of its own that --ignore-scripts (npm 10) would skip
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare'])
    assert.equal(pkg.scripts[s], undefined, `package.json has a ${s} script`);
});
