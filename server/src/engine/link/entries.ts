/**
 * The functions the kernel's page-fault and memory-reclaim paths enter a filesystem through, found in the ops
 * tables like any other indirect call: the page-fault handlers of one filesystem (VM_FAULT_OPS), which a user
 * buffer mmapped from one of its files faults into, and the reclaim entries of the whole tree
 * (RECLAIM_ENTRIES) with the lock classes they take. Plain functions of a linked tree and its summaries.
 */
import * as path from 'node:path';
import type { IndirectTarget, ReclaimTake, Summary } from '../absint';
import { fsOf, globalClass, lockClass } from '../checks';
import { RECLAIM_ENTRIES, VM_FAULT_OPS } from '../model';
import type { Linker } from './linker';

/** The slots of `fields` in tables of struct `type` (or of a table whose type is not declared). */
function slotsOf(linker: Linker, type: string, fields: readonly string[]) {
  return fields.flatMap((field) =>
    (linker.byField.get(field) ?? [])
      .filter((c) => !c.slot.type || c.slot.type === type)
      .map((c) => ({ ...c, field, dir: path.posix.dirname(c.slot.file) })),
  );
}

/**
 * The page-fault handlers installed in the vm_operations_struct tables of the filesystem `dir` belongs to
 * (fs/btrfs for fs/btrfs/tests): any file of it can be mmapped and its mapping handed to a read or write as
 * the user buffer, so a fault on that buffer enters these.
 */
export function faultHandlers(
  linker: Linker,
  dir: string,
  summaryOf: (id: number) => Summary | undefined,
): IndirectTarget[] {
  const fs = fsOf(dir);
  const out: IndirectTarget[] = [];
  const seen = new Set<number>();
  for (const c of slotsOf(linker, VM_FAULT_OPS.type, VM_FAULT_OPS.fields)) {
    if (fsOf(c.dir) !== fs || seen.has(c.fn)) continue;
    seen.add(c.fn);
    const s = summaryOf(c.fn);
    if (s) out.push({ summary: s, via: `${c.slot.table}.${c.field}`, by: 'table' });
  }
  return out;
}

/**
 * Page, folio and buffer locks: reclaim takes the page it reclaims by trylock only, and blocks on the pages of an
 * inode it evicts, which no other task holds; with one class for every page, a match says nothing.
 */
const BIT_LOCKS: ReadonlySet<string> = new Set(['page', 'folio', 'buffer']);

/** Fields of an inode that stay its own: a lock reached through them is the inode's. */
const OWN_FIELDS = new Set(['i_mapping', 'i_data', 'vfs_inode']);

/**
 * A lock of the inode an eviction entry is given (its first parameter), reached through no other object
 * (`EXT4_I({0})->i_data_sem`, `{0}->i_mapping->invalidate_lock`; not `{0}->i_sb->s_umount`): reclaim evicts only
 * inodes no one uses, so no other task holds it.
 */
function lockOfDyingInode(template: string | undefined): boolean {
  if (template === undefined || /\{[1-9]\d*\}/.test(template)) return false;
  // a range lock is the tree's: `BTRFS_I({0})->io_tree[start..end]`
  const m = /^(?:[A-Za-z_]\w*\()*\{0\}\)*((?:(?:->|\.)[A-Za-z_]\w*)+)(?:\[.*\])?$/.exec(template);
  if (!m) return false;
  const fields = m[1].split(/->|\./).filter(Boolean);
  return fields.slice(0, -1).every((f) => OWN_FIELDS.has(f));
}

/**
 * The lock classes filesystem reclaim takes, each with one entry and witness (an exclusive acquisition before a
 * shared one, then the shortest path): what a task allocating with GFP_KERNEL must not hold.
 */
export function reclaimTakes(linker: Linker, summaryOf: (id: number) => Summary | undefined): Map<string, ReclaimTake> {
  const out = new Map<string, ReclaimTake>();
  for (const e of RECLAIM_ENTRIES) {
    for (const c of slotsOf(linker, e.type, e.fields)) {
      const s = summaryOf(c.fn);
      if (!s) continue;
      const dying = e.dying?.includes(c.field) ?? false;
      for (const a of (dying ? s.reclaimAcquires : undefined) ?? s.acquires) {
        if (BIT_LOCKS.has(a.ref.kind) || (dying && lockOfDyingInode(a.template))) continue;
        // a global lock keeps its name in the summary (`relativise`): a local or parameter has no template
        const cls = lockClass(a.ref, c.dir) ?? (a.template === a.ref.key ? globalClass(a.ref, () => false) : undefined);
        if (!cls) continue;
        const take: ReclaimTake = {
          entry: s.name,
          via: `${c.slot.table}.${c.field}`,
          ref: a.ref,
          mode: a.mode,
          witness: a.witness,
        };
        const old = out.get(cls);
        const better =
          !old ||
          (take.mode === 'excl' && old.mode === 'shared') ||
          (take.mode === old.mode && take.witness.length < old.witness.length);
        if (better) out.set(cls, take);
      }
    }
  }
  return out;
}
