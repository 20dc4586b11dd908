/**
 * lockdep's lock names as lockscope's lock classes. lockdep names a class after the expression its key was
 * set up with: the lock's own field for a lock initialised in place (`&ei->i_data_sem`, `&sbi->orphan_lock`,
 * `&mm->mmap_lock`), a global's name (`cgroup_mutex`), or, for locks keyed per filesystem type, the key in
 * `struct file_system_type` (`&sb->s_type->i_mutex_key`, `&type->s_umount_key`). It adds `#N` to tell apart
 * keys of the same name (the 11th `i_mutex_key`: one per filesystem type) and `/N` for a subclass
 * (`inode_lock_nested(.., I_MUTEX_PARENT)` is `/1`). The rules, in order (docs/splat.md):
 *
 * 1. `#N` is dropped: lockscope's per-filesystem classes say the filesystem, lockdep numbers it.
 * 2. `/N` is the subclass; lockscope writes it `/N` or by its name (`/I_MUTEX_PARENT`) after the lock's name.
 * 3. the keys of `struct file_system_type` and a few VFS names are a table (KEYS) to lockscope's VFS classes;
 * 4. the pseudo-locks lockdep tracks that are no lock in the tree (workqueues, RCU, freeze protection,
 *    reclaim, journal handles) are named as such and matched with nothing;
 * 5. otherwise the last field of the expression (`i_data_sem` of `&ei->i_data_sem`, `work` of
 *    `&(&wb->dwork)->work`) or the global's name is matched against the field of lockscope's classes
 *    (`struct ext4_inode_info::i_data_sem`) and against the instance a finding names.
 */

export interface LockMapping {
  /** As printed. */
  name: string;
  /** Without `#N` and `/N`. */
  key: string;
  subclass?: number;
  /** lockscope's class, when the key is one lockdep names apart from its lock's field (rule 3). */
  cls?: string;
  /** The field or global name matched (rule 5). */
  field?: string;
  /** Why it is no lock in the tree (rule 4). */
  pseudo?: string;
  /** The rule applied, in words. */
  rule: string;
}

/** Keys of `struct file_system_type` and other names that are not their lock's field. */
const KEYS: Record<string, string> = {
  '&sb->s_type->i_mutex_key': 'struct inode::i_rwsem',
  '&type->i_mutex_key': 'struct inode::i_rwsem',
  '&type->i_mutex_dir_key': 'struct inode::i_rwsem',
  '&sb->s_type->i_mutex_dir_key': 'struct inode::i_rwsem',
  '&sb->s_type->i_lock_key': 'struct inode::i_lock',
  '&type->s_umount_key': 'struct super_block::s_umount',
  '&type->s_vfs_rename_key': 'struct super_block::s_vfs_rename_mutex',
  '&sb->s_type->invalidate_lock_key': 'struct address_space::invalidate_lock',
  'mapping.invalidate_lock': 'struct address_space::invalidate_lock',
  '&sb->s_type->i_mmap_rwsem_key': 'struct address_space::i_mmap_rwsem',
};

/** inode_i_mutex_lock_class, for `/N` on an inode lock. */
const I_MUTEX = [
  'I_MUTEX_NORMAL',
  'I_MUTEX_PARENT',
  'I_MUTEX_CHILD',
  'I_MUTEX_XATTR',
  'I_MUTEX_NONDIR2',
  'I_MUTEX_PARENT2',
];

const PSEUDO: { re: RegExp; why: string }[] = [
  { re: /^\(wq_completion\)/, why: 'a workqueue flush (lockdep’s pseudo-lock of the workqueue)' },
  { re: /^\(work_completion\)/, why: 'a work item’s completion (lockdep’s pseudo-lock of the work)' },
  { re: /^rcu_read_lock/, why: 'an RCU read-side section' },
  { re: /^(?:rcu_callback|rcu_lock_map|rcu_sched_lock_map|rcu_bh_lock_map)$/, why: 'RCU' },
  { re: /^sb_(?:writers|pagefaults|internal)$/, why: 'freeze protection (sb_start_write and friends)' },
  { re: /^fs_reclaim$/, why: 'memory reclaim (lockscope’s reclaim-under-lock findings model it)' },
  { re: /^jbd2_handle$/, why: 'a jbd2 journal handle' },
  { re: /^mmu_notifier_invalidate_range_start$/, why: 'an MMU notifier section' },
  { re: /^(?:console_owner|console_lock|cpu_hotplug_lock|cpus_read_lock)$/, why: 'a core kernel pseudo-lock' },
];

/** How lockdep's `name` reads as lockscope's lock class (rules above). */
export function mapLockName(name: string): LockMapping {
  let key = name.trim();
  let subclass: number | undefined;
  const sub = /\/(\d+)$/.exec(key);
  if (sub) {
    subclass = Number(sub[1]);
    key = key.slice(0, sub.index);
  }
  key = key.replace(/#\d+$/, '');
  const base = { name, key, ...(subclass ? { subclass } : {}) };
  const cls = KEYS[key];
  if (cls) return { ...base, cls, rule: `${key} is the key lockdep gives ${cls} (per filesystem type)` };
  const p = PSEUDO.find((x) => x.re.test(key));
  if (p) return { ...base, pseudo: p.why, rule: `${key} is ${p.why}: no lock in the tree` };
  const field = /([A-Za-z_]\w*)\)?$/.exec(key)?.[1];
  if (field && /^[&(]/.test(key))
    return { ...base, field, rule: `lockdep names the lock by its field: a class whose field is ${field}` };
  if (field && /^[A-Za-z_]\w*$/.test(key))
    return { ...base, field, rule: `lockdep names a global lock by its name: ${field}` };
  return { ...base, rule: `${key}: a name lockscope does not know how to read` };
}

/** `struct inode::i_rwsem/1 (fs/ext4)` as its class, subclass and qualifier. */
function splitClass(cls: string): { base: string; sub?: string } {
  const noQual = cls.replace(/ \(.*\)$/, '');
  const m = /^(.*)\/([\w]+)$/.exec(noQual);
  return m ? { base: m[1], sub: m[2] } : { base: noQual };
}

/** Whether lockscope's class `cls` (or a finding's lock instance) is the lock lockdep named. */
export function matchesClass(m: LockMapping, cls: string | null | undefined, instance?: string): boolean {
  if (m.pseudo) return false;
  if (cls) {
    const { base, sub } = splitClass(cls);
    const same = m.cls
      ? base === m.cls
      : !!m.field && (base === m.field || base.endsWith(`::${m.field}`) || base.endsWith(`:${m.field}`));
    if (same) return subclassAgrees(m, sub);
  }
  if (instance && m.field) {
    const last = /([A-Za-z_]\w*)\)?$/.exec(instance.trim())?.[1];
    if (last === m.field) return true;
  }
  if (instance && m.cls) {
    const field = m.cls.split('::')[1];
    return /([A-Za-z_]\w*)\)?$/.exec(instance.trim())?.[1] === field;
  }
  return false;
}

function subclassAgrees(m: LockMapping, sub: string | undefined): boolean {
  if (!m.subclass || sub === undefined) return true;
  return sub === String(m.subclass) || (m.cls === 'struct inode::i_rwsem' && sub === I_MUTEX[m.subclass]);
}
