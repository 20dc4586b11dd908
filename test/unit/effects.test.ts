/**
 * What calls do to the task, as data (server/src/engine/model/effects.ts): which allocation flags let an
 * allocation enter filesystem reclaim (lockdep's fs_reclaim), and which calls fault on user memory.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Catalog, FAULTING_CALLS, RECLAIM_ENTRIES, reclaimGfp, scopeKind } from '../../server/src/engine/model';

describe('effects of calls on the task', () => {
  test('flags that allow __GFP_FS enter reclaim; NOFS, NOIO, ATOMIC, NOWAIT, masked or unknown flags do not', () => {
    for (const f of [
      'GFP_KERNEL',
      'GFP_KERNEL | __GFP_NOFAIL',
      'GFP_USER',
      'GFP_HIGHUSER_MOVABLE',
      'GFP_KERNEL_ACCOUNT',
    ])
      assert.ok(reclaimGfp(f), f);
    for (const f of [
      'GFP_NOFS',
      'GFP_NOFS | __GFP_NOFAIL',
      'GFP_NOIO',
      'GFP_ATOMIC',
      'GFP_NOWAIT',
      'GFP_KERNEL & ~__GFP_FS',
      'GFP_KERNEL & ~(__GFP_FS)',
      'mapping_gfp_constraint(mapping, ~__GFP_FS)',
      'gfp_mask',
      'GFP_KERNEL | __GFP_NOLOCKDEP',
    ])
      assert.ok(!reclaimGfp(f), f);
  });

  test('faulting calls: the copies and pinning, not their nofault or atomic variants', () => {
    const c = new Catalog();
    for (const n of [
      'copy_to_user',
      'get_user',
      'iov_iter_get_pages2',
      'pin_user_pages_fast',
      'fault_in_iov_iter_readable',
    ])
      assert.ok(c.faults(n), n);
    for (const n of ['copy_from_user_nofault', 'copy_page_from_iter_atomic', 'get_user_pages_fast_only'])
      assert.ok(!FAULTING_CALLS.has(n), n);
  });

  test('the scopes are catalog primitives on two task-state keys; reclaim does not page out with ->writepage', () => {
    const c = new Catalog();
    for (const [n, kind] of [
      ['pagefault_disable', 'nofault'],
      ['kmap_atomic', 'nofault'],
      ['memalloc_nofs_save', 'nofs'],
      ['memalloc_noio_restore', 'nofs'],
    ] as const) {
      const p = c.primitive(n);
      assert.equal(p?.kind, kind, n);
      assert.equal(scopeKind(p?.lock ?? ''), kind, n);
    }
    assert.ok(!RECLAIM_ENTRIES.some((e) => e.fields.includes('writepage') || e.fields.includes('writepages')));
  });
});
