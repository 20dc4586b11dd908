/**
 * Built-in rules beside the lock catalog: calls that must not run with a lock held (forbidden calls). What
 * calls do to the task (sleep, fault, allocate) is in effects.ts.
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
