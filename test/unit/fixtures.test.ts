/**
 * The fixture suite: every C file under test/fixtures/ is analysed and its findings must match
 * its inline `/* expect: KIND *\/` comments exactly, line for line. A file without expectations
 * asserts that nothing is reported.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { analyse, diffExpectations, expectationsOf, fixtureSettings, repoRoot, walkFiles } from '../support/engine';

const dir = path.join(repoRoot(), 'test', 'fixtures');
const files = walkFiles(dir, /\.c$/);

describe('fixtures', () => {
  test('the fixture folder is not empty', () => {
    assert.ok(files.length >= 5, `only ${files.length} fixtures in ${dir}`);
  });
  for (const file of files) {
    const rel = path.relative(dir, file).split(path.sep).join('/');
    test(rel, async () => {
      const text = fs.readFileSync(file, 'utf8');
      const r = await analyse(text, rel, fixtureSettings(file));
      assert.equal(r.error, undefined, `${rel} was not analysed: ${r.error}`);
      const problems = diffExpectations(rel, expectationsOf(text, path.relative(repoRoot(), file)), r.findings);
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});
