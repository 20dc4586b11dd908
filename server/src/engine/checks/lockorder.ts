/**
 * The global lock-order graph: an edge A -> B for every place B is taken while A is held (directly or
 * inside a callee, with one witness path each), over lock classes in lockdep's sense. A cycle means two
 * paths can each hold one lock and wait for the other (ABBA); it is reported once, with both paths.
 */
import type { LockRef } from '../ir';
import { FINDING_TABLE, type Finding, type PathStep, type Severity, findingMessage, lockKindInfo } from '../model';

/** The kind this module reports (the other kinds are reported per function, one checker each). */
export const INVERSION_KIND = 'lock-order-inversion' as const;

/** Field names too common to identify a lock class on their own. */
const GENERIC = new Set([
  'lock',
  'mutex',
  'sem',
  'rwsem',
  'spinlock',
  'list_lock',
  'rwlock',
  'mtx',
  'wait_lock',
  'slock',
]);

/**
 * A lock's class: the catalog's (`struct inode::i_rwsem`, `struct page::PG_locked`), per filesystem
 * type where lockdep keys it so. Without a type resolver, a lock's field name is too weak a class to
 * build cycles on (the corpus run showed mostly false cycles); `fieldClasses` turns that naming on
 * (the field, per directory: `fs/btrfs:mutex:cleaner_mutex`, or a global lock's name).
 */
export function lockClass(ref: LockRef, dir: string, fieldClasses = false): string | undefined {
  if (ref.symbolic || lockKindInfo(ref.kind).context) return undefined;
  if (ref.class) {
    // lockdep gives each filesystem type its own i_rwsem/invalidate_lock/i_mmap_rwsem class
    return PER_FS_TYPE.test(ref.class) ? `${ref.class} (${fsOf(dir)})` : ref.class;
  }
  if (!fieldClasses) return undefined;
  const key = ref.key.replace(/\[[^\]]*\]/g, '');
  if (key.startsWith('*')) return undefined;
  if (/^[A-Za-z_]\w*$/.test(key)) return `${ref.kind}:${key}`;
  const m = /(?:->|\.)([A-Za-z_]\w*)$/.exec(key);
  if (!m || GENERIC.has(m[1]) || m[1].length < 4) return undefined;
  return `${dir}:${ref.kind}:${m[1]}`;
}

/**
 * A global lock's class: its own name (`static DEFINE_MUTEX(foo_lock)` is one lock, one lockdep class), when
 * `key` names no local or parameter of the function it is seen in (`isLocal`).
 */
export function globalClass(ref: LockRef, isLocal: (name: string) => boolean): string | undefined {
  if (ref.symbolic || ref.class || lockKindInfo(ref.kind).context || !/^[A-Za-z_]\w*$/.test(ref.key)) return undefined;
  return isLocal(ref.key) ? undefined : `${ref.kind}:${ref.key}`;
}

/** Classes whose lockdep key is per file-system type. */
const PER_FS_TYPE =
  /^struct (inode::i_rwsem|address_space::invalidate_lock|address_space::i_mmap_rwsem|xfs_inode::i_lock)$/;

/** The filesystem a directory belongs to (fs/btrfs for fs/btrfs/tests), else the directory. */
export function fsOf(dir: string): string {
  const m = /^fs\/[^/]+/.exec(dir);
  return m ? m[0] : dir;
}

export interface OrderWitness {
  from: string;
  to: string;
  held: string;
  taken: string;
  file: string;
  fn: string;
  line: number;
  column: number;
  path: PathStep[];
}

export class LockOrder {
  private readonly edges = new Map<string, Map<string, OrderWitness>>();

  add(w: OrderWitness): void {
    if (w.from === w.to) return;
    let m = this.edges.get(w.from);
    if (!m) {
      m = new Map();
      this.edges.set(w.from, m);
    }
    const old = m.get(w.to);
    if (!old || w.path.length < old.path.length) m.set(w.to, w);
  }

  get size(): number {
    let n = 0;
    for (const m of this.edges.values()) n += m.size;
    return n;
  }

  /** Every edge with its shortest witness, in a stable order. */
  witnesses(): OrderWitness[] {
    const out: OrderWitness[] = [];
    for (const m of this.edges.values()) out.push(...m.values());
    return out.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  }

  /** One finding per pair of classes taken in both orders, where `report` accepts one of the two sites. */
  inversions(
    report: (file: string) => boolean,
    severity: Severity = FINDING_TABLE[INVERSION_KIND].severity,
  ): Finding[] {
    const out: Finding[] = [];
    const done = new Set<string>();
    for (const [a, m] of this.edges) {
      for (const [b, ab] of m) {
        const ba = this.edges.get(b)?.get(a);
        const pair = [a, b].sort().join('\u0000');
        if (!ba || done.has(pair)) continue;
        done.add(pair);
        // reported once, deterministically: at the earlier site of the two that may be reported
        const before = (x: OrderWitness, y: OrderWitness) => x.file < y.file || (x.file === y.file && x.line <= y.line);
        const [first, second] = report(ab.file) && (!report(ba.file) || before(ab, ba)) ? [ab, ba] : [ba, ab];
        if (!report(first.file)) continue;
        out.push(inversion(first, second, severity));
      }
    }
    return out;
  }
}

/** The finding for a pair of edges taken in opposite orders, at the first edge's site, with both paths. */
function inversion(first: OrderWitness, second: OrderWitness, severity: Severity): Finding {
  const taken = `${first.taken} (${first.to}) is taken here`;
  const held = `${first.held} (${first.from}) is held`;
  const order = `${second.fn}() takes them in the opposite order`;
  const other = { file: second.file, line: second.line };
  return {
    kind: INVERSION_KIND,
    severity,
    file: first.file,
    line: first.line,
    column: first.column,
    endLine: first.line,
    endColumn: first.column + 1,
    function: first.fn,
    ...findingMessage`possible circular locking dependency: ${taken} while ${held}, and ${order} (${other})`,
    lock: { class: first.to, instance: first.taken },
    path: [...first.path, ...second.path.map((s, i) => ({ ...s, note: `${i === 0 ? 'other path: ' : ''}${s.note}` }))],
  };
}
