/**
 * The documented lock orders (model/docorders.ts) against the lock-order graph (lockorder.ts): which observed
 * classes a documented class stands for, each documented pair's standing (an observed edge its way, the other
 * way, both, or none), and a finding for every observed edge that goes against a documented pair — one edge is
 * enough: the document says the other order is taken somewhere, so no cycle has to be seen.
 *
 * Matching, a rule each (tests in test/unit/docorder.test.ts):
 * - a documented class with a qualifier in parentheses names one observed class qualifier exactly
 *   (`struct page::PG_locked (mapping of struct f2fs_sb_info::node_inode)`), except `(file data)`, which is
 *   every filesystem's file data pages, as a class without a qualifier is every filesystem's class of the lock;
 * - without a subclass it stands for every lockdep subclass of the lock (`i_rwsem/I_MUTEX_PARENT` is an
 *   i_rwsem); with one, that subclass only;
 * - a per-filesystem class (`(fs/ext4)`, `(file data, fs/ext4)`, `(any fs)`) matches an entry about every
 *   filesystem; an entry about one filesystem (`fs`) matches that filesystem's only, not `(any fs)`;
 * - classes of inodes and pages that are not a file's (a superblock-wide inode's, private pages, pages held in
 *   a filesystem's structure) are matched only by their exact name: the documents speak of files;
 * - an edge between two filesystems' classes (`fs/a` held, `fs/b` taken) is no instance of a documented pair:
 *   the documents order the locks of one object or one filesystem.
 *
 * Two entries of the same scope (both about every filesystem, or about one) that order a pair both ways make it
 * disputed: nothing is reported against it. A filesystem's own entry that orders a pair the other way from the
 * general one decides for that filesystem's edges: an edge against the general pair and along the filesystem's
 * is not reported, one along the general pair and against the filesystem's is.
 */
import {
  DOCUMENTED_ORDERS,
  type DocumentedOrder,
  FINDING_TABLE,
  type Finding,
  type PathStep,
  type Severity,
  findingMessage,
  withDoubts,
} from '../model';
import { cycleDoubts, type OrderWitness } from './lockorder';

export const DOCUMENTED_KIND = 'documented-order-violation' as const;

/** One documented pair: `outer` is taken before `inner`, by every entry in `sources`. */
export interface DocumentedPair {
  outer: string;
  inner: string;
  fs?: string;
  sources: DocumentedOrder[];
}

/** Every ordered pair the entries state (a chain states each earlier lock before each later one), merged. */
export function documentedPairs(entries: readonly DocumentedOrder[] = DOCUMENTED_ORDERS): DocumentedPair[] {
  const out = new Map<string, DocumentedPair>();
  for (const e of entries) {
    e.order.forEach((outer, i) => {
      for (const inner of e.order.slice(i + 1)) {
        if (outer === inner) continue;
        const key = `${e.fs ?? ''}\n${outer}\n${inner}`;
        const p = out.get(key) ?? { outer, inner, ...(e.fs ? { fs: e.fs } : {}), sources: [] };
        if (!p.sources.includes(e)) p.sources.push(e);
        out.set(key, p);
      }
    });
  }
  return [...out.values()];
}

interface Parsed {
  base: string;
  sub?: string;
  qual?: string;
}

/** `struct inode::i_rwsem/I_MUTEX_PARENT (fs/ext4)` as its lock, subclass and qualifier. */
export function parseClass(cls: string): Parsed {
  const m = /^(.*?)( \((.*)\))?$/.exec(cls) as RegExpExecArray;
  const [head, qual] = [m[1], m[3]];
  const s = /^(.*::\w+)\/(\w+)$/.exec(head);
  return { base: s ? s[1] : head, ...(s ? { sub: s[2] } : {}), ...(qual !== undefined ? { qual } : {}) };
}

/** A file's class of a per-filesystem lock: its filesystem (`fs/ext4`, or `any fs`) and whether it is data pages. */
function fileScope(qual: string | undefined): { fs: string; data: boolean } | undefined {
  if (qual === undefined) return undefined;
  const m = /^(file data, )?(fs\/[^,()\s]+|any fs)$/.exec(qual);
  return m ? { fs: m[2], data: !!m[1] } : undefined;
}

/** Does the documented class `spec` (of an entry about filesystem `fs`, or about all) stand for `observed`? */
export function classMatches(spec: string, observed: string, fs?: string): boolean {
  const s = parseClass(spec);
  const o = parseClass(observed);
  if (s.base !== o.base) return false;
  if (s.sub !== undefined && s.sub !== o.sub) return false;
  const scope = fileScope(o.qual);
  if (s.qual !== undefined && s.qual !== 'file data') return s.qual === o.qual;
  if (o.qual === undefined) return s.qual === undefined;
  if (!scope || (s.qual === 'file data' && !scope.data)) return false;
  return fs === undefined || scope.fs === fs;
}

/** The filesystem an observed class is bound to (`fs/ext4`), if it is one filesystem's. */
function boundFs(cls: string): string | undefined {
  const f = fileScope(parseClass(cls).qual)?.fs;
  return f && f !== 'any fs' ? f : undefined;
}

/** Is the edge `w` an instance of `outer` before `inner` in a pair about filesystem `fs` (or all)? */
function instance(w: OrderWitness, outer: string, inner: string, fs?: string): boolean {
  if (!classMatches(outer, w.from, fs) || !classMatches(inner, w.to, fs)) return false;
  const a = boundFs(w.from);
  const b = boundFs(w.to);
  return !a || !b || a === b;
}

/** A documented pair against the observed graph. */
export interface PairStanding {
  pair: DocumentedPair;
  /** Observed edges in the documented direction. */
  along: OrderWitness[];
  /** Observed edges in the other direction. */
  against: OrderWitness[];
  /** An entry of the same scope (about every filesystem, or about the same one) states the other order. */
  disputed: boolean;
  /** The filesystems whose own documents state the other order (their edges follow those). */
  overridden: string[];
  /** The documented classes no observed edge names (lockscope builds no such class, or never saw one taken). */
  unseen: string[];
}

/** Every documented pair's standing against the observed edges. */
export function pairStandings(
  witnesses: readonly OrderWitness[],
  pairs: readonly DocumentedPair[] = documentedPairs(),
): PairStanding[] {
  const classes = new Set<string>();
  for (const w of witnesses) classes.add(w.from).add(w.to);
  return pairs.map((pair) => {
    const seen = (spec: string) => [...classes].some((c) => classMatches(spec, c, pair.fs));
    const reverse = pairs.filter((q) => q.outer === pair.inner && q.inner === pair.outer);
    return {
      pair,
      along: witnesses.filter((w) => instance(w, pair.outer, pair.inner, pair.fs)),
      against: witnesses.filter((w) => instance(w, pair.inner, pair.outer, pair.fs)),
      disputed: reverse.some((q) => q.fs === pair.fs),
      overridden: pair.fs ? [] : reverse.flatMap((q) => (q.fs ? [q.fs] : [])),
      unseen: [pair.outer, pair.inner].filter((c) => !seen(c)),
    };
  });
}

/** How a documented source reads in a message: `mm/rmap.c (Lock ordering in mm, line 21 in 6.1)`. */
export function sourceText(d: DocumentedOrder): string {
  return `${d.source.doc} (${d.source.section}, line ${d.source.line} in Linux 6.1)`;
}

/**
 * One finding per observed edge, in a file `report` accepts, that goes against an undisputed documented pair:
 * at the place the inner lock is taken, with the edge's witness path, citing the documents.
 */
export function documentedViolations(
  witnesses: readonly OrderWitness[],
  report: (file: string) => boolean,
  severity: Severity = FINDING_TABLE[DOCUMENTED_KIND].severity,
  pairs: readonly DocumentedPair[] = documentedPairs(),
): Finding[] {
  const against = new Map<OrderWitness, DocumentedPair[]>();
  for (const s of pairStandings(witnesses, pairs)) {
    if (s.disputed) continue;
    for (const w of s.against) if (report(w.file)) against.set(w, [...(against.get(w) ?? []), s.pair]);
  }
  const out: Finding[] = [];
  for (const [w, all] of against) {
    // an edge that is an instance of a documented pair its own way is not against a pair of the same scope or
    // a wider one (a filesystem's own order decides for its edges), only against a filesystem's own pair
    const along = pairs.filter((p) => instance(w, p.outer, p.inner, p.fs));
    const ps = all.filter((p) => p.fs && !along.some((q) => q.fs));
    if (along.length ? ps.length : true) out.push(violation(w, along.length ? ps : all, severity));
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function violation(w: OrderWitness, pairs: DocumentedPair[], severity: Severity): Finding {
  const p = pairs[0];
  const docs = [...new Set(pairs.flatMap((q) => q.sources.map(sourceText)))];
  const msg = findingMessage`documented lock order violated: ${w.taken} (${w.to}) is taken here while ${w.held} (${
    w.from
  }) is held, but ${docs.join('; ')} ${docs.length > 1 ? 'order' : 'orders'} ${p.outer} before ${p.inner}`;
  const path: PathStep[] = w.path.length
    ? w.path
    : [{ file: w.file, line: w.line, column: w.column, function: w.fn, note: `takes ${w.taken}` }];
  const finding: Finding = {
    kind: DOCUMENTED_KIND,
    severity,
    file: w.file,
    line: w.line,
    column: w.column,
    endLine: w.line,
    endColumn: w.column + 1,
    function: w.fn,
    ...msg,
    lock: { class: w.to, instance: w.taken },
    path,
    confidence: 'high',
  };
  return withDoubts(finding, cycleDoubts({ classes: [w.from, w.to], edges: [w] }));
}
