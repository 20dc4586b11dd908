/** The cache's own files: a failed write leaves no temporary behind; a folder is used only when it is lockscope's. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { RecordCache, claimCacheDir } from '../../server/src/tree/cache';

function temp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-cacheunit-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('cache files', () => {
  test('a write that fails after its temporary was written removes the temporary', (t) => {
    const root = temp(t);
    const key = '0123456789abcdef0123';
    assert.equal(claimCacheDir(root), undefined);
    assert.ok(RecordCache.prepare(root, key));
    const hash = 'ab'.repeat(20);
    // the entry's path is a non-empty folder: the rename fails, as a full disk would fail the write
    fs.mkdirSync(path.join(root, 'records', key, 'ab', hash, 'x'), { recursive: true });
    new RecordCache(root, key).put(hash, new Uint8Array([1, 2, 3]));
    assert.deepEqual(fs.readdirSync(path.join(root, 'records', key, 'ab')), [hash]);
  });

  test('claimCacheDir: new, empty and tagged folders are used; a foreign tag or foreign files are not', (t) => {
    const root = temp(t);
    assert.equal(claimCacheDir(path.join(root, 'new', 'deep')), undefined);
    assert.ok(fs.existsSync(path.join(root, 'new', 'deep', 'CACHEDIR.TAG')));
    assert.equal(claimCacheDir(path.join(root, 'new', 'deep')), undefined, 'tagged by lockscope: used again');
    fs.mkdirSync(path.join(root, 'other'));
    fs.writeFileSync(
      path.join(root, 'other', 'CACHEDIR.TAG'),
      'Signature: 8a477f597d28d172789f06886806bc55\n# made by some other tool\n',
    );
    assert.match(claimCacheDir(path.join(root, 'other')) ?? '', /did not write/);
    fs.mkdirSync(path.join(root, 'legacy', 'records', '0123456789abcdef0123'), { recursive: true });
    fs.mkdirSync(path.join(root, 'legacy', 'snapshots', 'fedcba9876543210fedc'), { recursive: true });
    assert.equal(
      claimCacheDir(path.join(root, 'legacy')),
      undefined,
      "an earlier lockscope's untagged cache is adopted",
    );
    fs.mkdirSync(path.join(root, 'users', 'records', 'holiday'), { recursive: true });
    assert.match(claimCacheDir(path.join(root, 'users')) ?? '', /not lockscope's/);
    assert.equal(fs.existsSync(path.join(root, 'users', 'CACHEDIR.TAG')), false);
  });
});
