/**
 * The documented lock orders (model/docorders.ts) and their check (checks/docorder.ts): one test per matching
 * rule, the pairs a chain states, a documented pair's standing against observed edges, the finding for an edge
 * against one, and the listing of `report --documented-orders`.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DOCUMENTED_KIND,
  type OrderWitness,
  classMatches,
  documentedPairs,
  documentedViolations,
  pairStandings,
  parseClass,
} from '../../server/src/engine/checks';
import { DOCUMENTED_ORDERS, type DocumentedOrder, FINDING_TABLE, renderMessage } from '../../server/src/engine/model';
import { documentedOrdersMarkdown } from '../../server/src/report/docorders';

const edge = (from: string, to: string, file = 'fs/foo/file.c', line = 10): OrderWitness => ({
  from,
  to,
  held: '&a',
  taken: '&b',
  file,
  fn: 'foo_fn',
  line,
  column: 2,
  path: [
    { file, line: line - 2, column: 2, function: 'foo_fn', note: 'takes &a' },
    { file, line, column: 2, function: 'foo_fn', note: 'takes &b' },
  ],
});

const entry = (order: string[], fs?: string): DocumentedOrder => ({
  order,
  ...(fs ? { fs } : {}),
  source: { doc: 'mm/example.c', section: 'Lock ordering', line: 7 },
  says: 'an example order',
});

describe('documented class matching, one rule each', () => {
  test('a class without a qualifier stands for every filesystem’s class of the lock, `any fs` included', () => {
    assert.ok(classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem (fs/ext4)'));
    assert.ok(classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem (any fs)'));
    assert.ok(classMatches('struct page::PG_locked', 'struct page::PG_locked (file data, fs/btrfs)'));
    assert.ok(!classMatches('struct inode::i_rwsem', 'struct address_space::invalidate_lock (fs/ext4)'));
  });

  test('a class that is no filesystem’s matches itself only', () => {
    assert.ok(classMatches('struct mm_struct::mmap_lock', 'struct mm_struct::mmap_lock'));
    assert.ok(!classMatches('struct mm_struct::mmap_lock', 'struct mm_struct::page_table_lock'));
    assert.ok(!classMatches('struct mm_struct::mmap_lock (fs/ext4)', 'struct mm_struct::mmap_lock'));
  });

  test('without a subclass it stands for every subclass; with one, for that subclass only', () => {
    assert.ok(classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem/I_MUTEX_PARENT (fs/ocfs2)'));
    assert.ok(classMatches('struct ocfs2_inode_info::ip_alloc_sem', 'struct ocfs2_inode_info::ip_alloc_sem/1'));
    assert.ok(classMatches('struct inode::i_rwsem/I_MUTEX_PARENT', 'struct inode::i_rwsem/I_MUTEX_PARENT (fs/ext4)'));
    assert.ok(!classMatches('struct inode::i_rwsem/I_MUTEX_PARENT', 'struct inode::i_rwsem (fs/ext4)'));
    assert.deepEqual(parseClass('struct inode::i_rwsem/I_MUTEX_CHILD (fs/ocfs2)'), {
      base: 'struct inode::i_rwsem',
      sub: 'I_MUTEX_CHILD',
      qual: 'fs/ocfs2',
    });
  });

  test('an entry about one filesystem matches that filesystem’s classes, not another’s and not `any fs`', () => {
    assert.ok(classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem (fs/ext4)', 'fs/ext4'));
    assert.ok(!classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem (fs/xfs)', 'fs/ext4'));
    assert.ok(!classMatches('struct inode::i_rwsem', 'struct inode::i_rwsem (any fs)', 'fs/ext4'));
    assert.ok(classMatches('struct page::PG_locked', 'struct page::PG_locked (file data, fs/ext4)', 'fs/ext4'));
    // a class that is no filesystem's is the same in every entry
    assert.ok(classMatches('struct mm_struct::mmap_lock', 'struct mm_struct::mmap_lock', 'fs/ext4'));
  });

  test('inodes and pages that are not a file’s are matched only by their exact name', () => {
    const meta = 'struct inode::i_rwsem (of struct ocfs2_super::osb_tl_inode)';
    assert.ok(!classMatches('struct inode::i_rwsem', meta));
    assert.ok(classMatches(meta, meta));
    assert.ok(!classMatches('struct page::PG_locked', 'struct page::PG_locked (private)'));
    const node = 'struct page::PG_locked (mapping of struct f2fs_sb_info::node_inode)';
    assert.ok(!classMatches('struct page::PG_locked', node, 'fs/f2fs'));
    assert.ok(classMatches(node, node, 'fs/f2fs'));
  });

  test('`(file data)` stands for the file data pages of every filesystem the entry is about', () => {
    assert.ok(classMatches('struct page::PG_locked (file data)', 'struct page::PG_locked (file data, fs/f2fs)'));
    assert.ok(
      classMatches('struct page::PG_locked (file data)', 'struct page::PG_locked (file data, fs/f2fs)', 'fs/f2fs'),
    );
    assert.ok(
      !classMatches('struct page::PG_locked (file data)', 'struct page::PG_locked (file data, fs/ext4)', 'fs/f2fs'),
    );
    assert.ok(!classMatches('struct page::PG_locked (file data)', 'struct page::PG_locked (private)'));
    assert.ok(!classMatches('struct page::PG_locked (file data)', 'struct inode::i_rwsem (fs/f2fs)'));
  });

  test('an edge between two filesystems’ classes is no instance of a documented pair', () => {
    const pairs = documentedPairs([entry(['struct inode::i_rwsem', 'struct address_space::invalidate_lock'])]);
    const [cross] = pairStandings(
      [edge('struct address_space::invalidate_lock (fs/a)', 'struct inode::i_rwsem (fs/b)')],
      pairs,
    );
    assert.equal(cross.against.length, 0);
    const [same] = pairStandings(
      [edge('struct address_space::invalidate_lock (fs/a)', 'struct inode::i_rwsem (any fs)')],
      pairs,
    );
    assert.equal(same.against.length, 1);
  });
});

describe('documented pairs and their standing', () => {
  test('a chain states each lock before every later one; pairs stated twice keep both sources', () => {
    const a = entry(['A::a', 'B::b', 'C::c']);
    const b = { ...entry(['A::a', 'C::c']), says: 'again' };
    const pairs = documentedPairs([a, b]);
    assert.deepEqual(
      pairs.map((p) => [p.outer, p.inner, p.sources.length]),
      [
        ['A::a', 'B::b', 1],
        ['A::a', 'C::c', 2],
        ['B::b', 'C::c', 1],
      ],
    );
    // the same pair about one filesystem is a pair of its own
    assert.equal(documentedPairs([a, entry(['A::a', 'B::b'], 'fs/x')]).length, 4);
  });

  test('confirmed, contradicted, and not observed (naming the classes no edge names)', () => {
    const pairs = documentedPairs([entry(['struct mm_struct::mmap_lock', 'struct page::PG_locked', 'X::never'])]);
    const ws = [
      edge('struct mm_struct::mmap_lock', 'struct page::PG_locked (file data, fs/foo)'),
      edge('struct page::PG_locked (file data, fs/bar)', 'struct mm_struct::mmap_lock', 'fs/bar/x.c'),
    ];
    const [mmapPage, mmapNever, pageNever] = pairStandings(ws, pairs);
    assert.deepEqual([mmapPage.along.length, mmapPage.against.length], [1, 1]);
    assert.equal(mmapPage.against[0].file, 'fs/bar/x.c');
    assert.deepEqual([mmapNever.along.length, mmapNever.against.length, mmapNever.unseen], [0, 0, ['X::never']]);
    assert.deepEqual(pageNever.unseen, ['X::never']);
  });

  test('a pair an entry of the same scope orders the other way is disputed; a filesystem’s own overrides', () => {
    const pairs = documentedPairs([
      entry(['P::p', 'M::m']),
      entry(['M::m', 'P::p'], 'fs/x'),
      entry(['Q::q', 'R::r']),
      entry(['R::r', 'Q::q']),
    ]);
    assert.deepEqual(
      pairStandings([], pairs).map((s) => [s.disputed, s.overridden]),
      [
        [false, ['fs/x']],
        [false, []],
        [true, []],
        [true, []],
      ],
    );
  });

  test('the shipped entries are well formed, cite a document and state no pair twice in one chain', () => {
    assert.ok(DOCUMENTED_ORDERS.length >= 40);
    for (const e of DOCUMENTED_ORDERS) {
      assert.ok(e.order.length >= 2, JSON.stringify(e));
      assert.equal(new Set(e.order).size, e.order.length, `a class twice in ${e.order.join(' -> ')}`);
      assert.match(e.source.doc, /^(mm|fs|Documentation)\/[\w./-]+$/);
      assert.ok(e.source.line > 0 && e.source.section && e.says);
      if (e.fs) assert.match(e.fs, /^fs\/\w+$/);
      for (const c of e.order) assert.ok(parseClass(c).base, c);
    }
  });
});

describe('documented-order-violation findings', () => {
  const pairs = documentedPairs([entry(['struct inode::i_rwsem', 'struct mm_struct::mmap_lock'])]);

  test('an edge against a documented pair is one finding at its site, with its witness path and the document', () => {
    const w = edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/foo)');
    const [f, ...rest] = documentedViolations([w], () => true, undefined, pairs);
    assert.equal(rest.length, 0);
    assert.equal(f.kind, DOCUMENTED_KIND);
    assert.equal(f.severity, FINDING_TABLE[DOCUMENTED_KIND].severity);
    assert.deepEqual([f.file, f.line, f.function], ['fs/foo/file.c', 10, 'foo_fn']);
    assert.deepEqual(f.path, w.path);
    assert.match(renderMessage(f), /mm\/example\.c \(Lock ordering, line 7 in Linux 6\.1\)/);
    assert.match(renderMessage(f), /orders struct inode::i_rwsem before struct mm_struct::mmap_lock/);
    assert.equal(f.confidence, 'high');
  });

  test('the documented direction, an unreported file and a disputed pair give none', () => {
    assert.deepEqual(
      documentedViolations(
        [edge('struct inode::i_rwsem (fs/foo)', 'struct mm_struct::mmap_lock')],
        () => true,
        undefined,
        pairs,
      ),
      [],
    );
    const against = edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/foo)');
    assert.deepEqual(
      documentedViolations([against], () => false, undefined, pairs),
      [],
    );
    const disputed = documentedPairs([
      entry(['struct inode::i_rwsem', 'struct mm_struct::mmap_lock']),
      entry(['struct mm_struct::mmap_lock', 'struct inode::i_rwsem']),
    ]);
    assert.deepEqual(
      documentedViolations([against], () => true, undefined, disputed),
      [],
    );
  });

  test('a filesystem’s own order decides for its edges; the general order for the others', () => {
    const pairs2 = documentedPairs([
      entry(['struct inode::i_rwsem', 'struct mm_struct::mmap_lock']),
      entry(['struct mm_struct::mmap_lock', 'struct inode::i_rwsem'], 'fs/foo'),
    ]);
    const ws = [
      edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/foo)', 'fs/foo/a.c'),
      edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/bar)', 'fs/bar/a.c'),
      edge('struct inode::i_rwsem (fs/foo)', 'struct mm_struct::mmap_lock', 'fs/foo/b.c'),
    ];
    const found = documentedViolations(ws, () => true, undefined, pairs2);
    assert.deepEqual(
      found.map((f) => f.file),
      ['fs/bar/a.c', 'fs/foo/b.c'],
    );
    assert.match(renderMessage(found[1]), /orders struct mm_struct::mmap_lock before struct inode::i_rwsem/);
  });

  test('a long witness lowers the confidence as it does for an inversion', () => {
    const w = edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/foo)');
    const long = { ...w, path: Array.from({ length: 30 }, (_, i) => ({ ...w.path[0], line: i + 1 })) };
    const [f] = documentedViolations([long], () => true, undefined, pairs);
    assert.equal(f.confidence, 'low');
  });
});

describe('report --documented-orders', () => {
  test('the listing counts the pairs and shows a witness for each standing', () => {
    const md = documentedOrdersMarkdown([
      edge('struct mm_struct::mmap_lock', 'struct inode::i_rwsem (fs/foo)', 'fs/foo/a.c', 42),
      edge('struct inode::i_rwsem (fs/foo)', 'struct address_space::invalidate_lock (fs/foo)', 'fs/foo/b.c', 7),
    ]);
    assert.match(md, /^# Documented lock orders against the code/);
    assert.match(md, /\d+ documented pairs: [1-9]\d* confirmed, [1-9]\d* contradicted/);
    assert.match(md, /## contradicted: `struct inode::i_rwsem` before `struct mm_struct::mmap_lock`\n/);
    assert.match(
      md,
      /contradicted by 1 edge, e\.g\. fs\/foo\/a\.c:42 foo_fn\(\): `&b` \(`struct inode::i_rwsem \(fs\/foo\)`\)/,
    );
    assert.match(md, /confirmed by 1 edge, e\.g\. fs\/foo\/b\.c:7 foo_fn\(\)/);
    assert.match(md, /not observed: no edge names `spinlock:swap_lock`/);
    // disagreements come first
    assert.ok(md.indexOf('## contradicted') < md.indexOf('## confirmed'));
  });
});
