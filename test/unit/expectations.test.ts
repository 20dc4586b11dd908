/**
 * The inline expectation markers themselves (`/* expect: KIND *\/`, test/support/engine.ts): a marker
 * must name finding kinds the engine has, so that a typo fails with the file, line and bad kind instead
 * of showing up as "expected recursive-lcok, not reported" or, worse, not at all. Every marker the
 * fixture, tree and examples suites read names a known kind.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { FINDING_KINDS } from '../../server/src/engine';
import { expectationsOf, repoRoot, walkFiles } from '../support/engine';

const snippet = (marker: string): string =>
  [
    'static void frob_reset(struct frob_dev *dev)',
    '{',
    '\tmutex_lock(&dev->lock);',
    `\tmutex_lock(&dev->lock); ${marker}`,
    '\tmutex_unlock(&dev->lock);',
    '}',
    '',
  ].join('\n');

describe('expect markers', () => {
  test('known kinds are read with their lines, one or several per marker, in either comment style', () => {
    assert.deepEqual(expectationsOf(snippet('/* expect: recursive-lock */'), 'fs/frob/reset.c'), [
      { line: 4, kind: 'recursive-lock' },
    ]);
    assert.deepEqual(expectationsOf(snippet('/* expect: recursive-lock, forbidden-call */'), 'fs/frob/reset.c'), [
      { line: 4, kind: 'recursive-lock' },
      { line: 4, kind: 'forbidden-call' },
    ]);
    assert.deepEqual(expectationsOf(snippet('// expect: sleep-in-atomic'), 'fs/frob/reset.c'), [
      { line: 4, kind: 'sleep-in-atomic' },
    ]);
    assert.deepEqual(expectationsOf(snippet(''), 'fs/frob/reset.c'), []);
    for (const kind of FINDING_KINDS)
      assert.deepEqual(expectationsOf(`x(); /* expect: ${kind} */`, 'k.c'), [{ line: 1, kind }]);
  });

  test('a misspelt kind fails, naming the file, the line and the kind', () => {
    assert.throws(
      () => expectationsOf(snippet('/* expect: recursive-lcok */'), 'fs/frob/reset.c'),
      /^Error: fs\/frob\/reset\.c:4: unknown finding kind "recursive-lcok"/,
    );
  });

  test('a bad kind fails wherever it stands: after a good one, in a // comment, or spelt outside [a-z-]', () => {
    for (const [marker, bad] of [
      ['/* expect: recursive-lock, double-unlok */', 'double-unlok'],
      ['// expect: lock-imbalence', 'lock-imbalence'],
      ['/* expect: recursive_lock */', 'recursive_lock'],
      ['/* expect: Recursive-Lock */', 'Recursive-Lock'],
      ['/* expect: deadlock */', 'deadlock'],
    ]) {
      assert.throws(
        () => expectationsOf(snippet(marker), 'fs/frob/reset.c'),
        (e: Error) => e.message.startsWith(`fs/frob/reset.c:4: unknown finding kind "${bad}"`),
        marker,
      );
    }
  });

  test('a marker that names no kind fails', () => {
    assert.throws(
      () => expectationsOf(snippet('/* expect: */'), 'fs/frob/reset.c'),
      /^Error: fs\/frob\/reset\.c:4: expect marker names no finding kind/,
    );
  });

  test('a misspelt marker in a file on disk fails the way the fixture and tree suites read it', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-expect-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'typo.c');
    fs.writeFileSync(file, snippet('/* expect: recursive-lok */'));
    assert.throws(
      () => expectationsOf(fs.readFileSync(file, 'utf8'), file),
      (e: Error) => e.message.startsWith(`${file}:4: unknown finding kind "recursive-lok"`),
    );
  });

  test('every marker under test/fixtures, test/trees and examples names a known kind', () => {
    const files = ['test/fixtures', 'test/trees', 'examples'].flatMap((d) => walkFiles(path.join(repoRoot(), d)));
    assert.ok(files.length > 20, `only ${files.length} sources`);
    let markers = 0;
    for (const file of files)
      markers += expectationsOf(fs.readFileSync(file, 'utf8'), path.relative(repoRoot(), file)).length;
    assert.ok(markers > 20, `only ${markers} markers`);
  });
});
