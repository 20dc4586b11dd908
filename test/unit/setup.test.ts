/**
 * Set-up (issue 15, item 9): `engines` and the README state the Node version the code needs (the cache frames
 * its entries with zlib.crc32, new in Node 20.15), and the quick test tier runs only the unit and fixture tests.
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
