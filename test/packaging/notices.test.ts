/**
 * THIRD_PARTY_NOTICES.md names every package whose code the shipped bundles hold (read from their source
 * maps) with its license, and says that @viz-js/viz bundles Graphviz under the EPL (issue 15, item 9).
 * Regenerate with `node scripts/notices.mjs` after a dependency changes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/engine';

const root = repoRoot();

function bundledPackages(): string[] {
  const out = new Set<string>();
  for (const b of ['client', 'server', 'indexer', 'extract-worker', 'cli']) {
    const map = JSON.parse(fs.readFileSync(path.join(root, 'dist', `${b}.js.map`), 'utf8')) as { sources: string[] };
    for (const s of map.sources) {
      const i = s.lastIndexOf('node_modules/');
      if (i < 0) continue;
      const parts = s.slice(i + 'node_modules/'.length).split('/');
      out.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
  }
  return [...out].sort();
}

test('every bundled package is in THIRD_PARTY_NOTICES.md with its version and license', () => {
  const file = path.join(root, 'THIRD_PARTY_NOTICES.md');
  assert.ok(fs.existsSync(file), 'THIRD_PARTY_NOTICES.md is missing (node scripts/notices.mjs)');
  const text = fs.readFileSync(file, 'utf8');
  const pkgs = bundledPackages();
  assert.ok(pkgs.includes('zod') && pkgs.includes('web-tree-sitter'), pkgs.join(' '));
  for (const name of [...pkgs, 'tree-sitter-c']) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
      license: string;
    };
    assert.match(
      text,
      new RegExp(
        `^## ${name.replace(/[/.]/g, '\\$&')} ${pkg.version.replace(/\./g, '\\.')}\\n\\nLicense: ${pkg.license}`,
        'm',
      ),
      name,
    );
  }
  assert.match(text, /Graphviz[^]*Eclipse Public License/);
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!THIRD_PARTY_NOTICES\.md$/m, 'the extension package ships it');
});
