/**
 * What calls do to the task besides taking locks, as data: which calls may sleep, which may fault on user
 * memory (and so enter a filesystem's page-fault handlers), which allocate memory in a way that may enter
 * filesystem reclaim (lockdep's `fs_reclaim`), the scopes that turn those off (`pagefault_disable()`,
 * `memalloc_nofs_save()`), and the ops-table fields the page-fault and reclaim paths call into. The
 * transfer function and the checkers read these; nothing here is about one filesystem.
 */
import type { LockPrimitive } from './catalog';

/**
 * Calls that may sleep. `gfp`: the argument holding allocation flags; the call sleeps only when they
 * allow blocking (GFP_KERNEL, GFP_NOFS ...), not for GFP_ATOMIC/GFP_NOWAIT.
 */
export interface Sleeper {
  name: string;
  gfp?: number;
}

export const BUILTIN_SLEEPERS: Sleeper[] = [
  ...[
    'schedule',
    'schedule_timeout',
    'io_schedule',
    'msleep',
    'msleep_interruptible',
    'ssleep',
    'usleep_range',
    'might_sleep',
    'cond_resched',
    'wait_for_completion',
    'wait_for_completion_io',
    'wait_for_completion_killable',
    'wait_on_page_writeback',
    'folio_wait_writeback',
    'wait_on_buffer',
    'synchronize_rcu',
    'synchronize_srcu',
    'flush_work',
    'flush_workqueue',
    'cancel_work_sync',
    'cancel_delayed_work_sync',
    'copy_from_user',
    'copy_to_user',
    'get_user_pages',
    'pin_user_pages',
    'filemap_fdatawait',
    'filemap_write_and_wait_range',
    'vmalloc',
    'vzalloc',
    'wait_event',
    'wait_event_interruptible',
    'wait_event_killable',
    'wait_event_timeout',
    'wait_var_event',
  ].map((name) => ({ name })),
  ...[
    ['kmalloc', 1],
    ['kzalloc', 1],
    ['kcalloc', 2],
    ['kmalloc_array', 2],
    ['kvmalloc', 1],
    ['kvzalloc', 1],
    ['kmem_cache_alloc', 1],
    ['kmem_cache_zalloc', 1],
    ['alloc_page', 0],
    ['alloc_pages', 0],
    ['__get_free_page', 0],
    ['krealloc', 2],
    ['kstrdup', 1],
    ['kmemdup', 2],
    ['mempool_alloc', 1],
    ['bio_alloc', 2],
  ].map(([name, gfp]) => ({ name: name as string, gfp: gfp as number })),
];

/** Flags that allow an allocation to block. */
export const BLOCKING_GFP = /\bGFP_(KERNEL|NOFS|NOIO|USER|HIGHUSER|HIGHUSER_MOVABLE|KERNEL_ACCOUNT)\b/;

/**
 * Calls that may fault on user memory with page faults enabled: the uaccess copies and accessors, pinning
 * user pages (get_user_pages*, pin_user_pages*, iov_iter_get_pages*), the iov_iter copies (a user iterator
 * faults; which kind of iterator a call gets is not known here) and the explicit fault-ins. Their `_nofault`
 * variants, `copy_page_from_iter_atomic()` and `get_user_pages_fast_only()` do not fault and are not listed.
 */
export const FAULTING_CALLS: ReadonlySet<string> = new Set([
  'copy_to_user',
  'copy_from_user',
  '_copy_to_user',
  '_copy_from_user',
  '__copy_to_user',
  '__copy_from_user',
  '__copy_to_user_inatomic',
  '__copy_from_user_inatomic',
  'copy_struct_from_user',
  'get_user',
  'put_user',
  '__get_user',
  '__put_user',
  'clear_user',
  '__clear_user',
  'strncpy_from_user',
  'strnlen_user',
  'memdup_user',
  'memdup_user_nul',
  'vmemdup_user',
  'strndup_user',
  'get_user_pages',
  'get_user_pages_fast',
  'get_user_pages_unlocked',
  'get_user_pages_remote',
  'pin_user_pages',
  'pin_user_pages_fast',
  'pin_user_pages_unlocked',
  'pin_user_pages_remote',
  'iov_iter_get_pages',
  'iov_iter_get_pages2',
  'iov_iter_get_pages_alloc',
  'iov_iter_get_pages_alloc2',
  'copy_page_to_iter',
  'copy_page_from_iter',
  'copy_folio_to_iter',
  'copy_to_iter',
  'copy_from_iter',
  '_copy_to_iter',
  '_copy_from_iter',
  'copy_from_iter_full',
  'copy_from_iter_nocache',
  'csum_and_copy_to_iter',
  'csum_and_copy_from_iter',
  'iov_iter_zero',
  'fault_in_readable',
  'fault_in_writeable',
  'fault_in_safe_writeable',
  'fault_in_subpage_writeable',
  'fault_in_iov_iter_readable',
  'fault_in_iov_iter_writeable',
]);

/**
 * Calls that make an iov_iter over kernel memory (bio_vecs, kvecs, an xarray, a pipe, nothing): copies and
 * page pinning through such an iterator do not fault on user memory.
 */
export const KERNEL_ITER_INITS: ReadonlySet<string> = new Set([
  'iov_iter_bvec',
  'iov_iter_kvec',
  'iov_iter_xarray',
  'iov_iter_pipe',
  'iov_iter_discard',
]);

/**
 * Allocations that may enter direct reclaim: `gfp` is the argument holding the flags; without one the call
 * always allocates with GFP_KERNEL (vmalloc, memdup_user).
 */
export interface Allocator {
  name: string;
  gfp?: number;
}

export const BUILTIN_ALLOCATORS: Allocator[] = [
  ...['vmalloc', 'vzalloc', 'memdup_user', 'memdup_user_nul', 'vmemdup_user', 'strndup_user'].map((name) => ({ name })),
  ...(
    [
      ['kmalloc', 1],
      ['kzalloc', 1],
      ['kmalloc_node', 1],
      ['kzalloc_node', 1],
      ['kcalloc', 2],
      ['kmalloc_array', 2],
      ['krealloc', 2],
      ['kvmalloc', 1],
      ['kvzalloc', 1],
      ['kvcalloc', 2],
      ['kvmalloc_array', 2],
      ['__vmalloc', 1],
      ['kmem_cache_alloc', 1],
      ['kmem_cache_zalloc', 1],
      ['kmem_cache_alloc_node', 1],
      ['alloc_page', 0],
      ['alloc_pages', 0],
      ['__get_free_page', 0],
      ['__get_free_pages', 0],
      ['get_zeroed_page', 0],
      ['folio_alloc', 0],
      ['filemap_alloc_folio', 0],
      ['__page_cache_alloc', 0],
      ['kstrdup', 1],
      ['kstrndup', 2],
      ['kmemdup', 2],
      ['kmemdup_nul', 2],
      ['kasprintf', 0],
      ['mempool_alloc', 1],
      ['bio_alloc', 3],
      ['radix_tree_preload', 0],
      ['idr_alloc', 4],
      ['ida_alloc', 1],
      ['xa_store', 3],
      ['xa_insert', 3],
    ] as const
  ).map(([name, gfp]) => ({ name, gfp })),
];

/**
 * Do allocation flags allow filesystem reclaim (`__GFP_FS` with direct reclaim), as lockdep's `fs_reclaim`
 * map is taken for them: GFP_KERNEL, GFP_USER, GFP_HIGHUSER*, GFP_KERNEL_ACCOUNT, and not GFP_NOFS, GFP_NOIO,
 * GFP_ATOMIC, GFP_NOWAIT or flags with `__GFP_FS` masked out. Flags in a variable are not known: false.
 */
export function reclaimGfp(flags: string): boolean {
  if (/\bGFP_(NOFS|NOIO|ATOMIC|NOWAIT)\b|~\s*\(?\s*__GFP_(FS|IO|RECLAIM|DIRECT_RECLAIM)\b|__GFP_NOLOCKDEP/.test(flags))
    return false;
  return /\bGFP_(KERNEL|KERNEL_ACCOUNT|USER|HIGHUSER|HIGHUSER_MOVABLE)\b/.test(flags);
}

/** The scope that turns page faults off (faults return -EFAULT at once): its lock key and kind. */
export const NOFAULT_SCOPE = 'pagefault_disabled';
/** The scope that turns filesystem reclaim off for the task's allocations (memalloc_nofs_save()). */
export const NOFS_SCOPE = 'memalloc_nofs';

/** The kind of a task-state scope's lock key (undefined for any other key). */
export function scopeKind(key: string): 'nofault' | 'nofs' | undefined {
  return key === NOFAULT_SCOPE ? 'nofault' : key === NOFS_SCOPE ? 'nofs' : undefined;
}

const scope = (name: string, op: 'acquire' | 'release', kind: 'nofault' | 'nofs'): LockPrimitive => ({
  name,
  op,
  kind,
  arg: -1,
  lock: kind === 'nofault' ? NOFAULT_SCOPE : NOFS_SCOPE,
  mode: 'excl',
  recursive: true,
});

/**
 * The task-state scopes, as primitives on a global context: `pagefault_disable()` (and `kmap_atomic()`, which
 * disables page faults) and `memalloc_nofs_save()`/`memalloc_noio_save()` (which clear `__GFP_FS` from every
 * allocation of the task; `memalloc_noreclaim_save()` turns reclaim off altogether). Assigning
 * `iter->nofault = true` is read as the page-fault scope too (cfg/).
 */
export const SCOPE_PRIMITIVES: LockPrimitive[] = [
  scope('pagefault_disable', 'acquire', 'nofault'),
  scope('pagefault_enable', 'release', 'nofault'),
  scope('kmap_atomic', 'acquire', 'nofault'),
  scope('kunmap_atomic', 'release', 'nofault'),
  scope('memalloc_nofs_save', 'acquire', 'nofs'),
  scope('memalloc_nofs_restore', 'release', 'nofs'),
  scope('memalloc_noio_save', 'acquire', 'nofs'),
  scope('memalloc_noio_restore', 'release', 'nofs'),
  // PF_MEMALLOC: no reclaim at all (xfsaild, the reclaimers themselves)
  scope('memalloc_noreclaim_save', 'acquire', 'nofs'),
  scope('memalloc_noreclaim_restore', 'release', 'nofs'),
];

/** An iov_iter field whose `true` makes its page pinning and copies not fault (`from->nofault = true`). */
export const NOFAULT_FIELD = 'nofault';

/**
 * The `struct vm_operations_struct` handlers a page fault on a file mapping enters: a user buffer mmapped from
 * a file of a filesystem faults into that filesystem's handlers.
 */
export const VM_FAULT_OPS = {
  type: 'vm_operations_struct',
  fields: ['fault', 'huge_fault', 'map_pages', 'page_mkwrite', 'pfn_mkwrite'],
} as const;

/**
 * Where the direct reclaim of an allocating task enters filesystems (mm/vmscan.c, fs/super.c, fs/inode.c in
 * 6.1): releasing a clean page's private data (`->release_folio`, given the allocation's flags) and freeing it
 * (`->free_folio`), the shrinkers (`->scan_objects`, `->count_objects`), and the superblock shrinker's inode
 * eviction and cached objects. Not `->writepage`: shrink_folio_list() pages out file folios from kswapd only
 * (direct reclaim leaves dirty file folios to it), so the allocating task never waits there for its own lock
 * (lockdep's fs_reclaim map, which kswapd holds too, reports that pair all the same); `->writepages` is not
 * called by reclaim at all.
 * `dying`: the entry's first argument is an inode no one else holds (reclaim evicts only unused inodes), so a
 * lock reached only through it is not one another task can hold.
 */
export const RECLAIM_ENTRIES: readonly { type: string; fields: readonly string[]; dying?: readonly string[] }[] = [
  { type: 'address_space_operations', fields: ['release_folio', 'free_folio'] },
  { type: 'shrinker', fields: ['scan_objects', 'count_objects'] },
  {
    type: 'super_operations',
    fields: ['evict_inode', 'destroy_inode', 'free_cached_objects', 'nr_cached_objects'],
    dying: ['evict_inode', 'destroy_inode'],
  },
];
