/**
 * Built-in rules beside the lock catalog: calls that must not run with a lock held (forbidden calls) and
 * calls that sleep, with the allocation flags that let an allocation block.
 */
import type { LockKind } from './kinds';

/**
 * "Never call X while holding Y": the lock is a template over X's arguments, so the rule can say
 * "the inode lock of the same file". Checked through any depth of calls, like a lock X would take.
 */
export interface ForbiddenCall {
  call: string;
  lock: string;
  class?: string;
  /** The kind of the lock the rule names (default `rwsem`: the built-in rules name the inode lock). */
  kind?: LockKind;
  reason: string;
}

/** The kind of the lock a forbidden-call rule names. */
export const forbiddenLockKind = (rule: ForbiddenCall): LockKind => rule.kind ?? 'rwsem';

export const BUILTIN_FORBIDDEN: ForbiddenCall[] = [
  {
    call: 'generic_write_sync',
    lock: 'file_inode({0}->ki_filp)->i_rwsem',
    class: 'struct inode::i_rwsem',
    kind: 'rwsem',
    reason: 'it syncs the file, and ->fsync may take the inode lock',
  },
  {
    call: 'vfs_fsync_range',
    lock: 'file_inode({0})->i_rwsem',
    class: 'struct inode::i_rwsem',
    kind: 'rwsem',
    reason: '->fsync may take the inode lock',
  },
  {
    call: 'vfs_fsync',
    lock: 'file_inode({0})->i_rwsem',
    class: 'struct inode::i_rwsem',
    kind: 'rwsem',
    reason: '->fsync may take the inode lock',
  },
];

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
