/**
 * Call resolution by the kernel's build (test/trees/module-resolve): a global function is looked up in
 * the caller's own module (the objects its directory's Makefile links together) before built-in code,
 * then the symbols other modules export; the Kbuild/Kconfig reader behind it; one ranking of ops-table
 * targets for the analysis, hover, call hierarchy and `report`; and the snapshot cache keyed by the
 * build files too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { defaultSettings, mergeSettings, readWorkspaceFile } from '../../server/src/engine';
import { buildUnits, parseKbuild, tristates } from '../../server/src/engine/link';
import { ExternalIndex } from '../../server/src/incremental';
import { callGraph } from '../../server/src/report/callgraph';
import { buildTree } from '../../server/src/tree/build';
import { treeFiles } from '../../server/src/tree/files';
import { repoRoot } from '../support/engine';

const TREE = path.join(repoRoot(), 'test', 'trees', 'module-resolve');

async function index(root = TREE, cacheDir?: string) {
  const settings = mergeSettings(defaultSettings(), readWorkspaceFile(root).settings ?? {});
  return buildTree({ root, files: treeFiles(root, settings), settings, jobs: 0, cacheDir });
}

describe('Kbuild files', () => {
  test('objects, subdirectories and composite parts, through continuations, $(var) and $(addprefix)', () => {
    const k = parseKbuild(
      [
        '# a comment',
        'obj-$(CONFIG_FOO_FS) += foo.o',
        'obj-y += core/ lib.o',
        'helpers-y := h1.o',
        'foo-y := a.o \\',
        '\t b.o $(helpers-y)',
        'ifdef CONFIG_FOO_X',
        'foo-$(CONFIG_FOO_X) += $(addprefix sub/, c.o \\',
        '\td.o)',
        'endif',
        'foo-test-objs := t.o',
        'CFLAGS_a.o += -DX',
        'lib-y += util.o',
        '$(obj)/gen.c: $(obj)/tool FORCE',
        '\t$(call if_changed,gen)',
        'hostprogs += tool',
      ].join('\n'),
    );
    assert.deepEqual(k.objects, [
      { path: 'foo.o', cond: 'FOO_FS' },
      { path: 'lib.o', cond: 'y' },
      { path: 'util.o', cond: 'y' },
    ]);
    assert.deepEqual(k.subdirs, [{ path: 'core', cond: 'y' }]);
    assert.deepEqual(k.parts.get('foo'), ['a.o', 'b.o', 'h1.o', 'sub/c.o', 'sub/d.o']);
    assert.ok(!k.parts.has('lib'), 'a single-file object has no parts');
  });

  test('Kconfig: tristate symbols, bools, and a type on a later line', () => {
    const t = tristates(
      [
        'config FOO_FS',
        '\ttristate "Foo"',
        'config FOO_X',
        '\tbool "x"',
        'menuconfig BAR',
        '\tdepends on FOO_FS',
        '\tdef_tristate m',
        'choice',
        'config BAZ',
        '\tbool',
      ].join('\n'),
    );
    assert.deepEqual([...t.tristate].sort(), ['BAR', 'FOO_FS']);
    assert.deepEqual([...t.declared].sort(), ['BAR', 'BAZ', 'FOO_FS', 'FOO_X']);
  });

  test('units: a composite module, built-in objects, an unbuilt file, a header of a one-object directory', () => {
    const dirs = new Map([
      ['fs', parseKbuild('obj-y := open.o\nobj-$(CONFIG_FOO_FS) += foo/\n')],
      ['fs/foo', parseKbuild('obj-$(CONFIG_FOO_FS) += foo.o\nfoo-y := a.o lib/b.o\n')],
    ]);
    const files = ['fs/open.c', 'fs/foo/a.c', 'fs/foo/lib/b.c', 'fs/foo/gen.c', 'fs/foo/foo.h', 'include/linux/x.h'];
    const u = buildUnits(files, dirs, (c) => c === 'FOO_FS');
    assert.deepEqual(u.get('fs/open.c'), { unit: 'fs/open.o' });
    assert.deepEqual(u.get('fs/foo/a.c'), { unit: 'fs/foo/foo.o', module: true });
    assert.deepEqual(u.get('fs/foo/lib/b.c'), { unit: 'fs/foo/foo.o', module: true });
    assert.deepEqual(u.get('fs/foo/gen.c'), { unit: 'fs/foo/', unbuilt: true });
    assert.deepEqual(u.get('fs/foo/foo.h'), { unit: 'fs/foo/foo.o', module: true });
    assert.deepEqual(u.get('include/linux/x.h'), { unit: 'include/linux/' });
  });
});

describe('module-resolve tree: calls resolve by module', async () => {
  const { analysis } = await index();
  const view = new ExternalIndex(analysis.index);
  const target = (file: string, name: string) => {
    const id = view.linker.resolve(file, name);
    return id === undefined ? undefined : analysis.index.fns[id].file;
  };

  test('own module, then built-in code, then what another module exports; two private copies: none', () => {
    assert.equal(target('fs/plover/super.c', 'kbt_node_find'), 'fs/plover/lib/btree.c');
    assert.equal(target('fs/plover/super.c', 'kbt_node_hash'), 'fs/plover/lib/btree.c');
    assert.equal(target('fs/kestrel/super.c', 'kbt_node_find'), 'fs/kestrel/btree.c');
    assert.equal(target('fs/kestrel/super.c', 'kbt_bitmap_alloc'), 'fs/kestrel/btree.c');
    assert.equal(target('fs/plover/super.c', 'kbt_bitmap_alloc'), 'fs/libkbt.c');
    assert.equal(target('fs/finch/mount.c', 'kbt_tree_open'), 'fs/plover/lib/btree.c');
    assert.equal(target('fs/finch/mount.c', 'kbt_node_find'), undefined);
    // a name defined once links wherever it is called from
    assert.equal(target('fs/finch/mount.c', 'plover_bitmap_weight'), 'fs/plover/lib/bitmap.c');
  });

  test('the analysis, hover, call hierarchy and report send ->write_begin below kestrel to kestrel_write_begin', () => {
    // the analysis: the inode mutex held across kestrel's ->write_begin orders it before private_lock
    const edge = analysis.index.order?.find((w) => w.fn === 'kestrel_file_write_iter');
    assert.ok(edge, 'no lock-order edge from kestrel_file_write_iter');
    assert.equal(edge.to, 'struct address_space::private_lock');
    assert.ok(edge.path.some((s) => /->write_begin resolves to kestrel_write_begin \(kestrel_aops/.test(s.note)));
    // hover on the call of generic_perform_write in kestrel_buffered_write
    const gpw = analysis.index.fns.find((f) => f.name === 'generic_perform_write')!;
    const deferred = view.summary(gpw.id)?.deferred.find((d) => d.field === 'write_begin');
    assert.ok(deferred, 'generic_perform_write defers ->write_begin');
    const hover = view
      .indirectTargets('fs/kestrel/file.c', 'kestrel_buffered_write', deferred)
      .map((t) => t.summary.name);
    // report below kestrel_buffered_write (generic_perform_write one call down, as for the hover)
    const g = callGraph(analysis.index, [], 'kestrel_buffered_write', 3)!;
    const report = g.edges.filter((e) => e.via?.startsWith('->write_begin')).map((e) => analysis.index.fns[e.to].name);
    assert.deepEqual(hover, ['kestrel_write_begin']);
    assert.deepEqual(report, hover);
    // and from further up, as `report kestrel_file_write_iter` draws it
    const up = callGraph(analysis.index, [], 'kestrel_file_write_iter', 4)!;
    assert.deepEqual(
      up.edges.filter((e) => e.via?.startsWith('->write_begin')).map((e) => analysis.index.fns[e.to].name),
      ['kestrel_write_begin'],
    );
    // call hierarchy on generic_perform_write itself: its own context (mm/), not kestrel's
    assert.deepEqual(
      view
        .outgoing(gpw.id)
        .filter((o) => o.via?.startsWith('->write_begin'))
        .map((o) => o.callee.name),
      ['shmem_write_begin'],
    );
  });
});

test('the snapshot cache is keyed by the build files: moving a file to another module is seen', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-modres-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const root = path.join(tmp, 'module-resolve');
  fs.cpSync(TREE, root, { recursive: true });
  const cacheDir = path.join(tmp, 'cache');
  await index(root, cacheDir);
  const warm = await index(root, cacheDir);
  assert.equal(warm.timings.warm, true);
  const fileOf = (a: typeof warm.analysis, from: string, name: string) => {
    const id = new ExternalIndex(a.index).linker.resolve(from, name);
    return id === undefined ? undefined : a.index.fns[id].file;
  };
  assert.equal(fileOf(warm.analysis, 'fs/plover/super.c', 'kbt_node_find'), 'fs/plover/lib/btree.c');
  // plover's Makefile no longer links lib/btree.o: its calls go to the only other definition in reach
  const mk = path.join(root, 'fs', 'plover', 'Makefile');
  fs.writeFileSync(mk, fs.readFileSync(mk, 'utf8').replace('btree.o ', ''));
  const after = await index(root, cacheDir);
  assert.equal(after.timings.warm, false, 'a Makefile edit must not reuse the snapshot');
  assert.notEqual(fileOf(after.analysis, 'fs/plover/super.c', 'kbt_node_find'), 'fs/plover/lib/btree.c');
});
