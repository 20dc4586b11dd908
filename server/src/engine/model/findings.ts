/**
 * Plain data shared by every stage of the engine, the CLI and the language server.
 * Nothing here imports tree-sitter or LSP code. Lines and columns are 1-based.
 *
 * The finding kinds are one table (FINDING_TABLE): a new kind is one row here, one observer in
 * engine/checks/ and one `## kind` section in docs/findings.md (a unit test holds the three together).
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * How sure the engine is that a finding is a bug, from what it knew along the path (docs/findings.md,
 * "Confidence"): **high** when every step was decided by what the code says; **medium** when the
 * finding rests on something the engine had to guess (an exit whose return value may hand the lock to
 * the caller, a guard it could not decide, an indirect call resolved by directory rather than by the
 * function's own ops table); **low** when it
 * goes through a call resolved among a few candidates of other filesystems. A default run shows high;
 * `confidence` lowers the bar.
 */
export type Confidence = 'high' | 'medium' | 'low';
export const CONFIDENCE_LEVELS: readonly Confidence[] = ['high', 'medium', 'low'];

/** Is `c` at least as sure as `min`? */
export function atLeast(c: Confidence | undefined, min: Confidence): boolean {
  return CONFIDENCE_LEVELS.indexOf(c ?? 'high') <= CONFIDENCE_LEVELS.indexOf(min);
}

/** Why a finding is less than high: a level and a short reason in words (shown with the finding). */
export interface Doubt {
  level: Exclude<Confidence, 'high'>;
  why: string;
}

/** A finding with its doubts applied: the lowest level wins, every reason is kept (deduplicated). */
export function withDoubts<F extends Pick<Finding, 'confidence' | 'doubts'>>(f: F, doubts: readonly Doubt[]): F {
  if (!doubts.length) return f;
  const why = [...(f.doubts ?? [])];
  let level: Confidence = f.confidence ?? 'high';
  for (const d of doubts) {
    if (!why.includes(d.why)) why.push(d.why);
    if (!atLeast(d.level, level)) level = d.level;
  }
  return { ...f, confidence: level, doubts: why };
}

/** What lockscope knows about a kind of finding, wherever it is shown. */
export interface FindingKindInfo {
  /** Severity when the user's `severity` setting does not name the kind. */
  severity: Severity;
  /** Off unless the user's `severity` setting turns it on. */
  off?: true;
  /** One line: SARIF's rule `shortDescription`. */
  summary: string;
  /** What is reported and when: SARIF's `fullDescription` and `help`, the CLI's help. */
  help: string;
  /** The kind's section in docs/findings.md (its `## ` heading's anchor). */
  anchor: string;
}

/** Every finding kind, in the order they are listed everywhere (settings, SARIF rules, help). */
export const FINDING_TABLE = {
  'recursive-lock': {
    severity: 'warning',
    summary: 'Recursive locking: a lock already held is taken again.',
    help: 'A lock already held is taken again on the same path (self-deadlock).',
    anchor: 'recursive-lock',
  },
  'lock-imbalance': {
    severity: 'warning',
    summary: 'The exits of a function disagree on whether a lock is held.',
    help:
      'The exits of a function disagree on whether a lock is held, and no trylock-style return value or annotation ' +
      'explains it.',
    anchor: 'lock-imbalance',
  },
  'double-unlock': {
    severity: 'warning',
    summary: 'A lock is released twice.',
    help: 'A lock is released twice on the same path.',
    anchor: 'double-unlock',
  },
  'unlock-not-held': {
    severity: 'warning',
    summary: 'A lock is released on a path that never took it.',
    help: 'A lock is released on a path that never took it, while other paths to the same release did.',
    anchor: 'unlock-not-held',
  },
  'lock-order-inversion': {
    severity: 'warning',
    off: true,
    summary: 'Two lock classes are taken in opposite orders (ABBA).',
    help:
      'Two lock classes are taken in opposite orders on two paths (ABBA): each path can hold one and wait for the ' +
      'other.',
    anchor: 'lock-order-inversion',
  },
  'documented-order-violation': {
    severity: 'warning',
    off: true,
    summary: 'Two locks are taken in the order opposite to the one the kernel documents.',
    help:
      'A lock is taken while another is held, and a kernel document (the lock-ordering comments of mm/filemap.c, ' +
      "mm/rmap.c, fs/inode.c, Documentation/filesystems/locking.rst, a filesystem's own) orders them the other way; " +
      'one path is enough. The documented orders are data (docs/documented-orders.md).',
    anchor: 'documented-order-violation',
  },
  'forbidden-call': {
    severity: 'warning',
    summary: 'A call a rule forbids is made while a lock is held.',
    help:
      'A call that a rule forbids while a lock is held (built in: generic_write_sync/vfs_fsync under the inode lock ' +
      'of the same file), through any depth of calls.',
    anchor: 'forbidden-call',
  },
  'missing-required-lock': {
    severity: 'warning',
    summary: 'A function that needs a lock held is called without it.',
    help:
      'A function that asserts or declares it needs a lock (lockdep_assert_held, __must_hold) is called without it: ' +
      'released earlier on the path, or not taken on this path while others take it.',
    anchor: 'missing-required-lock',
  },
  'sleep-in-atomic': {
    severity: 'warning',
    summary: 'Something that may sleep is reached in atomic context.',
    help:
      'Something that may sleep (a mutex, rwsem or page lock, a GFP_KERNEL allocation, schedule(), copy_*_user ...) ' +
      'is reached while a spinlock, rwlock, RCU read side or preempt/irq-disabled section is held.',
    anchor: 'sleep-in-atomic',
  },
  'fault-under-lock': {
    severity: 'warning',
    summary: 'A user-memory fault may enter a page-fault handler that takes a held lock.',
    help:
      'A call that may fault on user memory (copy_*_user, get_user_pages*, iov_iter_get_pages*, fault_in_* ...) ' +
      'is made with page faults enabled while a lock is held that a page-fault handler of the same filesystem ' +
      '(->fault, ->page_mkwrite, ->map_pages ...) takes in a conflicting mode: a buffer mmapped from one of its ' +
      'files deadlocks the task.',
    anchor: 'fault-under-lock',
  },
  'reclaim-under-lock': {
    severity: 'warning',
    off: true,
    summary: 'A GFP_KERNEL allocation is made under a lock that reclaim takes (fs_reclaim).',
    help:
      'An allocation whose flags allow filesystem reclaim (GFP_KERNEL, outside memalloc_nofs_save()) is made while ' +
      'a lock is held that the reclaim paths take (->writepage, ->release_folio, shrinkers, ->evict_inode ...): ' +
      "direct reclaim waits for the allocating task's own lock (lockdep's fs_reclaim cycle).",
    anchor: 'reclaim-under-lock',
  },
} as const satisfies Record<string, FindingKindInfo>;

export type FindingKind = keyof typeof FINDING_TABLE;

export const FINDING_KINDS = Object.keys(FINDING_TABLE) as [FindingKind, ...FindingKind[]];

/** The table's row for a kind. */
export function kindInfo(kind: FindingKind): FindingKindInfo {
  return FINDING_TABLE[kind];
}

/** The docs reference of a kind, relative to the repository (and the packaged extension) root. */
export function docsRef(kind: FindingKind): string {
  return `docs/findings.md#${FINDING_TABLE[kind].anchor}`;
}

/** The `severity` setting's default: the kinds that are off by default. */
export function defaultSeverities(): Partial<Record<FindingKind, 'off'>> {
  const out: Partial<Record<FindingKind, 'off'>> = {};
  for (const k of FINDING_KINDS) if (kindInfo(k).off) out[k] = 'off';
  return out;
}

/**
 * The user's `severity` setting applied to findings reported at their kind's default severity: a kind
 * the setting names takes that severity, a kind set to `off` is dropped.
 */
export function applySeverity(findings: Finding[], setting: Partial<Record<FindingKind, Severity | 'off'>>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const s = setting[f.kind];
    if (s === 'off') continue;
    out.push(s && s !== f.severity ? { ...f, severity: s } : f);
  }
  return out;
}

/** One hop of a finding's witness path. */
export interface PathStep {
  file: string;
  line: number;
  column: number;
  function: string;
  note: string;
  /**
   * On the step of a call through an ops-table field: how its target was chosen. `table` (the
   * function's own ops tables) is what the code says; `directory` and `few` (all candidates, when they
   * are few) are guesses that make a finding through them medium confidence.
   */
  resolvedBy?: 'table' | 'directory' | 'few';
  /**
   * The step is taken only when this holds (`the last reference is dropped`, `it goes on to return an error`):
   * a caller may rule it out in ways the engine does not follow, so a finding through it is medium confidence.
   */
  only?: string;
  /** The step is reached only where an error was found (`if (ret)`, `IS_ERR(p)`): an error path. */
  onError?: boolean;
}

/**
 * A line a finding's message mentions. Without `file` it is a line of the finding's own file and reads
 * `line 42`; with `file` it reads `fs/btrfs/file.c:42`.
 */
export interface LineRef {
  file?: string;
  line: number;
}

export interface Finding {
  kind: FindingKind;
  /**
   * The message with `{0}`, `{1}` ... where the lines of `refs` go (a literal `{` is written `{{`); it
   * never holds a line number itself: edits move `refs`, not text. Shown through `renderMessage`;
   * built with the `findingMessage` tag.
   */
  template: string;
  /** The lines the message mentions, in placeholder order. */
  refs: LineRef[];
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  function: string;
  lock: { class: string | null; instance: string };
  path: PathStep[];
  /** How sure the engine is (absent in records of older builds: high). */
  confidence?: Confidence;
  /** Why it is not high, in words. */
  doubts?: string[];
  /** For a lock-order inversion: lockdep's "possible unsafe locking scenario" (CPU0/CPU1), line by line. */
  scenario?: string[];
}

/** How a line reference reads in a message. */
export function renderRef(r: LineRef): string {
  return r.file === undefined ? `line ${r.line}` : `${r.file}:${r.line}`;
}

/** A finding's message as people read it: its template with the referenced lines filled in. */
export function renderMessage(f: Pick<Finding, 'template' | 'refs'>): string {
  return f.template.replace(/\{\{|\{(\d+)\}/g, (all, i: string | undefined) => {
    if (i === undefined) return '{';
    const r = f.refs[Number(i)];
    return r ? renderRef(r) : all;
  });
}

/**
 * A message template from a template literal: text parts are kept (a `{` written `{{`), line
 * references become placeholders. `findingMessage\`released at ${{ line: 9 }}\`` renders as `released at line 9`.
 */
export function findingMessage(
  parts: TemplateStringsArray,
  ...values: (string | LineRef)[]
): Pick<Finding, 'template' | 'refs'> {
  const refs: LineRef[] = [];
  let template = escapeText(parts[0]);
  values.forEach((v, i) => {
    if (typeof v === 'string') template += escapeText(v);
    else template += `{${refs.push(v) - 1}}`;
    template += escapeText(parts[i + 1]);
  });
  return { template, refs };
}

const escapeText = (s: string): string => s.replace(/\{/g, '{{');

export interface SourcePos {
  line: number;
  column: number;
}

/** A lock held at some program point, as shown by hover. */
export interface HeldLock {
  /** Normalised instance expression, e.g. `&inode->i_rwsem`. */
  instance: string;
  class: string | null;
  kind: string;
  mode: 'excl' | 'shared';
  /** `held` on every path reaching the point, or only on some. */
  certainty: 'must' | 'may';
  /** Where it was taken; undefined when the caller holds it (annotation or assert). */
  site?: SourcePos;
  /** The primitive that took it, or the annotation that declares it. */
  via: string;
}

/** Counts of what the CFG builder could not model, by construct. */
export type UnmodelledCounts = Record<string, number>;

export interface FileStats {
  functions: number;
  functionsWithParseErrors: number;
  /** Lock-primitive call sites seen by the query over the file. */
  lockSitesFound: number;
  /** Lock-primitive call sites that became operations in some CFG. */
  lockSitesModelled: number;
  unmodelled: UnmodelledCounts;
  /** Functions not analysed (or not wholly) because an input-driven budget was hit, and why. */
  incomplete?: Incomplete[];
}

/** A function the engine gave up on: where, and which budget (nesting depth, CFG size, solver rounds). */
export interface Incomplete {
  file?: string;
  function: string;
  line: number;
  reason: string;
  /**
   * What the budget cut: the function (not analysed: nothing is reported in it) or only its summary (its own
   * findings stand; callers see part of what it does).
   */
  part?: 'function' | 'summary';
}

/** "deep() not analysed: it nests over 1000 syntax levels deep (a budget; findings in it are not reported)". */
export function incompleteText(i: Incomplete): string {
  return i.part === 'summary'
    ? `${i.function}() summarised in part: ${i.reason} (a budget; its callers may miss locks it takes)`
    : `${i.function}() not analysed: ${i.reason} (a budget; findings in it are not reported)`;
}

export const emptyStats = (): FileStats => ({
  functions: 0,
  functionsWithParseErrors: 0,
  lockSitesFound: 0,
  lockSitesModelled: 0,
  unmodelled: {},
});

/** Add `from`'s counts to `into` (returned). */
export function mergeStats<T extends FileStats>(into: T, from: FileStats): T {
  into.functions += from.functions;
  into.functionsWithParseErrors += from.functionsWithParseErrors;
  into.lockSitesFound += from.lockSitesFound;
  into.lockSitesModelled += from.lockSitesModelled;
  for (const [k, v] of Object.entries(from.unmodelled)) into.unmodelled[k] = (into.unmodelled[k] ?? 0) + v;
  if (from.incomplete?.length) into.incomplete = [...(into.incomplete ?? []), ...from.incomplete];
  return into;
}
