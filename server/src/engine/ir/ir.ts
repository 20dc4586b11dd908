/**
 * The per-function IR: a control-flow graph whose nodes carry lock operations in order.
 * Built once per function from the syntax tree (cfg.ts); the solver and checkers read only this.
 */
import type { LockKind, Mode } from '../model';

export interface Site {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A lock as designated at one program point. */
export interface LockRef {
  /** Normalised lvalue without `&` (`inode->i_rwsem`, `*m`, `rcu_read_lock`). */
  key: string;
  /** For range locks: the tree's key, so that an unlock over a differently spelled range still matches. */
  base?: string;
  display: string;
  class: string | null;
  kind: LockKind;
  /** Nesting the same lock is legal (RCU, preemption, rwlock readers). */
  recursive: boolean;
  /** Chosen by flags that are not constant here: the primitive and the argument texts. */
  symbolic?: { prim: string; obj: string; flags: string };
  /**
   * The lock-order class where it is finer than `class` (syntax/lockclass.ts): a page lock by the mapping the
   * page came from, a range lock by its tree, an inode lock per filesystem type (`{fs}` until bound).
   */
  order?: string;
}

export type Op =
  | {
      k: 'acquire';
      lock: LockRef;
      mode: Mode;
      via: string;
      site: Site;
      subclass?: string;
      siteId: number;
      /** Held only where this fact holds (`page` non-NULL after `page = find_lock_page(..)`), once tested. */
      onResult?: { text: string; value: boolean };
      /** The call a lock on a returned object came from (`find_lock_page(mapping,index)`): where the object is from. */
      from?: string;
      /** The acquisition fails instead of waiting (`FGP_NOWAIT`): no order, no recursion, no sleep. */
      nowait?: true;
    }
  | { k: 'release'; lock: LockRef; via: string; site: Site }
  /** A wait until the lock is free: released here if this path holds it (handed to I/O), else nothing. */
  | { k: 'await-release'; lock: LockRef; via: string; site: Site }
  | { k: 'downgrade'; lock: LockRef; via: string; site: Site }
  /** The lock is handed to an owner that releases it later (`xfs_trans_ijoin`). */
  | { k: 'handoff'; lock: LockRef; via: string; site: Site }
  /** The owner releases every lock handed to it (`xfs_trans_commit`). */
  | { k: 'release-handed'; via: string; site: Site }
  | { k: 'assert'; lock: LockRef; mode?: Mode; via: string; site: Site }
  /**
   * A call to a named function; its summary (if the engine has one) is applied by the transfer
   * function, otherwise the escapes apply (locks whose address it is given may be dropped there).
   */
  | {
      k: 'call';
      callee: string;
      args: string[];
      site: Site;
      escapeKeys?: string[];
      escapeRoots?: string[];
      text?: string;
      /** It is given an iterator this function made over kernel memory: nothing inside faults through it. */
      kernelIter?: true;
    }
  /** A call through a function-pointer field (`file->f_op->fsync(...)`), resolved from ops tables. */
  | {
      k: 'icall';
      field: string;
      args: string[];
      site: Site;
      escapeKeys?: string[];
      escapeRoots?: string[];
      recv?: string;
      recvType?: string;
    }
  /**
   * An assignment to a variable: facts that mention it are forgotten, or set when the value is a constant;
   * `sameTruth`: pointer arithmetic (`p++`, `p += n`), which keeps a non-NULL pointer non-NULL.
   * `eq`: a copy of a pure pointer expression (`p = q`, `p = &x->lock`): the fact `p==q` holds after it;
   * `fresh`: the value of an allocator (`kmalloc`): distinct from every pointer the path had before;
   * `reads`: the variables the value is computed from (what may now be derived from a fresh pointer);
   * `copy`: the copied pure expression (`p = q`), whose facts the variable now has (as it has a call's, `rhs`).
   */
  | {
      k: 'assign';
      name: string;
      value?: boolean;
      constText?: string;
      rhs?: string;
      sameTruth?: boolean;
      eq?: string;
      fresh?: boolean;
      reads?: string[];
      /** `x &= ~(A|B)` or `x |= A|B`: only these flags of x change. */
      bits?: string[];
      copy?: string;
    }
  | { k: 'noreturn'; via: string; site: Site }
  /**
   * A call that may sleep. `gfp`: its allocation flags name a variable (`kmalloc(n, gfp)`): it sleeps only if
   * they allow blocking, which the caller's argument decides where the flags are a parameter.
   */
  | { k: 'sleep'; via: string; site: Site; gfp?: string }
  /** A call that may fault on user memory (and so enter a filesystem's page-fault handlers). */
  | { k: 'fault'; via: string; site: Site }
  /** An allocation whose flags allow filesystem reclaim (`GFP_KERNEL`): it may enter reclaim (lockdep's fs_reclaim). */
  | { k: 'reclaim'; via: string; site: Site }
  /** A call that must not happen while `lock` is held (a forbidden-call rule). */
  | { k: 'forbid'; call: string; lock: LockRef; reason: string; site: Site }
  /**
   * A lock's address (or the lock itself, for a macro) passed to a function we cannot see: it may be dropped
   * and retaken there.
   */
  | { k: 'escape'; keys: string[]; callee: string; site: Site; roots?: string[] };

/** What an edge knows: a branch outcome (a fact about a pure condition) and/or a trylock outcome. */
export interface EdgeGuard {
  fact?: { text: string; value: boolean };
  /** The trylock succeeded on this edge: apply this acquire. */
  acquire?: Op & { k: 'acquire' };
  /** A note for the path ("mutex_trylock fails"). */
  note?: string;
  /** This outcome drops the last reference (`refcount_dec_and_test` true, `--x->count` zero): release paths. */
  lastRef?: true;
  site?: Site;
}

export interface Edge {
  to: number;
  guard?: EdgeGuard;
}

/** What a `return` returns, classified for the trylock-style/error-return explanation of imbalance. */
export type RetClass =
  | { k: 'void' }
  | { k: 'const'; text: string; error: boolean; truthy: boolean }
  | { k: 'var'; name: string }
  | { k: 'try'; ok: boolean }
  | { k: 'expr'; text: string; error: boolean };

export interface CfgNode {
  id: number;
  kind: 'entry' | 'exit' | 'stmt' | 'cond' | 'join' | 'return';
  ops: Op[];
  succ: Edge[];
  line: number;
  column: number;
  /** For `return` nodes. */
  ret?: RetClass;
  /** A note put on the path when it passes this node (`goto out_unlock`). */
  note?: string;
}

export interface FunctionIR {
  name: string;
  file: string;
  params: string[];
  site: Site;
  bodyStart: Site;
  nodes: CfgNode[];
  entry: number;
  exit: number;
  /** Annotations: __acquires/__releases/__must_hold arguments, as keys. */
  annotations: { acquires: string[][]; releases: string[][]; mustHold: string[][] };
  hasParseErrors: boolean;
  /** Lock-primitive call sites that became operations. */
  lockSitesModelled: number;
  /** Constructs the builder could not model, by name. */
  unmodelled: Record<string, number>;
  /** Set when a budget stopped the builder: the function is analysed as empty, and reported as incomplete. */
  incomplete?: string;
  /** Lock sites inside constructs that were not modelled: findings on these locks are suppressed. */
  taintedKeys: Set<string>;
  /** Identifiers assigned anywhere in the body (loop-variant lock expressions). */
  assigned: Set<string>;
  /** Names declared inside the body (a lock rooted at one cannot be named by a caller). */
  locals: Set<string>;
  /** Callees named in the body. */
  callees: Set<string>;
  /** Function-pointer fields called in the body (`fsync` for `f->f_op->fsync(..)`). */
  fieldCalls: Set<string>;
  /** Declared `static`. */
  isStatic: boolean;
  /**
   * Its body only returns a part of a parameter (`return container_of(inode, struct foo_inode, vfs_inode);`):
   * a call of it names its argument's object without side effects, as an accessor macro does (aliases.ts).
   */
  accessor?: boolean;
  /**
   * Its body only returns a pure test of its parameters (`{0}->flags&FOO_FAILED`, cfg/predicates.ts): a
   * condition that calls it is a fact about that test.
   */
  predicate?: string;
  /** Objects stored into fields (`eb->pages[i] = p`): the field's lvalue and the stored variable, normalised. */
  stores?: [string, string][];
  /** Rewrites an expression through the function's aliases (locals and fields naming the caller's objects). */
  canon?: (text: string) => string;
  /** The alias table `canon` reads (plain data; `canon` itself does not survive structured cloning). */
  aliases?: AliasData;
}

/**
 * An alias table as plain data, kept on the IR so that `canon` can be rebuilt after the IR crossed a thread or
 * the cache.
 */
export interface AliasData {
  locals: Map<string, string>;
  fields: Map<string, string>;
  assignments: Map<string, number>;
  /**
   * Locals initialised by a call of a function defined elsewhere (`ci = foo_inode(inode)`), by that function's
   * name: aliases once the linked tree says the function is an accessor (FunctionIR.accessor).
   */
  calls?: Map<string, { fn: string; value: string }>;
}

/** An ops-table slot: `.field = fn` inside the initialiser of `table` (of `struct type`, when declared so). */
export interface OpsSlot {
  table: string;
  field: string;
  fn: string;
  file: string;
  type?: string;
}

export function acquiredKeys(ir: FunctionIR): Set<string> {
  const keys = new Set<string>();
  for (const n of ir.nodes) {
    for (const op of n.ops) if (op.k === 'acquire') keys.add(op.lock.key);
    for (const e of n.succ) if (e.guard?.acquire) keys.add(e.guard.acquire.lock.key);
  }
  return keys;
}
