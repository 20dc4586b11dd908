/**
 * A splat mapped onto an indexed tree: its frames as the tree's functions (through the linker every other
 * feature resolves calls with), its locks as lockscope's classes (lockname.ts), the static call path along each
 * call trace (a call-graph search between consecutive frames, so inlined functions and tail calls the trace
 * leaves out are filled in), and the findings whose path runs through the same functions and locks: what
 * lockscope predicted. Plain data in and out; the CLI and the server print it.
 */
import { type Finding, type FindingKind, renderMessage } from '../engine/model';
import { type LinkFn, type TreeIndex, TreeView } from '../engine';
import { type LockMapping, mapLockName, matchesClass } from './lockname';
import type { Frame, HeldLock, Splat, SplatLock, Stack } from './parse';

/** Calls searched between two frames of a trace (inlining and tail calls skip a few; more is a different path). */
export const MAX_HOPS = 8;
/** Functions visited per search. */
const MAX_VISITED = 20000;

export interface Hop {
  fn: string;
  file: string;
  /** Where the function is defined (1-based), or the call in it a finding's path names (fillGaps). */
  line: number;
  /** Reached through an ops-table field or a function pointer: how. */
  via?: string;
  /** Filled in from a predicted finding's path, where the call-graph search found none (fillGaps). */
  fromFinding?: boolean;
  /** The splat's frame it is (absent: a call the trace does not show, filled in by the search). */
  frame?: Frame;
}

export interface StaticPath {
  /** The trace it follows. */
  stack: string;
  hops: Hop[];
  /** Consecutive frames with no static call path between them (within MAX_HOPS). */
  gaps: { from: string; to: string }[];
  /** Reliable frames whose function is not in the tree (lockdep's own, or code outside the tree). */
  outside: string[];
}

export interface MappedLock {
  lock: SplatLock | HeldLock;
  role: SplatLock['role'] | 'held-list';
  mapping: LockMapping;
  /** lockscope classes of the tree that it is (at most a few). */
  classes: string[];
  /** The function it was taken at, in the tree. */
  at?: { fn: string; file: string; line: number };
}

export interface Prediction {
  finding: Finding;
  /** Why it is taken for the splat's, in words. */
  reasons: string[];
  score: number;
}

export interface SplatMap {
  splat: Splat;
  locks: MappedLock[];
  paths: StaticPath[];
  predicted: Prediction[];
  /** Reliable frames found in the tree, over all traces. */
  framesInTree: number;
  frames: number;
}

/** The finding kinds that describe each kind of splat. */
const KINDS: Record<Splat['kind'], FindingKind[]> = {
  recursive: ['recursive-lock'],
  circular: ['lock-order-inversion'],
  'irq-inversion': ['lock-order-inversion', 'sleep-in-atomic'],
  inconsistent: ['sleep-in-atomic', 'lock-order-inversion'],
  'hung-task': ['lock-order-inversion', 'recursive-lock', 'fault-under-lock', 'reclaim-under-lock', 'lock-imbalance'],
};

const ROLE_WORDS: Record<MappedLock['role'], string> = {
  acquire: 'taken',
  held: 'already held',
  other: 'the other lock',
  chain: 'in the dependency chain',
  'held-list': 'held',
};
export const roleWords = (r: MappedLock['role']) => ROLE_WORDS[r];

export function mapSplat(index: TreeIndex, findings: readonly Finding[], splat: Splat): SplatMap {
  const view = new TreeView(index);
  const byName = new Map<string, LinkFn[]>();
  for (const f of index.fns) {
    const l = byName.get(f.name);
    if (l) l.push(f);
    else byName.set(f.name, [f]);
  }
  const classes = knownClasses(index);
  const locks: MappedLock[] = [];
  const heldOf = splat.held.filter((h) => splat.kind !== 'hung-task' || sameTask(h.task, splat));
  // a held lock the report already named (lockdep lists the held one again) is said once
  const named = new Set(splat.locks.map((l) => `${l.name} ${l.at?.fn ?? ''}`));
  const extra = heldOf.filter((h) => !named.has(`${h.name} ${h.at?.fn ?? ''}`));
  for (const l of [...splat.locks, ...extra]) {
    const mapping = mapLockName(l.name);
    const role = 'role' in l ? l.role : 'held-list';
    // a chain entry was taken where its trace's innermost function of the tree is
    const atFn =
      l.at?.fn ??
      splat.stacks.find((s) => s.lock === l.name)?.frames.find((f) => !f.unreliable && byName.has(f.fn))?.fn;
    const at = atFn ? byName.get(atFn)?.[0] : undefined;
    locks.push({
      lock: l,
      role,
      mapping,
      classes: ofSubclass(
        ofFs(
          classes.filter((c) => matchesClass(mapping, c)),
          at?.dir,
        ),
        mapping,
      ).slice(0, 6),
      ...(at ? { at: { fn: at.name, file: at.file, line: at.line ?? 1 } } : {}),
    });
  }
  let frames = 0;
  let framesInTree = 0;
  const paths: StaticPath[] = [];
  for (const s of splat.stacks) {
    const reliable = s.frames.filter((f) => !f.unreliable);
    frames += reliable.length;
    framesInTree += reliable.filter((f) => byName.has(f.fn)).length;
    paths.push(pathOf(view, byName, s, crop(splat, s)));
  }
  const predicted = predict(findings, splat, locks, paths);
  for (const p of paths) fillGaps(p, predicted);
  return { splat, locks, paths, predicted, framesInTree, frames };
}

/**
 * Of per-filesystem classes, those of the filesystem the lock was taken in (`struct inode::i_rwsem (fs/btrfs)`
 * for a lock taken in fs/btrfs), when there are any; never the unbound `{fs}` form when a bound one is there.
 */
function ofFs(cls: string[], dir: string | undefined): string[] {
  const fs = dir && /^fs\/[^/]+/.exec(dir)?.[0];
  const qual = (c: string) => / \((?:.*, )?(fs\/[^),]+|\{fs\}|any fs)\)$/.exec(c)?.[1];
  const mine = fs ? cls.filter((c) => qual(c) === fs) : [];
  if (mine.length) return [...cls.filter((c) => !qual(c)), ...mine];
  // taken outside a filesystem (the VFS, block): its class is any filesystem's
  const any = cls.filter((c) => !qual(c) || qual(c) === 'any fs');
  if (!fs && any.length) return any;
  return cls.filter((c) => qual(c) !== '{fs}');
}

/** With a subclass named (`/1`), the classes that carry it, when there are any. */
function ofSubclass(cls: string[], m: LockMapping): string[] {
  if (!m.subclass) return cls;
  const subbed = cls.filter((c) => /\/\w+(?: \(.*\))?$/.test(c.replace(/ \(.*\)$/, '')) && matchesClass(m, c));
  return subbed.length ? subbed : cls;
}

/** Every class the tree's summaries and lock-order graph know. */
function knownClasses(index: TreeIndex): string[] {
  const out = new Set<string>();
  for (const s of index.summaries)
    for (const a of s?.acquires ?? []) {
      if (a.ref.order) out.add(a.ref.order);
      if (a.ref.class) out.add(a.ref.class);
    }
  for (const w of index.order ?? []) {
    out.add(w.from);
    out.add(w.to);
  }
  return [...out].sort();
}

/** `aio-stress/922` (lockdep) and `aio-stress:922` (hung task) are one task. */
function sameTask(task: string, splat: Splat): boolean {
  if (splat.pid === undefined) return true;
  return new RegExp(`[/:]${splat.pid}$`).test(task.trim());
}

/**
 * The part of the trace that explains the report, outermost first: for lockdep's backtrace of the new
 * acquisition, from the function that took the held lock down to the one taking the new lock (the frames
 * above are how the task got there, the ones below lockdep's own).
 */
function crop(splat: Splat, s: Stack): Frame[] {
  const outer = s.frames.filter((f) => !f.unreliable).reverse();
  if (s.lock || splat.kind === 'hung-task') return outer;
  const acquire = splat.locks.find((l) => l.role === 'acquire')?.at?.fn;
  const held = splat.locks.find((l) => l.role === 'held')?.at?.fn;
  let end = acquire ? lastIndex(outer, acquire) : -1;
  if (end < 0) end = outer.length - 1;
  let begin = held ? outer.findIndex((f) => f.fn === held) : -1;
  if (begin < 0 || begin > end) begin = 0;
  return outer.slice(begin, end + 1);
}

function lastIndex(fs: Frame[], fn: string): number {
  for (let i = fs.length - 1; i >= 0; i--) if (fs[i].fn === fn) return i;
  return -1;
}

function pathOf(view: TreeView, byName: Map<string, LinkFn[]>, s: Stack, frames: Frame[]): StaticPath {
  const path: StaticPath = { stack: s.label, hops: [], gaps: [], outside: [] };
  const inTree: { frame: Frame; fns: LinkFn[] }[] = [];
  for (const f of frames) {
    const fns = byName.get(f.fn);
    if (!fns) {
      if (!path.outside.includes(f.fn)) path.outside.push(f.fn);
      continue;
    }
    if (inTree.length && inTree[inTree.length - 1].frame.fn === f.fn) continue;
    inTree.push({ frame: f, fns });
  }
  if (!inTree.length) return path;
  const entry = inTree[0].fns[0];
  const hop = (fn: LinkFn, frame?: Frame, via?: string): Hop => ({
    fn: fn.name,
    file: fn.file,
    line: fn.line ?? 1,
    ...(via ? { via } : {}),
    ...(frame ? { frame } : {}),
  });
  path.hops.push(hop(entry, inTree[0].frame));
  let cur = entry;
  let depth = 0;
  for (let i = 1; i < inTree.length; i++) {
    const next = inTree[i];
    const found =
      search(view, cur, new Set(next.fns.map((f) => f.id)), entry.id, depth) ?? throughSlot(view, cur, next.fns);
    if (!found) {
      path.gaps.push({ from: cur.name, to: next.frame.fn });
      cur = next.fns[0];
      path.hops.push(hop(cur, next.frame));
      continue;
    }
    found.forEach((h, k) => path.hops.push(hop(h.fn, k === found.length - 1 ? next.frame : undefined, h.via)));
    depth += found.length;
    cur = found[found.length - 1].fn;
  }
  return path;
}

/**
 * A gap the call-graph search left (a call through a function pointer passed as a parameter: the analysis follows
 * it for the caller that passes it, the index's graph does not) filled from a predicted finding's path that runs
 * from one side of it to the other.
 */
function fillGaps(path: StaticPath, predicted: Prediction[]): void {
  path.gaps = path.gaps.filter((g) => {
    const to = path.hops.findIndex((h, i) => h.fn === g.to && i > 0 && path.hops[i - 1].fn === g.from);
    if (to < 0) return true;
    for (const { finding } of predicted) {
      const steps = finding.path;
      const a = steps.findIndex((x) => x.function === g.from);
      const b = steps.findIndex((x, i) => i > a && x.function === g.to);
      if (a < 0 || b < 0) continue;
      const between: Hop[] = [];
      for (let i = a + 1; i < b; i++) {
        const x = steps[i];
        if (x.function === g.from || between.at(-1)?.fn === x.function) continue;
        between.push({ fn: x.function, file: x.file, line: x.line, fromFinding: true });
      }
      const last = steps[b];
      path.hops[to] = { ...path.hops[to], via: last.note, fromFinding: true };
      path.hops.splice(to, 0, ...between);
      return false;
    }
    return true;
  });
}

/**
 * The trace shows `cur` calling one of `next` directly: through an ops-table field `cur` calls and `next` is
 * installed in, even where the search's ranking (for the entry, far below it) would not pick that table.
 */
function throughSlot(view: TreeView, cur: LinkFn, next: LinkFn[]): { fn: LinkFn; via?: string }[] | undefined {
  for (const n of next) {
    const slot = view.linker.slotsOf(n.id).find((sl) => cur.fieldCalls.includes(sl.field));
    if (slot) return [{ fn: n, via: `->${slot.field} (${slot.table}.${slot.field})` }];
  }
  return undefined;
}

/** The shortest call path from `from` to one of `to` (breadth first, through ops tables as checking resolves them). */
function search(
  view: TreeView,
  from: LinkFn,
  to: Set<number>,
  entry: number,
  depth: number,
): { fn: LinkFn; via?: string }[] | undefined {
  const prev = new Map<number, { id: number; via?: string }>();
  const seen = new Set([from.id]);
  let level = [from.id];
  for (let d = 0; d < MAX_HOPS && level.length && seen.size < MAX_VISITED; d++) {
    const nextLevel: number[] = [];
    for (const id of level) {
      for (const { callee, via } of view.outgoing(id, { entry, hops: depth + d })) {
        if (seen.has(callee.id)) continue;
        seen.add(callee.id);
        prev.set(callee.id, { id, ...(via ? { via } : {}) });
        if (to.has(callee.id)) {
          const out: { fn: LinkFn; via?: string }[] = [];
          for (let c = callee.id; c !== from.id;) {
            const p = prev.get(c)!;
            out.unshift({ fn: view.data.fns[c], ...(p.via ? { via: p.via } : {}) });
            c = p.id;
          }
          return out;
        }
        nextLevel.push(callee.id);
      }
    }
    level = nextLevel;
  }
  return undefined;
}

/** The classes a finding's message names in parentheses (`&sbi->orphan_lock (struct sorrel_sb_info::orphan_lock)`). */
function classesIn(f: Finding): string[] {
  const out = f.lock.class ? [f.lock.class] : [];
  const re = /\((struct [^()]*(?:\([^()]*\))?[^()]*)\)/g;
  const msg = renderMessage(f);
  for (let m = re.exec(msg); m; m = re.exec(msg)) out.push(m[1]);
  return out;
}

function predict(findings: readonly Finding[], splat: Splat, locks: MappedLock[], paths: StaticPath[]): Prediction[] {
  const fns = new Set<string>();
  for (const p of paths) for (const h of p.hops) if (h.frame) fns.add(h.fn);
  for (const l of locks) if (l.at) fns.add(l.at.fn);
  const kinds = KINDS[splat.kind];
  const named = locks.filter((l) => l.role !== 'held-list' || splat.kind === 'hung-task');
  const out: Prediction[] = [];
  for (const f of findings) {
    const through = [...new Set([f.function, ...f.path.map((s) => s.function)])].filter((x) => fns.has(x));
    const cls = classesIn(f);
    const matched = named.filter((l) => cls.some((c) => matchesClass(l.mapping, c, f.lock.instance)));
    const lockNames = [...new Set(matched.map((l) => l.lock.name))];
    const kind = kinds.includes(f.kind);
    const ok =
      (kind && (through.length >= 2 || (through.length >= 1 && lockNames.length > 0))) ||
      (lockNames.length > 0 && through.length >= 2);
    if (!ok) continue;
    const reasons = [
      ...(kind ? [`a ${f.kind} finding, the kind of a "${splat.title}" report`] : []),
      `its path runs through ${through.join(', ')}, frames of the report`,
      ...(lockNames.length
        ? [`on ${lockNames.join(' and ')}: lockscope's ${[...new Set(cls)].join(' and ') || f.lock.instance}`]
        : []),
    ];
    out.push({ finding: f, reasons, score: (kind ? 100 : 0) + 40 * lockNames.length + 10 * through.length });
  }
  out.sort(
    (a, b) => b.score - a.score || a.finding.file.localeCompare(b.finding.file) || a.finding.line - b.finding.line,
  );
  return out.slice(0, 10);
}
