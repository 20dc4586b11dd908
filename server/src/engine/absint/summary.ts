/**
 * The shape of a function summary (summarise.ts builds it, calls.ts applies it at a call): what it takes inside,
 * needs held, forbids, calls through pointers, leaves taken or released, and the facts it leaves for its caller.
 */
import type { Mode } from '../model';
import type { LockRef } from '../ir';
import type { PathStep } from '../model';
import type { Guard } from './guard';

/** A lock a function takes inside; `template` names it relative to the parameters, when it can. */
export interface Acquisition {
  template?: string;
  ref: LockRef;
  mode: Mode;
  subclass?: string;
  /** The caller's locks released before it is taken, on the path found (relative to the parameters). */
  dropped?: string[];
  witness: PathStep[];
  /**
   * Taken only on paths where the parameters (`{1}`, `{0}->flags&FOO_X`) or the task's state (`current->…`), as
   * on entry, read so (guard.ts, taskstate.ts).
   */
  when?: Guard[];
}

/** A lock the function needs its caller to hold (an assert or annotation, here or in a callee). */
/** A lock needed on entry; `callee` when it was passed up from a call rather than stated here. */
export interface Requirement {
  template: string;
  ref: LockRef;
  via: string;
  witness: PathStep[];
  callee?: string;
  /** Needed only where the parameters (or the task's state) on entry read so (guard.ts). */
  when?: Guard[];
}

/** A forbidden call somewhere inside, with the lock it must not be made under (relative to the parameters). */
export interface ForbiddenInside {
  call: string;
  reason: string;
  template: string;
  ref: LockRef;
  witness: PathStep[];
}

/** A call through a function-pointer field inside, resolved only where the caller's context is known. */
export interface Deferred {
  field: string;
  args: (string | undefined)[];
  witness: PathStep[];
  recvType?: string;
  /** Locks of the caller the callee has released on every path before this call (relative to the parameters). */
  dropped?: string[];
  /** What the task's state (`current->…`) reads where the call is made, on every path to it (taskstate.ts). */
  when?: Guard[];
}

/** A function's lock behaviour, relative to its parameters (`{0}->i_rwsem`), applied at its calls. */
export interface Summary {
  name: string;
  /** Locks taken somewhere inside (from not held), with one witness path each: what a caller must not hold. */
  acquires: Acquisition[];
  /** Indirect calls inside (through any depth of callees), resolved in the context of the function being checked. */
  deferred: Deferred[];
  /** Forbidden calls inside, for callers that may hold their lock. */
  forbidden: ForbiddenInside[];
  /** Locks it needs held on entry (lockdep_assert_held, __must_hold; passed up from callees). */
  requires: Requirement[];
  /** It may sleep, with one witness path (from a sleeping call or lock, through callees). */
  sleeps?: PathStep[];
  /** It may fault on user memory with page faults enabled, with one witness path (through callees). */
  faults?: PathStep[];
  /** It may enter filesystem reclaim (a GFP_KERNEL allocation outside a nofs scope), with one witness path. */
  reclaims?: PathStep[];
  /** An eviction entry's `acquires` as reclaim calls it: on an inode that still has links (function.ts). */
  reclaimAcquires?: Acquisition[];
  /**
   * It sleeps only under a guard its callers decide (when it does not sleep regardless): allocation flags it is
   * given that allow blocking (`gfpflags_allow_blocking({1})`, model/gfp.ts), tests of its parameters or the
   * task on the path (`{2}`, `{0}->flags&FOO_WAIT`), evaluated with the caller's arguments at each call
   * (guard.ts). One witness each.
   */
  sleepsIf?: { when: Guard[]; witness: PathStep[] }[];
  /**
   * Net effects on exit; `when` makes one depend on a parameter test (`if (flags & X_LOCK)`, `if (unlock)`,
   * `if (req->locked)`), evaluated at the call with the argument (a constant, or what the caller's facts say of
   * it, guard.ts), and `otherwise` applies if it is false.
   */
  effects: {
    template: string;
    ref: LockRef;
    delta: 1 | -1;
    mode: Mode;
    when?: { test: string; value: boolean };
    otherwise?: 0 | 1 | -1;
    /**
     * The effect happens at all only where these hold (guard.ts): a release split by `when` once the exits where
     * the lock's object is NULL (`if (!page) return;`, nothing of it held) are left out carries `{0}` true, so a
     * call given a page known NULL releases nothing.
     */
    guard?: Guard[];
    /**
     * Trylock-style: the lock is held after the call only when it returns nonzero (or zero). With `{ret}` in the
     * template, the lock is on the object the function returns: held when it is not NULL (`nonzero`) or not an
     * ERR_PTR (`noterr`), named through the variable the caller assigns it to.
     */
    onReturn?: 'nonzero' | 'zero' | 'noterr';
    /** Held through an owner the function handed it to (a transaction), which releases it later. */
    handed?: boolean;
  }[];
  /** Keys it changes on some exits only: callers forget them and stay silent about them. */
  conditional: string[];
  /**
   * Locks it holds on every exit without saying so (by name or annotation): among `conditional`, since a callee
   * we cannot see may release them; a caller it is a callback of applies them (callbacks.ts).
   */
  keeps?: Summary['effects'];
  /**
   * What every exit says of the value it returns (returned.ts): `{ret}` true (never NULL), `IS_ERR({ret})` false,
   * `{ret}==-EIO` (one constant), and of the object it returns (not NULL, not an ERR_PTR): `{ret}->need_commit_sem`
   * true, a field the function stored into the object it allocated. At a call they are facts about the call's text,
   * which the assignment of the result hands to the variable.
   */
  retFacts?: Guard[];
  /**
   * What every exit leaves in places the caller sees (its parameters' fields and flag bits, globals; stores.ts):
   * `{0}->busy` true, `test_bit(F_X,&{0}->flags)` false, `{1}->state==FOO_DONE` true, `*{1}` true (an
   * out-parameter's pointee, `*dropped = 1;` next to the unlock it records: the caller's `dropped` after
   * `foo(&dropped)`).
   */
  stores?: Guard[];
  /**
   * It stands for a function not summarised yet (provisionalSummary): its `requires` only name the locks its
   * effects are on (requiredAs), they are not checked.
   */
  provisional?: true;
}

/** A candidate for an indirect call, with how it was chosen (`btrfs_file_operations.fsync`). */
export interface IndirectTarget {
  summary: Summary;
  via: string;
  /** How it was chosen (PathStep.resolvedBy): the function's own ops tables, its directory, or all of a few. */
  by?: 'table' | 'directory' | 'few';
  /** Its summary is not computed yet (a member of a recursive cycle summarised once): what it does is unknown. */
  pending?: boolean;
}
