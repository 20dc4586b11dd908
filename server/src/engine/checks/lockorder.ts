/**
 * The global lock-order graph: an edge A -> B for every place B is taken while A is held (directly or
 * inside a callee, with its shortest witness path), over lock classes in lockdep's sense (syntax/lockclass.ts:
 * per filesystem type, pages by mapping, ranges by tree, lockdep subclasses). A cycle means tasks can each
 * hold one lock and wait for the next: reported as lockdep does, as the chains of the shortest cycle
 * (cycles.ts), with the places each lock is taken, a CPU0/CPU1 scenario and a confidence.
 */
import type { LockRef } from '../ir';
import {
  type Confidence,
  type Doubt,
  FINDING_TABLE,
  type Finding,
  type PathStep,
  type Severity,
  findingMessage,
  lockKindInfo,
  withDoubts,
} from '../model';
import { FS, bindFs, defaultOrderClass, fsOfDir } from '../syntax';
import { type OrderCycle, orderCycles } from './cycles';
import { pathDoubts } from './context';

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

/** How a per-filesystem class reads when no filesystem is known (taken in VFS, mm or block code). */
export const ANY_FS = 'any fs';

export interface ClassOptions {
  /** Name locks without a type class by their field (per directory); off: too weak on a real tree. */
  fieldClasses?: boolean;
  /** The lockdep subclass the lock is taken with (`I_MUTEX_PARENT`); 0 is none. */
  subclass?: string;
  /** An integer macro's value, to read a subclass given by name. */
  value?: (text: string) => number | undefined;
  /** Is this structure a filesystem's own (defined under fs/)? A lock in one embedded in a field is that field's. */
  fsOwn?: (struct: string) => boolean;
  /**
   * The class the function the lock is seen in gives it (syntax/lockclass.ts `orderClassOf`, with its variables'
   * types): a lock a callee took on its parameter (`ip->i_rw_mutex`) is, at the caller, of the object the
   * caller passed (`GFS2_I(sdp->sd_qc_inode)`), which the callee could not know.
   */
  refine?: (ref: LockRef) => string | undefined;
}

/** A class that says where its object comes from (an internal inode, a structure's pages, private pages). */
const ORIGIN = /\((?:of |in |mapping of |private)/;

/**
 * A lock's class: its lock-order class (lockclass.ts) or the catalog's or its type's (`struct page::PG_locked`,
 * `struct btrfs_fs_info::reloc_mutex`), bound to the filesystem of `dir` where it is per filesystem type and
 * not bound yet, with its lockdep subclass. Without a type, a lock's field name is too weak a class to build
 * cycles on (the corpus run showed mostly false cycles); `fieldClasses` turns that naming on (the field, per
 * directory: `fs/btrfs:mutex:cleaner_mutex`, or a global lock's name).
 */
export function lockClass(ref: LockRef, dir: string, opts: ClassOptions = {}): string | undefined {
  if (ref.symbolic || lockKindInfo(ref.kind).context) return undefined;
  const refined = opts.refine?.(ref);
  const base =
    (refined && ORIGIN.test(refined) && !ORIGIN.test(ref.order ?? '') ? refined : undefined) ??
    ref.order ??
    defaultOrderClass(ref) ??
    ref.class ??
    (opts.fieldClasses ? fieldClass(ref, dir) : undefined);
  if (!base) return undefined;
  const bound = bindFs(embeddedClass(base, ref.key, opts.fsOwn), fsOfDir(dir))
    .split(FS)
    .join(ANY_FS);
  const sub = subclassOf(opts.subclass, opts.value);
  return sub ? withSubclass(bound, sub) : bound;
}

/**
 * A lock inside a filesystem's own lock wrapper embedded in a field (`&sbi->cp_rwsem.internal_rwsem`, a
 * `struct f2fs_rwsem` that several fields hold) is that field's: the wrapper's init macro gives each place it
 * is initialised its own lockdep key, so `cp_rwsem` and `node_write` are two classes, not one. The field is
 * the one the wrapper is embedded in (`.`), not one pointed to (`->`: that object may be any of them).
 */
function embeddedClass(base: string, key: string, fsOwn?: (struct: string) => boolean): string {
  const m = /^struct (\w+)::(\w+)( \(.*\))?$/.exec(base);
  if (!m || !fsOwn?.(m[1])) return base;
  const at = new RegExp(`(?:->|\\.|^)(\\w+)(?:\\[[^\\]]*\\])?\\.${m[2]}$`).exec(key.replace(/^&/, ''));
  return at ? `struct ${m[1]}::${m[2]} (in .${at[1]})${m[3] ?? ''}` : base;
}

/** `struct inode::i_rwsem/1 (fs/ext4)`: the subclass goes after the lock's name, before its qualifier. */
function withSubclass(cls: string, sub: string): string {
  const m = /^(.*?)( \(.*\))$/.exec(cls);
  return m ? `${m[1]}/${sub}${m[2]}` : `${cls}/${sub}`;
}

function subclassOf(text: string | undefined, value?: (t: string) => number | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const v = /^\d+$/.test(text) ? Number(text) : value?.(text);
  if (v === 0) return undefined;
  return v !== undefined ? String(v) : text;
}

function fieldClass(ref: LockRef, dir: string): string | undefined {
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

/** The filesystem a directory belongs to (fs/btrfs for fs/btrfs/tests), else the directory. */
export function fsOf(dir: string): string {
  return fsOfDir(dir) ?? dir;
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

  /** One finding per cycle (cycles.ts) with an edge in a file `report` accepts. */
  inversions(
    report: (file: string) => boolean,
    severity: Severity = FINDING_TABLE[INVERSION_KIND].severity,
  ): Finding[] {
    const out: Finding[] = [];
    // one finding per reported edge: longer cycles closed by the same acquisition are the same report (the
    // shortest, found first, says it; lockdep too reports a new dependency once)
    const seen = new Set<string>();
    for (const c of orderCycles(this.witnesses())) {
      const r = reportedCycle(c, report);
      const key = r && `${r.edges[0].from}\u0000${r.edges[0].to}`;
      if (!r || !key || seen.has(key)) continue;
      seen.add(key);
      out.push(inversion(r, severity));
    }
    return out;
  }
}

/** Before: the earlier site of two. */
const before = (x: OrderWitness, y: OrderWitness) => x.file < y.file || (x.file === y.file && x.line <= y.line);

/**
 * The cycle rotated so that its first edge is the one reported (the earliest site among those `report`
 * accepts): the acquisition that closes the cycle, lockdep's `#0`. Undefined when no edge may be reported.
 */
export function reportedCycle(
  c: OrderCycle<OrderWitness>,
  report: (file: string) => boolean = () => true,
): OrderCycle<OrderWitness> | undefined {
  let best = -1;
  c.edges.forEach((e, i) => {
    if (report(e.file) && (best < 0 || !before(c.edges[best], e))) best = i;
  });
  if (best < 0) return undefined;
  const rot = <T>(xs: T[]) => [...xs.slice(best), ...xs.slice(0, best)];
  return { classes: rot(c.classes), edges: rot(c.edges) };
}

/** Steps in one chain past which a witness is long enough to doubt (each call is a guess about reachability). */
const LONG_CHAIN = { medium: 12, low: 24 };

/** Why a cycle is less than certain: its length, long chains, guessed indirect calls, error-only paths. */
export function cycleDoubts(c: OrderCycle<OrderWitness>): Doubt[] {
  const out: Doubt[] = [];
  if (c.classes.length > 2)
    out.push({
      level: 'medium',
      why: `a cycle of ${c.classes.length} lock classes: ${c.classes.length} tasks must each hold one and wait`,
    });
  const longest = Math.max(...c.edges.map((e) => e.path.length));
  if (longest > LONG_CHAIN.medium)
    out.push({
      level: longest > LONG_CHAIN.low ? 'low' : 'medium',
      why: `a chain of ${longest} steps: every call on it must be reachable with the first lock held`,
    });
  // a call through an ops table resolved by guess, into the filesystem the cycle's classes are of, is no doubt:
  // the cycle is that filesystem's (its other filesystems' classes are others)
  const named = (fs: string) => c.classes.some((k) => k.includes(`(${fs})`) || k.includes(`, ${fs})`));
  for (const e of c.edges)
    out.push(...pathDoubts(e.path.filter((st, i) => !st.resolvedBy || !intoFs(e.path, i, named))));
  if (c.edges.some((e) => e.path.some((s) => s.onError)))
    out.push({ level: 'medium', why: 'a chain passes where an error was found (an error path)' });
  return out;
}

/** Does the call resolved at step `i` enter a filesystem `named` accepts? */
function intoFs(path: readonly PathStep[], i: number, named: (fs: string) => boolean): boolean {
  const next = path[i + 1];
  const fs = next ? fsOfDir(next.file.slice(0, Math.max(0, next.file.lastIndexOf('/')))) : undefined;
  return !!fs && named(fs);
}

/** The confidence of a cycle, from its doubts. */
export function cycleConfidence(c: OrderCycle<OrderWitness>): { confidence: Confidence; doubts: string[] } {
  const f = withDoubts({ confidence: 'high' as Confidence, doubts: [] as string[] }, cycleDoubts(c));
  return { confidence: f.confidence ?? 'high', doubts: f.doubts ?? [] };
}

/** The finding for a cycle at its first edge's site, with every chain's path. */
function inversion(c: OrderCycle<OrderWitness>, severity: Severity): Finding {
  const [first, ...rest] = c.edges;
  const taken = `${first.taken} (${first.to}) is taken here`;
  const held = `${first.held} (${first.from}) is held`;
  const second = rest[0];
  const head = 'possible circular locking dependency detected';
  const cycle = `${c.classes.length} lock classes: ${[...c.classes, c.classes[0]].join(' -> ')}`;
  const opposite = `${second.fn}() takes them in the opposite order`;
  const msg =
    rest.length === 1
      ? findingMessage`${head}: ${taken} while ${held}, and ${opposite} (${{ file: second.file, line: second.line }})`
      : findingMessage`${head}: ${taken} while ${held}, closing a cycle of ${cycle}`;
  const path: PathStep[] = [...first.path];
  rest.forEach((e, i) => {
    e.path.forEach((s, j) =>
      path.push(j === 0 ? { ...s, note: `other path #${i + 1} (${e.from} -> ${e.to}): ${s.note}` } : s),
    );
  });
  const finding: Finding = {
    kind: INVERSION_KIND,
    severity,
    file: first.file,
    line: first.line,
    column: first.column,
    endLine: first.line,
    endColumn: first.column + 1,
    function: first.fn,
    ...msg,
    lock: { class: first.to, instance: first.taken },
    path,
    confidence: 'high',
    scenario: scenario(c),
  };
  return withDoubts(finding, cycleDoubts(c));
}

/**
 * lockdep's "Possible unsafe locking scenario": CPU i holds the cycle's class i and waits for class i+1; for
 * more than two classes, the chain first ("Chain exists of:").
 */
export function scenario(c: OrderCycle<OrderWitness>): string[] {
  const n = c.classes.length;
  const W = 44;
  const col = (i: number, text: string) => `${' '.repeat(i * W)}${text}`.replace(/\s+$/, '');
  const out: string[] = [];
  if (n > 2) out.push(' Chain exists of:', `   ${[...c.classes, c.classes[0]].join(' --> ')}`, '');
  out.push(' Possible unsafe locking scenario:', '');
  out.push(`  ${c.classes.map((_, i) => `CPU${i}`.padEnd(W)).join('')}`.replace(/\s+$/, ''));
  out.push(`  ${c.classes.map(() => '----'.padEnd(W)).join('')}`.replace(/\s+$/, ''));
  // each CPU takes its first lock, then each waits for the next one, in turn
  c.edges.forEach((e, i) => out.push(col(i, `  lock(${e.from});`)));
  c.edges.forEach((e, i) => out.push(col(i, `  lock(${e.to});`)));
  out.push('', ' *** DEADLOCK ***');
  return out;
}

/**
 * The cycle in lockdep's words: the new dependency (`#0`, the reported edge) and the existing chain, each edge
 * with the place the held lock was taken, the calls, and the place the next one is taken.
 */
export function lockdepText(c: OrderCycle<OrderWitness>): string[] {
  const [first] = c.edges;
  const out = [
    'WARNING: possible circular locking dependency detected',
    '',
    `${first.fn}() is trying to acquire lock:`,
    ` (${first.to}), at: ${first.file}:${first.line} (${first.taken})`,
    '',
    'but it is already holding lock:',
    ` (${first.from}) (${first.held})`,
    '',
    'which lock already depends on the new lock.',
    '',
    'the existing dependency chain (in reverse order) is:',
  ];
  const chain = [...c.edges.slice(1).reverse(), first];
  chain.forEach((e, i) => {
    out.push('', `-> #${chain.length - 1 - i} (${e.to}):`);
    for (const s of e.path) out.push(`       ${s.file}:${s.line} ${s.function}(): ${s.note}`);
  });
  out.push('', 'other info that might help us debug this:', '', ...scenario(c));
  return out;
}
