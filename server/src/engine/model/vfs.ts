/**
 * Entry states from the VFS contract: which locks each ->op is called with, our own encoding of
 * Documentation/filesystems/locking.rst (Linux 6.1). A function installed as `.setattr` in an
 * `inode_operations` table starts with the inode's i_rwsem held by its caller, so taking it again is
 * a recursive lock, and hover can say what callers hold. Templates name parameters by position.
 */
import type { Mode } from './kinds';

export interface EntryLock {
  lock: string;
  mode: Mode;
  kind: 'rwsem' | 'page' | 'folio';
  class: string;
}

const I = (p: string, mode: Mode = 'excl'): EntryLock => ({
  lock: `${p}->i_rwsem`,
  mode,
  kind: 'rwsem',
  class: 'struct inode::i_rwsem',
});
const PAGE = (p: string): EntryLock => ({
  lock: `PG_locked(${p})`,
  mode: 'excl',
  kind: 'page',
  class: 'struct page::PG_locked',
});
const FOLIO = (p: string): EntryLock => ({
  lock: `PG_locked(${p})`,
  mode: 'excl',
  kind: 'folio',
  class: 'struct folio::PG_locked',
});
const MMAP = (p: string): EntryLock => ({
  lock: `${p}->vma->vm_mm->mmap_lock`,
  mode: 'shared',
  kind: 'rwsem',
  class: 'struct mm_struct::mmap_lock',
});
const UMOUNT = (p: string, mode: Mode): EntryLock => ({
  lock: `${p}->s_umount`,
  mode,
  kind: 'rwsem',
  class: 'struct super_block::s_umount',
});

/**
 * `struct TYPE::field` -> the locks held on entry, with the parameter count the signature has in 6.1.
 * `unlocks`: the op returns with them released (locking.rst's "yes, unlocks": ->writepage unlocks its page,
 * ->read_folio its folio once the read completes, which may be in I/O completion, ->write_end its page).
 */
export const VFS_ENTRY: Record<string, { params: number; locks: EntryLock[]; unlocks?: true }> = {
  'inode_operations::lookup': { params: 3, locks: [I('{0}', 'shared')] },
  'inode_operations::create': { params: 5, locks: [I('{1}')] },
  'inode_operations::link': { params: 3, locks: [I('{1}'), I('d_inode({0})')] },
  'inode_operations::unlink': { params: 2, locks: [I('{0}'), I('d_inode({1})')] },
  'inode_operations::symlink': { params: 4, locks: [I('{1}')] },
  'inode_operations::mkdir': { params: 4, locks: [I('{1}')] },
  'inode_operations::rmdir': { params: 2, locks: [I('{0}'), I('d_inode({1})')] },
  'inode_operations::mknod': { params: 5, locks: [I('{1}')] },
  'inode_operations::rename': { params: 6, locks: [I('{1}'), I('{3}')] },
  'inode_operations::setattr': { params: 3, locks: [I('d_inode({1})')] },
  'inode_operations::fileattr_set': { params: 3, locks: [I('d_inode({1})')] },
  'inode_operations::atomic_open': { params: 5, locks: [I('{0}')] },
  'address_space_operations::writepage': { params: 2, locks: [PAGE('{0}')], unlocks: true },
  'address_space_operations::read_folio': { params: 2, locks: [FOLIO('{1}')], unlocks: true },
  'address_space_operations::write_end': { params: 7, locks: [PAGE('{5}')], unlocks: true },
  'address_space_operations::invalidate_folio': { params: 3, locks: [FOLIO('{0}')] },
  'address_space_operations::release_folio': { params: 2, locks: [FOLIO('{0}')] },
  'address_space_operations::launder_folio': { params: 1, locks: [FOLIO('{0}')] },
  'address_space_operations::is_partially_uptodate': { params: 3, locks: [FOLIO('{0}')] },
  'address_space_operations::error_remove_page': { params: 2, locks: [PAGE('{1}')] },
  'vm_operations_struct::fault': { params: 1, locks: [MMAP('{0}')] },
  'vm_operations_struct::page_mkwrite': { params: 1, locks: [MMAP('{0}')] },
  'vm_operations_struct::pfn_mkwrite': { params: 1, locks: [MMAP('{0}')] },
  'super_operations::put_super': { params: 1, locks: [UMOUNT('{0}', 'excl')] },
  'super_operations::sync_fs': { params: 2, locks: [UMOUNT('{0}', 'shared')] },
  'super_operations::freeze_fs': { params: 1, locks: [UMOUNT('{0}', 'excl')] },
  'super_operations::unfreeze_fs': { params: 1, locks: [UMOUNT('{0}', 'excl')] },
  'super_operations::remount_fs': { params: 3, locks: [UMOUNT('{0}', 'excl')] },
};

/** The entry locks of a function installed as `field` in a table of `type`, if the contract names any. */
export function vfsEntry(
  type: string | undefined,
  field: string,
  params: number,
): { op: string; locks: EntryLock[] } | undefined {
  if (!type) return undefined;
  const spec = VFS_ENTRY[`${type}::${field}`];
  if (!spec || spec.params !== params) return undefined;
  return { op: `${type}.${field}`, locks: spec.locks };
}

/**
 * The locks an op releases by contract before it returns (to its caller, through whichever path: its body, or
 * I/O completion lockscope does not follow), for a call through `field` of a `type` table or a function
 * installed there; undefined when the contract names none.
 */
export function vfsExit(type: string | undefined, field: string, params: number): EntryLock[] | undefined {
  if (!type) return undefined;
  const spec = VFS_ENTRY[`${type}::${field}`];
  if (!spec?.unlocks || spec.params !== params) return undefined;
  return spec.locks;
}

/** Fields some ops struct's contract says return with their argument unlocked (`writepage`). */
export const VFS_UNLOCKING_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(VFS_ENTRY)
    .filter(([, spec]) => spec.unlocks)
    .map(([k]) => k.slice(k.indexOf('::') + 2)),
);

/**
 * Ops tables the VFS (not the filesystem) calls through: a method installed in one is entered with only the
 * contract's locks (VFS_ENTRY) held, never a lock of the filesystem's own.
 */
export const VFS_OPS_TYPES: ReadonlySet<string> = new Set([
  'file_operations',
  'inode_operations',
  'super_operations',
  'address_space_operations',
  'dentry_operations',
  'export_operations',
  'vm_operations_struct',
  'xattr_handler',
  'fs_context_operations',
]);

/** Structures of the VFS and the memory manager: their locks are ones the VFS itself may hold on entry. */
const VFS_STRUCTS = /^struct (inode|super_block|page|folio|address_space|mm_struct|dentry|file|vm_area_struct)::/;

/** Is `cls` (a lock class) a lock of the filesystem's own, one the VFS never takes for it? */
export function privateLockClass(cls: string | null): boolean {
  return !!cls && cls.startsWith('struct ') && !VFS_STRUCTS.test(cls);
}
