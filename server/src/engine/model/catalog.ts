/**
 * The lock catalog: kernel locking primitives as data, not code (Infer's ConcurrencyModels).
 *
 * A primitive says what a call does to the lockset: acquire, release, try-acquire (with the
 * return value that means success), assert that a lock is held, or a scope guard. The lock it
 * acts on is named by a template over the call's argument ("{arg}->i_rwsem"); flag-selecting
 * primitives such as xfs_ilock(ip, XFS_ILOCK_EXCL | XFS_IOLOCK_SHARED) name one lock per flag bit.
 * Users extend or override entries from `.lockscope.json` or settings (same shape). What a kind of
 * lock does (sleeps, makes a section atomic, nests) is in kinds.ts.
 */
import { FREEZE_PRIMITIVES } from './freeze';
import {
  type Allocator,
  BUILTIN_ALLOCATORS,
  BUILTIN_SLEEPERS,
  FAULTING_CALLS,
  SCOPE_PRIMITIVES,
  type Sleeper,
} from './effects';
import { type LockKind, type Mode, NAME_PATTERNS } from './kinds';
import { BUILTIN_FORBIDDEN, type ForbiddenCall } from './rules';

export type PrimitiveOp =
  | 'acquire'
  | 'release'
  | 'trylock'
  | 'assert'
  | 'predicate'
  | 'downgrade'
  | 'noreturn'
  /** hand a held lock to an owner (a transaction) that releases it later */
  | 'handoff'
  /** the owner releases every lock handed to it (transaction commit/cancel) */
  | 'release-handed'
  /**
   * a wait until the lock is free (`folio_wait_locked`, `wait_extent_bit(.., EXTENT_LOCKED)`): a path that holds it
   * handed it to I/O whose completion unlocks it (`lock; submit read; wait`), and no longer holds it after the wait;
   * on a path that does not hold it, the wait says nothing
   */
  | 'await-release';

export interface FlagLock {
  lock: string;
  mode: Mode;
  kind: LockKind;
  class?: string;
}

export interface LockPrimitive {
  name: string;
  op: PrimitiveOp;
  kind: LockKind;
  mode?: Mode;
  /** Index of the argument that designates the lock; -1 for a global context (RCU, preemption). */
  arg?: number;
  /**
   * Template for the lock's lvalue: `{arg}` is the argument (dereferenced), e.g. `{arg}->i_rwsem`. A global
   * context names itself.
   */
  lock?: string;
  /** lockdep-like class when the primitive fixes it, e.g. `struct inode::i_rwsem`. */
  class?: string;
  /**
   * For trylock-style primitives: which return value means the lock was taken. On an `acquire` it says the
   * acquisition can fail (`lock_extent` returns -errno with nothing locked): where the caller reads the result
   * (`ret = lock_extent(..); if (ret) return ret;`) the outcome decides it; where it ignores it, it is taken.
   */
  success?: 'nonzero' | 'zero';
  /** Argument holding a lockdep subclass (`_nested` variants). */
  subclassArg?: number;
  /** Nesting the same lock is legal (RCU, preemption, rwlock readers). */
  recursive?: boolean;
  /** Flag-bit selection of locks (xfs_ilock). */
  flags?: { arg: number; bits: Record<string, FlagLock> };
  /** Arguments holding a range [start, end] (btrfs extent range lock). */
  range?: [number, number];
  /**
   * The acquisition never waits (always, or when argument `arg` names flag `bit`: `FGP_NOWAIT`): it fails instead,
   * so it neither orders the locks held before it nor deadlocks on one already held, as a trylock does not.
   */
  nowait?: true | { arg: number; bit: string };
  /** The call is this operation only when argument `arg` names flag `bit` (`wait_extent_bit(.., EXTENT_LOCKED)`). */
  onlyWith?: { arg: number; bit: string };
  /**
   * The lock is on the object the call returns (`{arg}` in `lock` or a flag bit's lock names the result): the
   * page-cache lookups that return the page locked. Held where the caller's variable is non-NULL (`success`).
   */
  returns?: boolean;
}

/** Macros/functions that assert a predicate; `negated` means the predicate must be false (WARN_ON(!x)). */
export interface AssertMacro {
  name: string;
  negated: boolean;
}

/** Scope-based guard classes (`guard(mutex)(&m)`, `scoped_guard(spinlock_irqsave, &l)`). */
export interface GuardClass {
  name: string;
  kind: LockKind;
  mode: Mode;
  lock?: string;
  class?: string;
  recursive?: boolean;
}

/**
 * The result of a call to `p` says whether it took its lock: a trylock, or an acquisition that can fail. Where
 * the caller reads the result, the flow splits on it.
 */
export const decidedByResult = (p: LockPrimitive): boolean =>
  p.op === 'trylock' || (p.op === 'acquire' && p.success !== undefined && !p.returns);

/** Is `text` a call that returns its result locked (`grab_cache_page(m, i)`, `__filemap_get_folio(.., FGP_LOCK)`)? */
export function returnsLockedCall(catalog: Catalog | undefined, text: string): boolean {
  const name = /^([A-Za-z_]\w*)\(/.exec(text)?.[1];
  const p = name ? (catalog?.primitive(name) ?? BUILTIN_PRIMITIVES.find((x) => x.name === name)) : undefined;
  if (!p?.returns) return false;
  return !p.flags || Object.keys(p.flags.bits).some((b) => new RegExp(`\\b${b}\\b`).test(text));
}

const P = (name: string, op: PrimitiveOp, kind: LockKind, extra: Partial<LockPrimitive> = {}): LockPrimitive => ({
  name,
  op,
  kind,
  ...extra,
});

function family(
  kind: LockKind,
  mode: Mode,
  lock: string | undefined,
  cls: string | undefined,
  acquire: string[],
  release: string[],
  trylock: string[] = [],
  nested: string[] = [],
  zeroOk: string[] = [],
  recursive = false,
): LockPrimitive[] {
  const base = { mode, ...(lock ? { lock } : {}), ...(cls ? { class: cls } : {}), ...(recursive ? { recursive } : {}) };
  return [
    ...acquire.map((n) => P(n, 'acquire', kind, base)),
    ...nested.map((n) => P(n, 'acquire', kind, { ...base, subclassArg: 1 })),
    ...zeroOk.map((n) => P(n, 'trylock', kind, { ...base, success: 'zero' })),
    ...trylock.map((n) => P(n, 'trylock', kind, { ...base, success: 'nonzero' })),
    ...release.map((n) => P(n, 'release', kind, base)),
  ];
}

const XFS_BITS: Record<string, FlagLock> = {
  XFS_IOLOCK_EXCL: { lock: 'VFS_I({arg})->i_rwsem', mode: 'excl', kind: 'rwsem', class: 'struct inode::i_rwsem' },
  XFS_IOLOCK_SHARED: { lock: 'VFS_I({arg})->i_rwsem', mode: 'shared', kind: 'rwsem', class: 'struct inode::i_rwsem' },
  XFS_MMAPLOCK_EXCL: {
    lock: 'VFS_I({arg})->i_mapping->invalidate_lock',
    mode: 'excl',
    kind: 'rwsem',
    class: 'struct address_space::invalidate_lock',
  },
  XFS_MMAPLOCK_SHARED: {
    lock: 'VFS_I({arg})->i_mapping->invalidate_lock',
    mode: 'shared',
    kind: 'rwsem',
    class: 'struct address_space::invalidate_lock',
  },
  XFS_ILOCK_EXCL: { lock: '{arg}->i_lock', mode: 'excl', kind: 'rwsem', class: 'struct xfs_inode::i_lock' },
  XFS_ILOCK_SHARED: { lock: '{arg}->i_lock', mode: 'shared', kind: 'rwsem', class: 'struct xfs_inode::i_lock' },
};

/** A page-cache lookup's result comes back locked when it is not NULL. */
const RETURNED_PAGE = { returns: true, lock: 'PG_locked({arg})', mode: 'excl', success: 'nonzero' } as const;
const FGP_LOCK = (kind: 'page' | 'folio'): FlagLock => ({
  lock: 'PG_locked({arg})',
  mode: 'excl',
  kind,
  class: `struct ${kind}::PG_locked`,
});

const INODE = { lock: '{arg}->i_rwsem', class: 'struct inode::i_rwsem' };

/** Waits until a page or folio is unlocked: one this path locked was handed to the read that unlocks it. */
const PAGE_WAITS = [
  ['wait_on_page_locked', 'page'],
  ['folio_wait_locked', 'folio'],
] as const;
const INVAL = { lock: '{arg}->invalidate_lock', class: 'struct address_space::invalidate_lock' };
const MMAP = { lock: '{arg}->mmap_lock', class: 'struct mm_struct::mmap_lock' };
const IMMAP = { lock: '{arg}->i_mmap_rwsem', class: 'struct address_space::i_mmap_rwsem' };

export const BUILTIN_PRIMITIVES: LockPrimitive[] = [
  ...PAGE_WAITS.map(([n, kind]) =>
    P(n, 'await-release', kind, { arg: 0, lock: 'PG_locked({arg})', class: `struct ${kind}::PG_locked`, mode: 'excl' }),
  ),
  // mutex
  ...family(
    'mutex',
    'excl',
    undefined,
    undefined,
    ['mutex_lock', 'mutex_lock_io'],
    ['mutex_unlock'],
    ['mutex_trylock'],
    ['mutex_lock_nested', 'mutex_lock_io_nested'],
    ['mutex_lock_interruptible', 'mutex_lock_killable'],
  ),
  P('mutex_lock_interruptible_nested', 'trylock', 'mutex', { mode: 'excl', success: 'zero', subclassArg: 1 }),
  P('mutex_lock_killable_nested', 'trylock', 'mutex', { mode: 'excl', success: 'zero', subclassArg: 1 }),
  // rw_semaphore
  ...family(
    'rwsem',
    'shared',
    undefined,
    undefined,
    ['down_read', 'down_read_non_owner'],
    ['up_read', 'up_read_non_owner'],
    ['down_read_trylock'],
    ['down_read_nested'],
    ['down_read_killable', 'down_read_interruptible'],
  ),
  ...family(
    'rwsem',
    'excl',
    undefined,
    undefined,
    ['down_write'],
    ['up_write'],
    ['down_write_trylock'],
    ['down_write_nested'],
    ['down_write_killable'],
  ),
  P('downgrade_write', 'downgrade', 'rwsem'),
  // spinlocks (the irq/bh variants also disable irqs/softirqs; the lock is what matters here)
  ...family(
    'spinlock',
    'excl',
    undefined,
    undefined,
    [
      'spin_lock',
      'spin_lock_bh',
      'spin_lock_irq',
      'spin_lock_irqsave',
      'raw_spin_lock',
      'raw_spin_lock_irq',
      'raw_spin_lock_irqsave',
      'raw_spin_lock_bh',
    ],
    [
      'spin_unlock',
      'spin_unlock_bh',
      'spin_unlock_irq',
      'spin_unlock_irqrestore',
      'raw_spin_unlock',
      'raw_spin_unlock_irq',
      'raw_spin_unlock_irqrestore',
      'raw_spin_unlock_bh',
    ],
    ['spin_trylock', 'spin_trylock_bh', 'spin_trylock_irq', 'spin_trylock_irqsave', 'raw_spin_trylock'],
    ['spin_lock_nested', 'spin_lock_irqsave_nested', 'raw_spin_lock_nested'],
  ),
  // rwlock_t: readers may nest
  ...family(
    'rwlock',
    'shared',
    undefined,
    undefined,
    ['read_lock', 'read_lock_bh', 'read_lock_irq', 'read_lock_irqsave'],
    ['read_unlock', 'read_unlock_bh', 'read_unlock_irq', 'read_unlock_irqrestore'],
    ['read_trylock'],
    [],
    [],
    true,
  ),
  ...family(
    'rwlock',
    'excl',
    undefined,
    undefined,
    ['write_lock', 'write_lock_bh', 'write_lock_irq', 'write_lock_irqsave'],
    ['write_unlock', 'write_unlock_bh', 'write_unlock_irq', 'write_unlock_irqrestore'],
    ['write_trylock'],
  ),
  // seqlock writers
  ...family(
    'seqlock',
    'excl',
    undefined,
    undefined,
    ['write_seqlock', 'write_seqlock_bh', 'write_seqlock_irq', 'write_seqlock_irqsave', 'read_seqlock_excl'],
    [
      'write_sequnlock',
      'write_sequnlock_bh',
      'write_sequnlock_irq',
      'write_sequnlock_irqrestore',
      'read_sequnlock_excl',
    ],
  ),
  // global contexts
  P('rcu_read_lock', 'acquire', 'rcu', { arg: -1, lock: 'rcu_read_lock', mode: 'shared', recursive: true }),
  P('rcu_read_unlock', 'release', 'rcu', { arg: -1, lock: 'rcu_read_lock', mode: 'shared', recursive: true }),
  P('srcu_read_lock', 'acquire', 'srcu', { mode: 'shared', recursive: true }),
  P('srcu_read_unlock', 'release', 'srcu', { mode: 'shared', recursive: true }),
  P('preempt_disable', 'acquire', 'preempt', { arg: -1, lock: 'preemption', mode: 'excl', recursive: true }),
  P('preempt_enable', 'release', 'preempt', { arg: -1, lock: 'preemption', mode: 'excl', recursive: true }),
  P('local_irq_disable', 'acquire', 'irq', { arg: -1, lock: 'local_irq', mode: 'excl', recursive: true }),
  P('local_irq_enable', 'release', 'irq', { arg: -1, lock: 'local_irq', mode: 'excl', recursive: true }),
  P('local_irq_save', 'acquire', 'irq', { arg: -1, lock: 'local_irq', mode: 'excl', recursive: true }),
  P('local_irq_restore', 'release', 'irq', { arg: -1, lock: 'local_irq', mode: 'excl', recursive: true }),
  // VFS wrappers (static inlines over the primitives above; summaries will infer them once headers are indexed)
  ...family(
    'rwsem',
    'excl',
    INODE.lock,
    INODE.class,
    ['inode_lock'],
    ['inode_unlock'],
    ['inode_trylock'],
    ['inode_lock_nested'],
  ),
  ...family(
    'rwsem',
    'shared',
    INODE.lock,
    INODE.class,
    ['inode_lock_shared'],
    ['inode_unlock_shared'],
    ['inode_trylock_shared'],
    ['inode_lock_shared_nested'],
  ),
  ...family('rwsem', 'excl', INVAL.lock, INVAL.class, ['filemap_invalidate_lock'], ['filemap_invalidate_unlock']),
  ...family(
    'rwsem',
    'shared',
    INVAL.lock,
    INVAL.class,
    ['filemap_invalidate_lock_shared'],
    ['filemap_invalidate_unlock_shared'],
  ),
  ...family(
    'rwsem',
    'shared',
    MMAP.lock,
    MMAP.class,
    ['mmap_read_lock'],
    ['mmap_read_unlock'],
    ['mmap_read_trylock'],
    [],
    ['mmap_read_lock_killable'],
  ),
  ...family(
    'rwsem',
    'excl',
    MMAP.lock,
    MMAP.class,
    ['mmap_write_lock'],
    ['mmap_write_unlock'],
    [],
    ['mmap_write_lock_nested'],
    ['mmap_write_lock_killable'],
  ),
  ...family('rwsem', 'excl', IMMAP.lock, IMMAP.class, ['i_mmap_lock_write'], ['i_mmap_unlock_write']),
  ...FREEZE_PRIMITIVES,
  ...family('rwsem', 'shared', IMMAP.lock, IMMAP.class, ['i_mmap_lock_read'], ['i_mmap_unlock_read']),
  // page, folio and buffer locks (bit locks that sleep)
  ...family(
    'page',
    'excl',
    'PG_locked({arg})',
    'struct page::PG_locked',
    ['lock_page', '__lock_page'],
    ['unlock_page'],
    ['trylock_page'],
    [],
    ['lock_page_killable'],
  ),
  ...family(
    'folio',
    'excl',
    'PG_locked({arg})',
    'struct folio::PG_locked',
    ['folio_lock', '__folio_lock'],
    ['folio_unlock'],
    ['folio_trylock'],
    [],
    ['folio_lock_killable'],
  ),
  ...family(
    'buffer',
    'excl',
    'BH_Lock({arg})',
    'struct buffer_head::BH_Lock',
    ['lock_buffer'],
    ['unlock_buffer'],
    ['trylock_buffer'],
  ),
  // "decrement, and if it hits zero return true with the lock held"
  ...['atomic_dec_and_lock', 'refcount_dec_and_lock', '_atomic_dec_and_lock', 'atomic_dec_and_raw_lock'].map((n) =>
    P(n, 'trylock', 'spinlock', { arg: 1, mode: 'excl', success: 'nonzero' }),
  ),
  ...['atomic_dec_and_lock_irqsave', 'refcount_dec_and_lock_irqsave'].map((n) =>
    P(n, 'trylock', 'spinlock', { arg: 1, mode: 'excl', success: 'nonzero' }),
  ),
  ...['atomic_dec_and_mutex_lock', 'refcount_dec_and_mutex_lock'].map((n) =>
    P(n, 'trylock', 'mutex', { arg: 1, mode: 'excl', success: 'nonzero' }),
  ),
  // page-cache lookups that return the page or folio locked, or NULL (include/linux/pagemap.h, mm/filemap.c);
  // pagecache_get_page and __filemap_get_folio lock it when their flags ask for FGP_LOCK
  ...['find_lock_page', 'find_or_create_page', 'grab_cache_page', 'grab_cache_page_write_begin'].map((n) =>
    P(n, 'acquire', 'page', { ...RETURNED_PAGE, class: 'struct page::PG_locked' }),
  ),
  P('grab_cache_page_nowait', 'acquire', 'page', { ...RETURNED_PAGE, class: 'struct page::PG_locked', nowait: true }),
  P('filemap_lock_folio', 'acquire', 'folio', { ...RETURNED_PAGE, class: 'struct folio::PG_locked' }),
  ...['pagecache_get_page', 'find_get_page_flags'].map((n) =>
    P(n, 'acquire', 'page', {
      ...RETURNED_PAGE,
      flags: { arg: 2, bits: { FGP_LOCK: FGP_LOCK('page') } },
      nowait: { arg: 2, bit: 'FGP_NOWAIT' },
    }),
  ),
  P('__filemap_get_folio', 'acquire', 'folio', {
    ...RETURNED_PAGE,
    flags: { arg: 2, bits: { FGP_LOCK: FGP_LOCK('folio') } },
    nowait: { arg: 2, bit: 'FGP_NOWAIT' },
  }),
  // handing a locked buffer to I/O: the completion unlocks it
  P('submit_bh', 'release', 'buffer', {
    arg: 1,
    lock: 'BH_Lock({arg})',
    class: 'struct buffer_head::BH_Lock',
    mode: 'excl',
  }),
  // btrfs extent range lock (extent_io_tree) and extent buffer locks; locking a range returns 0 when it holds it
  ...['lock_extent', 'lock_extent_bits', 'btrfs_lock_extent'].map((n) =>
    P(n, 'acquire', 'range', { mode: 'excl', class: 'struct extent_io_tree range', range: [1, 2], success: 'zero' }),
  ),
  ...['try_lock_extent', 'btrfs_try_lock_extent'].map((n) =>
    P(n, 'trylock', 'range', { mode: 'excl', class: 'struct extent_io_tree range', range: [1, 2], success: 'nonzero' }),
  ),
  ...['unlock_extent', 'unlock_extent_cached', 'btrfs_unlock_extent'].map((n) =>
    P(n, 'release', 'range', { mode: 'excl', class: 'struct extent_io_tree range', range: [1, 2] }),
  ),
  // waiting for a locked range to be unlocked: a range this path locked was handed to the read it submitted
  P('wait_extent_bit', 'await-release', 'range', {
    mode: 'excl',
    class: 'struct extent_io_tree range',
    range: [1, 2],
    onlyWith: { arg: 3, bit: 'EXTENT_LOCKED' },
  }),
  ...family(
    'rwsem',
    'excl',
    '{arg}->lock',
    'struct extent_buffer::lock',
    ['btrfs_tree_lock'],
    ['btrfs_tree_unlock'],
    ['btrfs_try_tree_write_lock'],
  ),
  ...family(
    'rwsem',
    'shared',
    '{arg}->lock',
    'struct extent_buffer::lock',
    ['btrfs_tree_read_lock'],
    ['btrfs_tree_read_unlock'],
    ['btrfs_try_tree_read_lock'],
  ),
  // xfs inode locks selected by flag bits
  P('xfs_ilock', 'acquire', 'rwsem', { flags: { arg: 1, bits: XFS_BITS } }),
  P('xfs_ilock_nowait', 'trylock', 'rwsem', { flags: { arg: 1, bits: XFS_BITS }, success: 'nonzero' }),
  P('xfs_iunlock', 'release', 'rwsem', { flags: { arg: 1, bits: XFS_BITS } }),
  P('xfs_isilocked', 'predicate', 'rwsem', { flags: { arg: 1, bits: XFS_BITS } }),
  // joining a locked inode to a transaction hands the lock to it: still held, released at commit/cancel
  P('xfs_trans_ijoin', 'handoff', 'rwsem', { arg: 1, flags: { arg: 2, bits: XFS_BITS } }),
  ...['xfs_trans_commit', 'xfs_trans_cancel', '__xfs_trans_commit'].map((n) =>
    P(n, 'release-handed', 'other', { arg: -1 }),
  ),
  // lockdep assertions
  ...[
    'lockdep_assert_held',
    'lockdep_assert_held_once',
    'assert_spin_locked',
    'lockdep_assert_held_write',
    'lockdep_assert_held_read',
  ].map((n) =>
    P(n, 'assert', 'other', n.endsWith('_read') ? { mode: 'shared' } : n.endsWith('_write') ? { mode: 'excl' } : {}),
  ),
  // predicates used inside WARN_ON(!...) / ASSERT(...)
  ...['mutex_is_locked', 'rwsem_is_locked', 'spin_is_locked', 'lockdep_is_held'].map((n) => P(n, 'predicate', 'other')),
  P('inode_is_locked', 'predicate', 'rwsem', INODE),
  // calls that do not return
  ...['BUG', 'panic', 'do_exit', 'kthread_exit', 'make_task_dead'].map((n) => P(n, 'noreturn', 'other')),
];

export const ASSERT_MACROS: AssertMacro[] = [
  { name: 'ASSERT', negated: false },
  { name: 'lockdep_assert', negated: false },
  { name: 'WARN_ON', negated: true },
  { name: 'WARN_ON_ONCE', negated: true },
  { name: 'BUG_ON', negated: true },
  { name: 'VM_BUG_ON', negated: true },
  { name: 'WARN', negated: true },
  { name: 'WARN_ONCE', negated: true },
];

export const GUARD_CLASSES: GuardClass[] = [
  { name: 'mutex', kind: 'mutex', mode: 'excl' },
  { name: 'mutex_intr', kind: 'mutex', mode: 'excl' },
  { name: 'spinlock', kind: 'spinlock', mode: 'excl' },
  { name: 'spinlock_irq', kind: 'spinlock', mode: 'excl' },
  { name: 'spinlock_irqsave', kind: 'spinlock', mode: 'excl' },
  { name: 'spinlock_bh', kind: 'spinlock', mode: 'excl' },
  { name: 'raw_spinlock', kind: 'spinlock', mode: 'excl' },
  { name: 'raw_spinlock_irq', kind: 'spinlock', mode: 'excl' },
  { name: 'raw_spinlock_irqsave', kind: 'spinlock', mode: 'excl' },
  { name: 'read_lock', kind: 'rwlock', mode: 'shared', recursive: true },
  { name: 'write_lock', kind: 'rwlock', mode: 'excl' },
  { name: 'rwsem_read', kind: 'rwsem', mode: 'shared' },
  { name: 'rwsem_write', kind: 'rwsem', mode: 'excl' },
  { name: 'rcu', kind: 'rcu', mode: 'shared', lock: 'rcu_read_lock', recursive: true },
  { name: 'srcu', kind: 'srcu', mode: 'shared', recursive: true },
  { name: 'preempt', kind: 'preempt', mode: 'excl', lock: 'preemption', recursive: true },
  { name: 'irq', kind: 'irq', mode: 'excl', lock: 'local_irq', recursive: true },
  { name: 'irqsave', kind: 'irq', mode: 'excl', lock: 'local_irq', recursive: true },
  { name: 'inode_lock', kind: 'rwsem', mode: 'excl', lock: '{arg}->i_rwsem', class: 'struct inode::i_rwsem' },
];

/** Name → behaviour lookup over the built-in table plus user extensions (later entries override). */
export class Catalog {
  private readonly byName = new Map<string, LockPrimitive>();
  private readonly asserts = new Map<string, AssertMacro>();
  private readonly guards = new Map<string, GuardClass>();

  private readonly forbidden = new Map<string, ForbiddenCall>();
  private readonly sleepers = new Map(BUILTIN_SLEEPERS.map((x) => [x.name, x]));
  private readonly allocators = new Map(BUILTIN_ALLOCATORS.map((x) => [x.name, x]));

  constructor(
    extra: LockPrimitive[] = [],
    extraGuards: GuardClass[] = [],
    extraForbidden: ForbiddenCall[] = [],
    builtinForbidden = true,
  ) {
    for (const f of [...(builtinForbidden ? BUILTIN_FORBIDDEN : []), ...extraForbidden]) this.forbidden.set(f.call, f);
    for (const p of [...BUILTIN_PRIMITIVES, ...SCOPE_PRIMITIVES, ...extra]) this.byName.set(p.name, p);
    for (const a of ASSERT_MACROS) this.asserts.set(a.name, a);
    for (const g of [...GUARD_CLASSES, ...extraGuards]) this.guards.set(g.name, g);
  }

  primitive(name: string): LockPrimitive | undefined {
    return this.byName.get(name);
  }
  assertMacro(name: string): AssertMacro | undefined {
    return this.asserts.get(name);
  }
  /** An assertion: a catalog macro, or one a filesystem names its own way (NAME_PATTERNS: `*bug_on*`, `*_assert*`). */
  assertion(name: string): { negated: boolean } | undefined {
    if (this.asserts.has(name)) return this.asserts.get(name);
    if (NAME_PATTERNS.bugOnMacro.test(name)) return { negated: true };
    return NAME_PATTERNS.assertMacro.test(name) ? { negated: false } : undefined;
  }
  guard(name: string): GuardClass | undefined {
    return this.guards.get(name);
  }
  forbiddenCall(name: string): ForbiddenCall | undefined {
    return this.forbidden.get(name);
  }
  sleeper(name: string): Sleeper | undefined {
    return this.sleepers.get(name);
  }
  /** A call that may fault on user memory (effects.ts). */
  faults(name: string): boolean {
    return FAULTING_CALLS.has(name);
  }
  /** An allocation that may enter reclaim, with the argument holding its flags (effects.ts). */
  allocator(name: string): Allocator | undefined {
    return this.allocators.get(name);
  }
  /** Names worth a second look when scanning a file (all primitives that act on a lock). */
  lockNames(): string[] {
    return [...this.byName.values()].filter((p) => p.op !== 'noreturn' && p.op !== 'predicate').map((p) => p.name);
  }
  get size(): number {
    return this.byName.size;
  }
}
