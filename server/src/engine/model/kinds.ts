/**
 * What the engine knows about kinds of locks and about names, as data: whether a lock kind sleeps,
 * makes a section atomic or nests, and the name heuristics (which calls look like assertions, which
 * may unlock what they are given, which functions return holding a lock). The transfer function and
 * the checkers read these; a new lock kind is one row of LOCK_KINDS.
 */

/** How a lock is held: exclusively (a writer) or shared (a reader). */
export type Mode = 'excl' | 'shared';

/** Properties of a kind of lock; every lock the catalog names has one kind. */
export interface LockKindInfo {
  /** Taking it may sleep (sleeping locks): reported when an atomic section is held. */
  sleeps: boolean;
  /** Holding it makes the section atomic: nothing may sleep inside. */
  atomic: boolean;
  /**
   * When two recursive acquisitions (primitives marked `recursive`) nest rather than deadlock:
   * in any mode (a context such as RCU or preemption), or only when both are shared (rwlock readers).
   */
  nests: 'any-mode' | 'shared';
  /** A context rather than a lock (RCU read side, preemption, irqs off): it has no lock-order class. */
  context: boolean;
  /**
   * A task-state scope rather than a lock (`pagefault_disable()`, `memalloc_nofs_save()`): what is inside it
   * behaves differently (faults fail at once, allocations do not enter filesystem reclaim), and the lock
   * checks stay silent about it (a scope set in one function and restored in another is the rule).
   */
  scope?: true;
}

const LOCK: LockKindInfo = { sleeps: false, atomic: false, nests: 'shared', context: false };
const SLEEPING: LockKindInfo = { ...LOCK, sleeps: true };
const SPINNING: LockKindInfo = { ...LOCK, atomic: true };

export const LOCK_KINDS = {
  mutex: SLEEPING,
  rwsem: SLEEPING,
  spinlock: SPINNING,
  rwlock: SPINNING,
  seqlock: SPINNING,
  rcu: { ...SPINNING, nests: 'any-mode', context: true },
  srcu: { ...LOCK, nests: 'any-mode', context: true },
  preempt: { ...SPINNING, nests: 'any-mode', context: true },
  irq: { ...SPINNING, nests: 'any-mode', context: true },
  page: SLEEPING,
  folio: SLEEPING,
  buffer: SLEEPING,
  range: SLEEPING,
  'percpu-rwsem': SLEEPING,
  nofault: { ...LOCK, nests: 'any-mode', context: true, scope: true },
  nofs: { ...LOCK, nests: 'any-mode', context: true, scope: true },
  other: LOCK,
} as const satisfies Record<string, LockKindInfo>;

export type LockKind = keyof typeof LOCK_KINDS;

export const LOCK_KIND_NAMES = Object.keys(LOCK_KINDS) as [LockKind, ...LockKind[]];

/** The properties of a lock kind (an unknown kind is an ordinary lock). */
export function lockKindInfo(kind: string): LockKindInfo {
  return (LOCK_KINDS as Record<string, LockKindInfo>)[kind] ?? LOCK;
}

/** Lock kinds that sleep when taken. */
export const SLEEPING_KINDS: ReadonlySet<LockKind> = new Set(LOCK_KIND_NAMES.filter((k) => LOCK_KINDS[k].sleeps));
/** Lock kinds that make a section atomic. */
export const ATOMIC_KINDS: ReadonlySet<LockKind> = new Set(LOCK_KIND_NAMES.filter((k) => LOCK_KINDS[k].atomic));

/**
 * Does taking a lock again nest, given the kind and both modes? Only for primitives marked
 * `recursive` (the caller checks that): contexts nest in any mode, locks when both holds are shared.
 */
export function kindNests(kind: string, mode: Mode, heldMode: Mode): boolean {
  return (mode === 'shared' && heldMode === 'shared') || lockKindInfo(kind).nests === 'any-mode';
}

/** Name heuristics: what a name says about a call or a function when the catalog does not know it. */
export const NAME_PATTERNS = {
  /** A filesystem's own assertion macro whose predicate must be false (`*bug_on*`). */
  bugOnMacro: /bug_on/i,
  /** A filesystem's own assertion macro whose predicate must be true (`*_assert*`). */
  assertMacro: /(^|_)assert/i,
  /** A call through a pointer whose field says it unlocks (`->wake_and_unlock`): it may release what it is given. */
  mayUnlockField: /unlock|release/,
  /** A direct call the catalog does not know whose name says it unlocks: it may release what it is given. */
  mayUnlockCall: /unlock|_and_release/,
  /** Accessors that name a part of their argument without side effects (an alias may stand for them). */
  accessor:
    /^([A-Z][A-Z0-9_]*|file_inode|d_inode|d_backing_inode|page_folio|folio_page|page_mapping|folio_mapping|container_of|list_entry|list_first_entry|rb_entry|hlist_entry|file_dentry|inode_sb)$/,
  /** Function names that announce they return holding something. */
  acquirer: /lock|grab|get|begin|prepare|acquire|start|find|lookup|enter|reserve/i,
  /** Function names that announce they release something (never an acquire helper). */
  releaser: /(^|_)(un|release)/,
  /** Variables that hold a -errno by kernel convention. */
  errnoVar: /^(ret|err|error|rc|status|res|retval)$/,
  /** Primitives whose lock the taking task does not own (`down_read_non_owner`): another context releases it. */
  nonOwnerPrimitive: /_non_owner$/,
  /** A field that records held locks: `locks[]`, `locked`, `ilock_flags`, `lock_mode` (not `blocks`). */
  lockRecordField: /(^|_)locks?(_|$)|(^|_)locked$|lock_?(flags|mode|state)$/i,
  /** A return value that tells the caller a lock is still held (`VM_FAULT_LOCKED`). */
  lockedReturn: /_LOCKED$/,
} as const;
